/**
 * The thread that writes an SQLite access log. `node:sqlite` is synchronous: a batch written on the
 * gateway's own thread would hold every request behind it for as long as the batch takes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseSync } from 'node:sqlite';
import { messageOf } from './errors.ts';
import { openConnection, SqliteRecordWriter } from './sqlite-writer.ts';
import type { WriterData, WriterReply, WriterRequest } from './sqlite-writer-thread.ts';

const { file, busyTimeoutMs } = workerData as WriterData;
let db: DatabaseSync | undefined;
let writer: SqliteRecordWriter | undefined;

/** Opened on the first batch, and again after a failure to open, so that a file that comes back is written. */
function openWriter(): SqliteRecordWriter {
  const connection = openConnection(file, { busyTimeoutMs });
  try {
    const opened = new SqliteRecordWriter(connection);
    db = connection;
    return opened;
  } catch (error) {
    connection.close();
    throw error;
  }
}

parentPort?.on('message', (request: WriterRequest) => {
  if (request.type === 'close') {
    db?.close();
    parentPort?.close();
    return;
  }
  let reply: WriterReply;
  try {
    (writer ??= openWriter()).write(request.records);
    reply = { id: request.id };
  } catch (error) {
    reply = { id: request.id, error: messageOf(error) };
  }
  parentPort?.postMessage(reply);
});

/** Where a command writes, and how: colour and progress only for a person at a terminal. */
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal and not CI: progress and colour are welcome. */
  interactive: boolean;
  colors: Colors;
  /**
   * A line that replaces itself (a progress bar) on stderr when stderr is a terminal and not CI,
   * and nothing otherwise, so that piped output and CI logs stay plain. `undefined` clears it.
   */
  status(line: string | undefined): void;
}

export function processIo(): Io {
  // `leakproof ... | head` closes the pipe early: stop quietly, as other command-line tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  const interactive = process.stdout.isTTY && !process.env.CI;
  const statusShown = process.stderr.isTTY && !process.env.CI;
  let status = false;
  const clear = (): void => {
    if (status) process.stderr.write('\r\x1b[2K');
    status = false;
  };
  return {
    out: (text) => {
      clear();
      process.stdout.write(`${text}\n`);
    },
    err: (text) => {
      clear();
      process.stderr.write(`${text}\n`);
    },
    interactive,
    // isTTY is undefined, not false, on a pipe, whatever its type says: createColors(undefined)
    // would fall back to picocolors' own detection, which turns colour on whenever CI is set.
    colors: pc.createColors(interactive ? pc.isColorSupported : false),
    status: (line) => {
      if (!statusShown) return;
      clear();
      if (line === undefined) return;
      const width = Math.max(20, (process.stderr.columns || 80) - 1);
      process.stderr.write(line.length > width ? `${line.slice(0, width - 1)}…` : line);
      status = true;
    },
  };
}

/** An Io that keeps what was written, for tests and for commands run inside other commands. */
export function bufferIo(): Io & { stdout: string[]; stderr: string[]; statuses: (string | undefined)[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const statuses: (string | undefined)[] = [];
  return {
    stdout,
    stderr,
    statuses,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    interactive: false,
    colors: pc.createColors(false),
    status: (line) => statuses.push(line),
  };
}

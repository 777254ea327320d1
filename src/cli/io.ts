/** Where a command writes, and how: colour and progress only for a person at a terminal. */
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal and not CI: progress and colour are welcome. */
  interactive: boolean;
  colors: Colors;
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
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    interactive,
    colors: pc.createColors(pc.isColorSupported && interactive),
  };
}

/** An Io that keeps what was written, for tests and for commands run inside other commands. */
export function bufferIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    interactive: false,
    colors: pc.createColors(false),
  };
}

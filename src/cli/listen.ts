/** Starting a server, with the usual ways that fails turned into errors a person can act on. */
import { LeakproofError } from '../core/errors.ts';

export class ListenError extends LeakproofError {
  override readonly code = 'ERR_LISTEN';
}

export async function listen<T>(what: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ListenError(`cannot start the ${what}: the port is already in use`, { hint: 'choose another with --port, or --port 0 for any free one', cause: error });
    if (code === 'EACCES') throw new ListenError(`cannot start the ${what}: permission denied`, { hint: 'ports below 1024 need privileges; choose another with --port', cause: error });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ListenError(`cannot start the ${what}: no such address on this machine`, { cause: error });
    throw error;
  }
}

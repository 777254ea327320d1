/**
 * `node:sqlite` without its ExperimentalWarning. Node 24 before 24.15 prints "SQLite is an
 * experimental feature and might change at any time" the first time the module loads (24.15 made
 * it a release candidate and stopped), and a user of `leakproof logs` can do nothing about it. The
 * filter is in place only while the module loads, and lets every other warning through.
 */
type Sqlite = typeof import('node:sqlite');

let sqlite: Sqlite | undefined;

export function loadSqlite(): Sqlite {
  sqlite ??= withoutSqliteWarning(() => process.getBuiltinModule('node:sqlite'));
  return sqlite;
}

/** Runs `load` with the SQLite ExperimentalWarning, and only that one, held back. */
export function withoutSqliteWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = (warning: string | Error, ...rest: unknown[]): void => {
    if (isSqliteWarning(warning, rest[0])) return;
    Reflect.apply(emitWarning, process, [warning, ...rest]);
  };
  try {
    return load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

function isSqliteWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  const message = typeof warning === 'string' ? warning : warning.message;
  const type = typeof typeOrOptions === 'string' ? typeOrOptions : (typeOrOptions as { type?: unknown } | undefined)?.type;
  return type === 'ExperimentalWarning' && message.startsWith('SQLite is an experimental feature');
}

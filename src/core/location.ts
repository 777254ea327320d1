/** Where something came from: what SARIF results and error messages point at. */
export interface SourceLocation {
  /** Path of the file as the user named it (or as a `$ref` resolved it). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** JSON Pointer (RFC 6901) of the node inside its file. */
  pointer: string;
}

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}

/** Escapes one reference token of a JSON Pointer (RFC 6901 §3). */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function unescapePointerToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

export function joinPointer(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => `/${escapePointerToken(String(t))}`).join('');
}

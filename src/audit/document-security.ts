/**
 * The line of the document's own `security`. The API model keeps only what each operation
 * inherits from it, so the description is read once more, and only when an audit has something
 * to say about that line: its operations inherit a security that lets anyone in.
 */
import type { SourceLocation } from '../core/location.ts';
import { SourceMap } from '../core/source.ts';

/**
 * @example
 * ```ts
 * await locateDocumentSecurity('openapi.yaml'); // { file: 'openapi.yaml', line: 26, column: 1, pointer: '/security' }
 * ```
 */
export async function locateDocumentSecurity(path: string, displayName: string = path): Promise<SourceLocation | undefined> {
  const sources = new SourceMap();
  const root = await sources.parseFile(path, displayName);
  return root !== null && typeof root === 'object' ? sources.locate(root, 'security') : undefined;
}

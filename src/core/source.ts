/**
 * JSON and YAML documents parsed into plain values that remember where each node came from, so
 * that a finding or an error can name the file and line of what it is about.
 *
 * Positions are kept as offsets beside the values (never inside them) and turned into lines only
 * when asked: the largest real descriptions have hundreds of thousands of nodes.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { printParseErrorCode, visit } from 'jsonc-parser';
import { FileReadError, ParseError } from './errors.ts';
import type { SourceLocation } from './location.ts';
import { escapePointerToken } from './location.ts';
import { setMember } from './members.ts';
import { readYamlInPieces } from './yaml-pieces.ts';
import type { Register } from './yaml-values.ts';
import { readWholeYaml, YamlSyntaxError } from './yaml-values.ts';

export type SourceFormat = 'json' | 'yaml';

/** Larger files are refused rather than read: the largest real description we know is 13 MB. */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

class FileInfo {
  readonly file: string;
  #text: string | undefined;
  #lineStarts: number[] | undefined;

  constructor(file: string, text: string) {
    this.file = file;
    this.#text = text;
  }

  /** Offset at which each line starts (line n at [n - 1]), computed on the first lookup. */
  get lineStarts(): readonly number[] {
    if (this.#lineStarts === undefined) {
      this.#lineStarts = lineStartsOf(this.#text ?? '');
      this.#text = undefined;
    }
    return this.#lineStarts;
  }
}

interface NodeInfo {
  readonly source: FileInfo;
  readonly parent: object | undefined;
  /** Member name or array index under which this node sits in its parent. */
  readonly key: string;
  /** Offset of the key that names this node, or of the node itself when it has no key. */
  readonly offset: number;
  /**
   * Names and offsets of the members of an object (or indexes of an array's items), flat:
   * [name, offset, name, offset...]. One array a node costs far less than a Map a node in a
   * description with half a million of them.
   */
  readonly members: (string | number)[];
}

function memberOffset(info: NodeInfo, member: string): number | undefined {
  const { members } = info;
  for (let i = 0; i < members.length; i += 2) if (members[i] === member) return members[i + 1] as number;
  return undefined;
}

/**
 * Parsed documents and the positions of their nodes. One map can hold several files, so that a
 * node reached through an external `$ref` still locates in its own file.
 */
export class SourceMap {
  readonly #nodes = new WeakMap<object, NodeInfo>();

  /** Parses `text` (JSON or YAML) and returns its root value. Throws `ParseError` with file:line. */
  parse(text: string, file: string, format: SourceFormat = detectFormat(file, text)): unknown {
    const source = new FileInfo(file, text);
    return format === 'json' ? this.#parseJson(text, source) : this.#parseYaml(text, source);
  }

  /** Reads and parses a file. Throws `FileReadError` or `ParseError`. */
  async parseFile(path: string, displayName: string = path): Promise<unknown> {
    return this.parse(await readSourceText(path, displayName), displayName);
  }

  /**
   * Where `node` (an object or array from a parsed document) came from; with `member`, where that
   * member of it is. Undefined for values that were not parsed by this map.
   */
  locate(node: object, member?: string | number): SourceLocation | undefined {
    const info = this.#nodes.get(node);
    if (!info) return undefined;
    const found = member === undefined ? undefined : memberOffset(info, String(member));
    const offset = found ?? info.offset;
    const { line, column } = lineAndColumn(info.source.lineStarts, offset);
    const pointer = this.#pointerOf(info) + (found === undefined ? '' : `/${escapePointerToken(String(member))}`);
    return { file: info.source.file, line, column, pointer };
  }

  /**
   * Makes `derived` (a value built from `original`, e.g. a schema assembled from a Swagger 2.0
   * parameter) locate where `original` does.
   */
  alias(derived: object, original: object): void {
    const info = this.#nodes.get(original);
    if (info) this.#nodes.set(derived, info);
  }

  /** The file a parsed node belongs to. */
  fileOf(node: object): string | undefined {
    return this.#nodes.get(node)?.source.file;
  }

  #pointerOf(info: NodeInfo): string {
    const tokens: string[] = [];
    for (let at: NodeInfo | undefined = info; at?.parent !== undefined; at = this.#nodes.get(at.parent)) {
      tokens.push(escapePointerToken(at.key));
    }
    return tokens.reverse().map((t) => `/${t}`).join('');
  }

  #register(node: object, source: FileInfo, parent: object | undefined, key: string, offset: number): NodeInfo {
    const info: NodeInfo = { source, parent, key, offset, members: [] };
    this.#nodes.set(node, info);
    return info;
  }

  #parseJson(text: string, source: FileInfo): unknown {
    interface Frame { node: Record<string, unknown> | unknown[]; info: NodeInfo }
    const stack: Frame[] = [];
    let root: unknown;
    let pendingKey = '';
    let pendingKeyOffset = 0;

    const place = (value: unknown, offset: number): void => {
      const top = stack.at(-1);
      if (!top) {
        root = value;
        return;
      }
      if (Array.isArray(top.node)) {
        top.info.members.push(String(top.node.length), offset);
        top.node.push(value);
      } else {
        setMember(top.node, pendingKey, value);
      }
    };
    const open = (node: Record<string, unknown> | unknown[], offset: number): void => {
      const top = stack.at(-1);
      const isItem = top !== undefined && Array.isArray(top.node);
      const key = top === undefined ? '' : isItem ? String((top.node as unknown[]).length) : pendingKey;
      const info = this.#register(node, source, top?.node, key, top === undefined || isItem ? offset : pendingKeyOffset);
      place(node, offset);
      stack.push({ node, info });
    };

    visit(
      text,
      {
        onObjectBegin: (offset) => { open({}, offset); },
        onArrayBegin: (offset) => { open([], offset); },
        onObjectEnd: () => { stack.pop(); },
        onArrayEnd: () => { stack.pop(); },
        onObjectProperty: (property, offset) => {
          pendingKey = property;
          pendingKeyOffset = offset;
          stack.at(-1)?.info.members.push(property, offset);
        },
        onLiteralValue: (value: unknown, offset) => { place(value, offset); },
        onError: (code, offset) => {
          throw new ParseError(`invalid JSON: ${describeJsonError(printParseErrorCode(code))}`, {
            location: locationAt(source, offset),
          });
        },
      },
      { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
    );
    return root;
  }

  /**
   * In pieces when the file allows it, to keep the peak memory of a large description down
   * (yaml-pieces.ts); whole otherwise, which is also what reports a malformed file.
   */
  #parseYaml(text: string, source: FileInfo): unknown {
    const register: Register = (node, parent, key, offset) => this.#register(node, source, parent, key, offset).members;
    try {
      return readYamlInPieces(text, register) ?? readWholeYaml(text, register);
    } catch (error) {
      if (!(error instanceof YamlSyntaxError)) throw error;
      throw new ParseError(`invalid YAML: ${firstLine(error.message)}`, { location: locationAt(source, error.offset) });
    }
  }
}

/** Reads a file as UTF-8 text, with errors that say which file and why. */
export async function readSourceText(path: string, displayName: string = path): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new FileReadError(`${displayName} is not a file`);
    if (info.size > MAX_SOURCE_BYTES) {
      throw new FileReadError(`${displayName} is ${info.size} bytes, more than the ${MAX_SOURCE_BYTES} bytes Leakproof reads`);
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? error);
    throw new FileReadError(`cannot read ${displayName}: ${why}`, { cause: error });
  }
}

export function detectFormat(file: string, text: string): SourceFormat {
  const extension = extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  const first = /\S/.exec(text)?.[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineAndColumn(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
}

function locationAt(source: FileInfo, offset: number): SourceLocation {
  return { file: source.file, ...lineAndColumn(source.lineStarts, offset), pointer: '' };
}

function describeJsonError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'malformed number',
    PropertyNameExpected: 'property name expected',
    ValueExpected: 'value expected',
    ColonExpected: "':' expected",
    CommaExpected: "',' expected",
    CloseBraceExpected: "'}' expected",
    CloseBracketExpected: "']' expected",
    EndOfFileExpected: 'end of file expected',
    InvalidCommentToken: 'comments are not allowed in JSON',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in string',
  };
  return words[code] ?? code;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

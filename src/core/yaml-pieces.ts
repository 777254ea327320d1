/**
 * Reading a YAML file a piece at a time, so that the syntax tree and the document of the whole
 * file never exist at once.
 *
 * Why: `yaml` parses a whole file into a syntax tree, then composes that into a document of nodes.
 * For the 2.3 MB description of bench/README.md section 3 that is about 50 MB of tree and 30 MB of
 * document, both long-lived enough to reach V8's old generation before they die: planning its 1,000
 * operations peaked at 330 MB. Read in pieces, each piece's tree and document die young, and the
 * peak is that of the same description in JSON (about 190 MB).
 *
 * How: `yaml`'s lexer runs over the whole file, and its tokens go to a fresh parser for each piece:
 * one member of a mapping, from the line of its key to the line of the next key at the same
 * indentation. Mappings whose value starts on the next line (`paths:`, `/users/{id}:`) are split
 * again, down to `LEVELS` levels, so that a piece is about an operation or a schema. Each piece is
 * parsed and composed by `yaml` itself, with the checks and messages of a whole parse; it becomes
 * values, then garbage, before the next one starts.
 *
 * Anything this does not follow (a document that does not start with a key, a line it cannot place,
 * a second document, a piece with an error...) makes it give up: the caller then parses the file
 * whole, which is what reports errors.
 */
import { Composer, CST, isMap, isScalar, Lexer, Parser } from 'yaml';
import type { Document } from 'yaml';
import { setMember } from './members.ts';
import { keyName, YAML_OPTIONS, YamlValues } from './yaml-values.ts';
import type { Register } from './yaml-values.ts';

/** Root, `paths`, a path: its operations are the pieces. Root, `components`, `schemas`: schemas. */
const LEVELS = 3;

/**
 * Returns the value of `text`, a YAML document whose root is a block mapping, or undefined when it
 * must be read whole (see above). Never throws for a malformed file.
 */
export function readYamlInPieces(text: string, register: Register): unknown {
  try {
    return new PieceReader(register).read(text);
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

/** Thrown where reading in pieces stops. */
class GiveUp extends Error {}

/** The lexer's kind of a token, or 'source' for the text of a scalar that follows its marker. */
type Kind = CST.TokenType | 'source';

/** A block mapping split into pieces; the deepest one gets the lines being read. */
interface Level {
  readonly indent: number;
  readonly object: Record<string, unknown>;
  readonly members: (string | number)[];
  /** What a whole parse would pass for a key of this mapping that has no position. */
  readonly keyOffset: number;
  /** Its keys' values, to refuse a duplicate across pieces as `yaml` refuses one within a mapping. */
  readonly keys: Set<unknown>;
}

interface Piece {
  readonly parser: Parser;
  readonly tokens: CST.Token[];
  /** Nothing yet after the key but spaces and comments (`paths:`): it may become a level. */
  bare: boolean;
  /** Some node in it has an anchor, which later pieces may use. */
  anchored: boolean;
}

class PieceReader {
  readonly #register: Register;
  readonly #values: YamlValues;
  readonly #levels: Level[] = [];
  #root: unknown;
  #piece: Piece | undefined;
  #offset = 0;
  #flowDepth = 0;
  #sourceNext = false;
  #blockScalar = false;
  /** The start of the line being read, until it is known what it begins; undefined mid-line. */
  #line: LineStart | undefined = new LineStart(0);

  constructor(register: Register) {
    this.#register = register;
    this.#values = new YamlValues(register);
  }

  read(text: string): unknown {
    for (const lexeme of new Lexer().lex(text)) this.#take(lexeme);
    const line = this.#line;
    if (line?.atEnd() === 'blank') this.#replay(line);
    else if (line !== undefined) this.#extend(line);
    if (this.#levels.length === 0) throw new GiveUp();
    this.#close(this.#offset);
    return this.#root;
  }

  #take(lexeme: string): void {
    const offset = this.#offset;
    const kind = this.#sourceNext ? 'source' : CST.tokenType(lexeme);
    if (kind === null) throw new GiveUp();
    this.#sourceNext = kind === 'scalar';
    // The lexer's markers (document, scalar, end of flow) are not text of the file.
    if (kind !== 'scalar' && kind !== 'doc-mode' && kind !== 'flow-error-end') this.#offset += lexeme.length;
    if (this.#line) this.#lineLexeme(this.#line, lexeme, kind, offset);
    else this.#midLine(lexeme, kind);
  }

  #lineLexeme(line: LineStart, lexeme: string, kind: Kind, offset: number): void {
    if (kind === 'doc-mode' || kind === 'byte-order-mark' || kind === 'doc-start') {
      if (this.#levels.length > 0 || line.tokens.length > 0) throw new GiveUp();
      // Only spaces and a comment may follow `---` on its line: #midLine refuses the rest.
      this.#line = kind === 'doc-start' ? undefined : new LineStart(this.#offset);
      return;
    }
    const verdict = line.push(lexeme, kind, offset);
    if (verdict === 'pending') return;
    this.#line = undefined;
    if (verdict === 'key') this.#keyLine(line);
    else if (verdict === 'other') this.#extend(line);
    else this.#replay(line);
  }

  /** A line that starts with a key: the start of a piece, or more of the open one. */
  #keyLine(line: LineStart): void {
    const levels = this.#levels;
    const deepest = levels.at(-1);
    if (deepest === undefined) {
      const root: Record<string, unknown> = {};
      this.#root = root;
      levels.push(level(line.indent, root, this.#register(root, undefined, '', line.keyOffset), 0));
    } else if (line.indent > deepest.indent) {
      const piece = this.#piece;
      if (!piece?.bare || levels.length === LEVELS) {
        this.#extend(line);
        return;
      }
      this.#descend(deepest, piece, line);
    } else {
      this.#close(line.offset);
      while ((levels.at(-1)?.indent ?? -1) > line.indent) levels.pop();
      if (levels.at(-1)?.indent !== line.indent) throw new GiveUp();
    }
    this.#open(line);
  }

  /** A line within the value of the open piece. */
  #extend(line: LineStart): void {
    const deepest = this.#levels.at(-1);
    if (deepest === undefined || this.#piece === undefined || line.indent < deepest.indent) throw new GiveUp();
    this.#replay(line);
  }

  #replay(line: LineStart): void {
    for (const [lexeme, kind] of line.tokens) this.#midLine(lexeme, kind);
  }

  #midLine(lexeme: string, kind: Kind): void {
    const piece = this.#piece;
    if (piece === undefined) {
      // Before the first key: the end of a `---` line, blank lines and comments.
      if (kind === 'newline') this.#line = new LineStart(this.#offset);
      else if (kind !== 'space' && kind !== 'comment') throw new GiveUp();
      return;
    }
    piece.bare &&= kind === 'newline' || kind === 'comment' || (kind === 'space' && !lexeme.includes('\t'));
    feed(piece, lexeme);
    switch (kind) {
      case 'newline':
        if (this.#flowDepth === 0 && !this.#blockScalar) this.#line = new LineStart(this.#offset);
        return;
      case 'source':
        // A block scalar's text runs to the start of a line.
        if (this.#blockScalar) {
          this.#blockScalar = false;
          this.#line = new LineStart(this.#offset);
        }
        return;
      case 'block-scalar-header':
        this.#blockScalar = true;
        return;
      case 'anchor':
        piece.anchored = true;
        return;
      case 'flow-map-start':
      case 'flow-seq-start':
        this.#flowDepth += 1;
        return;
      case 'flow-map-end':
      case 'flow-seq-end':
        this.#flowDepth -= 1;
        if (this.#flowDepth < 0) throw new GiveUp();
        return;
      case 'doc-mode':
      case 'doc-start':
      case 'doc-end':
      case 'directive-line':
      case 'byte-order-mark':
      case 'flow-error-end':
        throw new GiveUp();
    }
  }

  #open(line: LineStart): void {
    const parser = new Parser();
    parser.offset = line.offset;
    const piece: Piece = { parser, tokens: [], bare: false, anchored: false };
    feed(piece, CST.DOCUMENT);
    for (const [lexeme] of line.tokens) feed(piece, lexeme);
    // A merge key's value is merged, not nested: it stays in its piece.
    piece.bare = line.key !== '<<';
    this.#piece = piece;
  }

  /** Turns the open piece, a key alone, into a mapping of its own: the level of `line`. */
  #descend(parent: Level, piece: Piece, line: LineStart): void {
    this.#piece = undefined;
    const doc = compose(piece, line.offset);
    const [pair, ...more] = isMap(doc.contents) ? doc.contents.items : [];
    const key = pair?.key;
    if (!isScalar(key) || more.length > 0 || !(isScalar(pair?.value) && pair.value.value === null)) throw new GiveUp();
    const name = keyName(key);
    const offset = key.range?.[0];
    if (name === '<<' || offset === undefined) throw new GiveUp();
    unique(parent, key);
    const object: Record<string, unknown> = {};
    parent.members.push(name, offset);
    setMember(parent.object, name, object);
    this.#levels.push(level(line.indent, object, this.#register(object, parent.object, name, offset), offset));
  }

  /** Composes the open piece, which ends at `end`, and adds its members to the deepest level. */
  #close(end: number): void {
    const piece = this.#piece;
    const deepest = this.#levels.at(-1);
    if (piece === undefined || deepest === undefined) throw new GiveUp();
    this.#piece = undefined;
    const doc = compose(piece, end);
    if (!isMap(doc.contents)) throw new GiveUp();
    for (const pair of doc.contents.items) unique(deepest, pair.key);
    this.#values.addPairs(doc, doc.contents, deepest.object, deepest.members, deepest.keyOffset);
    if (piece.anchored && !this.#values.keepAnchors(doc)) throw new GiveUp();
  }
}

/**
 * The first tokens of a line, held until they show whether the line starts with a key: spaces, a
 * one-line scalar, spaces, then `:`.
 */
class LineStart {
  readonly offset: number;
  readonly tokens: [lexeme: string, kind: Kind][] = [];
  indent = 0;
  keyOffset = 0;
  /** The key as written, when the line starts with one. */
  key = '';
  #stage: 'indent' | 'content' | 'comment' | 'marker' | 'key' = 'indent';

  constructor(offset: number) {
    this.offset = offset;
  }

  /** Adds the next token; says whether the line starts with a key, is blank, or starts with something else. */
  push(lexeme: string, kind: Kind, offset: number): 'pending' | 'key' | 'blank' | 'other' {
    this.tokens.push([lexeme, kind]);
    const stage = this.#stage;
    if (stage === 'indent' && kind === 'space') {
      // Tabs are no indentation in YAML: a whole parse says what they mean.
      if (lexeme.includes('\t')) return 'other';
      this.indent = lexeme.length;
      this.#stage = 'content';
      return 'pending';
    }
    if (stage === 'indent' || stage === 'content') {
      if (kind === 'newline') return 'blank';
      if (kind === 'comment') this.#stage = 'comment';
      else if (kind === 'scalar') this.#stage = 'marker';
      else if ((kind === 'single-quoted-scalar' || kind === 'double-quoted-scalar') && !lexeme.includes('\n')) this.#keyAt(lexeme, offset);
      else return 'other';
      return 'pending';
    }
    if (stage === 'comment') return kind === 'newline' ? 'blank' : 'other';
    if (stage === 'marker') {
      if (lexeme.includes('\n')) return 'other';
      this.#keyAt(lexeme, offset);
      return 'pending';
    }
    if (kind === 'space') return 'pending';
    return kind === 'map-value-ind' ? 'key' : 'other';
  }

  /** What the line is when the file ends before it is known. */
  atEnd(): 'blank' | 'other' {
    return this.#stage === 'indent' || this.#stage === 'content' || this.#stage === 'comment' ? 'blank' : 'other';
  }

  #keyAt(lexeme: string, offset: number): void {
    this.key = lexeme;
    this.keyOffset = offset;
    this.#stage = 'key';
  }
}

function level(indent: number, object: Record<string, unknown>, members: (string | number)[], keyOffset: number): Level {
  return { indent, object, members, keyOffset, keys: new Set() };
}

function feed(piece: Piece, lexeme: string): void {
  for (const token of piece.parser.next(lexeme)) piece.tokens.push(token);
}

/** The piece as `yaml` composes it, with the same checks as a whole parse; gives up on any error. */
function compose(piece: Piece, end: number): Document {
  for (const token of piece.parser.end()) piece.tokens.push(token);
  const [doc, ...more] = new Composer(YAML_OPTIONS).compose(piece.tokens, true, end);
  if (doc === undefined || more.length > 0 || doc.errors.length > 0) throw new GiveUp();
  return doc;
}

/** Records the key of a new member of `level`; gives up on a key it already has. */
function unique(level: Level, key: unknown): void {
  // `yaml` compares keys by value, and never merge keys (each is a symbol of its own) or collections.
  if (!isScalar(key) || typeof key.value === 'symbol') return;
  if (level.keys.has(key.value)) throw new GiveUp();
  level.keys.add(key.value);
}

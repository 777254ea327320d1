/**
 * YAML read into plain values that know their file, line, column and JSON Pointer; read in pieces
 * (src/core/yaml-pieces.ts) whenever that gives exactly what reading the document whole gives.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ParseError } from '../src/core/errors.ts';
import type { SourceLocation } from '../src/core/location.ts';
import { SourceMap } from '../src/core/source.ts';
import { readYamlInPieces } from '../src/core/yaml-pieces.ts';
import { readWholeYaml, YamlSyntaxError } from '../src/core/yaml-values.ts';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

function parse(text: string): { root: Record<string, unknown>; at: (node: unknown, member?: string | number) => string } {
  const sources = new SourceMap();
  const root = sources.parse(text, 'api.yaml', 'yaml') as Record<string, unknown>;
  const at = (node: unknown, member?: string | number): string => {
    const found: SourceLocation | undefined = sources.locate(node as object, member);
    return found ? `${found.line}:${found.column} ${found.pointer}` : 'nowhere';
  };
  return { root, at };
}

function member(node: unknown, ...path: (string | number)[]): unknown {
  return path.reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], node);
}

/**
 * Everything a reader records, in document order: each object or array once, with its JSON
 * Pointer, its offset and its members' offsets; each scalar with its value; shared values as such.
 */
function recording(read: typeof readWholeYaml, text: string): string[] {
  const places = new Map<object, { offset: number; members: (string | number)[] }>();
  const root = read(text, (node, _parent, _key, offset) => {
    const members: (string | number)[] = [];
    places.set(node, { offset, members });
    return members;
  });
  const lines: string[] = [];
  const seen = new Set<object>();
  const walk = (node: unknown, pointer: string): void => {
    if (node === null || typeof node !== 'object') {
      lines.push(`${pointer} = ${typeof node === 'number' ? String(node) : JSON.stringify(node)}`);
      return;
    }
    if (seen.has(node)) {
      lines.push(`${pointer} shares an earlier value`);
      return;
    }
    seen.add(node);
    lines.push(`${pointer} @${places.get(node)?.offset} [${places.get(node)?.members.join(' ')}]`);
    for (const [key, value] of Object.entries(node)) walk(value, `${pointer}/${key}`);
  };
  walk(root, '');
  return lines;
}

function failure(read: typeof readWholeYaml, text: string): string {
  try {
    read(text, () => []);
  } catch (error) {
    if (error instanceof YamlSyntaxError) return `${error.offset}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

/** The documents of the test: what API descriptions and configuration files look like, and their corners. */
const DOCUMENTS: Record<string, string> = {
  description: yaml(
    '# A description',
    'openapi: 3.0.3',
    'info: {title: T, version: "1"}',
    'paths:',
    '  /users/{id}:',
    '    parameters:',
    '    - $ref: "#/components/parameters/Id"',
    '    get:',
    '      responses:',
    "        '200':",
    '          description: |',
    '            A user.',
    '',
    '            With: a colon at the start of a line.',
    '          content: {application/json: {schema: {$ref: "#/components/schemas/User"}}}',
    '  /users:',
    '    post: {}',
    'components:',
    '  schemas:',
    '    User:',
    '      type: object',
    '      required: [id,',
    '        name]',
    '',
    '  parameters:',
    '    Id: {name: id, in: path}',
  ),
  'anchors and merge keys across members': yaml(
    'base: &base',
    '  a: 1',
    '  b: 2',
    'paths:',
    '  /x:',
    '    get:',
    '      <<: *base',
    '      b: 3',
    '    put: &put',
    '      c: [*base, &four 4]',
    '  /y:',
    '    get: *put',
    '    post: *four',
    'again: &base 5',
    'last: *base',
  ),
  'sequences at the indentation of their key': yaml('servers:', '- url: a', '  x: 1', 'tags:', '  t:', '  - 1', '  - 2', '  u: 3'),
  'multi-line strings': yaml(
    'a:',
    '  plain: one',
    '    two',
    '  double: "one',
    '    two: three"',
    "  single: 'it''s'",
    '  folded: >-',
    '    one',
    '    two',
    '  kept: |+',
    '    one',
    '',
    '  next: 1',
  ),
  'comments and blank lines anywhere': yaml('a: # on the key', '  # before', '', '  b: 1 # after', '# left', '    # right', '  c:', '', '    d: 2', '#end'),
  'keys that are not plain strings': yaml('"a b":', '  1: one', '  0x10: hex', '  true: yes', '  "1.0": quoted', '  ~:', '    x: 1'),
  'an indented root and CRLF line ends': '  a:\r\n    b: 1\r\n  c: 2\r\n',
  'a document start and a byte order mark': '\ufeff--- # start\na:\n  b: 1\n',
  'deep nesting below the split levels': yaml('a:', '  b:', '    c:', '      d:', '        e: 1'),
  'a key that would replace the prototype': yaml('a:', '  __proto__:', '    polluted: true'),
};

describe('YAML members locate at their key, items at their first character', () => {
  const { root, at } = parse(DOCUMENTS.description ?? '');

  it('locates a mapping at its key and its members at theirs, with the JSON Pointer', () => {
    assert.equal(at(root), '2:1 ');
    assert.equal(at(root, 'paths'), '4:1 /paths');
    assert.equal(at(member(root, 'paths')), '4:1 /paths');
    assert.equal(at(member(root, 'paths', '/users/{id}', 'get')), '8:5 /paths/~1users~1{id}/get');
    assert.equal(at(member(root, 'paths', '/users/{id}', 'get', 'responses'), '200'), "10:9 /paths/~1users~1{id}/get/responses/200");
    assert.equal(at(member(root, 'paths', '/users'), 'post'), '17:5 /paths/~1users/post');
  });

  it('locates sequence items at their first character, after the dash', () => {
    assert.equal(at(member(root, 'paths', '/users/{id}', 'parameters'), 0), '7:7 /paths/~1users~1{id}/parameters/0');
    assert.equal(at(member(root, 'paths', '/users/{id}', 'parameters', 0)), '7:7 /paths/~1users~1{id}/parameters/0');
  });

  it('locates flow mappings and sequences like block ones, on any line', () => {
    assert.equal(at(member(root, 'info'), 'version'), '3:18 /info/version');
    const content = member(root, 'paths', '/users/{id}', 'get', 'responses', '200', 'content');
    assert.equal(at(member(content, 'application/json', 'schema'), '$ref'), '15:49 /paths/~1users~1{id}/get/responses/200/content/application~1json/schema/$ref');
    assert.equal(at(member(root, 'components', 'schemas', 'User', 'required'), 1), '23:9 /components/schemas/User/required/1');
  });

  it('keeps the lines of what follows a multi-line string', () => {
    const response = member(root, 'paths', '/users/{id}', 'get', 'responses', '200');
    assert.equal(member(response, 'description'), 'A user.\n\nWith: a colon at the start of a line.\n');
    assert.equal(at(response, 'content'), '15:11 /paths/~1users~1{id}/get/responses/200/content');
    assert.equal(at(member(root, 'components'), 'parameters'), '25:3 /components/parameters');
  });

  it('reads plain, quoted, folded and literal strings over several lines, and what follows them', () => {
    const strings = parse(DOCUMENTS['multi-line strings'] ?? '');
    assert.deepEqual(strings.root, { a: { plain: 'one two', double: 'one two: three', single: "it's", folded: 'one two', kept: 'one\n\n', next: 1 } });
    assert.equal(strings.at(member(strings.root, 'a'), 'double'), '4:3 /a/double');
    assert.equal(strings.at(member(strings.root, 'a'), 'next'), '13:3 /a/next');
  });

  it('reads a sequence written at the indentation of its key', () => {
    const sequences = parse(DOCUMENTS['sequences at the indentation of their key'] ?? '');
    assert.deepEqual(sequences.root, { servers: [{ url: 'a', x: 1 }], tags: { t: [1, 2], u: 3 } });
    assert.equal(sequences.at(member(sequences.root, 'servers', 0), 'x'), '3:3 /servers/0/x');
    assert.equal(sequences.at(member(sequences.root, 'tags', 't'), 1), '7:5 /tags/t/1');
  });

  it('counts comments, blank lines, a document start and a byte order mark as lines and columns', () => {
    const commented = parse(DOCUMENTS['comments and blank lines anywhere'] ?? '');
    assert.deepEqual(commented.root, { a: { b: 1, c: { d: 2 } } });
    assert.equal(commented.at(member(commented.root, 'a'), 'c'), '7:3 /a/c');
    assert.equal(commented.at(member(commented.root, 'a', 'c'), 'd'), '9:5 /a/c/d');
    const started = parse(DOCUMENTS['a document start and a byte order mark'] ?? '');
    assert.equal(started.at(member(started.root, 'a'), 'b'), '3:3 /a/b');
  });

  it('counts a CRLF line end as one line, and an indented root at its column', () => {
    const { root: crlf, at: crlfAt } = parse(DOCUMENTS['an indented root and CRLF line ends'] ?? '');
    assert.equal(crlfAt(crlf), '1:3 ');
    assert.equal(crlfAt(member(crlf, 'a'), 'b'), '2:5 /a/b');
    assert.equal(crlfAt(crlf, 'c'), '3:3 /c');
  });

  it('names keys that are numbers, booleans or null as written', () => {
    const { root: keys, at: keysAt } = parse(DOCUMENTS['keys that are not plain strings'] ?? '');
    assert.deepEqual(Object.keys(member(keys, 'a b') as object), ['1', '0x10', 'true', '1.0', '~']);
    assert.equal(keysAt(member(keys, 'a b', '~'), 'x'), '7:5 /a b/~0/x');
  });
});

describe('an alias is the very value of its anchor, which locates where the anchor was written', () => {
  const { root, at } = parse(DOCUMENTS['anchors and merge keys across members'] ?? '');
  const put = member(root, 'paths', '/x', 'put');

  it('shares the anchored object, across members and nesting levels', () => {
    assert.equal(member(root, 'paths', '/y', 'get'), put);
    assert.equal(member(put, 'c', 0), member(root, 'base'));
    assert.equal(at(member(root, 'paths', '/y', 'get')), '9:5 /paths/~1x/put');
    assert.equal(at(member(root, 'paths', '/y'), 'get'), '12:5 /paths/~1y/get', 'the member itself is where the alias is');
  });

  it('resolves an alias of a scalar to its value', () => {
    assert.equal(member(root, 'paths', '/y', 'post'), 4);
  });

  it('takes the last anchor of that name written before the alias', () => {
    assert.equal(member(root, 'last'), 5);
  });

  it('merges `<<` members under the members written in the mapping itself', () => {
    assert.deepEqual(member(root, 'paths', '/x', 'get'), { a: 1, b: 3 });
    assert.equal(at(member(root, 'paths', '/x', 'get'), 'b'), '8:7 /paths/~1x/get/b');
  });

  it('makes an alias of an anchor never written null', () => {
    assert.deepEqual(parse(yaml('a:', '  b: *nowhere')).root, { a: { b: null } });
  });
});

describe('malformed YAML fails with the message and place yaml gives for the whole document', () => {
  const rejects = (text: string, where: string, message: RegExp): void => {
    assert.throws(() => new SourceMap().parse(text, 'api.yaml', 'yaml'), (error: unknown) => {
      assert.ok(error instanceof ParseError, String(error));
      assert.match(error.format(), new RegExp(`^api\\.yaml:${where}: ERR_PARSE invalid YAML: ${message.source}`));
      return true;
    });
  };

  it('refuses a key twice in a mapping, also when the two are far apart', () => {
    rejects(yaml('a:', '  b: 1', 'a: 2'), '3:1', /Map keys must be unique/);
    rejects(yaml('paths:', '  /a:', '    get: {}', '  /b: {}', '  /a: {}'), '5:3', /Map keys must be unique/);
    rejects(yaml('p:', '  q:', '    1: x', '    r:', '      s: 1', '    1.0: y'), '6:5', /Map keys must be unique/);
  });

  it('refuses a second document, misaligned keys, tabs as indentation and unclosed quotes', () => {
    rejects(yaml('a:', '  b: 1', '---', 'c: 1'), '3:1', /Source contains multiple documents/);
    rejects(yaml('a:', '  b:', '    c: 1', '   d: 2'), '4:1', /All mapping items must start at the same column/);
    rejects(yaml('a:', '\tb: 1'), '2:1', /Tabs are not allowed as indentation/);
    rejects(yaml('a:', '  b: "x', '  c: 1'), '4:1', /Missing closing "quote/);
  });

  it('refuses a flow collection that ends left of its key', () => {
    rejects(yaml('a:', '  b: [1,', '2]'), '3:1', /Flow sequence in block collection must be sufficiently indented/);
  });
});

describe('reading in pieces gives exactly what reading the document whole gives', () => {
  for (const [name, text] of Object.entries(DOCUMENTS)) {
    it(`${name}: the same values and offsets, read in pieces`, () => {
      assert.notEqual(readYamlInPieces(text, () => []), undefined, 'read in pieces');
      assert.deepEqual(recording(readYamlInPieces, text), recording(readWholeYaml, text));
    });
  }

  it('leaves to the whole reading what it cannot split: no mapping at the root, directives, explicit keys, the end marker', () => {
    for (const text of ['- a\n', '[a]\n', 'a\n', '', '%YAML 1.2\n---\na: 1\n', '? [k]\n: 1\n', 'a: 1\n...\n']) {
      assert.equal(readYamlInPieces(text, () => []), undefined, JSON.stringify(text));
    }
  });

  it('leaves malformed YAML to the whole reading, which reports it', () => {
    const text = yaml('paths:', '  /a:', '    get: {}', '  /a: {}');
    assert.equal(readYamlInPieces(text, () => []), undefined);
    assert.equal(failure(readWholeYaml, text), '27: Map keys must be unique');
  });

  it('agrees with the whole reading on mutated descriptions, or leaves them to it', () => {
    // A fixed sequence of small edits (lines dropped, moved or re-indented; tokens inserted), so
    // that the comparison covers malformed and odd YAML as well as the usual.
    const inserts = ['- ', '? ', ': ', '&a ', '*a', '<<: *a', '{', ']', ',', '"', '|', '>-', '---', '# c', '\t', ' ', 'x:', '1: a', '&a x: 1'];
    const base = (DOCUMENTS.description ?? '').split('\n');
    let seed = 1;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    let inPieces = 0;
    for (let round = 0; round < 200; round += 1) {
      const lines = [...base];
      const i = next(lines.length);
      const line = lines[i] ?? '';
      const at = next(line.length + 1);
      const edits = [
        () => lines.splice(i, 1),
        () => lines.splice(next(lines.length), 0, line),
        () => (lines[i] = ` ${line}`),
        () => (lines[i] = line.slice(1)),
        () => (lines[i] = line.slice(0, at) + (inserts[next(inserts.length)] ?? '') + line.slice(at)),
      ];
      edits[next(edits.length)]?.();
      const text = lines.join('\n');
      const whole = failure(readWholeYaml, text) === 'no error' ? recording(readWholeYaml, text) : undefined;
      if (readYamlInPieces(text, () => []) === undefined) continue;
      inPieces += 1;
      assert.deepEqual(recording(readYamlInPieces, text), whole, text);
    }
    assert.ok(inPieces > 60, `${inPieces} of 200 read in pieces`);
  });

  // The corpus descriptions up to 500 KB: the larger ones take seconds to read whole, and
  // test/spec-corpus.test.ts loads them all, through the pieces.
  const corpus = process.env.LEAKPROOF_SPECS_DIR ?? join(import.meta.dirname, '..', '..', 'shared', 'specs');
  const corpusFiles = existsSync(corpus) ? readdirSync(corpus).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(corpus, f)) : [];
  const files = [
    join(import.meta.dirname, '..', 'src', 'reference-api', 'openapi.yaml'),
    ...['fitness.yaml', 'broken-ref.yaml', 'shared/person.yaml'].map((name) => join(import.meta.dirname, 'fixtures', 'specs', name)),
    ...corpusFiles.filter((file) => statSync(file).size <= 500_000),
  ];
  for (const file of files) {
    it(`${file.split('/').slice(-2).join('/')}: read in pieces, to the same values and offsets`, () => {
      const text = readFileSync(file, 'utf8');
      assert.deepEqual(recording(readYamlInPieces, text), recording(readWholeYaml, text));
    });
  }
});

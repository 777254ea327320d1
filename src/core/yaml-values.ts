/**
 * YAML documents of the `yaml` package turned into plain values, with the offset of every object,
 * array and member recorded on the side. A document can be a whole file, or one piece of a file
 * read in pieces (yaml-pieces.ts): aliases then also reach the anchors of the pieces before.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node as YamlNode, YAMLMap } from 'yaml';
import { setMember } from './members.ts';

/**
 * Records an object or array built from a document: its parent, the member name under which it
 * sits there and the offset that names it. Returns the list to fill with the names and offsets of
 * its own members, flat: [name, offset, name, offset...].
 */
export type Register = (node: object, parent: object | undefined, key: string, offset: number) => (string | number)[];

/** The options of every parse, whole or in pieces, so that both read a file alike. */
export const YAML_OPTIONS = { merge: true, prettyErrors: false, uniqueKeys: true } as const;

/** A YAML file is not well-formed: `yaml`'s own message and the offset it points at. */
export class YamlSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** Parses `text` as one YAML document and returns its value. Throws `YamlSyntaxError`. */
export function readWholeYaml(text: string, register: Register): unknown {
  const doc = parseDocument(text, YAML_OPTIONS);
  const [error] = doc.errors;
  if (error) throw new YamlSyntaxError(error.message, error.pos[0]);
  return new YamlValues(register).value(doc, doc.contents, undefined, '', 0);
}

/** Turns documents into values, in the order of the file, so that an alias finds the anchors before it. */
export class YamlValues {
  readonly #register: Register;
  /** The last node of the earlier documents to bear each anchor. */
  readonly #anchors = new Map<string, YamlNode>();
  /** What each anchored node became, so that its aliases share that very value. */
  readonly #anchored = new Map<YamlNode, unknown>();

  constructor(register: Register) {
    this.#register = register;
  }

  /**
   * The value of `node`, a node of `doc`. `parent`, `key` and `keyOffset` say where it sits: the
   * member `key` of `parent`, named at `keyOffset` (nothing for the root).
   */
  value(doc: Document, node: unknown, parent: object | undefined, key: string, keyOffset: number): unknown {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(doc) ?? this.#anchors.get(node.source);
      if (target === undefined) return null;
      return this.#anchored.has(target) ? this.#anchored.get(target) : this.value(doc, target, parent, key, keyOffset);
    }
    if (isScalar(node)) return node.value;
    if (isSeq(node)) {
      const array: unknown[] = [];
      if (node.anchor) this.#anchored.set(node, array);
      const members = this.#register(array, parent, key, parent === undefined ? node.range?.[0] ?? 0 : keyOffset);
      node.items.forEach((item, index) => {
        const itemOffset = nodeOffset(item) ?? keyOffset;
        members.push(String(index), itemOffset);
        array.push(this.value(doc, item, array, String(index), itemOffset));
      });
      return array;
    }
    if (isMap(node)) {
      const object: Record<string, unknown> = {};
      if (node.anchor) this.#anchored.set(node, object);
      this.addPairs(doc, node, object, this.#register(object, parent, key, parent === undefined ? node.range?.[0] ?? 0 : keyOffset), keyOffset);
      return object;
    }
    return null;
  }

  /**
   * Adds the pairs of `map` to `object`, whose list of members is `members`; `keyOffset` stands in
   * for a key without a position of its own (an empty one).
   */
  addPairs(doc: Document, map: YAMLMap, object: Record<string, unknown>, members: (string | number)[], keyOffset: number): void {
    for (const pair of map.items) {
      const name = keyName(pair.key);
      const offset = nodeOffset(pair.key) ?? keyOffset;
      if (name === '<<') {
        mergeInto(object, this.value(doc, pair.value, object, name, offset));
        continue;
      }
      members.push(name, offset);
      setMember(object, name, this.value(doc, pair.value, object, name, offset));
    }
  }

  /**
   * Makes the anchors of `doc` reachable from the documents after it. False when an alias there
   * could not get the value an alias in the same document would: an anchored mapping or sequence
   * that is (or is inside) a key was never turned into a value.
   */
  keepAnchors(doc: Document): boolean {
    let complete = true;
    visit(doc, {
      Node: (_key, node) => {
        if (!node.anchor) return;
        this.#anchors.set(node.anchor, node);
        if (!isScalar(node) && !this.#anchored.has(node)) complete = false;
      },
    });
    return complete;
  }
}

/** The member name a key stands for: the text of a key that is not a string (`200`, `true`). */
export function keyName(key: unknown): string {
  if (isScalar(key)) return typeof key.value === 'string' ? key.value : key.source ?? String(key.value);
  return String(key);
}

/** YAML merge keys (`<<: *base`): members already present win. */
function mergeInto(object: Record<string, unknown>, merged: unknown): void {
  for (const source of Array.isArray(merged) ? merged : [merged]) {
    if (source === null || typeof source !== 'object') continue;
    for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
      if (!Object.hasOwn(object, name)) setMember(object, name, value);
    }
  }
}

function nodeOffset(node: unknown): number | undefined {
  if (node !== null && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range?.[0];
  }
  return undefined;
}

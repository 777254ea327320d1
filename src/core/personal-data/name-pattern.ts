/**
 * Name patterns (see `Evidence` in `catalogue.ts`) compiled to word sequences and indexed by their
 * first word, so that matching a field name costs a map lookup per word of it.
 */
import { nameWords } from './words.ts';

export interface NamePattern {
  readonly words: readonly string[];
  /** `^`: must start at the first word of the name. */
  readonly atStart: boolean;
  /** `$`: no word may follow it. */
  readonly atEnd: boolean;
}

/** What is wrong with a pattern, or undefined when it is usable. */
export function namePatternProblem(source: string): string | undefined {
  const inner = source.trim().replace(/^\^/, '').replace(/\$$/, '');
  if (inner.includes('^') || inner.includes('$')) return '`^` may only start a pattern and `$` only end it';
  if (nameWords(inner).length === 0) return 'has no word to match (numbers and punctuation are ignored)';
  return undefined;
}

export function parseNamePattern(source: string): NamePattern {
  const trimmed = source.trim();
  const atStart = trimmed.startsWith('^');
  const atEnd = trimmed.endsWith('$');
  return { words: nameWords(trimmed.slice(atStart ? 1 : 0, atEnd ? -1 : undefined)), atStart, atEnd };
}

/** True when `pattern` occurs in `words`, whatever follows it. */
export function occursIn(pattern: NamePattern, words: readonly string[]): boolean {
  const last = words.length - pattern.words.length;
  for (let start = 0; start <= last; start++) {
    if (pattern.atStart && start > 0) return false;
    if (pattern.atEnd && start !== last) continue;
    if (wordsAt(pattern, words, start)) return true;
  }
  return false;
}

export interface NameMatch<T> {
  readonly target: T;
  readonly length: number;
  readonly start: number;
}

export class NameIndex<T> {
  readonly #byFirstWord = new Map<string, { pattern: NamePattern; target: T }[]>();
  readonly #qualifiers: ReadonlySet<string>;

  constructor(qualifiers: Iterable<string>) {
    this.#qualifiers = new Set(qualifiers);
  }

  add(pattern: NamePattern, target: T): void {
    const first = pattern.words[0];
    if (first === undefined) return;
    const rules = this.#byFirstWord.get(first);
    if (rules) rules.push({ pattern, target });
    else this.#byFirstWord.set(first, [{ pattern, target }]);
  }

  /**
   * Every pattern that matches `words`: it occurs in them, and only qualifiers follow it. The head
   * of an English compound is its last word: `email_verified` is about verification, not an email.
   */
  match(words: readonly string[]): NameMatch<T>[] {
    const matches: NameMatch<T>[] = [];
    words.forEach((word, start) => {
      for (const { pattern, target } of this.#byFirstWord.get(word) ?? []) {
        if (pattern.atStart && start > 0) continue;
        if (!wordsAt(pattern, words, start)) continue;
        const end = start + pattern.words.length;
        if (pattern.atEnd ? end === words.length : this.#onlyQualifiersFrom(words, end)) {
          matches.push({ target, length: pattern.words.length, start });
        }
      }
    });
    return matches;
  }

  #onlyQualifiersFrom(words: readonly string[], from: number): boolean {
    for (let i = from; i < words.length; i++) if (!this.#qualifiers.has(words[i] ?? '')) return false;
    return true;
  }
}

function wordsAt(pattern: NamePattern, words: readonly string[], start: number): boolean {
  if (start + pattern.words.length > words.length) return false;
  return pattern.words.every((word, i) => words[start + i] === word);
}

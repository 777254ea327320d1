/**
 * Field names as words: `userIDs`, `user_ids` and `user-ids` are all `user id`. Matching on words
 * rather than characters is what keeps `usage` from matching `age`.
 */

/** Cased words, runs of upper case (acronyms), uncased letters, and numbers. */
const WORD = /\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lo}+|\p{N}+/gu;
/** `IPv4` and `IPv6` are one word, not `i`, `pv` and a number. */
const IP_VERSION = /ipv(?=\d)/gi;
/** `IDs`, `URLs`: a plural acronym, not an acronym followed by a word starting with `s`. */
const PLURAL_ACRONYM = /(\p{Lu}{2,})s(?!\p{Ll})/gu;
const NUMBER = /^\p{N}/u;
/** Singular words that end in `s`. */
const NOT_PLURAL = /(?:ss|us|is)$/;

/**
 * Splits a name into lower-case singular words; numbers are dropped.
 *
 * @example
 * ```ts
 * nameWords('followerIDs'); // ['follower', 'id']
 * nameWords('address_line_2'); // ['address', 'line']
 * ```
 */
export function nameWords(name: string): string[] {
  const normalized = name
    .replace(IP_VERSION, 'Ip')
    .replace(PLURAL_ACRONYM, (_, acronym: string) => `${acronym.charAt(0)}${acronym.slice(1).toLowerCase()}s`);
  const words: string[] = [];
  for (const [word] of normalized.matchAll(WORD)) {
    if (!NUMBER.test(word)) words.push(singular(word.toLowerCase()));
  }
  return words;
}

/**
 * A crude singular, applied the same way to patterns and names, so it only has to be consistent,
 * not correct: `cities` → `city`, `ids` → `id`, and `calories` and `calorie` both → `calory`, while
 * `address` and `status` stay.
 */
function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('ie')) return `${word.slice(0, -2)}y`;
  if (word.length >= 3 && word.endsWith('s') && !NOT_PLURAL.test(word)) return word.slice(0, -1);
  return word;
}

/**
 * The catalogue and a configuration compiled for fast questions: name patterns indexed by first
 * word, verdicts on names remembered, regular expressions and result objects built once.
 */
import { SpecError } from '../errors.ts';
import { QUALIFIER_WORDS } from './catalogue.ts';
import type { CategoryDefinition, Evidence } from './catalogue.ts';
import type { Classification, ClassificationReason } from './classify.ts';
import { categoriesInForce } from './config.ts';
import type { PersonalDataConfig } from './config.ts';
import { NameIndex, occursIn, parseNamePattern } from './name-pattern.ts';
import type { NamePattern } from './name-pattern.ts';
import { nameWords } from './words.ts';

/**
 * The schema extension that states a property's category, or `false` for none.
 *
 * @example
 * ```yaml
 * home_base: { type: string, x-personal-data: location }
 * display_title: { type: string, x-personal-data: false }
 * ```
 */
export const PERSONAL_DATA_EXTENSION = 'x-personal-data';

export interface CompiledCategory {
  readonly definition: CategoryDefinition;
  readonly types: ReadonlySet<string>;
  readonly unless: readonly NamePattern[];
  readonly values: readonly RegExp[];
  /** `values` and the person-only ones. */
  readonly valuesOnPerson: readonly RegExp[];
  /** One frozen answer per reason, so that classifying allocates nothing. */
  readonly verdicts: Readonly<Record<ClassificationReason, Classification>>;
}

/** Categories whose name patterns match a field name, best first, anywhere and on a person. */
interface NameVerdicts {
  readonly anywhere: readonly CompiledCategory[];
  readonly onPerson: readonly CompiledCategory[];
}

interface NameTarget {
  readonly category: CompiledCategory;
  readonly person: boolean;
}

/** What a category allows when it does not say: everything but booleans (see `CategoryDefinition.types`). */
const DEFAULT_TYPES = ['string', 'number', 'object', 'array'];
/** Field names are few and repeat across responses; past this many, start remembering afresh. */
const NAME_CACHE_LIMIT = 10_000;

export class CompiledRules {
  readonly categories: readonly CategoryDefinition[];
  readonly #byId = new Map<string, CompiledCategory>();
  readonly #disabled: ReadonlySet<string>;
  readonly #fields = new Map<string, CompiledCategory | false>();
  readonly #names = new NameIndex<NameTarget>(QUALIFIER_WORDS);
  readonly #formats = new Map<string, CompiledCategory>();
  readonly #personFormats = new Map<string, CompiledCategory>();
  readonly #nameVerdicts = new Map<string, NameVerdicts>();

  /** `config` must have passed `checkPersonalDataConfig`. */
  constructor(config: PersonalDataConfig) {
    this.categories = categoriesInForce(config);
    this.#disabled = new Set(config.disable);
    for (const definition of this.categories) {
      const category = compileCategory(definition);
      this.#byId.set(definition.id, category);
      for (const pattern of definition.names) this.#names.add(parseNamePattern(pattern), { category, person: false });
      for (const pattern of definition.person?.names ?? []) this.#names.add(parseNamePattern(pattern), { category, person: true });
      for (const format of definition.formats ?? []) if (!this.#formats.has(format)) this.#formats.set(format, category);
      for (const format of definition.person?.formats ?? []) if (!this.#personFormats.has(format)) this.#personFormats.set(format, category);
    }
    for (const [name, id] of Object.entries(config.fields ?? {})) {
      this.#fields.set(name, id === false ? false : (this.#byId.get(id) ?? false));
    }
  }

  /** The configuration's verdict on an exact field name: a category, `false` for none, or undefined when it has none. */
  byFieldName(name: string): CompiledCategory | false | undefined {
    return this.#fields.get(name);
  }

  /** The category an `x-personal-data` value names; undefined for `false` or a disabled category. Throws `SpecError` for anything else. */
  byExtension(value: unknown, property: string): CompiledCategory | undefined {
    if (value === false || (typeof value === 'string' && this.#disabled.has(value))) return undefined;
    const category = typeof value === 'string' ? this.#byId.get(value) : undefined;
    if (category) return category;
    throw new SpecError(`property '${property}': ${PERSONAL_DATA_EXTENSION} must be a personal-data category id or false, not ${JSON.stringify(value)}`, {
      hint: `known categories: ${[...this.#byId.keys()].join(', ')}`,
    });
  }

  /** The best category whose name patterns match and whose types admit the field's. */
  byName(name: string, personLike: boolean, types: readonly string[] | undefined): CompiledCategory | undefined {
    let verdicts = this.#nameVerdicts.get(name);
    if (verdicts === undefined) {
      if (this.#nameVerdicts.size >= NAME_CACHE_LIMIT) this.#nameVerdicts.clear();
      verdicts = this.#judgeName(name);
      this.#nameVerdicts.set(name, verdicts);
    }
    return (personLike ? verdicts.onPerson : verdicts.anywhere).find((category) => typesFit(category, types));
  }

  byFormat(format: string, personLike: boolean, types: readonly string[] | undefined): CompiledCategory | undefined {
    const category = this.#formats.get(format) ?? (personLike ? this.#personFormats.get(format) : undefined);
    return category && typesFit(category, types) ? category : undefined;
  }

  byValue(samples: readonly string[], personLike: boolean): CompiledCategory | undefined {
    for (const category of this.#byId.values()) {
      const patterns = personLike ? category.valuesOnPerson : category.values;
      if (patterns.some((pattern) => samples.some((sample) => pattern.test(sample)))) return category;
    }
    return undefined;
  }

  #judgeName(name: string): NameVerdicts {
    const words = nameWords(name);
    const matches = this.#names
      .match(words)
      .filter(({ target }) => !target.category.unless.some((pattern) => occursIn(pattern, words)))
      // The longest pattern is the most specific (`email address` over `address`); between equals,
      // the later one is the head of the compound (`location_lat` is a latitude).
      .sort((a, b) => b.length - a.length || b.start - a.start);
    const categories = (person: boolean): CompiledCategory[] => [
      ...new Set(matches.filter(({ target }) => person || !target.person).map(({ target }) => target.category)),
    ];
    return { anywhere: categories(false), onPerson: categories(true) };
  }
}

function compileCategory(definition: CategoryDefinition): CompiledCategory {
  const verdict = (reason: ClassificationReason): Classification => Object.freeze({ category: definition.id, sensitivity: definition.sensitivity, reason });
  const values = compileValues(definition);
  return {
    definition,
    types: new Set((definition.types ?? DEFAULT_TYPES).map(typeFamily)),
    unless: (definition.unless ?? []).map(parseNamePattern),
    values,
    valuesOnPerson: [...values, ...compileValues(definition.person)],
    verdicts: { name: verdict('name'), format: verdict('format'), extension: verdict('extension'), config: verdict('config'), value: verdict('value') },
  };
}

function compileValues(evidence: Evidence | undefined): RegExp[] {
  return (evidence?.values ?? []).map((source) => new RegExp(source, 'u'));
}

/** `integer` and `number` are one family: an age may be either. */
export function typeFamily(type: string): string {
  return type === 'integer' ? 'number' : type;
}

/** Types unknown (undefined) fit any category. */
function typesFit(category: CompiledCategory, types: readonly string[] | undefined): boolean {
  return types === undefined || types.some((type) => category.types.has(type));
}

/**
 * What an operation is for the audit, read from the description alone: the ways a caller names
 * other people in it (an id in the path, a list of ids, a search), whether it is how people log
 * in or sign up, and whether any member's credentials are enough to call it.
 */
import type { SourceLocation } from '../core/location.ts';
import type { ApiModel, JsonSchema, Operation, Parameter } from '../core/model.ts';
import { allowsAnonymous } from '../core/model.ts';
import type { Classifier } from '../core/personal-data/index.ts';
import { namesPerson } from '../core/personal-data/index.ts';
import type { PersonalDataIndex } from './personal-data.ts';
import { isSchema, locateProperty, propertiesOf, typesOf } from './schema-graph.ts';

/** A place in a request where a caller names someone. */
export interface PersonDoor {
  /** One person's id or username; a list of ids; a search query. */
  readonly kind: 'id' | 'ids' | 'search';
  /** `path parameter 'id'`, `body property 'ids'`. */
  readonly label: string;
  readonly schema: JsonSchema;
  readonly location: SourceLocation | undefined;
  /** The parameter, for doors in the path or query; undefined for a body property. */
  readonly parameter: Parameter | undefined;
}

const SEARCH_NAMES: ReadonlySet<string> = new Set(['q', 'query', 'search', 'searchterm', 'term', 'keyword', 'keywords', 'prefix']);
const PAGE_SIZE_NAMES: ReadonlySet<string> = new Set([
  'limit', 'perpage', 'pagesize', 'size', 'count', 'top', 'first', 'last', 'maxresults', 'take', 'max', 'pagelimit', 'numresults', 'rows',
]);
const SIGN_UP_PATH = /regist|sign-?up|enrol|join/i;
const PERSON_ID_CATEGORIES: ReadonlySet<string> = new Set(['person-id', 'username']);
const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/**
 * @example
 * ```ts
 * const reading = new OperationReading(api, classifier, personalData);
 * reading.doors(getUser);            // [{ kind: 'id', label: "path parameter 'id'", … }]
 * reading.openToAnyMember(getUser);  // true: a bearer token of any member will do
 * ```
 */
export class OperationReading {
  readonly #api: ApiModel;
  readonly #classifier: Classifier;
  readonly #personalData: PersonalDataIndex;
  readonly #doors = new Map<Operation, PersonDoor[]>();
  #signUp: { found: Operation | undefined } | undefined;

  constructor(api: ApiModel, classifier: Classifier, personalData: PersonalDataIndex) {
    this.#api = api;
    this.#classifier = classifier;
    this.#personalData = personalData;
  }

  /** Where the operation's requests name people other than the caller. */
  doors(operation: Operation): PersonDoor[] {
    let doors = this.#doors.get(operation);
    if (!doors) {
      doors = [...operation.parameters.flatMap((p) => this.#parameterDoor(operation, p)), ...this.#bodyDoors(operation)];
      this.#doors.set(operation, doors);
    }
    return doors;
  }

  /** Secured, and any member's credentials do: no alternative asks for a scope. */
  openToAnyMember(operation: Operation): boolean {
    return !allowsAnonymous(operation) && operation.security.every((requirement) => Object.values(requirement).every((scopes) => scopes.length === 0));
  }

  /**
   * Logging in, signing up, getting a token: operations that take or hand out a credential, and
   * must answer callers who have none yet.
   */
  isAuthenticationFlow(operation: Operation): boolean {
    return this.#takesCredential(operation) || this.#personalData.returned(operation).some((field) => field.sensitivity === 'credential');
  }

  /** The operation that lets anyone create an account, if there is one: then "any member" means anyone. */
  signUp(): Operation | undefined {
    this.#signUp ??= {
      found: this.#api.operations.find((op) =>
        op.method === 'POST' && allowsAnonymous(op) && this.#takesCredential(op) && (SIGN_UP_PATH.test(op.path) || namesPerson(lastSegment(op.path)))),
    };
    return this.#signUp.found;
  }

  /** Query parameters that set how many items a page holds (`limit`, `per_page`). */
  pageSizeParameters(operation: Operation): Parameter[] {
    return operation.parameters.filter((p) => p.in === 'query' && PAGE_SIZE_NAMES.has(compact(p.name)) && typesOf(p.schema).some((t) => t === 'integer' || t === 'number'));
  }

  /** Whether the operation writes what a client sends (POST, PUT, PATCH). */
  isWrite(operation: Operation): boolean {
    return WRITE_METHODS.has(operation.method);
  }

  #parameterDoor(operation: Operation, parameter: Parameter): PersonDoor[] {
    if (parameter.in !== 'path' && parameter.in !== 'query') return [];
    const door = (kind: PersonDoor['kind']): PersonDoor[] => [{ kind, label: `${parameter.in} parameter '${parameter.name}'`, schema: parameter.schema, location: parameter.location, parameter }];
    const types = typesOf(parameter.schema);
    if (types.includes('array')) return this.#namesPeople(parameter.name, parameter.schema) ? door('ids') : [];
    const textual = types.length === 0 || types.includes('string');
    const searching = SEARCH_NAMES.has(compact(parameter.name)) || (parameter.required && /\/search(?:\/|$)/i.test(operation.path));
    if (textual && searching) return door('search');
    const segment = parameter.in === 'path' ? segmentBefore(operation.path, parameter.name) : lastSegment(operation.path);
    const classification = this.#classifier.classifyField(parameter.name, parameter.schema, { personLike: namesPerson(segment) });
    return classification && PERSON_ID_CATEGORIES.has(classification.category) ? door('id') : [];
  }

  #bodyDoors(operation: Operation): PersonDoor[] {
    const doors: PersonDoor[] = [];
    for (const { name, schema, parent } of this.#bodyProperties(operation)) {
      if (!typesOf(schema).includes('array') || !this.#namesPeople(name, schema)) continue;
      doors.push({ kind: 'ids', label: `body property '${name}'`, schema, location: locateProperty(this.#api, parent, name), parameter: undefined });
    }
    return doors;
  }

  /** A list named `ids`, or named like a list of people's ids (`user_ids`, `memberIds`). */
  #namesPeople(name: string, list: JsonSchema): boolean {
    if (compact(name) === 'ids') return true;
    const items = isSchema(list.items) ? list.items : {};
    const singular = name.replace(/(?<=[Ii]d)s$/, '');
    return singular !== name && this.#classifier.classifyField(singular, items)?.category === 'person-id';
  }

  #bodyProperties(operation: Operation): ReturnType<typeof propertiesOf> {
    const seen = new Set<string>();
    return (operation.requestBody?.content ?? []).flatMap((media) => (media.schema ? propertiesOf(media.schema) : [])).filter(({ name }) => {
      if (seen.has(name)) return false;
      seen.add(name);
      return true;
    });
  }

  #takesCredential(operation: Operation): boolean {
    const names = [...operation.parameters.map((p) => p.name), ...this.#bodyProperties(operation).map((p) => p.name)];
    return names.some((name) => this.#classifier.classifyField(name)?.sensitivity === 'credential');
  }
}

/**
 * A name without case or separators, to compare names however they are written.
 *
 * @example
 * ```ts
 * compact('per_page') === compact('perPage'); // true
 * ```
 */
export function compact(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The literal path segment before `{name}`: `user` in `/api/user/{id}/workouts`. */
function segmentBefore(path: string, name: string): string {
  const segments = path.split('/');
  const index = segments.findIndex((s) => s.includes(`{${name}}`));
  return [...segments.slice(0, Math.max(0, index))].reverse().find((s) => s !== '' && !s.includes('{')) ?? '';
}

function lastSegment(path: string): string {
  return [...path.split('/')].reverse().find((s) => s !== '' && !s.includes('{')) ?? '';
}

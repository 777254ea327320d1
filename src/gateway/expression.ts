/**
 * Policy conditions in CEL (the Common Expression Language of Envoy RBAC, Kubernetes admission
 * policies and Google IAM conditions). Every condition is parsed and type-checked once, when the
 * configuration loads; at request time it only runs. Three variables: `principal` (who calls),
 * `request` (method, path, params, query, operation) and `resource` (one record of the answer),
 * plus one function per configured lookup, e.g. `followers(id)`.
 *
 * Decisions fail closed: a condition that errs at run time (a missing key, a lookup that fails)
 * counts as false, so the record is removed or the request refused, never let through.
 */
import { Environment } from '@marcbachmann/cel-js';

/** What a condition sees. JSON numbers arrive as CEL doubles: compare with `3.0` or `3`. */
export interface Activation {
  principal: Record<string, unknown>;
  request: Record<string, unknown>;
  resource?: unknown;
}

export type Lookup = (key: string) => Promise<unknown>;

export interface Condition {
  /** The text as written in the configuration. */
  source: string;
  /**
   * Whether the condition may call a configured lookup. Such a call needs the caller's
   * credentials at hand (lookups.ts); other conditions are spared setting them up.
   */
  asksLookups: boolean;
  /**
   * True or false; any error or a non-boolean result is false. A promise only when the condition
   * waits for a lookup: most decide at once, and a policy runs them for every record of an answer.
   */
  test(activation: Activation): boolean | Promise<boolean>;
}

/** A condition that does not compile: the message says what and where in the expression. */
export class ExpressionError extends Error {
  readonly source: string;

  constructor(message: string, source: string) {
    super(message);
    this.source = source;
  }
}

export interface ExpressionCompiler {
  compile(source: string): Condition;
}

/** Limits on one expression: policies are written by people, but read at every request. */
const LIMITS = { maxAstNodes: 500, maxDepth: 32, maxListElements: 100, maxMapEntries: 100, maxCallArguments: 8 };

/**
 * @example
 * ```ts
 * const cel = createExpressionCompiler({ followers: (id) => lookupFollowers(id) });
 * const visible = cel.compile('!resource.is_profile_private || principal.sub in followers(resource.id)');
 * await visible.test({ principal, request, resource });
 * ```
 */
export function createExpressionCompiler(lookups: Readonly<Record<string, Lookup>> = {}): ExpressionCompiler {
  let environment = new Environment({ limits: LIMITS })
    .registerVariable('principal', 'map')
    .registerVariable('request', 'map')
    .registerVariable('resource', 'dyn');
  for (const [name, lookup] of Object.entries(lookups)) {
    environment = environment.registerFunction(`${name}(string): dyn`, lookup);
  }
  const lookupNames = new Set(Object.keys(lookups));
  return {
    compile(source) {
      let program: (activation: Activation) => unknown;
      try {
        program = environment.parse(source);
      } catch (error) {
        throw new ExpressionError(firstLine(error), source);
      }
      const checked = environment.check(source);
      if (!checked.valid) throw new ExpressionError(firstLine(checked.error), source);
      if (checked.type !== 'bool' && checked.type !== 'dyn') throw new ExpressionError(`the condition gives ${checked.type}, not bool`, source);
      return {
        source,
        asksLookups: namesIn(source).some((name) => lookupNames.has(name)),
        test(activation) {
          let result: unknown;
          try {
            result = program(activation.resource === undefined ? { ...activation, resource: null } : activation);
          } catch {
            return false;
          }
          return result instanceof Promise ? result.then((value) => value === true, () => false) : result === true;
        },
      };
    },
  };
}

/** Every identifier-like word of the source, in strings and comments too: a word too many only costs a little time. */
function namesIn(source: string): string[] {
  return source.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

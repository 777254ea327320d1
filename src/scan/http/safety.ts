/**
 * The production-safety rule: a scan sends only methods that must not change state (RFC 9110
 * §9.2.1) unless the configuration says otherwise, for the whole scan, for named operations, or
 * for an identity's own configured credential request (a login, a token grant).
 */
import type { HttpMethod } from '../../core/model.ts';
import { SAFE_METHODS } from '../../core/model.ts';
import { SafetyError } from './errors.ts';

export interface MethodPolicyOptions {
  allowWrites: boolean;
  allowOperations: readonly string[];
}

/** Why a write may be sent: the configuration that allows it. */
export type WriteAllowance = 'configured credential request';

export class MethodPolicy {
  readonly #allowWrites: boolean;
  readonly #allowOperations: ReadonlySet<string>;

  constructor(options: MethodPolicyOptions) {
    this.#allowWrites = options.allowWrites;
    this.#allowOperations = new Set(options.allowOperations);
  }

  allows(method: HttpMethod, operationId: string | undefined, allowance: WriteAllowance | undefined): boolean {
    return (
      SAFE_METHODS.has(method) ||
      this.#allowWrites ||
      (operationId !== undefined && this.#allowOperations.has(operationId)) ||
      allowance === 'configured credential request'
    );
  }

  /** Throws a `SafetyError` saying how to allow the request when the policy refuses it. */
  check(method: HttpMethod, url: URL, operationId: string | undefined, allowance: WriteAllowance | undefined): void {
    if (this.allows(method, operationId, allowance)) return;
    const what = operationId === undefined ? `${method} ${url.pathname}` : `${method} ${url.pathname} (${operationId})`;
    throw new SafetyError(`${what} may change data and the scan is read-only: nothing was sent`, {
      hint:
        operationId === undefined
          ? 'set allowWrites to send state-changing requests (only against a test environment)'
          : `add '${operationId}' to allowOperations, or set allowWrites (only against a test environment)`,
    });
  }
}

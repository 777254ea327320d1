/**
 * `leakproof retest`: is the flaw a probe reproduces still there? The scan runs again, narrowed to
 * the probe's operation and the checks that judge it, as anonymous and as every configured
 * identity (owners, unrelated members, administrators). Three answers:
 * - `fail`: still exploitable (a finding of the probe's check, or of a check that reports the same
 *   leak by another road: the 2021 half fix turned missing authentication into BOLA);
 * - `pass`: not found, and the scan saw enough to say so (the owner still gets their record, the
 *   strangers were asked and answered);
 * - `inconclusive`: anything else. Inconclusive is never a pass: a target that refuses everyone, a
 *   login that fails, timeouts and 5xx answers prove nothing about a fix.
 */
import type { Operation } from '../core/model.ts';
import { LeakproofError, ExitCode } from '../core/errors.ts';
import type { PersonalDataConfig } from '../core/personal-data/index.ts';
import { CHECKS } from './checks/index.ts';
import { anonymousAsked, firstGap, strangerAsked } from './checks/coverage.ts';
import type { ScanConfig } from './config.ts';
import type { Check, Observation, ScanContext } from './context.ts';
import type { Finding } from './finding.ts';
import { executeScan, prepareScan } from './index.ts';
import type { ExecutedScan, ScanProgress } from './index.ts';
import type { Probe } from './probe.ts';
import { ProbeError } from './probe.ts';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/**
 * Checks that report one leak (data reaching a caller who should not have it) by different roads:
 * requiring a login turns missing authentication into BOLA, or into members calling an
 * administrator's operation.
 */
const LEAK_CHECKS = ['missing-authentication', 'bola', 'private-flag-bypass', 'enumeration', 'undocumented-endpoint', 'function-level-authorization'];

export interface RetestCaller {
  name: string;
  role: 'anonymous' | 'user' | 'admin';
  /** How the probed operation answered this caller: HTTP status (or `error`) → count. */
  answers: Record<string, number>;
}

export interface RetestResult {
  verdict: Verdict;
  /** Why, in a sentence a person can act on. */
  reason: string;
  probe: Probe;
  target: string;
  /** The checks whose findings would fail the retest. */
  checks: string[];
  callers: RetestCaller[];
  /** What still reproduces (empty unless the verdict is `fail`). */
  findings: Finding[];
  /** Related checks that could not decide on this operation, and why: what the verdict leaves untested. */
  notes: string[];
  requests: number;
  startedAt: string;
  durationMs: number;
}

export const VERDICT_EXIT_CODES: Record<Verdict, ExitCode> = { pass: ExitCode.Ok, fail: ExitCode.Findings, inconclusive: ExitCode.Inconclusive };

/**
 * Retests a probe against `settings.target` with `settings`' identities.
 *
 * @example
 * ```ts
 * const config = await loadConfig('leakproof.yaml');
 * const result = await retest(await loadProbe('probes/bola-3f2a.json'), scanConfig(config, { target }), config.personalData);
 * if (result.verdict !== 'pass') console.log(result.reason);
 * ```
 */
export async function retest(probe: Probe, settings: ScanConfig, personalData: PersonalDataConfig, onProgress?: (progress: ScanProgress) => void): Promise<RetestResult> {
  const own = CHECKS.find((check) => check.id === probe.check);
  if (!own) throw new ProbeError(`the probe names check '${probe.check}', which this Leakproof does not have`, { hint: `checks: ${CHECKS.map((c) => c.id).join(', ')}` });
  const checks = LEAK_CHECKS.includes(own.id) ? CHECKS.filter((check) => LEAK_CHECKS.includes(check.id)) : [own];
  const startedAt = new Date();
  const result = (fields: Omit<RetestResult, 'probe' | 'target' | 'checks' | 'startedAt' | 'durationMs'>): RetestResult => ({
    ...fields,
    probe,
    target: settings.target,
    checks: checks.map((check) => check.id),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  });
  const prepared = await prepareScan(settings, personalData);
  const operation = prepared.api.operations.find((o) => o.id === probe.operation);
  if (!operation) {
    return result({ verdict: 'inconclusive', reason: `operation '${probe.operation}' is not in ${settings.spec}: describe it again, or retest with the description it was found with`, callers: [], findings: [], notes: [], requests: 0 });
  }
  let scan: ExecutedScan;
  try {
    scan = await executeScan(prepared, settings, onProgress, { checks, focus: new Set([operation.id]) });
  } catch (error) {
    // A login that fails or a budget spent is the environment's failure, not evidence of a fix.
    if (error instanceof LeakproofError && error.exitCode === ExitCode.Runtime) {
      return result({ verdict: 'inconclusive', reason: `the retest could not run to the end: ${error.message}`, callers: [], findings: [], notes: [], requests: 0 });
    }
    throw error;
  }
  const { context } = scan;
  const callers = callersOf(probedObservations(context, operation), context);
  const requests = scan.summary.requests;
  const findings = scan.findings.filter((f) => f.retestOperation === operation.id);
  if (findings.length > 0) return result({ verdict: 'fail', reason: failReason(probe, findings), callers, findings, notes: [], requests });
  const gap = firstGap(
    scan.skipped.find((s) => s.operation.id === operation.id)?.reason,
    unanswered(probedObservations(context, operation), operation),
    own.undecided(context, operation),
    LEAK_CHECKS.includes(own.id) ? strangersGap(context, operation) : undefined,
  );
  const notes = checks.filter((check) => check !== own).flatMap((check) => {
    const why = check.undecided(context, operation);
    return why === undefined ? [] : [`${check.id} not decided: ${why}`];
  });
  if (gap !== undefined) return result({ verdict: 'inconclusive', reason: gap, callers, findings: [], notes, requests });
  return result({ verdict: 'pass', reason: passReason(operation, callers, checks), callers, findings: [], notes, requests });
}

/** Every request the retest made of the probed operation, including twins and forged tokens. */
function probedObservations(context: ScanContext, operation: Operation): Observation[] {
  return [
    ...context.observations.filter((o) => o.operation.id === operation.id),
    ...context.inventory.filter((i) => i.mirrors.id === operation.id).map((i) => i.observation),
    ...context.tokens.filter((t) => t.operation.id === operation.id).flatMap((t) => t.forgeries.map((f) => f.observation)),
  ];
}

/** No answer, a server error or a rate limit says nothing about authorization. */
function unanswered(observations: readonly Observation[], operation: Operation): string | undefined {
  const failed = observations.filter((o) => o.exchange.response === undefined || o.exchange.response.status >= 500 || o.exchange.response.status === 429);
  if (failed.length === 0) return undefined;
  const kinds = tally(failed.map((o) => (o.exchange.response ? `HTTP ${o.exchange.response.status}` : (o.exchange.error ?? 'no answer'))));
  return `${failed.length} of ${observations.length} requests to ${operation.method} ${operation.path} got no usable answer (${Object.entries(kinds).map(([kind, n]) => `${kind} ×${n}`).join(', ')})`;
}

/**
 * A leak verified fixed was tried as anonymous and as a member: for an operation about one person,
 * a member unrelated to the person asked about; otherwise any member.
 */
function strangersGap(context: ScanContext, operation: Operation): string | undefined {
  const asked = context.observations.filter((o) => o.operation.id === operation.id && o.exchange.response !== undefined);
  const aboutSomeone = asked.some((o) => o.purpose === 'owner');
  const member = asked.some((o) => o.purpose !== 'owner' && context.people.get(o.caller)?.role === 'user');
  return firstGap(
    anonymousAsked(context, operation),
    aboutSomeone ? strangerAsked(context, operation) : member ? undefined : `no member identity asked ${operation.method} ${operation.path}`,
  );
}

function callersOf(observations: readonly Observation[], context: ScanContext): RetestCaller[] {
  const callers = new Map<string, RetestCaller>();
  for (const o of observations) {
    const name = o.caller;
    const caller = callers.get(name) ?? { name, role: name === 'anonymous' || name.endsWith('(forged)') ? 'anonymous' : (context.people.get(name)?.role ?? 'user'), answers: {} };
    const answer = o.exchange.response ? String(o.exchange.response.status) : 'error';
    caller.answers[answer] = (caller.answers[answer] ?? 0) + 1;
    callers.set(name, caller);
  }
  return [...callers.values()];
}

function failReason(probe: Probe, findings: readonly Finding[]): string {
  const same = findings.find((f) => f.checkId === probe.check);
  if (same) return `still exploitable: ${same.title}`;
  const [first] = findings;
  const checks = [...new Set(findings.map((f) => f.checkId))].join(', ');
  return `${probe.check} no longer reproduces, but the same data still leaks another way (${checks}): ${first?.title ?? ''}`;
}

function passReason(operation: Operation, callers: readonly RetestCaller[], checks: readonly Check[]): string {
  const answers = callers.map((c) => `${c.name} ${Object.entries(c.answers).map(([status, n]) => `${status}×${n}`).join(' ')}`).join(', ');
  return `${checks.length === 1 ? 'the check finds' : `${checks.length} checks find`} nothing on ${operation.method} ${operation.path}, asked as ${answers}`;
}

function tally(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

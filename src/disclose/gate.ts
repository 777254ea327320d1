/**
 * The verification gate: a case resolves only when its probe, retested against the deployed fix,
 * fails to reach the data as an anonymous caller, as an unrelated member and as a low-privilege
 * member. The retest (`leakproof retest`) already refuses to pass without an owner who still gets
 * their record and a stranger who was asked; the gate also insists that an anonymous caller and a
 * non-administrator identity were among those asked, since a fix tested only as an administrator
 * proves nothing about members.
 */
import type { LeakproofConfig } from '../core/config.ts';
import { scanConfig } from '../scan/index.ts';
import type { Probe } from '../scan/probe.ts';
import type { RetestResult } from '../scan/retest.ts';
import { retest } from '../scan/retest.ts';
import type { GateOutcome, VerificationGate } from './tracker.ts';

export interface GateSettings {
  /** The configuration whose `scan` section names the identities, visibility and description. */
  config: LeakproofConfig;
  /** The deployment to retest (overrides `scan.target`). */
  target: string;
  /** Requests per second (default: the scan section's). */
  rateLimit?: number;
}

/** A gate that retests against `settings.target`; settings are checked now, not at the first retest. */
export function createGate(settings: GateSettings): VerificationGate {
  const scan = scanConfig(settings.config, { target: settings.target, rateLimit: settings.rateLimit === undefined ? undefined : String(settings.rateLimit) });
  return async (probe: Probe) => judge(await retest(probe, scan, settings.config.personalData));
}

/** The gate's outcome from a retest result. */
export function judge(result: RetestResult): GateOutcome {
  const base = { target: result.target, evidence: result };
  if (result.verdict !== 'pass') return { ...base, verdict: result.verdict, reason: result.reason };
  const asked = (role: RetestResult['callers'][number]['role']) => result.callers.some((c) => c.role === role && Object.keys(c.answers).length > 0);
  if (!asked('anonymous')) return { ...base, verdict: 'inconclusive', reason: 'the retest did not ask as an anonymous caller' };
  if (!asked('user')) return { ...base, verdict: 'inconclusive', reason: 'the retest asked no member without administrator rights: configure at least two member identities in the scan section' };
  return { ...base, verdict: 'pass', reason: result.reason };
}

/**
 * Who a retest asked and how the probed operation answered each, from a verification's stored
 * evidence: what shows a person that anonymous callers and members were refused.
 *
 * @example
 * ```ts
 * callersAsked(verification.evidence) // ['anonymous: 401 ×5', 'erin (user): 200 ×7']
 * ```
 */
export function callersAsked(evidence: unknown): string[] {
  const callers = (evidence as Partial<RetestResult> | null)?.callers;
  if (!Array.isArray(callers)) return [];
  return callers.map((c) => {
    const answers = Object.entries(c.answers).map(([status, count]) => `${status} ×${String(count)}`).join(', ');
    return `${c.name}${c.role === 'anonymous' ? '' : ` (${c.role})`}: ${answers || 'not asked'}`;
  });
}

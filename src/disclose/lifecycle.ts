/**
 * A case's lifecycle: which action may move a case from which state, and who may take it. Pure:
 * the tracker asks before it changes anything, and the pages ask to show only the buttons that work.
 *
 *   new → acknowledged → triaged ─(valid)→ fixing → fix-submitted → verifying → resolved → disclosed
 *                                 └(duplicate / not applicable: closed)          ↑ gate: retest passes
 *   resolved or closed ─(reporter, within the contest window)→ contested → fixing | triaged
 *   resolved ─(publish the advisory)→ disclosed; a disclosed case's advisory gets new revisions
 */
import { LeakproofError, ExitCode } from '../core/errors.ts';
import type { Case, CaseState, Role } from './model.ts';
import { roleAtLeast } from './model.ts';

export type Action =
  | 'acknowledge'
  | 'triage'
  | 'assign'
  | 'assess'
  | 'attach-probe'
  | 'start-fix'
  | 'submit-fix'
  | 'verify'
  | 'override'
  | 'disclose'
  | 'publish-advisory'
  | 'message'
  | 'contest'
  | 'credit';

interface Rule {
  from: readonly CaseState[] | 'open' | 'any';
  /** The least role that may act; `reporter` for the reporter's own actions. */
  by: Role | 'reporter';
}

const RULES: Record<Action, Rule> = {
  acknowledge: { from: ['new'], by: 'triager' },
  triage: { from: ['new', 'acknowledged', 'contested'], by: 'triager' },
  assign: { from: 'open', by: 'triager' },
  assess: { from: 'any', by: 'triager' },
  'attach-probe': { from: 'open', by: 'engineer' },
  'start-fix': { from: ['triaged', 'contested'], by: 'engineer' },
  'submit-fix': { from: ['fixing'], by: 'engineer' },
  verify: { from: ['fix-submitted'], by: 'engineer' },
  override: { from: ['fix-submitted'], by: 'admin' },
  disclose: { from: ['resolved'], by: 'triager' },
  // Publishing a resolved case's advisory discloses the case.
  'publish-advisory': { from: ['resolved', 'disclosed'], by: 'triager' },
  message: { from: 'any', by: 'engineer' },
  contest: { from: ['resolved', 'triaged'], by: 'reporter' },
  credit: { from: 'any', by: 'reporter' },
};

/** The action is not possible now, or not for this person: the message says which and why. */
export class TransitionError extends LeakproofError {
  override readonly code = 'ERR_DISCLOSE_TRANSITION';
  override readonly exitCode = ExitCode.Usage;
}

/** Closed: resolved or disclosed, or triaged as a duplicate or not applicable. */
export function isClosed(c: Pick<Case, 'state' | 'triage'>): boolean {
  return c.state === 'resolved' || c.state === 'disclosed' || (c.state === 'triaged' && c.triage !== null && c.triage !== 'valid');
}

export interface Actor {
  kind: 'staff' | 'reporter';
  role?: Role;
}

/** Why `action` is not possible on `c` for `actor` at `now`; undefined when it is. */
export function refusal(c: Case, action: Action, actor: Actor, now: number, contestWindowMs: number): string | undefined {
  const rule = RULES[action];
  if (rule.by === 'reporter') {
    if (actor.kind !== 'reporter') return 'only the reporter can do this';
  } else if (actor.kind !== 'staff' || actor.role === undefined || !roleAtLeast(actor.role, rule.by)) {
    return `this needs the ${rule.by} role`;
  }
  if (rule.from === 'open' && isClosed(c)) return `${c.reference} is closed`;
  if (Array.isArray(rule.from) && !rule.from.includes(c.state)) return `${c.reference} is ${c.state}: ${action} is possible from ${rule.from.join(', ')} only`;
  return extraRefusal(c, action, now, contestWindowMs);
}

function extraRefusal(c: Case, action: Action, now: number, contestWindowMs: number): string | undefined {
  switch (action) {
    case 'start-fix':
      if (c.state === 'triaged' && c.triage !== 'valid') return `${c.reference} was triaged as ${c.triage ?? 'nothing'}: only a valid report is fixed`;
      return undefined;
    case 'verify':
      return c.probe === null ? `${c.reference} has no probe to retest: attach one (leakproof scan --probes) or ask an admin to override` : undefined;
    case 'contest': {
      if (c.state === 'triaged' && c.triage === 'valid') return `${c.reference} is being worked on: there is nothing to contest yet`;
      const since = c.state === 'resolved' ? c.resolvedAt : c.assessedAt;
      if (since !== null && now - since > contestWindowMs) return `the window to contest ${c.reference} closed on ${new Date(since + contestWindowMs).toISOString().slice(0, 10)}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Throws a `TransitionError` unless `action` is possible. */
export function mustAllow(c: Case, action: Action, actor: Actor, now: number, contestWindowMs: number): void {
  const why = refusal(c, action, actor, now, contestWindowMs);
  if (why !== undefined) throw new TransitionError(why);
}

/** The actions a staff member could take on the case now, for the case page. */
export function availableActions(c: Case, role: Role, now: number, contestWindowMs: number): Action[] {
  return (Object.keys(RULES) as Action[]).filter((action) => refusal(c, action, { kind: 'staff', role }, now, contestWindowMs) === undefined);
}

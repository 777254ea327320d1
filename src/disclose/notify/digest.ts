/**
 * The digest: every pending reminder and escalation gathered into one mail per staff member, rather
 * than one mail per case. Pure: it decides who hears about what and writes the words; the sweep
 * sends the mails and records, per mail, the notices it carried.
 */
import type { Notice } from '../clocks.ts';
import type { Case, User } from '../model.ts';

/** A notice that has not been sent, with what the mail says about its case. */
export interface PendingNotice {
  notice: Notice;
  case: Pick<Case, 'id' | 'reference' | 'title' | 'severity' | 'ownerId'>;
}

/** One recipient's mail; `keys` are the notices it carries, to mark as sent once it is. */
export interface DigestMail {
  userId: number;
  to: string;
  subject: string;
  text: string;
  keys: string[];
}

export interface DigestOptions {
  /** The case's page in the tracker, to link each item to. */
  caseUrl?: ((caseId: number) => string) | undefined;
}

/**
 * One mail per recipient: each notice goes to its case's owner, or to every triager and admin when
 * the case has no (active) owner; escalations also go to every admin. Disabled accounts get
 * nothing. Items are sorted most overdue first. A notice nobody can receive (no active triager or
 * admin) is in no mail, and so stays pending.
 *
 * @example
 * ```ts
 * for (const mail of buildDigests(pending, staff, now, { caseUrl: (id) => `${base}/cases/${id}` })) {
 *   await mailer.send(mail);
 *   await store.markSent(mail.keys, mail.userId);
 * }
 * ```
 */
export function buildDigests(pending: readonly PendingNotice[], staff: readonly User[], now: number, options: DigestOptions = {}): DigestMail[] {
  const byRecipient = new Map<User, Map<string, PendingNotice>>();
  for (const item of pending) {
    for (const user of recipientsOf(item, staff)) {
      const items = byRecipient.get(user) ?? new Map<string, PendingNotice>();
      items.set(item.notice.key, item);
      byRecipient.set(user, items);
    }
  }
  return [...byRecipient].map(([user, items]) => digestFor(user, [...items.values()].sort(mostOverdueFirst), now, options));
}

/**
 * Who hears about one notice: its case's active owner, else every active triager and admin; for an
 * escalation, every active admin as well. Empty when nobody active can receive it.
 *
 * @example
 * ```ts
 * const everyoneTold = recipientsOf(item, staff).every((user) => delivered.has(`${user.id} ${item.notice.key}`));
 * ```
 */
export function recipientsOf(item: PendingNotice, staff: readonly User[]): User[] {
  const active = staff.filter((user) => !user.disabled);
  const owner = active.find((user) => user.id === item.case.ownerId);
  const recipients = new Set(owner ? [owner] : active.filter((user) => user.role === 'admin' || user.role === 'triager'));
  if (item.notice.kind === 'escalation') for (const user of active) if (user.role === 'admin') recipients.add(user);
  return [...recipients];
}

function mostOverdueFirst(a: PendingNotice, b: PendingNotice): number {
  return a.notice.dueAt - b.notice.dueAt || a.case.reference.localeCompare(b.case.reference) || a.notice.clock.localeCompare(b.notice.clock);
}

function digestFor(user: User, items: PendingNotice[], now: number, options: DigestOptions): DigestMail {
  const overdue = items.filter((item) => item.notice.dueAt <= now).length;
  const lines = [
    `Hello ${oneLine(user.name, 80)},`,
    '',
    `${items.length === 1 ? 'A disclosure deadline needs' : `${items.length} disclosure deadlines need`} your attention, most overdue first:`,
    '',
    ...items.flatMap((item) => describeItem(item, now, options)),
    '-- ',
    'Leakproof disclose. Answer on the case in the tracker: replies to this mail are not read.',
  ];
  return { userId: user.id, to: user.email, subject: subjectOf(items, overdue, now), text: lines.join('\n'), keys: items.map((item) => item.notice.key) };
}

function subjectOf(items: PendingNotice[], overdue: number, now: number): string {
  const [only] = items;
  if (items.length === 1 && only) return `[Leakproof] ${only.case.reference} ${only.notice.clock} ${timing(only.notice.dueAt, now)}: ${oneLine(only.case.title, 80)}`;
  const soon = items.length - overdue;
  const counts = [overdue > 0 ? `${overdue} overdue` : '', soon > 0 ? `${soon} due soon` : ''].filter(Boolean).join(', ');
  return `[Leakproof] ${items.length} disclosure deadlines: ${counts}`;
}

function describeItem({ notice, case: c }: PendingNotice, now: number, options: DigestOptions): string[] {
  const escalated = notice.kind === 'escalation' ? ' - escalated' : '';
  return [
    `${c.reference} [${c.severity ?? 'unscored'}] ${oneLine(c.title, 120)}`,
    `  ${notice.clock}: ${timing(notice.dueAt, now)} (due ${formatInstant(notice.dueAt)})${escalated}`,
    ...(options.caseUrl ? [`  ${options.caseUrl(c.id)}`] : []),
    '',
  ];
}

/** `overdue by 3 days 4 hours`, `due in 20 hours`. */
function timing(dueAt: number, now: number): string {
  return dueAt <= now ? `overdue by ${span(now - dueAt)}` : `due in ${span(dueAt - now)}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A length of time to the two largest units people read at a glance. */
function span(ms: number): string {
  const [days, hours, minutes] = [Math.floor(ms / DAY), Math.floor((ms % DAY) / HOUR), Math.floor((ms % HOUR) / MINUTE)];
  if (days > 0) return [unit(days, 'day'), hours > 0 ? unit(hours, 'hour') : ''].filter(Boolean).join(' ');
  if (hours > 0) return [unit(hours, 'hour'), minutes > 0 ? unit(minutes, 'minute') : ''].filter(Boolean).join(' ');
  return minutes > 0 ? unit(minutes, 'minute') : 'less than a minute';
}

function unit(amount: number, name: string): string {
  return `${amount} ${name}${amount === 1 ? '' : 's'}`;
}

/** `2026-01-07 18:00 UTC`. */
function formatInstant(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Reporter-provided text on one line: control characters (CR and LF above all, which would start a
 * new header in a subject or fake a line in the body) become spaces; long text is cut.
 */
function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const flat = text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

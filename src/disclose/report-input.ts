/**
 * What a reporter may send, checked before anything is stored: every field has a limit, and the
 * optional probe must be a valid `leakproof-probe/1` document. The same rules serve the form and
 * the JSON API.
 */
import { LeakproofError, ExitCode } from '../core/errors.ts';
import type { Probe } from '../scan/probe.ts';
import { parseProbe, ProbeError } from '../scan/probe.ts';
import type { Report } from './model.ts';

/** Bad input from a person (a reporter or staff): the message names the field. */
export class InputError extends LeakproofError {
  override readonly code = 'ERR_DISCLOSE_INPUT';
  override readonly exitCode = ExitCode.Usage;
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** Field limits, in characters. */
export const REPORT_LIMITS = { title: 200, asset: 500, description: 20_000, steps: 20_000, impact: 10_000, contact: 254, probe: 64_000, message: 20_000, credit: 100 } as const;

/** An address a person can be mailed at: one @, no spaces or angle brackets, nothing that could break a mail header. */
const EMAIL = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/;

/** Whether `text` is an address a mail can go to (reporters' contacts, staff accounts). */
export function isEmail(text: string): boolean {
  return text.length <= REPORT_LIMITS.contact && EMAIL.test(text);
}

/** A required text field, trimmed, within its limit. */
export function requiredText(input: Record<string, unknown>, field: keyof typeof REPORT_LIMITS): string {
  const value = optionalText(input, field);
  if (value === null) throw new InputError(field, 'is required');
  return value;
}

/** An optional text field, trimmed; null when absent or blank. */
export function optionalText(input: Record<string, unknown>, field: keyof typeof REPORT_LIMITS): string | null {
  const value = input[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new InputError(field, 'must be text');
  const trimmed = value.trim();
  if (trimmed.length > REPORT_LIMITS[field]) throw new InputError(field, `is longer than ${REPORT_LIMITS[field]} characters`);
  return trimmed === '' ? null : trimmed;
}

/** A report from a form or a JSON body; the probe may be a JSON string (form) or an object (API). */
export function checkReport(input: Record<string, unknown>): Report {
  const contact = optionalText(input, 'contact');
  if (contact !== null && !isEmail(contact)) throw new InputError('contact', 'must be an email address, or left empty to stay anonymous');
  return {
    title: requiredText(input, 'title'),
    asset: requiredText(input, 'asset'),
    description: requiredText(input, 'description'),
    steps: requiredText(input, 'steps'),
    impact: requiredText(input, 'impact'),
    contact,
    probe: checkProbe(input.probe),
    credit: checkCredit(input.credit),
  };
}

/**
 * The name a reporter agrees to be credited by: one line of printable text (it goes into a public
 * advisory as it is); null when absent or blank, which means no credit.
 */
export function checkCredit(value: unknown): string | null {
  const credit = optionalText({ credit: value }, 'credit');
  if (credit !== null && /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(credit)) throw new InputError('credit', 'must be one line of plain text');
  return credit;
}

/** A probe given as JSON text or as an object; null when absent. */
export function checkProbe(value: unknown): Probe | null {
  if (value === undefined || value === null || value === '') return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length > REPORT_LIMITS.probe) throw new InputError('probe', `is longer than ${REPORT_LIMITS.probe} characters`);
  try {
    return parseProbe(text, 'probe');
  } catch (error) {
    if (error instanceof ProbeError) throw new InputError('probe', error.message);
    throw error;
  }
}

/** Reading `--since`: a duration back from now (`15m`, `24h`, `7d`, `1h30m`) or an ISO 8601 date. */
import { UsageError } from '../../core/errors.ts';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** The time `text` names, in ms since the epoch. A date or time without a zone is UTC, as the log's times are. */
export function parseSince(text: string, now: number = Date.now()): number {
  if (DURATION.test(text)) {
    let ms = 0;
    for (const [, amount = '0', unit = 'ms'] of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(amount) * (UNIT_MS[unit] ?? 0);
    return now - ms;
  }
  const iso = ISO_DATE.exec(text);
  if (iso) {
    const standard = text.replace(' ', 'T');
    const time = Date.parse(standard.includes('T') && iso[1] === undefined ? `${standard}Z` : standard);
    if (!Number.isNaN(time)) return time;
  }
  throw new UsageError(`--since must be a duration back from now, like 15m, 24h, 7d or 1h30m, or an ISO date, like 2026-11-24 or 2026-11-24T10:00Z, not '${text}'`);
}

/** The scan's progress bar: one line, redrawn in place on a terminal (see `Io.status`). */
import type { ScanProgress } from '../scan/index.ts';

const BAR_WIDTH = 24;

/**
 * `[########----------------]  9/25  142 requests  probing GET /api/user/{id}`: the bar fills with
 * the steps done; the number is the step under way.
 */
export function progressLine({ message, step, steps, requests }: ScanProgress): string {
  const done = steps === 0 ? 1 : Math.min(1, step / steps);
  const filled = Math.round(done * BAR_WIDTH);
  const current = String(Math.min(step + 1, steps)).padStart(String(steps).length);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${current}/${steps}  ${requests} requests  ${message}`;
}

/**
 * The demo's third act: closing a report only when the fix is verified. January's headline finding
 * is written as a probe file, then `retest` tries it against the February "fix" and the real one,
 * the way the disclosure tracker's verification gate does.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../core/config.ts';
import type { Mode } from '../reference-api/index.ts';
import { referenceApiScanConfigPath, startReferenceApi } from '../reference-api/index.ts';
import type { Finding } from '../scan/index.ts';
import { scanConfig } from '../scan/index.ts';
import { formatProbe, probeFileName, probeOf } from '../scan/probe.ts';
import type { RetestResult } from '../scan/retest.ts';
import { retest } from '../scan/retest.ts';
import { DEMO_RATE_LIMIT } from './scan-modes.ts';
import type { ModeScan } from './scan-modes.ts';

/** The 2021 headline: anyone could read hundreds of riders' details in one bulk call. */
const HEADLINE = { check: 'missing-authentication', operation: 'getWorkoutDetails' };

export interface FixVerification {
  finding: Finding;
  /** Path of the probe file. */
  probe: string;
  retests: { mode: Mode; result: RetestResult }[];
}

export async function verifyFixes(scans: readonly ModeScan[], directory: string, onMode: (mode: Mode) => void = () => undefined): Promise<FixVerification | undefined> {
  const leaky = scans.find((s) => s.mode === 'leaky');
  const finding = leaky?.findings.find((f) => f.checkId === HEADLINE.check && f.operation?.id === HEADLINE.operation) ?? leaky?.findings[0];
  if (!leaky || !finding) return undefined;
  await mkdir(directory, { recursive: true });
  const probe = probeOf(finding, leaky.summary);
  const path = join(directory, probeFileName(finding));
  await writeFile(path, formatProbe(probe));
  const config = await loadConfig(referenceApiScanConfigPath);
  const retests: FixVerification['retests'] = [];
  for (const mode of ['authonly', 'fixed'] as const) {
    onMode(mode);
    const api = await startReferenceApi({ mode });
    try {
      const settings = scanConfig(config, { target: api.url });
      settings.safety.rateLimit = DEMO_RATE_LIMIT;
      retests.push({ mode, result: await retest(probe, settings, config.personalData) });
    } finally {
      await api.close();
    }
  }
  return { finding, probe: path, retests };
}

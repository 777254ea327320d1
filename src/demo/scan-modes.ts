/**
 * The demo's second act: the same API scanned automatically in each mode, with the reference
 * API's own scan configuration, and an HTML report per mode.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../core/config.ts';
import type { Mode } from '../reference-api/index.ts';
import { MODES, referenceApiScanConfigPath, startReferenceApi } from '../reference-api/index.ts';
import type { Finding, ScanSummary } from '../scan/index.ts';
import { executeScan, prepareScan, scanConfig } from '../scan/index.ts';
import { writeReport } from '../scan/report/index.ts';

/** On loopback the politeness limit only slows the demo; a real scan keeps its default (10/s). */
export const DEMO_RATE_LIMIT = 500;

export interface ModeScan {
  mode: Mode;
  findings: Finding[];
  summary: ScanSummary;
  /** Path of the HTML report. */
  report: string;
}

export async function scanEveryMode(reportDir: string, onMode: (mode: Mode) => void = () => undefined): Promise<ModeScan[]> {
  await mkdir(reportDir, { recursive: true });
  const config = await loadConfig(referenceApiScanConfigPath);
  const scans: ModeScan[] = [];
  for (const mode of MODES) {
    onMode(mode);
    const api = await startReferenceApi({ mode });
    try {
      const settings = scanConfig(config, { target: api.url });
      settings.safety.rateLimit = DEMO_RATE_LIMIT;
      const { findings, summary } = await executeScan(await prepareScan(settings, config.personalData), settings);
      const report = join(reportDir, `leakproof-scan-${mode}.html`);
      await writeFile(report, writeReport('html', findings, summary));
      scans.push({ mode, findings, summary, report });
    } finally {
      await api.close();
    }
  }
  return scans;
}

/**
 * The demo's third act: what the disclosure process should have done in 2021. January's headline
 * finding is filed, with its probe, as a report in an embedded tracker (`leakproof disclose`). It
 * is acknowledged, scored and assigned, and then each fix is put through the verification gate:
 * the February "fix" is refused and sent back to fixing, the real one resolves the case. The audit
 * trail is checked and the resolved case is exported as a CSAF advisory.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../core/config.ts';
import { createGate } from '../disclose/gate.ts';
import type { CaseState } from '../disclose/model.ts';
import type { VerificationGate } from '../disclose/tracker.ts';
import { openTracker } from '../disclose/tracker.ts';
import type { Mode } from '../reference-api/index.ts';
import { referenceApiScanConfigPath, startReferenceApi } from '../reference-api/index.ts';
import type { Finding } from '../scan/index.ts';
import { formatProbe, probeFileName, probeOf } from '../scan/probe.ts';
import type { RetestResult } from '../scan/retest.ts';
import { DEMO_RATE_LIMIT } from './scan-modes.ts';
import type { ModeScan } from './scan-modes.ts';

/** The 2021 headline: anyone could read hundreds of riders' details in one bulk call. */
const HEADLINE = { check: 'missing-authentication', operation: 'getWorkoutDetails' };

/** What an unauthenticated read of personal data scores: network, no privileges, confidentiality high. */
export const HEADLINE_CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';

const FIXES: readonly { mode: Mode; note: string }[] = [
  { mode: 'authonly', note: 'The bulk details route now requires a login.' },
  { mode: 'fixed', note: 'Object-level rules: a rider sees another rider only as their profile allows.' },
];

export interface FixVerification {
  finding: Finding;
  /** Path of the probe file. */
  probe: string;
  /** The gate's retest of each fix, in order. */
  retests: { mode: Mode; result: RetestResult }[];
  disclosure: {
    reference: string;
    store: string;
    severity: string;
    score: number;
    /** The states the case went through. */
    states: CaseState[];
    trail: { events: number; verified: boolean };
    advisory: string;
  };
}

export async function verifyFixes(scans: readonly ModeScan[], directory: string, onMode: (mode: Mode) => void = () => undefined): Promise<FixVerification | undefined> {
  const leaky = scans.find((s) => s.mode === 'leaky');
  const finding = leaky?.findings.find((f) => f.checkId === HEADLINE.check && f.operation?.id === HEADLINE.operation) ?? leaky?.findings[0];
  if (!leaky || !finding) return undefined;
  await mkdir(join(directory, 'probes'), { recursive: true });
  const probe = probeOf(finding, leaky.summary);
  const probePath = join(directory, 'probes', probeFileName(finding));
  await writeFile(probePath, formatProbe(probe));

  const config = await loadConfig(referenceApiScanConfigPath);
  const file = join(directory, 'disclose.db');
  for (const suffix of ['', '-wal', '-shm']) await rm(`${file}${suffix}`, { force: true });
  let deployed: VerificationGate | undefined;
  const tracker = await openTracker({ store: `sqlite:${file}`, gate: (p) => (deployed ? deployed(p) : Promise.reject(new Error('nothing deployed'))) });
  try {
    const password = randomBytes(18).toString('base64url');
    const triager = await tracker.staff.createUser({ email: 'tom@example.com', name: 'Tom', role: 'triager', password });
    const engineer = await tracker.staff.createUser({ email: 'eve@example.com', name: 'Eve', role: 'engineer', password });
    const { case: filed } = await tracker.submitReport({
      title: finding.title,
      asset: probe.finding.route,
      description: finding.message,
      steps: probe.curl,
      impact: `Personal data (${probe.finding.fields.join(', ')}) of any rider, without logging in.`,
      contact: null,
      probe,
    });
    await tracker.acknowledge(filed.id, triager);
    const triaged = await tracker.triage(filed.id, triager, { triage: 'valid', cvss31: HEADLINE_CVSS });
    await tracker.assign(filed.id, triager, engineer.id);
    await tracker.startFix(filed.id, engineer);
    const retests: FixVerification['retests'] = [];
    for (const fix of FIXES) {
      onMode(fix.mode);
      const api = await startReferenceApi({ mode: fix.mode });
      try {
        deployed = createGate({ config, target: api.url, rateLimit: DEMO_RATE_LIMIT });
        await tracker.submitFix(filed.id, engineer, fix.note);
        const { verification } = await tracker.verify(filed.id, engineer);
        retests.push({ mode: fix.mode, result: verification.evidence as RetestResult });
      } finally {
        await api.close();
      }
    }
    const advisory = join(directory, `${filed.reference}.csaf.json`);
    if ((await tracker.getCase(filed.id)).state === 'resolved') {
      // Publishing the advisory's first revision discloses the case; the file is that revision as stored.
      const { number } = await tracker.publishAdvisory(filed.id, triager, { publisher: { name: 'Example Fitness', namespace: 'https://example.com', category: 'vendor' } });
      await writeFile(advisory, (await tracker.publishedAdvisory(filed.id, number))?.csaf ?? '');
    }
    const resolved = await tracker.getCase(filed.id);
    const events = await tracker.database.db.selectFrom('events').select(['data']).where('case_id', '=', filed.id).orderBy('seq').execute();
    const states = [filed.state, ...events.map((e) => (JSON.parse(e.data) as { to?: CaseState }).to).filter((s): s is CaseState => s !== undefined)];
    const trail = await tracker.verifyTrail();
    return {
      finding,
      probe: probePath,
      retests,
      disclosure: {
        reference: resolved.reference,
        store: file,
        severity: triaged.severity ?? 'none',
        score: triaged.score ?? 0,
        states: states.filter((s, i) => s !== states[i - 1]),
        trail: { events: trail.events, verified: trail.broken === undefined },
        advisory,
      },
    };
  } finally {
    await tracker.close();
  }
}

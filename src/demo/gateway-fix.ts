/**
 * The demo's fourth act: the fix Peloton could have shipped in a day without touching the app.
 * January's findings become a gateway policy (`leakproof suggest`), the gateway goes in front of
 * the February "fix", and the same scan through it finds nothing, while the owner still gets her
 * whole profile and a stranger only the card. The gateway's access log then says who received
 * the victim's data, and which fields.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadConfig } from '../core/config.ts';
import { loadApi } from '../core/load.ts';
import { openAccessLogStore } from '../gateway/access-log/index.ts';
import type { RunningGateway } from '../gateway/index.ts';
import { prepareGateway, startGateway } from '../gateway/index.ts';
import { parseFindingsReport, suggestGatewayPolicy, visibilityOf } from '../gateway/suggest.ts';
import { referenceApiGatewayConfigPath, referenceApiScanConfigPath, referenceApiSpecPath, SEED, SEEDED_CREDENTIALS, startReferenceApi } from '../reference-api/index.ts';
import { executeScan, prepareScan, scanConfig } from '../scan/index.ts';
import { writeJsonReport } from '../scan/report/json.ts';
import { DEMO_RATE_LIMIT } from './scan-modes.ts';
import type { ModeScan } from './scan-modes.ts';
import { VICTIM } from './incident.ts';

export interface GatewayFix {
  /** Path of the policy written. */
  policy: string;
  /** Operations the policy names. */
  operations: number;
  /** The January findings it was drafted from. */
  findings: number;
  /** The scan of the February "fix" through the gateway. */
  scan: { findings: number; requests: number };
  /** How many fields of the victim's profile each reader gets through the gateway. */
  fields: { owner: number; stranger: number };
  /** What the access log says about the victim: who received her data, how often, which fields. */
  readers: { reader: string; records: number; fields: string[] }[];
  /** Path of the access log (SQLite). */
  accessLog: string;
}

const STRANGER = 'frank';

export async function fixWithGateway(scans: readonly ModeScan[], directory: string): Promise<GatewayFix | undefined> {
  const leaky = scans.find((s) => s.mode === 'leaky');
  if (!leaky) return undefined;
  const config = await loadConfig(referenceApiScanConfigPath);
  const report = parseFindingsReport(writeJsonReport(leaky.findings, leaky.summary), 'the January scan');
  const suggestion = suggestGatewayPolicy(report, await loadApi(referenceApiSpecPath), { spec: referenceApiSpecPath, visibility: visibilityOf(config), personalData: config.personalData, reportName: 'the January scan' });
  // The draft leaves authentication to the operator: the demo fills in the reference API's key set.
  const document = parseDocument(suggestion.yaml);
  const reference = parseDocument(await readFile(referenceApiGatewayConfigPath, 'utf8'));
  document.setIn(['gateway', 'authentication'], reference.getIn(['gateway', 'authentication']));
  const accessLog = join(directory, 'access.db');
  await rm(accessLog, { force: true });
  document.setIn(['gateway', 'accessLog'], document.createNode({ store: accessLog, maxDelayMs: 20 }));
  const policy = join(directory, 'gateway.yaml');
  await writeFile(policy, document.toString());

  const api = await startReferenceApi({ mode: 'authonly' });
  let gateway: RunningGateway | undefined;
  let result: Omit<GatewayFix, 'readers'>;
  try {
    gateway = await startGateway(await prepareGateway(await loadConfig(policy, { ...process.env, REFERENCE_API_URL: api.url }), { port: 0, upstream: api.url }));
    const settings = scanConfig(config, { target: gateway.url });
    settings.safety.rateLimit = DEMO_RATE_LIMIT;
    const through = await executeScan(await prepareScan(settings, config.personalData), settings);
    result = {
      policy,
      accessLog,
      operations: suggestion.draft.operations.length,
      findings: leaky.findings.length,
      scan: { findings: through.findings.length, requests: through.summary.requests },
      fields: { owner: await fieldsOf(gateway.url, VICTIM.username), stranger: await fieldsOf(gateway.url, STRANGER) },
    };
  } finally {
    // Closing stores the last access records.
    await gateway?.close();
    await api.close();
  }
  return { ...result, readers: await readersOf(accessLog, VICTIM.id) };
}

/** Who received `subject`'s data, by username, from the access log. */
async function readersOf(store: string, subject: string): Promise<GatewayFix['readers']> {
  const log = await openAccessLogStore(store);
  try {
    const name = (id: string): string => SEED.people.find((p) => p.id === id)?.username ?? id;
    return (await log.whoRead(subject)).map((row) => ({ reader: name(row.principal), records: row.records, fields: row.fields }));
  } finally {
    await log.close();
  }
}

/** How many fields of the victim's profile `reader` receives through the gateway. */
async function fieldsOf(base: string, reader: string): Promise<number> {
  const password = SEEDED_CREDENTIALS.find((c) => c.username === reader)?.password ?? '';
  const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: reader, password }) });
  const { token } = (await login.json()) as { token: string };
  const answer = await fetch(`${base}/api/user/${VICTIM.id}`, { headers: { authorization: `Bearer ${token}` } });
  return answer.ok ? Object.keys((await answer.json()) as object).length : 0;
}

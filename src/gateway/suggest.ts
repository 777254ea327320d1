/**
 * `leakproof suggest`: scan findings turned into a gateway policy draft. Each operation with
 * findings gets the policy that answers them, and says so in a comment: missing authentication
 * → members only; BOLA, private-flag bypass, enumeration and excessive data exposure on people's
 * records → object-level rules and views (owner, followers, everyone); administrators'
 * operations → a role condition; unbounded bulk calls and mass assignment → the description's
 * limits, held by request validation; undocumented routes → deny-by-default. Operations without
 * findings keep the default.
 *
 * @example
 * ```ts
 * const report = await loadFindingsReport('findings.json');
 * const api = await loadApi(report.summary.spec ?? 'openapi.yaml');
 * const { yaml } = suggestGatewayPolicy(report, api, { spec: 'openapi.yaml', visibility: visibilityOf(config) });
 * await writeFile('gateway.yaml', yaml);
 * ```
 */
import type { LeakproofConfig } from '../core/config.ts';
import { checkSection } from '../core/config.ts';
import type { ApiModel } from '../core/model.ts';
import type { PersonalDataConfig } from '../core/personal-data/index.ts';
import { createClassifier } from '../core/personal-data/index.ts';
import { scanSectionSchema } from '../scan/index.ts';
import { renderDraft } from './suggest/document.ts';
import type { Draft, Visibility } from './suggest/draft.ts';
import { draftPolicy } from './suggest/draft.ts';
import type { FindingsReport } from './suggest/report.ts';

export { FindingsReportError, loadFindingsReport, parseFindingsReport } from './suggest/report.ts';
export type { FindingsReport, ReportedFinding } from './suggest/report.ts';
export type { Draft, DraftOperation, Visibility } from './suggest/draft.ts';

export interface SuggestOptions {
  /** The API description as the draft names it: relative to where the draft will be written. */
  spec: string;
  /** What is public by design; without it, only owners see people's records. */
  visibility?: Visibility | undefined;
  /** Steers which fields are personal, as for the scan. */
  personalData?: PersonalDataConfig | undefined;
  /** How the report is named in the draft's header; default `the findings report`. */
  reportName?: string | undefined;
}

export interface Suggestion {
  /** The `gateway:` section, with its comments. */
  yaml: string;
  draft: Draft;
}

/**
 * @example
 * ```ts
 * const { yaml, draft } = suggestGatewayPolicy(report, api, { spec: 'openapi.yaml' });
 * console.log(`${draft.operations.length} policies`);
 * ```
 */
export function suggestGatewayPolicy(report: FindingsReport, api: ApiModel, options: SuggestOptions): Suggestion {
  const draft = draftPolicy(report, api, { classifier: createClassifier(options.personalData), visibility: options.visibility });
  const count = report.findings.length;
  const header = [
    `Gateway policy drafted by \`leakproof suggest\` from ${options.reportName ?? 'the findings report'}: ${count} ${count === 1 ? 'finding' : 'findings'} of a scan of ${report.summary.target ?? 'an unnamed target'} on ${report.summary.startedAt.slice(0, 10)}.`,
    'A draft: review every condition and view, then validate it with `leakproof gateway check --config FILE`. Paths in this file are relative to it.',
  ];
  return { yaml: renderDraft(draft, { upstream: report.summary.target ?? undefined, spec: options.spec, header }), draft };
}

/**
 * What the configuration's `scan.visibility` declares public by design; undefined when it says
 * nothing. Throws `ConfigError` when the scan section is invalid.
 *
 * @example
 * ```ts
 * visibilityOf(await loadConfig('leakproof.yaml')); // { public: ['username'], private: { flag: 'is_profile_private', visible: ['username'] } }
 * ```
 */
export function visibilityOf(config: LeakproofConfig): Visibility | undefined {
  const section = checkSection(config, 'scan', scanSectionSchema) as { visibility?: { public?: string[]; private?: { flag?: string; visible?: string[] } } } | undefined;
  const visibility = section?.visibility;
  if (!visibility) return undefined;
  return { public: visibility.public ?? [], private: { flag: visibility.private?.flag, visible: visibility.private?.visible ?? [] } };
}

/**
 * CSAF 2.0 validation: the OASIS JSON schema (with FIRST's CVSS schemas it refers to), then the
 * specification's mandatory tests (section 6.1) that a schema cannot express and that our
 * documents could break: product ids defined (6.1.1), CVSS scores matching their vectors (6.1.9),
 * the document version being the latest revision (6.1.16), and what the security advisory
 * profile requires (6.1.27.4-6). The schema files are vendored (see schemas/README.md) so that
 * validation needs no network and no dependency beyond ajv.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { describeSchemaError } from '../../core/schema-errors.ts';
import { CvssError, scoreVector, severityOf } from '../severity.ts';

const SCHEMAS = ['cvss-v2.0.json', 'cvss-v3.0.json', 'cvss-v3.1.json'] as const;

function readSchema(file: string): { $id?: string } {
  return JSON.parse(readFileSync(new URL(`./schemas/${file}`, import.meta.url), 'utf8')) as { $id?: string };
}

let compiled: ValidateFunction | undefined;

/** Compiled once, on first use: most commands never export an advisory. */
function schemaValidator(): ValidateFunction {
  if (compiled) return compiled;
  // strict off: the official schemas carry keywords ajv's strict mode rejects (a `license` array).
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  for (const file of SCHEMAS) {
    const schema = readSchema(file);
    // FIRST's `$id`s carry a date query (`…/cvss-v3.1.json?20190610`); CSAF refers to them without it.
    ajv.addSchema({ ...schema, $id: schema.$id?.replace(/\?.*$/, '') });
  }
  compiled = ajv.compile(readSchema('csaf_json_schema.json'));
  return compiled;
}

/**
 * The problems that make a document invalid CSAF 2.0; empty when it is valid.
 *
 * @example
 * ```ts
 * validateCsaf(csafAdvisory(input)); // → []
 * validateCsaf({ document: {} });    // → ["document: missing 'category'", …]
 * ```
 */
export function validateCsaf(doc: unknown): string[] {
  const validate = schemaValidator();
  if (!validate(doc)) return (validate.errors ?? []).map((e) => describeSchemaError(e));
  return mandatoryTests(doc as CsafShape);
}

/** The parts of a schema-valid document the mandatory tests read. */
interface CsafShape {
  document: { category: string; tracking: { version: string; revision_history: { number: string }[] } };
  product_tree?: unknown;
  vulnerabilities?: {
    notes?: unknown[];
    product_status?: Record<string, string[]>;
    remediations?: { product_ids?: string[] }[];
    scores?: { products: string[]; cvss_v3?: { version: string; vectorString: string; baseScore: number; baseSeverity: string } }[];
    threats?: { product_ids?: string[] }[];
  }[];
}

function mandatoryTests(doc: CsafShape): string[] {
  const problems: string[] = [];
  const vulnerabilities = doc.vulnerabilities ?? [];
  const defined = definedProductIds(doc.product_tree);
  vulnerabilities.forEach((v, i) => {
    const referenced = [
      ...Object.values(v.product_status ?? {}).flat(),
      ...(v.remediations ?? []).flatMap((r) => r.product_ids ?? []),
      ...(v.scores ?? []).flatMap((s) => s.products),
      ...(v.threats ?? []).flatMap((t) => t.product_ids ?? []),
    ];
    for (const id of new Set(referenced)) {
      if (!defined.has(id)) problems.push(`vulnerabilities[${i}]: product id '${id}' is not defined in the product tree (6.1.1)`);
    }
    (v.scores ?? []).forEach((s, j) => {
      if (s.cvss_v3?.version === '3.1') problems.push(...cvssMismatch(s.cvss_v3, `vulnerabilities[${i}].scores[${j}].cvss_v3`));
    });
    if (doc.document.category === 'csaf_security_advisory') {
      if (v.notes === undefined) problems.push(`vulnerabilities[${i}]: a security advisory's vulnerability needs notes (6.1.27.5)`);
      if (v.product_status === undefined) problems.push(`vulnerabilities[${i}]: a security advisory's vulnerability needs a product_status (6.1.27.6)`);
    }
  });
  if (doc.document.category === 'csaf_security_advisory' && doc.product_tree === undefined) {
    problems.push('a security advisory needs a product_tree (6.1.27.4)');
  }
  const { version, revision_history: history } = doc.document.tracking;
  const latest = history.map((r) => r.number).sort((a, b) => Number(a) - Number(b)).at(-1);
  if (latest !== version) problems.push(`document.tracking.version '${version}' is not the latest revision '${String(latest)}' (6.1.16)`);
  return problems;
}

function cvssMismatch(score: { vectorString: string; baseScore: number; baseSeverity: string }, where: string): string[] {
  try {
    const expected = scoreVector(score.vectorString);
    const problems: string[] = [];
    if (expected.baseScore !== score.baseScore) problems.push(`${where}.baseScore is ${score.baseScore}; the vector scores ${expected.baseScore} (6.1.9)`);
    const severity = severityOf(expected.baseScore).toUpperCase();
    if (severity !== score.baseSeverity) problems.push(`${where}.baseSeverity is ${score.baseSeverity}; the base score is ${severity} (6.1.9)`);
    return problems;
  } catch (error) {
    if (error instanceof CvssError) return [`${where}.vectorString: ${error.message} (6.1.9)`];
    throw error;
  }
}

/** Every product id the tree defines: in branches, full product names and relationships. */
function definedProductIds(tree: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node !== null && typeof node === 'object') {
      const { product_id: id } = node as { product_id?: unknown };
      if (typeof id === 'string') ids.add(id);
      Object.values(node).forEach(visit);
    }
  };
  visit(tree);
  return ids;
}

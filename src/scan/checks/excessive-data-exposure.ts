/** Excessive data exposure: answers carry fields their description never declared. */
import type { JsonSchema, Operation } from '../../core/model.ts';
import type { Check, Observation } from '../context.ts';
import { isSuccess } from '../context.ts';
import { buildFinding, byOperation, list } from '../evidence.ts';
import { someoneServed } from './coverage.ts';

export const excessiveDataExposure: Check = {
  id: 'excessive-data-exposure',
  title: 'Undeclared fields in responses',
  owasp: 'API3:2023',
  cwe: 'CWE-213',
  severity: 'medium',
  description:
    'Answers carry fields that the response schema does not declare. Undeclared fields are the ones nobody reviewed: ' +
    'internal columns serialised with the record (last login address, role, flags) and data the apps filter out on the client.',
  remediation:
    'Serialise responses through an explicit allow-list per audience (a view), never the stored record; declare every field ' +
    'in the description and set additionalProperties: false so that tests and gateways can hold the API to it.',
  helpUrl: 'https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/',
  undecided: (context, operation) => someoneServed(context, operation),
  run(context) {
    const findings = [];
    for (const group of byOperation(context.observations).values()) {
      const found = new Map<string, { observation: Observation; personal: boolean }>();
      for (const observation of group) {
        // Answers to writes (writes mode only) are judged by the mass-assignment check alone.
        if (!isSuccess(observation.exchange) || observation.purpose === 'write') continue;
        const schema = responseSchema(observation.operation, observation.exchange.response?.status ?? 0);
        if (!schema) continue;
        for (const { path, name, value } of undeclared(observation.exchange.response?.json, schema)) {
          if (found.has(path)) continue;
          found.set(path, { observation, personal: context.classifier.classifyValue(name, value, { personLike: true }) !== undefined });
        }
      }
      const [first] = found.values();
      if (!first) continue;
      const operation = first.observation.operation;
      const paths = [...found.keys()].sort();
      const personal = paths.filter((p) => found.get(p)?.personal);
      findings.push(
        buildFinding({
          check: excessiveDataExposure,
          operation,
          severity: personal.length > 0 ? 'medium' : 'low',
          title: `${operation.method} ${operation.path} returns undeclared ${personal.length > 0 ? 'personal ' : ''}fields: ${list(personal.length > 0 ? personal : paths, 4)}`,
          message: `Fields present in answers but not in the response schema: ${list(paths, 10)}${personal.length > 0 ? `; personal data among them: ${list(personal)}` : ''}.`,
          observations: [first.observation],
          fields: paths,
          subjects: [],
          identity: [],
        }),
      );
    }
    return findings;
  },
};

function responseSchema(operation: Operation, status: number): JsonSchema | undefined {
  const exact = operation.responses.find((r) => r.status === String(status));
  const range = operation.responses.find((r) => r.status.toUpperCase() === `${String(status)[0] ?? ''}XX`);
  const fallback = operation.responses.find((r) => r.status === 'default');
  const response = exact ?? range ?? fallback;
  return response?.content.find((c) => c.mediaType.includes('json'))?.schema;
}

interface UndeclaredField {
  path: string;
  name: string;
  value: unknown;
}

/** Fields of `value` that `schema` does not declare, with `[]` for array items. */
export function undeclared(value: unknown, schema: JsonSchema, path = '', depth = 0): UndeclaredField[] {
  if (depth > 16 || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    const items = itemSchemas(schema);
    return items.length === 0 ? [] : value.flatMap((item) => items.flatMap((s) => undeclared(item, s, `${path}[]`, depth + 1))).filter(unique());
  }
  const { properties, open } = declaredProperties(schema);
  if (open) return [];
  const fields: UndeclaredField[] = [];
  for (const [name, child] of Object.entries(value)) {
    const childPath = path === '' ? name : `${path}.${name}`;
    const declared = properties.get(name);
    if (declared === undefined) fields.push({ path: childPath, name, value: child });
    else for (const s of declared) fields.push(...undeclared(child, s, childPath, depth + 1));
  }
  return fields;
}

/** The properties a schema (and its allOf/anyOf/oneOf branches) declares; open when it declares none or allows more. */
function declaredProperties(schema: JsonSchema): { properties: Map<string, JsonSchema[]>; open: boolean } {
  const properties = new Map<string, JsonSchema[]>();
  const found = { open: false, declaresAny: false };
  const visit = (s: JsonSchema, depth: number): void => {
    if (depth > 8) return;
    if (s.additionalProperties === true || (typeof s.additionalProperties === 'object' && s.additionalProperties !== null)) found.open = true;
    const own = s.properties as Record<string, JsonSchema> | undefined;
    if (own) {
      found.declaresAny = true;
      for (const [name, child] of Object.entries(own)) properties.set(name, [...(properties.get(name) ?? []), child]);
    }
    for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
      const branches = s[keyword];
      if (Array.isArray(branches)) for (const branch of branches as JsonSchema[]) visit(branch, depth + 1);
    }
  };
  visit(schema, 0);
  return { properties, open: found.open || !found.declaresAny };
}

function itemSchemas(schema: JsonSchema): JsonSchema[] {
  const found: JsonSchema[] = [];
  const visit = (s: JsonSchema, depth: number): void => {
    if (depth > 8) return;
    if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) found.push(s.items as JsonSchema);
    for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
      const branches = s[keyword];
      if (Array.isArray(branches)) for (const branch of branches as JsonSchema[]) visit(branch, depth + 1);
    }
  };
  visit(schema, 0);
  return found;
}

function unique(): (field: UndeclaredField) => boolean {
  const seen = new Set<string>();
  return (field) => !seen.has(field.path) && Boolean(seen.add(field.path));
}

/**
 * A policy draft as a `gateway:` section in YAML, built with the `yaml` package's Document API so
 * that every policy carries, as comments, the findings it answers and why it is what it is: a
 * draft is read and edited by a person before it is deployed.
 */
import { Document, isMap, isScalar, YAMLMap } from 'yaml';
import type { Draft } from './draft.ts';

export interface DocumentOptions {
  /** The upstream's URL; undefined leaves an environment variable to set. */
  upstream: string | undefined;
  /** The API description, as the gateway will find it from the file. */
  spec: string;
  /** Paragraphs at the top of the file. */
  header: string[];
}

/** Characters of comment text a line, after the `#`. */
const WIDTH = 96;
const UPSTREAM_VARIABLE = '${UPSTREAM_URL}';

/**
 * @example
 * ```ts
 * const yaml = renderDraft(draftPolicy(report, api, options), { upstream: 'http://127.0.0.1:8080', spec: 'openapi.yaml', header: ['Drafted by leakproof suggest'] });
 * ```
 */
export function renderDraft(draft: Draft, options: DocumentOptions): string {
  const doc = new Document();
  const map = (): YAMLMap => new YAMLMap(doc.schema);
  /** Adds `key: value` to `parent`, with comment lines just above the key. */
  const put = (parent: YAMLMap, key: string, value: unknown, lines: readonly string[] = [], flow = false): void => {
    const pair = doc.createPair(key, value, { flow });
    if (lines.length > 0 && isScalar(pair.key)) pair.key.commentBefore = comment(lines);
    parent.items.push(pair);
  };
  const unanswered = draft.unanswered.length === 0 ? [] : ['', 'Not answered by this draft:', ...draft.unanswered.map((line) => `  ${line}`)];
  doc.commentBefore = comment([...options.header, ...unanswered]);
  const root = map();
  const gateway = map();
  put(root, 'gateway', gateway);
  doc.contents = root;

  const upstreamNote = options.upstream === undefined ? ['The report names no target: set UPSTREAM_URL, or write the URL of the API here.'] : [];
  put(gateway, 'upstream', { url: options.upstream ?? UPSTREAM_VARIABLE }, upstreamNote, true);
  put(gateway, 'spec', options.spec);
  const authentication = map();
  put(authentication, 'anonymous', true, [
    'A placeholder: with only anonymous: true, nobody is authenticated and every policy that needs a member refuses. Configure how callers prove who they are, for example:',
    '  jwt: { issuer: https://id.example.com, algorithms: [RS256], rolesClaim: roles }',
    ...draft.authentication.map((line) => `Answers ${line}: the gateway verifies tokens itself (signature against the JWKS, asymmetric algorithms only, expiry), whatever the API accepts.`),
  ]);
  put(gateway, 'authentication', authentication);
  if (draft.lookups.length > 0) {
    const lookups = map();
    for (const lookup of draft.lookups) put(lookups, lookup.name, lookup.value, [lookup.note], true);
    put(gateway, 'lookups', lookups);
  }
  if (draft.views.length > 0) {
    const views = map();
    for (const view of draft.views) put(views, view.name, view.value, [view.note], true);
    put(gateway, 'views', views);
  }
  put(gateway, 'default', { allow: 'principal.authenticated' }, [
    'Members only, for every described operation without a policy below. Routes the description lacks are not routed at all (404).',
    ...draft.denied.map((line) => `Answers ${line}: deny-by-default, the route is not in the description.`),
  ], true);
  const operations = map();
  for (const operation of draft.operations) {
    const answers = operation.answers.length === 0 ? [] : ['Answers:', ...operation.answers.map((line) => `  ${line}`)];
    put(operations, operation.id, operation.policy, [...answers, ...operation.notes], Object.keys(operation.policy).length === 1);
  }
  flowViewRules(operations);
  put(gateway, 'operations', operations);
  return doc.toString({ lineWidth: 0 });
}

/** One rule a line, as people write them: `- { when: ..., view: member }`. */
function flowViewRules(operations: YAMLMap): void {
  for (const pair of operations.items) {
    if (!isMap(pair.value)) continue;
    const rules = pair.value.get('views', true) as { items?: unknown[] } | undefined;
    for (const rule of rules?.items ?? []) if (isMap(rule)) rule.flow = true;
  }
}

/** Comment text for `yaml`: lines wrapped at the width, each starting with a space after the `#`. */
function comment(lines: readonly string[]): string {
  return lines.flatMap((line) => wrap(line)).map((line) => ` ${line}`).join('\n');
}

/** A paragraph wraps flush; an indented item (a finding under "Answers:") with a hanging indent. */
function wrap(line: string): string[] {
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const wrapped: string[] = [];
  let current = indent;
  for (const word of line.trim().split(/\s+/)) {
    if (current.trim() !== '' && current.length + word.length + 1 > WIDTH) {
      wrapped.push(current);
      current = indent === '' ? word : `${indent}  ${word}`;
    } else current = current.trim() === '' ? `${current}${word}` : `${current} ${word}`;
  }
  return [...wrapped, current];
}

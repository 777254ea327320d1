/**
 * The JSON API, declared once as a table: each route's schemas validate requests, serialise answers
 * (only declared fields leave), and make up the OpenAPI document served at /api/v1/openapi.json.
 * Reporters authenticate with their tracking token, staff with an API token, both as
 * `Authorization: Bearer`; the API never reads cookies, so forms on other sites cannot drive it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deadlinesOf } from '../clocks.ts';
import type { Action } from '../lifecycle.ts';
import { refusal, TransitionError } from '../lifecycle.ts';
import { programmeMetrics } from '../metrics.ts';
import type { Case, Message, Role, User, Verification } from '../model.ts';
import { CASE_STATES, EXPLOITED, roleAtLeast, SEVERITIES, TRIAGES } from '../model.ts';
import { checkReport, REPORT_LIMITS } from '../report-input.ts';
import type { DiscloseService } from '../service.ts';
import { CaseNotFoundError } from '../tracker.ts';
import { advisoryText, applyAction, caseId } from './staff-routes.ts';

type Auth = 'none' | 'reporter' | 'staff';

interface ApiRoute {
  method: 'GET' | 'POST';
  /** OpenAPI style: `/reports/{reference}`. */
  path: string;
  operationId: string;
  summary: string;
  auth: Auth;
  /** For staff routes: the least role. */
  role?: Role;
  params?: Record<string, object>;
  query?: Record<string, object>;
  body?: object;
  responses: Record<number, { description: string; schema?: object }>;
  handler(request: FastifyRequest, reply: FastifyReply, who: { case?: Case; user?: User }): Promise<unknown>;
}

const text = (maxLength: number) => ({ type: 'string', maxLength });
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const time = { type: 'string', format: 'date-time' };
const problem = { type: 'object', additionalProperties: false, required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } };
const reference = { type: 'string', pattern: '^VR-[0-9]{1,12}$', maxLength: 15 };

const reportInput = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'asset', 'description', 'steps', 'impact'],
  properties: {
    title: text(REPORT_LIMITS.title), asset: text(REPORT_LIMITS.asset), description: text(REPORT_LIMITS.description),
    steps: text(REPORT_LIMITS.steps), impact: text(REPORT_LIMITS.impact), contact: nullable(text(REPORT_LIMITS.contact)),
    probe: nullable({ type: 'object', description: 'A leakproof-probe/1 document (leakproof scan --probes).' }),
    credit: nullable({ ...text(REPORT_LIMITS.credit), description: 'The name to credit you by in the public advisory; absent or null: no credit.' }),
  },
};

const receipt = {
  type: 'object', additionalProperties: false, required: ['reference', 'state', 'trackingToken', 'trackingUrl'],
  properties: { reference, state: { type: 'string' }, trackingToken: { type: 'string', description: 'Shown once; only a hash is stored.' }, trackingUrl: { type: 'string' } },
};

const update = { type: 'object', additionalProperties: false, required: ['from', 'body', 'at'], properties: { from: { type: 'string', enum: ['you', 'team'] }, body: { type: 'string' }, at: time } };

const reporterCase = {
  type: 'object', additionalProperties: false,
  required: ['reference', 'title', 'asset', 'state', 'triage', 'severity', 'receivedAt', 'canContest', 'credit', 'updates'],
  properties: {
    reference, title: { type: 'string' }, asset: { type: 'string' }, state: { type: 'string', enum: CASE_STATES },
    triage: nullable({ type: 'string', enum: TRIAGES }), severity: nullable({ type: 'string', enum: SEVERITIES }), receivedAt: time,
    canContest: { type: 'boolean' }, credit: nullable({ type: 'string' }), updates: { type: 'array', maxItems: 10_000, items: update },
  },
};

const assessment = {
  type: 'object', additionalProperties: false, required: ['operations', 'dataClasses', 'peopleAffected', 'exploited', 'evidence'],
  properties: {
    operations: { type: 'array', maxItems: 200, items: text(300) }, dataClasses: { type: 'array', maxItems: 200, items: text(300) },
    peopleAffected: nullable({ type: 'integer', minimum: 0 }), exploited: { type: 'string', enum: EXPLOITED }, evidence: nullable(text(2000)),
  },
};

const staffCase = {
  type: 'object', additionalProperties: false,
  required: ['id', 'reference', 'title', 'asset', 'description', 'steps', 'impact', 'contact', 'state', 'triage', 'duplicateOf', 'severity', 'cvss31', 'cvss40', 'score', 'ownerId', 'assessment', 'hasProbe', 'receivedAt', 'acknowledgedAt', 'assessedAt', 'resolvedAt', 'disclosedAt', 'credit', 'version'],
  properties: {
    id: { type: 'integer' }, reference, title: { type: 'string' }, asset: { type: 'string' }, description: { type: 'string' }, steps: { type: 'string' }, impact: { type: 'string' },
    contact: nullable({ type: 'string' }), state: { type: 'string', enum: CASE_STATES }, triage: nullable({ type: 'string', enum: TRIAGES }), duplicateOf: nullable({ type: 'integer' }),
    severity: nullable({ type: 'string', enum: SEVERITIES }), cvss31: nullable({ type: 'string' }), cvss40: nullable({ type: 'string' }), score: nullable({ type: 'number' }),
    ownerId: nullable({ type: 'integer' }), assessment, hasProbe: { type: 'boolean' },
    receivedAt: time, acknowledgedAt: nullable(time), assessedAt: nullable(time), resolvedAt: nullable(time), disclosedAt: nullable(time),
    credit: nullable({ type: 'string', description: "The name the reporter agreed to be credited by; null: no credit." }), version: { type: 'integer' },
  },
};

const revision = {
  type: 'object', additionalProperties: false, required: ['number', 'at', 'summary', 'userId'],
  properties: { number: { type: 'integer' }, at: time, summary: { type: 'string' }, userId: { type: 'integer' } },
};

const caseDetail = {
  type: 'object', additionalProperties: false, required: ['case', 'thread', 'verifications', 'deadlines', 'advisoryRevisions'],
  properties: {
    case: staffCase,
    advisoryRevisions: { type: 'array', maxItems: 10_000, items: revision },
    thread: { type: 'array', maxItems: 10_000, items: { type: 'object', additionalProperties: false, required: ['author', 'userId', 'body', 'internal', 'at'], properties: { author: { type: 'string' }, userId: nullable({ type: 'integer' }), body: { type: 'string' }, internal: { type: 'boolean' }, at: time } } },
    verifications: { type: 'array', maxItems: 10_000, items: { type: 'object', additionalProperties: false, required: ['verdict', 'reason', 'target', 'at'], properties: { verdict: { type: 'string' }, reason: { type: 'string' }, target: nullable({ type: 'string' }), at: time } } },
    deadlines: { type: 'array', maxItems: 10, items: { type: 'object', additionalProperties: false, required: ['clock', 'dueAt', 'status'], properties: { clock: { type: 'string' }, dueAt: time, status: { type: 'string' } } } },
  },
};

const actionInput = {
  type: 'object', additionalProperties: false, required: ['action'],
  properties: {
    action: { type: 'string', enum: ['acknowledge', 'triage', 'assign', 'assess', 'attach-probe', 'start-fix', 'submit-fix', 'verify', 'override', 'disclose', 'publish-advisory', 'message'] },
    version: { type: 'integer', description: 'The version the change was made on: refused if the case changed since.' },
    note: text(REPORT_LIMITS.message), triage: { type: 'string', enum: TRIAGES }, cvss31: text(200), cvss40: text(200), duplicateOf: text(20),
    owner: text(20), operations: text(60_000), dataClasses: text(60_000), peopleAffected: text(20), exploited: { type: 'string', enum: EXPLOITED }, evidence: text(2000),
    probe: text(REPORT_LIMITS.probe), reason: text(REPORT_LIMITS.message), message: text(REPORT_LIMITS.message), internal: { type: 'boolean' },
    summary: { ...text(1000), description: "publish-advisory: what the new revision changes (the first defaults to 'Initial release.')." },
  },
};

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function staffView(c: Case) {
  return { ...c, probe: undefined, hasProbe: c.probe !== null, receivedAt: iso(c.receivedAt), acknowledgedAt: iso(c.acknowledgedAt), assessedAt: iso(c.assessedAt), resolvedAt: iso(c.resolvedAt), disclosedAt: iso(c.disclosedAt) };
}

function reporterView(service: DiscloseService, c: Case, thread: Message[]) {
  const { tracker } = service;
  return {
    reference: c.reference, title: c.title, asset: c.asset, state: c.state, triage: c.triage, severity: c.severity, receivedAt: iso(c.receivedAt),
    canContest: refusal(c, 'contest', { kind: 'reporter' }, tracker.now(), tracker.contestWindowMs) === undefined, credit: c.credit,
    updates: thread.map((m) => ({ from: m.author === 'reporter' ? 'you' : 'team', body: m.body, at: iso(m.at) })),
  };
}

function routes(service: DiscloseService): ApiRoute[] {
  const { tracker, settings } = service;
  const referenceParam = { reference };
  const idParam = { id: { type: 'string', pattern: '^(VR-)?[0-9]{1,12}$', maxLength: 15 } };
  const unauthorized = { description: 'No valid token.', schema: problem };
  return [
    {
      method: 'POST', path: '/reports', operationId: 'submitReport', summary: 'File a vulnerability report (anonymous allowed); answers the private tracking token once.', auth: 'none',
      body: reportInput, responses: { 201: { description: 'Filed.', schema: receipt }, 400: { description: 'Invalid report.', schema: problem }, 429: { description: 'Too many reports from this address.', schema: problem } },
      async handler(request, reply) {
        const { case: filed, token } = await tracker.submitReport(checkReport(request.body as Record<string, unknown>));
        service.sendReceipt(filed, token);
        return reply.status(201).send({ reference: filed.reference, state: filed.state, trackingToken: token, trackingUrl: service.trackingUrl(token) });
      },
    },
    {
      method: 'GET', path: '/reports/{reference}', operationId: 'getReport', summary: "The reporter's view of their case: state, severity and the team's updates.", auth: 'reporter',
      params: referenceParam, responses: { 200: { description: 'The case.', schema: reporterCase }, 401: unauthorized, 404: { description: 'No such case for this token.', schema: problem } },
      async handler(_request, reply, { case: c }) {
        const own = c as Case;
        return reply.send(reporterView(service, own, await tracker.thread(own.id, { internal: false })));
      },
    },
    {
      method: 'POST', path: '/reports/{reference}/messages', operationId: 'replyToReport', summary: 'The reporter replies on their case.', auth: 'reporter',
      params: referenceParam, body: { type: 'object', additionalProperties: false, required: ['message'], properties: { message: text(REPORT_LIMITS.message) } },
      responses: { 201: { description: 'Added.', schema: reporterCase }, 400: { description: 'Invalid message.', schema: problem }, 401: unauthorized, 404: { description: 'No such case for this token.', schema: problem } },
      async handler(request, reply, { case: c }) {
        const token = bearer(request) ?? '';
        await tracker.reporterReply(token, (request.body as { message: string }).message);
        const own = c as Case;
        return reply.status(201).send(reporterView(service, own, await tracker.thread(own.id, { internal: false })));
      },
    },
    {
      method: 'POST', path: '/reports/{reference}/contest', operationId: 'contestReport', summary: 'The reporter contests a resolution or a closing triage, within the contest window.', auth: 'reporter',
      params: referenceParam, body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: text(REPORT_LIMITS.message) } },
      responses: { 200: { description: 'Reopened.', schema: reporterCase }, 400: { description: 'Invalid reason.', schema: problem }, 401: unauthorized, 404: { description: 'No such case for this token.', schema: problem }, 409: { description: 'Not contestable now.', schema: problem } },
      async handler(request, reply) {
        const reopened = await tracker.contest(bearer(request) ?? '', (request.body as { reason: string }).reason);
        return reply.send(reporterView(service, reopened, await tracker.thread(reopened.id, { internal: false })));
      },
    },
    {
      method: 'POST', path: '/reports/{reference}/credit', operationId: 'setReportCredit', summary: 'The reporter agrees to be credited in the advisory by a name of their choice, or withdraws (null).', auth: 'reporter',
      params: referenceParam, body: { type: 'object', additionalProperties: false, required: ['credit'], properties: { credit: nullable(text(REPORT_LIMITS.credit)) } },
      responses: { 200: { description: 'Recorded.', schema: reporterCase }, 400: { description: 'Invalid name.', schema: problem }, 401: unauthorized, 404: { description: 'No such case for this token.', schema: problem } },
      async handler(request, reply) {
        const changed = await tracker.setCredit(bearer(request) ?? '', (request.body as { credit: string | null }).credit);
        return reply.send(reporterView(service, changed, await tracker.thread(changed.id, { internal: false })));
      },
    },
    {
      method: 'GET', path: '/cases', operationId: 'listCases', summary: 'Cases, newest first.', auth: 'staff', role: 'viewer',
      query: { state: { type: 'string', enum: CASE_STATES }, open: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 } },
      responses: { 200: { description: 'The cases.', schema: { type: 'array', maxItems: 1000, items: staffCase } }, 401: unauthorized, 403: { description: 'Role too low.', schema: problem } },
      async handler(request, reply) {
        const q = request.query as { state?: Case['state']; open?: boolean; limit: number; offset: number };
        const cases = await tracker.listCases({ states: q.state ? [q.state] : undefined, open: q.open, limit: q.limit, offset: q.offset });
        return reply.send(cases.map(staffView));
      },
    },
    {
      method: 'GET', path: '/cases/{id}', operationId: 'getCase', summary: 'A case with its thread (internal notes too), verifications and clocks.', auth: 'staff', role: 'viewer',
      params: idParam, responses: { 200: { description: 'The case.', schema: caseDetail }, 401: unauthorized, 403: { description: 'Role too low.', schema: problem }, 404: { description: 'No such case.', schema: problem } },
      async handler(request, reply) {
        const c = await tracker.getCase(caseId((request.params as { id: string }).id));
        const [thread, verifications, revisions] = await Promise.all([tracker.thread(c.id, { internal: true }), tracker.verifications(c.id), tracker.advisoryRevisions(c.id)]);
        return reply.send({
          case: staffView(c),
          advisoryRevisions: revisions.map((r) => ({ ...r, at: iso(r.at) })),
          thread: thread.map((m) => ({ ...m, at: iso(m.at) })),
          verifications: verifications.map((v: Verification) => ({ verdict: v.verdict, reason: v.reason, target: v.target, at: iso(v.at) })),
          deadlines: deadlinesOf(c, settings.clocks, tracker.now()).map((d) => ({ clock: d.clock, dueAt: iso(d.dueAt), status: d.status })),
        });
      },
    },
    {
      method: 'POST', path: '/cases/{id}/actions', operationId: 'actOnCase', summary: 'Take an action on a case (acknowledge, triage, verify...), as the web page does.', auth: 'staff', role: 'engineer',
      params: idParam, body: actionInput,
      responses: { 200: { description: 'The case after the action.', schema: staffCase }, 400: { description: 'Invalid input.', schema: problem }, 401: unauthorized, 403: { description: 'Role too low.', schema: problem }, 404: { description: 'No such case.', schema: problem }, 409: { description: 'Not possible in this state, or the case changed since `version`.', schema: problem } },
      async handler(request, reply, { user }) {
        const id = caseId((request.params as { id: string }).id);
        const body = request.body as Record<string, unknown> & { action: Action; version?: number };
        const c = await tracker.getCase(id);
        if (body.version !== undefined && body.version !== c.version) throw new TransitionError(`${c.reference} is at version ${String(c.version)}, not ${String(body.version)}: read it again`);
        await applyAction(service, c, body.action, user as User, (name) => {
          const value = body[name];
          return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
        });
        return reply.send(staffView(await tracker.getCase(id)));
      },
    },
    {
      method: 'GET', path: '/cases/{id}/advisory', operationId: 'getAdvisory',
      summary: "A resolved case's advisory as CSAF 2.0 (JSON), or Markdown with format=markdown: the latest published revision as it went out (or the one named by revision), or a draft while none is published.", auth: 'staff', role: 'viewer',
      params: idParam, query: { format: { type: 'string', enum: ['csaf', 'markdown'], default: 'csaf' }, revision: { type: 'integer', minimum: 1, maximum: 999_999 } },
      responses: { 200: { description: 'The advisory.' }, 400: { description: 'Not publishable yet.', schema: problem }, 401: unauthorized, 404: { description: 'No such case, or no such revision.', schema: problem } },
      async handler(request, reply) {
        const c = await tracker.getCase(caseId((request.params as { id: string }).id));
        const query = request.query as { format: string; revision?: number };
        const markdown = query.format === 'markdown';
        const advisory = await advisoryText(service, c, markdown ? 'md' : 'json', query.revision);
        if (advisory === undefined) throw new CaseNotFoundError(`${c.reference}'s advisory has no revision ${String(query.revision)}`);
        return reply.type(markdown ? 'text/markdown; charset=utf-8' : 'application/json').send(advisory.text);
      },
    },
    {
      method: 'GET', path: '/metrics', operationId: 'getMetrics', summary: 'Open cases by age and severity, median times, and cases past a clock.', auth: 'staff', role: 'viewer',
      responses: { 200: { description: 'The figures.', schema: { type: 'object', additionalProperties: false, required: ['open', 'byAge', 'medianHours', 'overdue'], properties: { open: { type: 'integer' }, byAge: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } } }, medianHours: { type: 'object', additionalProperties: nullable({ type: 'number' }) }, overdue: { type: 'array', maxItems: 100_000, items: { type: 'object', additionalProperties: false, required: ['reference', 'clocks'], properties: { reference, clocks: { type: 'array', maxItems: 10, items: { type: 'string' } } } } } } } }, 401: unauthorized },
      async handler(_request, reply) {
        const m = await programmeMetrics(tracker, settings.clocks, tracker.now(), 0);
        const hours = (ms: number | null) => (ms === null ? null : ms / 3_600_000);
        return reply.send({ open: m.open, byAge: m.byAge, medianHours: { acknowledge: hours(m.medianMs.acknowledge), assess: hours(m.medianMs.assess), fix: hours(m.medianMs.fix) }, overdue: m.overdue.map((o) => ({ reference: o.c.reference, clocks: o.deadlines.map((d) => d.clock) })) });
      },
    },
  ];
}

function requireJson(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === 'application/json') {
    done();
    return;
  }
  void reply.status(415).send({ code: 'ERR_MEDIA_TYPE', message: 'send the body as application/json' });
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([A-Za-z0-9_-]{1,100})$/.exec(header);
  return match?.[1];
}

/** Registers the routes and the OpenAPI document. */
export function registerApi(app: FastifyInstance, service: DiscloseService): void {
  const { tracker, settings } = service;
  const table = routes(service);
  for (const route of table) {
    const url = `/api/v1${route.path.replace(/\{(\w+)\}/g, ':$1')}`;
    const schema: Record<string, unknown> = { response: Object.fromEntries(Object.entries(route.responses).filter(([, r]) => r.schema).map(([status, r]) => [status, r.schema])) };
    if (route.params) schema.params = { type: 'object', required: Object.keys(route.params), properties: route.params };
    if (route.query) schema.querystring = { type: 'object', additionalProperties: false, properties: route.query };
    if (route.body) schema.body = route.body;
    app.route({
      method: route.method,
      url,
      schema,
      config: route.operationId === 'submitReport' ? { rateLimit: { max: settings.limits.reportsPerHour, timeWindow: '1 hour' } } : {},
      // A form on another site can post url-encoded or plain text without asking first, never JSON.
      ...(route.body ? { preValidation: requireJson } : {}),
      handler: async (request, reply) => {
        const who: { case?: Case; user?: User } = {};
        if (route.auth !== 'none') {
          const token = bearer(request);
          void reply.header('www-authenticate', 'Bearer');
          if (token === undefined) return reply.status(401).send({ code: 'ERR_UNAUTHORIZED', message: 'send Authorization: Bearer TOKEN' });
          if (route.auth === 'reporter') {
            const c = await tracker.caseForToken(token);
            if (!c) return reply.status(401).send({ code: 'ERR_UNAUTHORIZED', message: 'this tracking token opens no case' });
            // Another case's reference with this token: the same answer as a case that does not exist.
            if (c.reference !== (request.params as { reference: string }).reference) throw new CaseNotFoundError('no such case for this tracking token');
            who.case = c;
          } else {
            const user = await tracker.staff.tokenUser(token);
            if (!user) return reply.status(401).send({ code: 'ERR_UNAUTHORIZED', message: 'this API token is not valid' });
            if (!roleAtLeast(user.role, route.role ?? 'admin')) return reply.status(403).send({ code: 'ERR_FORBIDDEN', message: `this needs the ${route.role ?? 'admin'} role` });
            who.user = user;
          }
        }
        return route.handler(request, reply, who);
      },
    });
  }
  app.get('/api/v1/openapi.json', (_request, reply) => reply.type('application/json').send(openApiDocument(table, settings.publicUrl, settings.organization)));
}

/** The OpenAPI 3.0 description of the table. */
export function openApiDocument(table: readonly ApiRoute[], publicUrl: string, organization: string): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of table) {
    const parameters = [
      // Every path parameter names a case; the example (the first case filed) lets a client, and `leakproof scan`, fill the path.
      ...Object.entries(route.params ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: { ...schema, example: 'VR-0001' } })),
      ...Object.entries(route.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ];
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      security: route.auth === 'none' ? [] : [{ [route.auth === 'reporter' ? 'trackingToken' : 'apiToken']: [] }],
      // Staff operations are the administrators' side of the API: `leakproof scan` checks that reporters cannot call them.
      ...(route.auth === 'staff' ? { 'x-leakproof-admin': true } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: openApiSchema(route.body) } } } } : {}),
      responses: Object.fromEntries(Object.entries(route.responses).map(([status, r]) => [status, { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: openApiSchema(r.schema) } } } : {}) }])),
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: `${organization} vulnerability disclosure API`, version: '1', description: 'Leakproof disclose: file and follow vulnerability reports; work them as staff.' },
    servers: [{ url: `${publicUrl}/api/v1` }],
    components: { securitySchemes: { trackingToken: { type: 'http', scheme: 'bearer', description: "A reporter's tracking token, from submitReport." }, apiToken: { type: 'http', scheme: 'bearer', description: 'A staff API token (leakproof disclose token).' } } },
    paths,
  };
}

/** JSON Schema's `{ type: 'null' }` alternatives as OpenAPI 3.0's `nullable`. */
function openApiSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(openApiSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const node = schema as Record<string, unknown>;
  const anyOf = node.anyOf as Record<string, unknown>[] | undefined;
  if (anyOf?.length === 2 && anyOf[1]?.type === 'null') return { ...(openApiSchema(anyOf[0]) as object), nullable: true };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, openApiSchema(value)]));
}

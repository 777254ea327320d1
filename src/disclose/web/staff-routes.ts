/** The staff side: sign-in, the case list, a case and its actions, advisories, metrics, users, one's account. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csafAdvisory, markdownAdvisory } from '../advisory/index.ts';
import type { AdvisoryInput, Publisher } from '../advisory/index.ts';
import { deadlinesOf } from '../clocks.ts';
import type { Action } from '../lifecycle.ts';
import { availableActions, TransitionError } from '../lifecycle.ts';
import { programmeMetrics } from '../metrics.ts';
import type { Case, Exploited, Role, Triage, User } from '../model.ts';
import { EXPLOITED, roleAtLeast, TRIAGES } from '../model.ts';
import { checkProbe, InputError } from '../report-input.ts';
import type { DiscloseService } from '../service.ts';
import type { OidcTransaction } from '../oidc.ts';
import { SESSION_MS } from '../staff.ts';
import { caseEvents } from '../store/trail.ts';
import type { Staff } from '../tracker.ts';
import { ConflictError } from '../tracker.ts';
import { csrfCheck, ForbiddenError, formField, sendPage, SESSION_COOKIE } from './app.ts';
import { accountPage, casePage, casesPage, loginPage, metricsPage, OVERDUE_SHOWN, passwordResetPage, usersPage } from './staff-pages.ts';

declare module 'fastify' {
  interface FastifyRequest {
    staffUser?: User;
  }
}

/** The OpenID sign-in's state, nonce and PKCE verifier, between the two legs. */
const OIDC_COOKIE = 'lp_oidc';

type CaseRequest = FastifyRequest<{ Params: { id: string; action?: string } }>;
type MemberRequest = FastifyRequest<{ Params: { id: string } }>;

export function registerStaffPages(app: FastifyInstance, service: DiscloseService): void {
  const { settings, tracker } = service;
  const secure = settings.publicUrl.startsWith('https://');
  const csrf = csrfCheck(app);

  /** Signed-in staff with at least `role`; anyone else is sent to sign in. */
  const requireStaff = (role: Role) => async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[SESSION_COOKIE];
    const user = token === undefined ? undefined : await tracker.staff.sessionUser(token);
    if (!user) return reply.redirect('/login', 303);
    if (!roleAtLeast(user.role, role)) throw new ForbiddenError(`this page needs the ${role} role`);
    request.staffUser = user;
    return undefined;
  };
  const userOf = (request: FastifyRequest): User => {
    if (!request.staffUser) throw new TransitionError('not signed in');
    return request.staffUser;
  };

  // Guessing a password through the change form costs as much as guessing it at /login.
  const signInRate = { rateLimit: { max: settings.limits.loginsPerMinute, timeWindow: '1 minute' } };

  const signIn = async (reply: FastifyReply, user: User) => {
    const token = await tracker.staff.openSession(user);
    void reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: SESSION_MS / 1000 });
    return reply.redirect('/cases', 303);
  };

  app.get('/login', (_request, reply) => sendPage(reply, loginPage(settings, reply.generateCsrf())));
  app.post('/login', { preHandler: csrf, config: signInRate }, async (request, reply) => {
    const user = await tracker.staff.authenticate(formField(request, 'email') ?? '', formField(request, 'password') ?? '');
    if (!user) return sendPage(reply.status(401), loginPage(settings, reply.generateCsrf(), 'Wrong email or password.'));
    return signIn(reply, user);
  });
  const oidc = service.oidc;
  if (oidc) {
    const callback = () => `${settings.publicUrl}/login/oidc/callback`;
    app.get('/login/oidc', { config: signInRate }, async (_request, reply) => {
      const { url, transaction } = await oidc.begin(callback());
      // Lax, not Strict: the provider sends the browser back with a cross-site navigation.
      void reply.setCookie(OIDC_COOKIE, JSON.stringify(transaction), { signed: true, httpOnly: true, sameSite: 'lax', secure, path: '/login/oidc', maxAge: 600 });
      return reply.redirect(url, 303);
    });
    app.get('/login/oidc/callback', { config: signInRate }, async (request, reply) => {
      const stored = request.cookies[OIDC_COOKIE];
      const unsigned = stored === undefined ? undefined : request.unsignCookie(stored);
      void reply.clearCookie(OIDC_COOKIE, { path: '/login/oidc' });
      if (!unsigned?.valid) return sendPage(reply.status(400), loginPage(settings, reply.generateCsrf(), 'The sign-in took too long or did not start here: try again.'));
      const transaction = JSON.parse(unsigned.value) as OidcTransaction;
      const identity = await oidc.finish(new URL(request.url, settings.publicUrl), transaction);
      const user = (await tracker.staff.users()).find((u) => u.email === identity.email && !u.disabled);
      if (!user) return sendPage(reply.status(403), loginPage(settings, reply.generateCsrf(), `There is no active account for ${identity.email}: ask an admin to add you.`));
      return signIn(reply, user);
    });
  }
  app.post('/logout', { preHandler: csrf }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token !== undefined) await tracker.staff.closeSession(token);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  app.get<{ Querystring: { changed?: string } }>('/account', { preHandler: requireStaff('viewer') }, (request, reply) => sendPage(reply, accountPage(settings, userOf(request), reply.generateCsrf(), { changed: request.query.changed === '1' })));
  app.post('/account', { preHandler: [requireStaff('viewer'), csrf], config: signInRate }, async (request, reply) => {
    const user = userOf(request);
    try {
      const next = formField(request, 'newPassword') ?? '';
      if (next !== (formField(request, 'repeatPassword') ?? '')) throw new InputError('repeatPassword', 'does not match the new password');
      await tracker.staff.changePassword(user, formField(request, 'currentPassword') ?? '', next, request.cookies[SESSION_COOKIE] ?? '');
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return sendPage(reply.status(400), accountPage(settings, user, reply.generateCsrf(), { error: error.message }));
    }
    return reply.redirect('/account?changed=1', 303);
  });

  app.get<{ Querystring: { all?: string } }>('/cases', { preHandler: requireStaff('viewer') }, async (request, reply) => {
    const open = request.query.all !== '1';
    const now = tracker.now();
    const cases = await tracker.listCases({ open, limit: 500 });
    const rows = cases.map((c) => ({ c, next: deadlinesOf(c, settings.clocks, now).sort((a, b) => a.dueAt - b.dueAt)[0] }));
    return sendPage(reply, casesPage(settings, userOf(request), reply.generateCsrf(), rows, { open }));
  });

  const showCase = async (request: CaseRequest, reply: FastifyReply, status = 200, error?: string) => {
    const user = userOf(request);
    const c = await tracker.getCase(caseId(request.params.id));
    const now = tracker.now();
    const [thread, verifications, events, staff, advisory] = await Promise.all([
      tracker.thread(c.id, { internal: true }), tracker.verifications(c.id), caseEvents(tracker.database.db, c.id), tracker.staff.users(),
      c.state === 'resolved' || c.state === 'disclosed' ? tracker.advisoryDraft(c, publisherOf(service)) : undefined,
    ]);
    return sendPage(reply.status(status), casePage(settings, user, reply.generateCsrf(), {
      c, advisory, thread, verifications, events, staff, error,
      deadlines: deadlinesOf(c, settings.clocks, now),
      actions: availableActions(c, user.role, now, tracker.contestWindowMs),
    }));
  };
  app.get<{ Params: { id: string } }>('/cases/:id', { preHandler: requireStaff('viewer') }, (request, reply) => showCase(request, reply));
  app.post<{ Params: { id: string; action: string } }>('/cases/:id/:action', { preHandler: [requireStaff('engineer'), csrf] }, async (request, reply) => {
    const user = userOf(request);
    const id = caseId(request.params.id);
    try {
      const c = await tracker.getCase(id);
      const version = formField(request, 'version');
      if (version !== undefined && Number(version) !== c.version) throw new ConflictError(`${c.reference} was changed by someone else since you opened it: here it is as it is now`);
      await applyAction(service, c, request.params.action as Action, user, (name) => formField(request, name));
    } catch (error) {
      if (error instanceof InputError || error instanceof TransitionError || error instanceof ConflictError) return showCase(request, reply, error instanceof InputError ? 400 : 409, error.message);
      throw error;
    }
    return reply.redirect(`/cases/${String(id)}`, 303);
  });

  app.get<{ Params: { id: string; format: string }; Querystring: { revision?: string } }>('/cases/:id/advisory.:format', { preHandler: requireStaff('viewer') }, async (request, reply) => {
    const { format } = request.params;
    if (format !== 'json' && format !== 'md') {
      reply.callNotFound();
      return reply;
    }
    const revision = revisionNumber(request.query.revision);
    const c = await tracker.getCase(caseId(request.params.id));
    const advisory = await advisoryText(service, c, format, revision);
    if (advisory === undefined) {
      reply.callNotFound();
      return reply;
    }
    return reply.type(format === 'json' ? 'application/json' : 'text/markdown; charset=utf-8').header('content-disposition', `attachment; filename="${advisory.name}"`).send(advisory.text);
  });

  app.get('/metrics', { preHandler: requireStaff('viewer') }, async (request, reply) => {
    return sendPage(reply, metricsPage(settings, userOf(request), reply.generateCsrf(), await programmeMetrics(tracker, settings.clocks, tracker.now(), OVERDUE_SHOWN)));
  });

  app.get('/users', { preHandler: requireStaff('admin') }, async (request, reply) => sendPage(reply, usersPage(settings, userOf(request), reply.generateCsrf(), await tracker.staff.users())));
  app.post('/users', { preHandler: [requireStaff('admin'), csrf] }, async (request, reply) => {
    const admin = userOf(request);
    try {
      await tracker.staff.createUser({ name: formField(request, 'name') ?? '', email: formField(request, 'email') ?? '', role: (formField(request, 'role') ?? '') as Role, password: formField(request, 'password') ?? '' }, admin.id);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return sendPage(reply.status(400), usersPage(settings, admin, reply.generateCsrf(), await tracker.staff.users(), error.message));
    }
    return reply.redirect('/users', 303);
  });
  /** A change to another member's account; a refusal shows the users page again, saying why. */
  const memberChange = (own: string, change: (id: number, admin: User, request: MemberRequest) => Promise<void>) => async (request: MemberRequest, reply: FastifyReply) => {
    const admin = userOf(request);
    try {
      await change(otherMember(request.params.id, admin, own), admin, request);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return sendPage(reply.status(400), usersPage(settings, admin, reply.generateCsrf(), await tracker.staff.users(), error.message));
    }
    return reply.redirect('/users', 303);
  };
  app.post<{ Params: { id: string } }>('/users/:id/disable', { preHandler: [requireStaff('admin'), csrf] }, memberChange('you cannot disable your own account', (id, admin) => tracker.staff.disable(id, admin.id)));
  app.post<{ Params: { id: string } }>('/users/:id/enable', { preHandler: [requireStaff('admin'), csrf] }, memberChange('your own account is enabled already', (id, admin) => tracker.staff.enable(id, admin.id)));
  app.post<{ Params: { id: string } }>('/users/:id/role', { preHandler: [requireStaff('admin'), csrf] }, memberChange('you cannot change your own role: another admin can', (id, admin, request) => tracker.staff.changeRole(id, (formField(request, 'role') ?? '') as Role, admin.id)));
  app.post<{ Params: { id: string } }>('/users/:id/reset-password', { preHandler: [requireStaff('admin'), csrf] }, async (request, reply) => {
    const admin = userOf(request);
    const id = otherMember(request.params.id, admin, 'change your own password on your account page');
    const { user, password } = await tracker.staff.resetPassword(id, admin.id);
    return sendPage(reply, passwordResetPage(settings, admin, reply.generateCsrf(), user, password));
  });
}

/** A member's id from the URL, refused when it is the admin's own (`own` says what to do instead). */
function otherMember(text: string, admin: User, own: string): number {
  if (!/^\d{1,12}$/.test(text)) throw new InputError('user', `'${text.slice(0, 40)}' is not a user number`);
  const id = Number(text);
  if (id === admin.id) throw new InputError('user', own);
  return id;
}

/** A case id from the URL: `12` or `VR-0012`. */
export function caseId(text: string): number {
  const match = /^(?:VR-)?(\d{1,12})$/i.exec(text);
  if (!match) throw new InputError('case', `'${text.slice(0, 40)}' is not a case number`);
  return Number(match[1]);
}

/** A page's `?revision=N`: undefined when none is named. */
export function revisionNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d{0,5}$/.test(text)) throw new InputError('revision', 'must be a revision number (1, 2, ...)');
  return Number(text);
}

/** One action from a form or the API's fields. */
export async function applyAction(service: DiscloseService, c: Case, action: Action, user: User, field: (name: string) => string | undefined): Promise<void> {
  const { tracker } = service;
  const staff: Staff = user;
  switch (action) {
    case 'acknowledge':
      await tracker.acknowledge(c.id, staff, field('note'));
      return;
    case 'triage': {
      const triage = field('triage') ?? '';
      if (!(TRIAGES as readonly string[]).includes(triage)) throw new InputError('triage', `must be one of ${TRIAGES.join(', ')}`);
      const duplicate = field('duplicateOf')?.trim();
      await tracker.triage(c.id, staff, { triage: triage as Triage, cvss31: field('cvss31'), cvss40: field('cvss40'), duplicateOf: duplicate ? caseId(duplicate) : null, note: field('note') });
      return;
    }
    case 'assign': {
      const owner = field('owner')?.trim() ?? '';
      if (owner !== '' && !/^\d{1,12}$/.test(owner)) throw new InputError('owner', 'must be a user number, or empty for nobody');
      await tracker.assign(c.id, staff, owner === '' ? null : Number(owner));
      return;
    }
    case 'assess': {
      const exploited = field('exploited') ?? 'unknown';
      if (!(EXPLOITED as readonly string[]).includes(exploited)) throw new InputError('exploited', `must be one of ${EXPLOITED.join(', ')}`);
      const people = field('peopleAffected')?.trim() ?? '';
      if (people !== '' && !/^\d{1,12}$/.test(people)) throw new InputError('peopleAffected', 'must be a whole number, or empty when not known');
      const list = (text: string | undefined, separator: RegExp) => (text ?? '').split(separator).map((s) => s.trim()).filter((s) => s !== '').slice(0, 200).map((s) => s.slice(0, 300));
      const evidence = field('evidence')?.trim() ?? '';
      await tracker.assess(c.id, staff, { operations: list(field('operations'), /\r?\n/), dataClasses: list(field('dataClasses'), /,/), peopleAffected: people === '' ? null : Number(people), exploited: exploited as Exploited, evidence: evidence === '' ? null : evidence.slice(0, 2000) });
      return;
    }
    case 'attach-probe': {
      const probe = checkProbe(field('probe'));
      if (!probe) throw new InputError('probe', 'is required');
      await tracker.attachProbe(c.id, staff, probe);
      return;
    }
    case 'start-fix':
      await tracker.startFix(c.id, staff);
      return;
    case 'submit-fix':
      await tracker.submitFix(c.id, staff, field('note'));
      return;
    case 'verify':
      await tracker.verify(c.id, staff);
      return;
    case 'override':
      await tracker.override(c.id, staff, field('reason') ?? '');
      return;
    case 'disclose':
      await tracker.disclose(c.id, staff);
      return;
    case 'publish-advisory':
      await tracker.publishAdvisory(c.id, staff, { publisher: publisherOf(service), summary: field('summary') });
      return;
    case 'message':
      await tracker.message(c.id, staff, field('message') ?? '', field('internal') === '1' || field('internal') === 'true');
      return;
    case 'contest':
    case 'credit':
      throw new TransitionError(`only the reporter can ${action === 'contest' ? 'contest' : 'choose to be credited'}`);
    default:
      throw new InputError('action', `'${String(action).slice(0, 40)}' is not an action`);
  }
}

/** Who publishes the tracker's advisories: the organisation, named by its public address. */
export function publisherOf(service: DiscloseService): Publisher {
  return { name: service.settings.organization, namespace: service.settings.publicUrl, category: 'vendor' };
}

/**
 * A case's advisory in one form: a published revision as it went out (`revision`, or the latest
 * when none is named), or the draft while none is published. Undefined when the named revision
 * does not exist.
 * @throws {AdvisoryError} when the case has no advisory (it is not resolved).
 */
export async function advisoryText(service: DiscloseService, c: Case, format: 'json' | 'md', revision: number | undefined): Promise<{ name: string; text: string } | undefined> {
  const { tracker } = service;
  const number = revision ?? (await tracker.advisoryRevisions(c.id)).at(-1)?.number;
  if (number === undefined) {
    const draft: AdvisoryInput = { case: c, publisher: publisherOf(service), revisions: [], now: tracker.now() };
    return { name: `${c.reference}-draft.${format}`, text: format === 'json' ? `${JSON.stringify(csafAdvisory(draft), null, 2)}\n` : markdownAdvisory(draft) };
  }
  const published = await tracker.publishedAdvisory(c.id, number);
  if (published === undefined) return undefined;
  return { name: `${c.reference}-${String(number)}.${format}`, text: format === 'json' ? published.csaf : published.markdown };
}

/**
 * The tracker's web service (fastify): server-rendered pages that work without JavaScript, and a
 * JSON API described by its own OpenAPI document. Limits on every request (body size, timeouts,
 * intake and sign-in rates), security headers with a strict Content Security Policy, CSRF tokens
 * on every form, and errors that say what was wrong without a stack trace.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { randomBytes } from 'node:crypto';
import { ExitCode, LeakproofError } from '../../core/errors.ts';
import { TransitionError } from '../lifecycle.ts';
import { InputError, REPORT_LIMITS } from '../report-input.ts';
import type { DiscloseService } from '../service.ts';
import { CaseNotFoundError, ConflictError } from '../tracker.ts';
import { registerAdvisoryPages } from './advisory-routes.ts';
import { registerApi } from './api.ts';
import type { Html } from './html.ts';
import { html } from './html.ts';
import { page, STYLESHEET } from './layout.ts';
import { registerPublicPages } from './public-routes.ts';
import { registerStaffPages } from './staff-routes.ts';

export const SESSION_COOKIE = 'lp_session';

/** The signed-in member's role is below what the page needs: 403, with the code the API uses. */
export class ForbiddenError extends LeakproofError {
  override readonly code = 'ERR_FORBIDDEN';
  override readonly exitCode = ExitCode.Usage;
}

export interface AppOptions {
  /** fastify's logger (off by default: the CLI reports what matters). */
  logger?: boolean;
}

/** Builds the app; `listen` is the caller's. */
export async function buildDiscloseApp(service: DiscloseService, options: AppOptions = {}): Promise<FastifyInstance> {
  const { settings } = service;
  const secure = settings.publicUrl.startsWith('https://');
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: settings.limits.bodyBytes,
    // A retest behind the verification gate can take a while; everything else answers in milliseconds.
    requestTimeout: 300_000,
    connectionTimeout: 310_000,
    keepAliveTimeout: 5_000,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    // Unknown fields are refused, not silently dropped: a client that sends one has a bug to hear about.
    ajv: { customOptions: { removeAdditional: false } },
  });
  await app.register(fastifyHelmet, {
    // helmet's default upgrade-insecure-requests would send every form and the stylesheet of a
    // tracker served over plain http (an internal host) to https, where nothing answers.
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], styleSrc: ["'self'"], imgSrc: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], upgradeInsecureRequests: secure ? [] : null } },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: secure,
  });
  await app.register(fastifyCookie, { secret: settings.secret ?? randomBytes(32).toString('hex') });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/cookie', cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure } });
  await app.register(fastifyFormbody, { bodyLimit: settings.limits.bodyBytes });
  // The report form may carry its probe as a file: one file, no larger than a pasted probe may be.
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: REPORT_LIMITS.probe, files: 1, fields: 20, parts: 21, fieldSize: settings.limits.bodyBytes, headerPairs: 100 },
  });
  await app.register(fastifyRateLimit, { global: false });

  app.addHook('onSend', async (_request, reply, payload) => {
    // Pages carry case details and tracking links: never cached, by the browser or anyone between.
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = describeError(error);
    if (answer.status >= 500) request.log.error(error);
    if (request.url.startsWith('/api/')) return reply.status(answer.status).send({ code: answer.code, message: answer.message });
    return sendPage(reply.status(answer.status), page({ title: 'Error', organization: settings.organization }, html`<h1>${answer.title}</h1><p class="error">${answer.message}</p><p><a href="/">Back</a></p>`));
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/')) return reply.status(404).send({ code: 'ERR_NOT_FOUND', message: 'no such route' });
    return sendPage(reply.status(404), page({ title: 'Not found', organization: settings.organization }, html`<h1>Not found</h1><p><a href="/">Back</a></p>`));
  });

  app.get('/assets/style.css', (_request, reply) => reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET));
  registerPublicPages(app, service);
  registerAdvisoryPages(app, service);
  registerStaffPages(app, service);
  registerApi(app, service);
  return app;
}

/** The CSRF check as a route hook (fastify's is a method of the instance). */
export function csrfCheck(app: FastifyInstance): preHandlerHookHandler {
  return (request, reply, done) => {
    app.csrfProtection(request, reply, done);
  };
}

export function sendPage(reply: FastifyReply, body: Html): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(body.text);
}

/** A single form field as text; repeated fields (an array) are refused rather than guessed. */
export function formField(request: FastifyRequest, name: string): string | undefined {
  const body = request.body;
  if (body === null || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InputError(name, 'must be given once, as text');
  return value;
}

/** An uploaded file's bytes as text; undefined when none was chosen. */
export function formFile(request: FastifyRequest, name: string): string | undefined {
  const value = (request.body as Record<string, unknown> | null | undefined)?.[name];
  if (value === undefined || (Buffer.isBuffer(value) && value.length === 0)) return undefined;
  if (!Buffer.isBuffer(value)) throw new InputError(name, 'must be one file');
  return value.toString('utf8');
}

/** The form's fields as text, for the shared report checks. */
export function formFields(request: FastifyRequest, names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((name) => [name, formField(request, name)]));
}

interface ErrorAnswer {
  status: number;
  code: string;
  title: string;
  message: string;
}

function describeError(error: FastifyError): ErrorAnswer {
  if (error instanceof InputError) return { status: 400, code: error.code, title: 'Please check the form', message: error.message };
  if (error instanceof ForbiddenError) return { status: 403, code: error.code, title: 'Not allowed', message: error.message };
  if (error instanceof CaseNotFoundError) return { status: 404, code: error.code, title: 'Not found', message: error.message };
  if (error instanceof TransitionError || error instanceof ConflictError) return { status: 409, code: error.code, title: 'Not possible now', message: error.message };
  if (error instanceof LeakproofError) return { status: 400, code: error.code, title: 'Not possible', message: error.message };
  const status = error.statusCode ?? 500;
  if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
    return { status: 403, code: 'ERR_CSRF', title: 'Form expired', message: 'This form was not sent from this site, or it expired: reload the page and send it again.' };
  }
  if (status === 413) return { status, code: 'ERR_TOO_LARGE', title: 'Too large', message: 'The request is larger than this service accepts.' };
  if (status === 429) return { status, code: 'ERR_RATE_LIMITED', title: 'Too many requests', message: 'Too many requests from your address: wait a while and try again.' };
  if (status >= 400 && status < 500) return { status, code: error.code, title: 'Bad request', message: error.message };
  return { status: 500, code: 'ERR_INTERNAL', title: 'Something went wrong', message: 'The service failed to handle this request; it has been logged.' };
}

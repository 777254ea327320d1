/** The reporter's side: policy, security.txt, the report form, and the case behind a tracking link. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { refusal } from '../lifecycle.ts';
import { checkReport, InputError } from '../report-input.ts';
import type { DiscloseService } from '../service.ts';
import { CaseNotFoundError } from '../tracker.ts';
import { csrfCheck, formField, formFields, formFile, sendPage } from './app.ts';
import type { ReportValues } from './public-pages.ts';
import { homePage, policyPage, reportForm, reportReceived, securityTxt, trackPage } from './public-pages.ts';

const REPORT_FIELDS = ['title', 'asset', 'description', 'steps', 'impact', 'contact', 'probe', 'credit'] as const;

export function registerPublicPages(app: FastifyInstance, service: DiscloseService): void {
  const { settings, tracker } = service;
  const csrf = csrfCheck(app);
  const intakeLimit = { rateLimit: { max: settings.limits.reportsPerHour, timeWindow: '1 hour' } };

  app.get('/', (_request, reply) => sendPage(reply, homePage(settings)));
  app.get('/policy', (_request, reply) => sendPage(reply, policyPage(settings)));
  app.get('/.well-known/security.txt', (_request, reply) => reply.header('cache-control', 'public, max-age=3600').type('text/plain; charset=utf-8').send(securityTxt(settings, tracker.now())));

  app.get('/report', (_request, reply) => sendPage(reply, reportForm(settings, reply.generateCsrf())));
  app.post('/report', { preHandler: csrf, config: intakeLimit }, async (request, reply) => {
    const values = formFields(request, REPORT_FIELDS) as ReportValues;
    try {
      const uploaded = formFile(request, 'probeFile');
      if (uploaded !== undefined) {
        if (values.probe?.trim()) throw new InputError('probe', 'paste the probe or upload its file, not both');
        values.probe = uploaded;
      }
      const report = checkReport(values);
      const { case: filed, token } = await tracker.submitReport(report);
      service.sendReceipt(filed, token);
      return await sendPage(reply.status(201), reportReceived(settings, filed, service.trackingUrl(token)));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return sendPage(reply.status(400), reportForm(settings, reply.generateCsrf(), values, error.message));
    }
  });

  const track = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply, status = 200, error?: string) => {
    const c = await tracker.caseForToken(request.params.token);
    if (!c) throw new CaseNotFoundError('no case has this tracking link');
    const thread = await tracker.thread(c.id, { internal: false });
    const canContest = refusal(c, 'contest', { kind: 'reporter' }, tracker.now(), tracker.contestWindowMs) === undefined;
    return sendPage(reply.status(status), trackPage(settings, { c, thread, token: request.params.token, csrf: reply.generateCsrf(), canContest, error }));
  };
  app.get<{ Params: { token: string } }>('/track/:token', (request, reply) => track(request, reply));
  const reporterAction = (act: (token: string, text: string) => Promise<unknown>, field: string) => async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    try {
      await act(request.params.token, formField(request, field) ?? '');
    } catch (error) {
      if (error instanceof CaseNotFoundError) throw error;
      if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_DISCLOSE_')) return track(request, reply, 400, error.message);
      throw error;
    }
    return reply.redirect(`/track/${request.params.token}`, 303);
  };
  app.post<{ Params: { token: string } }>('/track/:token/reply', { preHandler: csrf, config: intakeLimit }, reporterAction((token, text) => tracker.reporterReply(token, text), 'message'));
  app.post<{ Params: { token: string } }>('/track/:token/contest', { preHandler: csrf, config: intakeLimit }, reporterAction((token, text) => tracker.contest(token, text), 'reason'));
  app.post<{ Params: { token: string } }>('/track/:token/credit', { preHandler: csrf, config: intakeLimit }, reporterAction((token, text) => tracker.setCredit(token, text), 'credit'));
}

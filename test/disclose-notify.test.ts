/**
 * Telling people about deadlines: who gets which digest and what it says; mail handed to a real
 * SMTP server (in this process) and read back; webhooks to a real HTTP server that verifies them
 * with the standardwebhooks library, retried on a failing endpoint up to a bound (waiting as long
 * as Retry-After asks, within a cap), and given up on when the endpoint never answers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/core/config.ts';
import { ConfigError } from '../src/core/errors.ts';
import type { ClockName, NoticeKind } from '../src/disclose/clocks.ts';
import { compileClockPolicy, dueNotices } from '../src/disclose/clocks.ts';
import type { Case, User } from '../src/disclose/model.ts';
import { ASSESSMENT_NONE, caseReference } from '../src/disclose/model.ts';
import type { PendingNotice } from '../src/disclose/notify/index.ts';
import { buildDigests, createMailer, noticeEvent, NotifyError, postWebhooks, recipientsOf, signatureOf } from '../src/disclose/notify/index.ts';
import { discloseSettings } from '../src/disclose/settings.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 2, 11, 12, 0);

function user(id: number, name: string, role: User['role'], disabled = false): User {
  return { id, name, email: `${name.toLowerCase()}@example.com`, role, disabled, createdAt: 0 };
}

const ADA = user(1, 'Ada', 'admin');
const TOM = user(2, 'Tom', 'triager');
const EVE = user(3, 'Eve', 'engineer');
const VIC = user(4, 'Vic', 'viewer');
const DAN = user(5, 'Dan', 'triager', true);
const STAFF = [ADA, TOM, EVE, VIC, DAN];

function pending(caseId: number, clock: ClockName, kind: NoticeKind, dueAt: number, ownerId: number | null, title = `Case ${caseId} leaks birthdays`): PendingNotice {
  return {
    notice: { key: `${caseId}:${clock}:${kind}:${dueAt}`, caseId, clock, kind, dueAt },
    case: { id: caseId, reference: caseReference(caseId), title, severity: caseId % 2 === 0 ? 'high' : null, ownerId },
  };
}

const FIX_SOON = pending(10, 'fix', 'reminder', NOW + 20 * HOUR, EVE.id);
const ACK_LATE = pending(11, 'acknowledge', 'escalation', NOW - (3 * DAY + 4 * HOUR), EVE.id);
const ASSESS_SOON = pending(12, 'assess', 'reminder', NOW + DAY, null);

describe('the digest: one mail per recipient, most overdue first', () => {
  const mails = buildDigests([FIX_SOON, ASSESS_SOON, ACK_LATE], STAFF, NOW, { caseUrl: (id) => `https://tracker.example.com/cases/${id}` });
  const mailTo = (who: User) => mails.find((mail) => mail.userId === who.id);

  it('an owned case goes to its owner; an unowned one to every active triager and admin; escalations also to every admin', () => {
    assert.deepEqual(mails.map((mail) => mail.to).sort(), ['ada@example.com', 'eve@example.com', 'tom@example.com']);
    assert.deepEqual(mailTo(EVE)?.keys, [ACK_LATE.notice.key, FIX_SOON.notice.key]);
    assert.deepEqual(mailTo(ADA)?.keys, [ACK_LATE.notice.key, ASSESS_SOON.notice.key]);
    assert.deepEqual(mailTo(TOM)?.keys, [ASSESS_SOON.notice.key]);
  });

  it('groups several cases into one mail, with a subject that counts them', () => {
    assert.equal(mailTo(EVE)?.subject, '[Leakproof] 2 disclosure deadlines: 1 overdue, 1 due soon');
    assert.equal(mailTo(EVE)?.text, [
      'Hello Eve,',
      '',
      '2 disclosure deadlines need your attention, most overdue first:',
      '',
      'VR-0011 [unscored] Case 11 leaks birthdays',
      '  acknowledge: overdue by 3 days 4 hours (due 2026-03-08 08:00 UTC) - escalated',
      '  https://tracker.example.com/cases/11',
      '',
      'VR-0010 [high] Case 10 leaks birthdays',
      '  fix: due in 20 hours (due 2026-03-12 08:00 UTC)',
      '  https://tracker.example.com/cases/10',
      '',
      '-- ',
      'Leakproof disclose. Answer on the case in the tracker: replies to this mail are not read.',
    ].join('\n'));
  });

  it('a single item names the case in the subject', () => {
    assert.equal(mailTo(TOM)?.subject, '[Leakproof] VR-0012 assess due in 1 day: Case 12 leaks birthdays');
  });

  it('recipientsOf answers the same question for one notice', () => {
    assert.deepEqual(recipientsOf(FIX_SOON, STAFF), [EVE]);
    assert.deepEqual(recipientsOf(ACK_LATE, STAFF), [EVE, ADA]);
    assert.deepEqual(recipientsOf(ASSESS_SOON, STAFF), [ADA, TOM]);
  });

  it('a disabled owner does not swallow the notice: it goes to the triagers and admins', () => {
    const orphan = pending(13, 'update', 'reminder', NOW + HOUR, DAN.id);
    assert.deepEqual(buildDigests([orphan], STAFF, NOW).map((mail) => mail.to).sort(), ['ada@example.com', 'tom@example.com']);
  });

  it('a notice nobody can receive is in no mail, so it stays pending', () => {
    assert.deepEqual(buildDigests([ASSESS_SOON], [EVE, VIC], NOW), []);
  });

  it('the same notice given twice is listed once', () => {
    assert.deepEqual(buildDigests([FIX_SOON, FIX_SOON], STAFF, NOW)[0]?.keys, [FIX_SOON.notice.key]);
  });

  it('a reporter\'s title cannot add a header or a line: CR, LF and other controls become spaces', () => {
    const hostile = pending(14, 'assess', 'reminder', NOW + HOUR, TOM.id, 'Leak\r\nBcc: attacker@evil.example\r\n\r\nfake body\u2028line');
    const [mail] = buildDigests([hostile], STAFF, NOW);
    assert.equal(mail?.subject, '[Leakproof] VR-0014 assess due in 1 hour: Leak Bcc: attacker@evil.example fake body line');
    assert.ok(mail.text.includes('VR-0014 [high] Leak Bcc: attacker@evil.example fake body line\n'));
  });

  it('a long title is cut in the subject', () => {
    const [mail] = buildDigests([pending(15, 'fix', 'escalation', NOW - MINUTE, ADA.id, 'x'.repeat(500))], STAFF, NOW);
    assert.equal(mail?.subject, `[Leakproof] VR-0015 fix overdue by 1 minute: ${'x'.repeat(79)}…`);
  });
});

interface ReceivedMail {
  rcptTo: string[];
  headers: Map<string, string>;
  body: string;
}

/** A message as it came over the wire: unfolded headers by lower-case name, and the decoded text body. */
function parseMessage(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw.slice(0, split).replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoded = raw.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding') ?? '7bit';
  const body = encoding === 'quoted-printable' ? decodeQuotedPrintable(encoded) : encoding === 'base64' ? Buffer.from(encoded, 'base64').toString('utf8') : encoded;
  return { headers, body: body.replace(/\r\n/g, '\n').replace(/\n$/, '') };
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const joined = text.replace(/=\r\n/g, '');
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=') {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(joined.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

describe('mail goes out through a real SMTP server, as written and once', () => {
  const received: ReceivedMail[] = [];
  let smtp: SMTPServer;
  let smtpUrl = '';

  before(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        callback(address.address.startsWith('nobody@') ? new Error('no such mailbox') : null);
      },
      onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({ rcptTo: session.envelope.rcptTo.map((to) => to.address), ...parseMessage(Buffer.concat(chunks).toString('utf8')) });
          callback();
        });
      },
    });
    smtp.listen(0, '127.0.0.1');
    await once(smtp.server, 'listening');
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => { smtp.close(resolve); });
  });

  it('delivers each recipient\'s digest with its subject and body intact', async () => {
    const mailer = createMailer({ smtpUrl, from: 'Leakproof <security@example.com>' });
    const mails = buildDigests([FIX_SOON, ASSESS_SOON, ACK_LATE], STAFF, NOW);
    for (const mail of mails) {
      const sent = await mailer.send(mail);
      assert.deepEqual(sent.accepted, [mail.to]);
    }
    mailer.close();
    const eve = received.find((mail) => mail.rcptTo.includes('eve@example.com'));
    assert.ok(eve);
    assert.deepEqual(eve.rcptTo, ['eve@example.com']);
    assert.equal(eve.headers.get('to'), 'eve@example.com');
    assert.equal(eve.headers.get('from'), 'Leakproof <security@example.com>');
    assert.equal(eve.headers.get('subject'), '[Leakproof] 2 disclosure deadlines: 1 overdue, 1 due soon');
    assert.equal(eve.body, mails.find((mail) => mail.userId === EVE.id)?.text);
    assert.equal(received.length, 3);
  });

  it('a hostile title adds no header and no recipient', async () => {
    const hostile = pending(14, 'assess', 'reminder', NOW + HOUR, TOM.id, 'Leak\r\nBcc: attacker@evil.example');
    const [mail] = buildDigests([hostile], STAFF, NOW);
    assert.ok(mail);
    const mailer = createMailer({ smtpUrl, from: 'security@example.com' });
    await mailer.send(mail);
    mailer.close();
    const last = received.at(-1);
    assert.deepEqual(last?.rcptTo, ['tom@example.com']);
    assert.equal(last.headers.has('bcc'), false);
    assert.equal(last.headers.get('subject'), '[Leakproof] VR-0014 assess due in 1 hour: Leak Bcc: attacker@evil.example');
  });

  it('reports a recipient the server refuses while others are taken', async () => {
    const mailer = createMailer({ smtpUrl, from: 'security@example.com' });
    const sent = await mailer.send({ to: ['ada@example.com', 'nobody@example.com'], subject: 's', text: 't' });
    mailer.close();
    assert.deepEqual(sent.accepted, ['ada@example.com']);
    assert.deepEqual(sent.rejected, ['nobody@example.com']);
  });

  it('a mail no recipient takes is a NotifyError', async () => {
    const mailer = createMailer({ smtpUrl, from: 'security@example.com' });
    await assert.rejects(mailer.send({ to: 'nobody@example.com', subject: 's', text: 't' }), (error: unknown) => {
      assert.ok(error instanceof NotifyError);
      assert.equal(error.code, 'ERR_DISCLOSE_NOTIFY');
      assert.match(error.message, /^could not send mail to nobody@example\.com through smtp:\/\/127\.0\.0\.1:\d+: /);
      return true;
    });
    mailer.close();
  });

  it('never puts the SMTP password in its errors', async () => {
    const withPassword = smtpUrl.replace('smtp://', 'smtp://leakproof:hunter2@');
    const mailer = createMailer({ smtpUrl: withPassword, from: 'security@example.com' });
    await assert.rejects(mailer.send({ to: 'nobody@example.com', subject: 's', text: 't' }), (error: NotifyError) => {
      assert.match(error.message, /through smtp:\/\/127\.0\.0\.1:\d+: /);
      assert.doesNotMatch(error.format(), /hunter2/);
      return true;
    });
    mailer.close();
  });

  it('sweeping hourly for 16 days, with a restart, mails each notice once to each recipient, at the first sweep it is due', async () => {
    const receivedAt = Date.UTC(2026, 2, 6, 18, 0); // a Friday
    const c: Case = {
      id: 42, reference: caseReference(42), title: 'Workout details leak ages', asset: 'POST /stats/workouts/details', description: 'd', steps: 's', impact: 'i',
      contact: null, probe: null, state: 'new', triage: null, duplicateOf: null, severity: null, cvss31: null, cvss40: null, score: null, ownerId: EVE.id,
      assessment: ASSESSMENT_NONE, receivedAt, acknowledgedAt: null, assessedAt: null, fixSubmittedAt: null, resolvedAt: null, disclosedAt: null,
      reporterUpdatedAt: receivedAt, contestedAt: null, contestedFrom: null, credit: null, version: 1,
    };
    // What the tracker's store keeps across the restart: each notice once (insert if absent), and whether it went out.
    const store = new Map<string, { item: PendingNotice; sent: boolean }>();
    const log: string[] = [];
    const mailsBefore = received.length;
    const run = async (from: number, to: number) => {
      const policy = compileClockPolicy(undefined);
      const mailer = createMailer({ smtpUrl, from: 'security@example.com' });
      for (let now = from; now < to; now += HOUR) {
        for (const notice of dueNotices(c, policy, now)) if (!store.has(notice.key)) store.set(notice.key, { item: { notice, case: c }, sent: false });
        const pendingItems = [...store.values()].filter((entry) => !entry.sent);
        for (const mail of buildDigests(pendingItems.map((entry) => entry.item), STAFF, now)) {
          await mailer.send(mail);
          log.push(...mail.keys.map((key) => `${new Date(now).toISOString().slice(5, 13)} ${mail.to.split('@')[0] ?? ''} ${key.split(':').slice(1, 3).join(' ')}`));
        }
        for (const entry of pendingItems) entry.sent = true;
      }
      mailer.close();
    };
    await run(receivedAt, receivedAt + 5 * DAY);
    await run(receivedAt + 5 * DAY, receivedAt + 16 * DAY);
    assert.deepEqual(log, [
      '03-10T18 eve acknowledge reminder',
      '03-11T18 eve acknowledge escalation',
      '03-11T18 eve assess reminder',
      '03-11T18 ada acknowledge escalation',
      '03-13T18 eve assess escalation',
      '03-13T18 ada assess escalation',
      '03-18T18 eve update reminder',
      '03-20T18 eve update escalation',
      '03-20T18 ada update escalation',
    ]);
    assert.equal(received.length - mailsBefore, 8);
  });

  it('gives up on a server that never greets, within its timeout', async () => {
    const silent = createTcpServer(() => { /* accepts and says nothing */ });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, from: 'security@example.com', timeoutMs: 200 });
    const started = performance.now();
    await assert.rejects(mailer.send({ to: 'ada@example.com', subject: 's', text: 't' }), NotifyError);
    assert.ok(performance.now() - started < 2000);
    mailer.close();
    silent.close();
  });
});

interface Delivery {
  headers: IncomingMessage['headers'];
  body: string;
  /** When the request had come in, by performance.now(). */
  at: number;
  /** Why the Standard Webhooks library refused it; null when it verified. */
  refusal: string | null;
}

/** A scripted answer: a status, or a status with a `Retry-After` (a function to compute it when answering). */
type Answer = number | { status: number; retryAfter: string | (() => string) };

/** The Standard Webhooks headers of a request, as the library takes them. */
function webhookHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  return Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(headers[name] ?? '')]));
}

/**
 * A local receiver that checks every delivery as a Standard Webhooks receiver does, with the
 * standardwebhooks library: 401 and the library's reason when it refuses one; otherwise the answers
 * scripted for the path, in turn (the last repeated), or `hang` to never answer.
 */
async function startReceiver(secret: string, script: Record<string, Answer[] | 'hang'>): Promise<{ server: Server; url: (path: string) => string; seen: Map<string, Delivery[]> }> {
  const receiver = new Webhook(secret);
  const seen = new Map<string, Delivery[]>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      let refusal: string | null = null;
      try {
        receiver.verify(body, webhookHeaders(request.headers));
      } catch (error) {
        refusal = (error as Error).message;
      }
      const deliveries = seen.get(path) ?? [];
      deliveries.push({ headers: request.headers, body, at: performance.now(), refusal });
      seen.set(path, deliveries);
      if (refusal !== null) {
        response.writeHead(401).end(refusal);
        return;
      }
      const plan = script[path] ?? [200];
      if (plan === 'hang') return;
      const answer = plan[Math.min(deliveries.length, plan.length) - 1] ?? 200;
      if (typeof answer === 'number') response.writeHead(answer).end('ok');
      else response.writeHead(answer.status, { 'retry-after': typeof answer.retryAfter === 'string' ? answer.retryAfter : answer.retryAfter() }).end('later');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: (path) => `http://127.0.0.1:${port}${path}`, seen };
}

describe('webhooks are signed the Standard Webhooks way, retried up to a bound, and never throw', () => {
  const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
  const event = noticeEvent(ACK_LATE);
  const dispatcher = new Agent();
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const quick = { backoffMs: 10, timeoutMs: 300, dispatcher };
  const gaps = (deliveries: readonly Delivery[]) => deliveries.slice(1).map((d, i) => d.at - (deliveries[i]?.at ?? 0));

  /** Sends a delivery again by hand, as someone who captured it would; the receiver's status and reason. */
  const replay = async (headers: Record<string, string>, body: string): Promise<{ status: number; reason: string }> => {
    const response = await request(receiver.url('/ok'), { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, dispatcher });
    return { status: response.statusCode, reason: await response.body.text() };
  };

  before(async () => {
    receiver = await startReceiver(SECRET, {
      '/ok': [200], '/flaky': [500, 503, 204], '/down': [500], '/refuses': [400], '/busy': [429, 200], '/hang': 'hang',
      '/slow-down': [{ status: 429, retryAfter: '1' }, 200],
      '/maintenance': [{ status: 503, retryAfter: () => new Date(Date.now() + 2000).toUTCString() }, 200],
      '/go-away': [{ status: 503, retryAfter: '86400' }, 200],
    });
  });

  after(async () => {
    receiver.server.closeAllConnections();
    receiver.server.close();
    await dispatcher.close();
  });

  it('the event names the notice, the case and the deadline', () => {
    assert.deepEqual(event, {
      id: ACK_LATE.notice.key,
      type: 'deadline.escalation',
      case: { id: 11, reference: 'VR-0011', title: 'Case 11 leaks birthdays', severity: null },
      clock: 'acknowledge',
      dueAt: '2026-03-08T08:00:00.000Z',
    });
  });

  it('signs as the Standard Webhooks specification\'s own example does', () => {
    // The specification's test vector, which the standardwebhooks library also produces.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
    assert.equal(signatureOf(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'), expected);
    assert.equal(new Webhook(secret).sign('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330 * 1000), '{"test": 2432232314}'), expected);
  });

  it('POSTs the event as JSON with webhook-id, webhook-timestamp and a webhook-signature the library verifies', async () => {
    const before = Math.floor(Date.now() / 1000);
    const [outcome] = await postWebhooks([{ url: receiver.url('/ok'), secret: SECRET }], event, quick);
    assert.deepEqual(outcome, { url: receiver.url('/ok'), delivered: true, attempts: 1, status: 200, error: null });
    const [delivery] = receiver.seen.get('/ok') ?? [];
    assert.ok(delivery);
    assert.equal(delivery.refusal, null);
    assert.deepEqual(new Webhook(SECRET).verify(delivery.body, webhookHeaders(delivery.headers)), event);
    assert.equal(delivery.headers['content-type'], 'application/json');
    assert.equal(delivery.headers['user-agent'], 'leakproof-disclose');
    assert.equal(delivery.headers['x-leakproof-event'], 'deadline.escalation');
    assert.equal(delivery.headers['webhook-id'], event.id);
    const timestamp = Number(delivery.headers['webhook-timestamp']);
    assert.match(String(delivery.headers['webhook-timestamp']), /^\d+$/);
    assert.ok(timestamp >= before && timestamp <= Math.floor(Date.now() / 1000));
    assert.equal(delivery.headers['webhook-signature'], signatureOf(SECRET, event.id, timestamp, delivery.body));
    assert.equal(delivery.headers['x-leakproof-signature'], undefined);
    assert.equal(delivery.headers['x-leakproof-delivery'], undefined);
  });

  it('the receiver refuses a captured delivery replayed with an old timestamp, a refreshed one, or a changed body', async () => {
    await postWebhooks([{ url: receiver.url('/ok'), secret: SECRET }], event, quick);
    const captured = receiver.seen.get('/ok')?.at(-1);
    assert.ok(captured);
    const headers = webhookHeaders(captured.headers);
    const timestamp = Number(headers['webhook-timestamp']);
    // As sent, within the 5 minutes' tolerance, it verifies: receivers drop such a repeat by its webhook-id.
    assert.deepEqual(await replay(headers, captured.body), { status: 200, reason: 'ok' });
    assert.deepEqual(await replay({ ...headers, 'webhook-timestamp': String(timestamp - 600) }, captured.body), { status: 401, reason: 'Message timestamp too old' });
    assert.deepEqual(await replay({ ...headers, 'webhook-timestamp': String(timestamp + 60) }, captured.body), { status: 401, reason: 'No matching signature found' });
    const tampered = captured.body.replace('"severity":null', '"severity":"low"');
    assert.notEqual(tampered, captured.body);
    assert.deepEqual(await replay(headers, tampered), { status: 401, reason: 'No matching signature found' });
    assert.throws(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(captured.body, headers), { message: 'No matching signature found' });
  });

  it('retries a 5xx answer with the same body and webhook-id, each attempt signed afresh', async () => {
    const [outcome] = await postWebhooks([{ url: receiver.url('/flaky'), secret: SECRET }], event, quick);
    assert.deepEqual(outcome, { url: receiver.url('/flaky'), delivered: true, attempts: 3, status: 204, error: null });
    const deliveries = receiver.seen.get('/flaky') ?? [];
    assert.equal(deliveries.length, 3);
    assert.deepEqual(deliveries.map((d) => d.refusal), [null, null, null]);
    assert.equal(new Set(deliveries.map((d) => `${d.body}|${String(d.headers['webhook-id'])}`)).size, 1);
    for (const d of deliveries) assert.equal(d.headers['webhook-signature'], signatureOf(SECRET, event.id, Number(d.headers['webhook-timestamp']), d.body));
  });

  it('retries a 429 without Retry-After on the doubling backoff', async () => {
    const [outcome] = await postWebhooks([{ url: receiver.url('/busy'), secret: SECRET }], event, quick);
    assert.equal(outcome?.delivered, true);
    assert.equal(outcome.attempts, 2);
    assert.ok((gaps(receiver.seen.get('/busy') ?? [])[0] ?? Infinity) < 500);
  });

  it('waits as long as a 429\'s Retry-After in seconds asks, and signs the retry with its own timestamp', async () => {
    const [outcome] = await postWebhooks([{ url: receiver.url('/slow-down'), secret: SECRET }], event, quick);
    assert.deepEqual(outcome, { url: receiver.url('/slow-down'), delivered: true, attempts: 2, status: 200, error: null });
    const deliveries = receiver.seen.get('/slow-down') ?? [];
    const [gap] = gaps(deliveries);
    assert.ok(gap !== undefined && gap >= 950 && gap < 2500, `waited ${String(gap)} ms`);
    const [first, second] = deliveries.map((d) => Number(d.headers['webhook-timestamp']));
    assert.ok(first !== undefined && second !== undefined && second > first);
    assert.notEqual(deliveries[0]?.headers['webhook-signature'], deliveries[1]?.headers['webhook-signature']);
    assert.deepEqual(deliveries.map((d) => d.refusal), [null, null]);
  });

  it('waits until a 503\'s Retry-After HTTP date', async () => {
    const [outcome] = await postWebhooks([{ url: receiver.url('/maintenance'), secret: SECRET }], event, quick);
    assert.equal(outcome?.delivered, true);
    assert.equal(outcome.attempts, 2);
    // The date has whole seconds, so "2 s from now" is between 1 and 2 s away.
    const [gap] = gaps(receiver.seen.get('/maintenance') ?? []);
    assert.ok(gap !== undefined && gap >= 950 && gap < 3500, `waited ${String(gap)} ms`);
  });

  it('caps a Retry-After that asks too much at maxRetryAfterMs', async () => {
    const [outcome] = await postWebhooks([{ url: receiver.url('/go-away'), secret: SECRET }], event, { ...quick, maxRetryAfterMs: 300 });
    assert.equal(outcome?.delivered, true);
    const [gap] = gaps(receiver.seen.get('/go-away') ?? []);
    assert.ok(gap !== undefined && gap >= 250 && gap < 1500, `waited ${String(gap)} ms`);
  });

  it('gives up after the bound and says why', async () => {
    const [outcome] = await postWebhooks([{ url: receiver.url('/down'), secret: SECRET }], event, { ...quick, attempts: 4 });
    assert.deepEqual(outcome, { url: receiver.url('/down'), delivered: false, attempts: 4, status: 500, error: 'answered 500' });
    assert.equal(receiver.seen.get('/down')?.length, 4);
  });

  it('does not retry an answer that will not change, such as 400', async () => {
    const [outcome] = await postWebhooks([{ url: receiver.url('/refuses'), secret: SECRET }], event, quick);
    assert.deepEqual(outcome, { url: receiver.url('/refuses'), delivered: false, attempts: 1, status: 400, error: 'answered 400' });
  });

  it('a receiver holding another secret refuses the delivery, and it is not retried', async () => {
    const [outcome] = await postWebhooks([{ url: receiver.url('/ok'), secret: `whsec_${randomBytes(32).toString('base64')}` }], event, quick);
    assert.deepEqual(outcome, { url: receiver.url('/ok'), delivered: false, attempts: 1, status: 401, error: 'answered 401' });
    assert.equal(receiver.seen.get('/ok')?.at(-1)?.refusal, 'No matching signature found');
  });

  it('sends nothing with a secret that is not a Standard Webhooks one, and says so', async () => {
    const sent = receiver.seen.get('/ok')?.length;
    const outcomes = await postWebhooks([{ url: receiver.url('/ok'), secret: 'webhook-secret-of-old' }, { url: receiver.url('/ok'), secret: SECRET }], event, quick);
    assert.deepEqual(outcomes[0], {
      url: receiver.url('/ok'), delivered: false, attempts: 0, status: null,
      error: 'the secret is not a Standard Webhooks secret: whsec_ followed by the base64 of at least 24 random bytes',
    });
    assert.equal(outcomes[1]?.delivered, true);
    assert.equal(receiver.seen.get('/ok')?.length, (sent ?? 0) + 1);
    assert.throws(() => signatureOf('webhook-secret-of-old', event.id, 0, '{}'), TypeError);
  });

  it('gives up on an endpoint that never answers, each attempt within its timeout', async () => {
    const started = performance.now();
    const [outcome] = await postWebhooks([{ url: receiver.url('/hang'), secret: SECRET }], event, { ...quick, timeoutMs: 200, attempts: 2 });
    assert.deepEqual(outcome, { url: receiver.url('/hang'), delivered: false, attempts: 2, status: null, error: 'no answer within 200 ms' });
    assert.equal(receiver.seen.get('/hang')?.length, 2);
    assert.ok(performance.now() - started < 2000);
  });

  it('one outcome per endpoint: a dead one does not stop the others', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    closed.close();
    await once(closed, 'close');
    const outcomes = await postWebhooks([{ url: deadUrl, secret: SECRET }, { url: receiver.url('/ok'), secret: SECRET }], event, { ...quick, attempts: 2 });
    assert.equal(outcomes[0]?.delivered, false);
    assert.equal(outcomes[0].attempts, 2);
    assert.match(outcomes[0].error ?? '', /ECONNREFUSED/);
    assert.equal(outcomes[1]?.delivered, true);
  });
});

describe('a webhook secret is checked when the configuration loads', () => {
  const load = async (secret: string) => {
    const dir = await mkdtemp(join(tmpdir(), 'leakproof-webhooks-'));
    const file = join(dir, 'leakproof.yaml');
    await writeFile(file, 'disclose:\n  webhooks:\n    - url: https://hooks.example.com/leakproof\n      secret: "${WEBHOOK_SECRET}"\n');
    return { file, settings: async () => discloseSettings(await loadConfig(file, { WEBHOOK_SECRET: secret })) };
  };

  it('takes whsec_ and the base64 of random bytes, as openssl rand -base64 32 writes it', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const { settings } = await load(secret);
    assert.deepEqual((await settings()).webhooks, [{ url: 'https://hooks.example.com/leakproof', secret }]);
  });

  // Lenient decoders read base64url or unpadded text, strict ones (Python's, Go's) refuse it: a receiver could get another key, or none.
  const refused: [name: string, secret: string][] = [
    ['a password-like secret', 'a-long-enough-shared-secret'],
    ['the base64 without whsec_', randomBytes(32).toString('base64')],
    ['fewer than 24 bytes', `whsec_${randomBytes(16).toString('base64')}`],
    ['base64url rather than base64', `whsec_${Buffer.alloc(24, 0xfb).toString('base64url')}`],
    ['base64 without its padding', `whsec_${randomBytes(32).toString('base64').replace(/=+$/, '')}`],
  ];
  for (const [name, secret] of refused) {
    it(`refuses ${name} at its file:line, says how to make one, and does not echo it`, async () => {
      const { file, settings } = await load(secret);
      await assert.rejects(settings(), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.format(), `${file}:4:7: ERR_CONFIG disclose.webhooks[0].secret: must be a Standard Webhooks secret: whsec_ followed by the base64 of at least 24 random bytes\n  hint: make one with: echo "whsec_$(openssl rand -base64 32)"`);
        assert.ok(!error.format().includes(secret));
        return true;
      });
    });
  }
});

/**
 * Telling people about deadlines: who gets which digest and what it says; mail handed to a real
 * SMTP server (in this process) and read back; webhooks to a real HTTP server, signed, retried on
 * a failing endpoint up to a bound, and given up on when the endpoint never answers.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { SMTPServer } from 'smtp-server';
import { Agent } from 'undici';
import type { ClockName, NoticeKind } from '../src/disclose/clocks.ts';
import { compileClockPolicy, dueNotices } from '../src/disclose/clocks.ts';
import type { Case, User } from '../src/disclose/model.ts';
import { ASSESSMENT_NONE, caseReference } from '../src/disclose/model.ts';
import type { PendingNotice } from '../src/disclose/notify/index.ts';
import { buildDigests, createMailer, noticeEvent, NotifyError, postWebhooks, recipientsOf, signatureOf } from '../src/disclose/notify/index.ts';

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
}

/** A local endpoint whose answers are scripted per path: a list of statuses, or `hang` to never answer. */
async function startEndpoint(script: Record<string, number[] | 'hang'>): Promise<{ server: Server; url: (path: string) => string; seen: Map<string, Delivery[]> }> {
  const seen = new Map<string, Delivery[]>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const deliveries = seen.get(path) ?? [];
      deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      seen.set(path, deliveries);
      const plan = script[path] ?? [200];
      if (plan === 'hang') return;
      response.writeHead(plan[Math.min(deliveries.length, plan.length) - 1] ?? 200).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: (path) => `http://127.0.0.1:${port}${path}`, seen };
}

describe('webhooks are signed, retried up to a bound, and never throw', () => {
  const SECRET = 'webhook-secret';
  const event = noticeEvent(ACK_LATE);
  const dispatcher = new Agent();
  let endpoint: Awaited<ReturnType<typeof startEndpoint>>;
  const quick = { backoffMs: 10, timeoutMs: 300, dispatcher };

  before(async () => {
    endpoint = await startEndpoint({ '/ok': [200], '/flaky': [500, 503, 204], '/down': [500], '/refuses': [400], '/busy': [429, 200], '/hang': 'hang' });
  });

  after(async () => {
    endpoint.server.closeAllConnections();
    endpoint.server.close();
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

  it('POSTs the event as JSON with an HMAC-SHA256 signature over the exact body', async () => {
    const [outcome] = await postWebhooks([{ url: endpoint.url('/ok'), secret: SECRET }], event, quick);
    assert.deepEqual(outcome, { url: endpoint.url('/ok'), delivered: true, attempts: 1, status: 200, error: null });
    const [delivery] = endpoint.seen.get('/ok') ?? [];
    assert.ok(delivery);
    assert.deepEqual(JSON.parse(delivery.body), event);
    assert.equal(delivery.headers['content-type'], 'application/json');
    assert.equal(delivery.headers['x-leakproof-delivery'], event.id);
    assert.equal(delivery.headers['x-leakproof-event'], 'deadline.escalation');
    assert.equal(delivery.headers['x-leakproof-signature'], `sha256=${createHmac('sha256', SECRET).update(delivery.body).digest('hex')}`);
    assert.equal(signatureOf(delivery.body, SECRET), delivery.headers['x-leakproof-signature']);
  });

  it('retries a 5xx answer with the same body and signature until it is taken', async () => {
    const [outcome] = await postWebhooks([{ url: endpoint.url('/flaky'), secret: SECRET }], event, quick);
    assert.deepEqual(outcome, { url: endpoint.url('/flaky'), delivered: true, attempts: 3, status: 204, error: null });
    const deliveries = endpoint.seen.get('/flaky') ?? [];
    assert.equal(deliveries.length, 3);
    assert.equal(new Set(deliveries.map((d) => `${d.body}|${String(d.headers['x-leakproof-signature'])}`)).size, 1);
  });

  it('retries a 429 too', async () => {
    const [outcome] = await postWebhooks([{ url: endpoint.url('/busy'), secret: SECRET }], event, quick);
    assert.equal(outcome?.delivered, true);
    assert.equal(outcome.attempts, 2);
  });

  it('gives up after the bound and says why', async () => {
    const [outcome] = await postWebhooks([{ url: endpoint.url('/down'), secret: SECRET }], event, { ...quick, attempts: 4 });
    assert.deepEqual(outcome, { url: endpoint.url('/down'), delivered: false, attempts: 4, status: 500, error: 'answered 500' });
    assert.equal(endpoint.seen.get('/down')?.length, 4);
  });

  it('does not retry an answer that will not change, such as 400', async () => {
    const [outcome] = await postWebhooks([{ url: endpoint.url('/refuses'), secret: SECRET }], event, quick);
    assert.deepEqual(outcome, { url: endpoint.url('/refuses'), delivered: false, attempts: 1, status: 400, error: 'answered 400' });
  });

  it('gives up on an endpoint that never answers, each attempt within its timeout', async () => {
    const started = performance.now();
    const [outcome] = await postWebhooks([{ url: endpoint.url('/hang'), secret: SECRET }], event, { ...quick, timeoutMs: 200, attempts: 2 });
    assert.deepEqual(outcome, { url: endpoint.url('/hang'), delivered: false, attempts: 2, status: null, error: 'no answer within 200 ms' });
    assert.equal(endpoint.seen.get('/hang')?.length, 2);
    assert.ok(performance.now() - started < 2000);
  });

  it('one outcome per endpoint: a dead one does not stop the others', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    closed.close();
    await once(closed, 'close');
    const outcomes = await postWebhooks([{ url: deadUrl, secret: SECRET }, { url: endpoint.url('/ok'), secret: SECRET }], event, { ...quick, attempts: 2 });
    assert.equal(outcomes[0]?.delivered, false);
    assert.equal(outcomes[0].attempts, 2);
    assert.match(outcomes[0].error ?? '', /ECONNREFUSED/);
    assert.equal(outcomes[1]?.delivered, true);
  });
});

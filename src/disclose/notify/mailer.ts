/**
 * Mail out through an SMTP server (nodemailer). Every wait has a bound, so that a mail server that
 * hangs delays one sweep's mail, never the sweep itself for good.
 */
import { createTransport } from 'nodemailer';
import { NotifyError } from './errors.ts';

export interface MailerOptions {
  /** `smtp://user:pass@host:587` or `smtps://host:465`; nodemailer's URL options apply. */
  smtpUrl: string;
  /** The sender, e.g. `Leakproof <security@example.com>`. */
  from: string;
  /** Bound on connecting, on the server's greeting, and on each wait for an answer (default 10 s). */
  timeoutMs?: number | undefined;
}

export interface OutgoingMail {
  to: string | readonly string[];
  subject: string;
  text: string;
}

/** What the server accepted; `rejected` recipients were refused while others were taken. */
export interface SentMail {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

export interface Mailer {
  /** Throws `NotifyError` when the mail was not accepted at all. */
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

/**
 * A mailer over one SMTP server.
 *
 * @example
 * ```ts
 * const mailer = createMailer({ smtpUrl: 'smtp://mail.example.com:587', from: 'Leakproof <security@example.com>' });
 * await mailer.send({ to: 'alice@example.com', subject: 'VR-0042 overdue', text: '...' });
 * mailer.close();
 * ```
 */
export function createMailer(options: MailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 10_000;
  const server = describeServer(options.smtpUrl);
  const transport = createTransport({
    url: options.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
  });
  return {
    async send(mail) {
      const to = typeof mail.to === 'string' ? [mail.to] : [...mail.to];
      try {
        const info = await transport.sendMail({ from: options.from, to, subject: mail.subject, text: mail.text });
        return { messageId: info.messageId, accepted: info.accepted, rejected: info.rejected };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new NotifyError(`could not send mail to ${to.join(', ')} through ${server}: ${reason}`, {
          cause: error,
          hint: 'check the configured SMTP URL and credentials, and that the server is reachable; the notices stay pending',
        });
      }
    },
    close() {
      transport.close();
    },
  };
}

/** The server as messages may name it: scheme, host and port, never the credentials. */
function describeServer(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    return `${url.protocol}//${url.host}`;
  } catch {
    return 'the SMTP server';
  }
}

/**
 * Telling people about deadlines: the digest (who hears about which notices, in what words), the
 * mailer that sends it, and the webhooks that carry each notice to other systems.
 *
 * @example
 * ```ts
 * import { buildDigests, createMailer, noticeEvent, postWebhooks } from './notify/index.ts';
 *
 * const mailer = createMailer({ smtpUrl, from });
 * for (const mail of buildDigests(pending, staff, now)) await mailer.send(mail);
 * for (const item of pending) await postWebhooks(targets, noticeEvent(item));
 * ```
 */
export { buildDigests, recipientsOf } from './digest.ts';
export type { DigestMail, DigestOptions, PendingNotice } from './digest.ts';
export { NotifyError } from './errors.ts';
export { createMailer } from './mailer.ts';
export type { Mailer, MailerOptions, OutgoingMail, SentMail } from './mailer.ts';
export { noticeEvent, postWebhooks, signatureOf } from './webhooks.ts';
export type { WebhookEvent, WebhookOptions, WebhookOutcome, WebhookTarget } from './webhooks.ts';

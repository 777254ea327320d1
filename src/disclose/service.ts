/**
 * The tracker as a running service: the store, the verification gate, mail to reporters and staff,
 * webhooks, and the minute-by-minute clock sweep, put together from the configuration.
 */
import type { LeakproofConfig } from '../core/config.ts';
import { createGate } from './gate.ts';
import type { Case } from './model.ts';
import type { Mailer } from './notify/index.ts';
import { createMailer, postWebhooks } from './notify/index.ts';
import { OidcSignIn } from './oidc.ts';
import type { DiscloseSettings } from './settings.ts';
import { discloseSettings } from './settings.ts';
import type { TrailEvent } from './store/trail.ts';
import { Sweeper } from './sweep.ts';
import type { Tracker } from './tracker.ts';
import { openTracker } from './tracker.ts';

export interface DiscloseService {
  settings: DiscloseSettings;
  tracker: Tracker;
  sweeper: Sweeper;
  mailer: Mailer | undefined;
  /** Staff sign-in through OpenID Connect, when configured. */
  oidc: OidcSignIn | undefined;
  /** The link a reporter follows their case with. */
  trackingUrl(token: string): string;
  /** Mails the tracking link to a reporter who left an address; failures are reported, not thrown. */
  sendReceipt(c: Case, token: string): void;
  /** Runs the sweep and the digest every `intervalMs` until closed. */
  startClock(intervalMs?: number): void;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Overrides `disclose.store`. */
  store?: string | undefined;
  /** The clock; injected in tests. */
  now?: () => number;
  /** Where problems with mail, webhooks and the sweep are reported (default: stderr). */
  onProblem?: (message: string) => void;
}

export async function startDiscloseService(config: LeakproofConfig, options: ServiceOptions = {}): Promise<DiscloseService> {
  const settings = discloseSettings(config);
  const now = options.now ?? Date.now;
  const problem = options.onProblem ?? ((message: string) => { process.stderr.write(`leakproof disclose: ${message}\n`); });
  const gate = settings.verification.target === undefined ? undefined : createGate({ config, target: settings.verification.target, rateLimit: settings.verification.rateLimit });
  const mailer = settings.mail ? createMailer({ smtpUrl: settings.mail.smtp, from: settings.mail.from }) : undefined;
  const mail = (to: string, subject: string, text: string): void => {
    mailer?.send({ to, subject, text }).catch((error: unknown) => { problem(`mail to ${to} failed: ${(error as Error).message}`); });
  };
  const webhook = (event: TrailEvent, c: Case | undefined): void => {
    if (settings.webhooks.length === 0) return;
    const body = { id: `event-${String(event.seq)}`, type: event.action, at: new Date(event.at).toISOString(), case: c ? { id: c.id, reference: c.reference, state: c.state, severity: c.severity } : null };
    void postWebhooks(settings.webhooks, body).then((outcomes) => {
      for (const failed of outcomes.filter((o) => !o.delivered)) problem(`webhook ${failed.url} refused ${body.id}: ${failed.error ?? 'no answer'}`);
    });
  };
  const tracker = await openTracker({
    store: options.store ?? settings.store,
    now,
    gate,
    contestWindowMs: settings.contestWindowDays * 86_400_000,
    hooks: {
      event: webhook,
      reporterUpdated: (c) => {
        if (c.contact !== null) mail(c.contact, `[${settings.organization}] Update on ${c.reference}`, `There is an update on your report ${c.reference}. Open your private tracking link to read it and reply.\n\nWe do not repeat the link here: it is the key to your case.`);
      },
    },
  });
  const sweeper = new Sweeper(tracker, { policy: settings.clocks, mailer, webhooks: settings.webhooks, publicUrl: settings.publicUrl, digestHour: settings.digestHour, onProblem: problem });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = async (): Promise<void> => {
    try {
      await sweeper.sweep(now());
      await sweeper.digest(now());
    } catch (error) {
      problem(`the clock sweep failed, and runs again at the next tick: ${(error as Error).message}`);
    }
  };
  return {
    settings,
    tracker,
    sweeper,
    mailer,
    oidc: settings.oidc ? new OidcSignIn(settings.oidc) : undefined,
    trackingUrl: (token) => `${settings.publicUrl}/track/${token}`,
    sendReceipt(c, token) {
      if (c.contact === null) return;
      mail(c.contact, `[${settings.organization}] ${c.reference} received: ${c.title.replace(/[\r\n]+/g, ' ').slice(0, 80)}`, `Thank you for your report. We will acknowledge it within the time our policy states.\n\nFollow the case, read our updates and reply here (keep this link private: it is the only way in):\n${settings.publicUrl}/track/${token}\n`);
    },
    startClock(intervalMs = 60_000) {
      const run = (): void => {
        running ??= tick().finally(() => { running = undefined; });
      };
      run();
      timer = setInterval(run, intervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      await running;
      mailer?.close();
      await tracker.close();
    },
  };
}

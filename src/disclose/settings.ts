/**
 * The `disclose` section of the configuration: where cases are stored, how the service presents
 * itself (security.txt, policy), the verification gate's target, clocks, mail, webhooks and limits.
 * Every setting has a default, so an empty section runs a tracker on 127.0.0.1.
 *
 * @example
 * ```yaml
 * disclose:
 *   store: postgres://disclose@db:5432/security
 *   publicUrl: https://security.example.com
 *   organization: Example Fitness
 *   verification: { target: https://api.example.com }
 *   mail: { smtp: "smtp://mail:25", from: security@example.com }
 * ```
 */
import type { LeakproofConfig } from '../core/config.ts';
import { checkSection } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import type { ClockPolicy } from './clocks.ts';
import type { OidcSettings } from './oidc.ts';
import { clocksConfigSchema, compileClockPolicy } from './clocks.ts';
import { WEBHOOK_SECRET_FORMAT, webhookSecretKey } from './notify/webhooks.ts';

export interface DiscloseSettings {
  store: string;
  /** The address people reach the tracker at: links in mails and pages, security.txt's Canonical. */
  publicUrl: string;
  /** Whether `publicUrl` was configured; when not, `serve` uses the address it listens on. */
  publicUrlConfigured: boolean;
  organization: string;
  /** The disclosure policy, as paragraphs of plain text. */
  policy: string;
  /** `contact` empty: the report form. */
  securityTxt: { contact: string[]; expiresInDays: number; preferredLanguages: string[]; encryption: string | undefined; acknowledgments: string | undefined; hiring: string | undefined };
  contestWindowDays: number;
  verification: { target: string | undefined; rateLimit: number };
  clocks: ClockPolicy;
  mail: { smtp: string; from: string } | undefined;
  webhooks: { url: string; secret: string }[];
  /** The hour (UTC) the daily digest goes out. */
  digestHour: number;
  limits: { bodyBytes: number; reportsPerHour: number; loginsPerMinute: number };
  /** Signs the CSRF cookie; a random one per process when unset (forms open before a restart then fail once). */
  secret: string | undefined;
  /** Staff sign-in through an OpenID Connect provider, besides local passwords. */
  oidc: OidcSettings | undefined;
  /** What the CSAF provider metadata asks of aggregators about the published advisories. */
  csaf: { listOnAggregators: boolean; mirrorOnAggregators: boolean };
}

const url = { type: 'string', pattern: '^https?://', maxLength: 2000 } as const;

export const discloseSectionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    store: { type: 'string', minLength: 1, description: 'sqlite:PATH (default leakproof-disclose.db), or postgres://USER@HOST:PORT/DB[?schema=NAME]' },
    publicUrl: { ...url, description: 'The address people reach the tracker at.' },
    organization: { type: 'string', minLength: 1, maxLength: 200 },
    policy: { type: 'string', minLength: 1, maxLength: 50_000, description: 'The disclosure policy, plain text; blank lines separate paragraphs.' },
    securityTxt: {
      type: 'object',
      additionalProperties: false,
      properties: {
        contact: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(mailto:|https://|tel:)' } },
        expiresInDays: { type: 'integer', minimum: 1, maximum: 366, description: 'RFC 9116 recommends less than a year.' },
        preferredLanguages: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$' } },
        encryption: url,
        acknowledgments: url,
        hiring: url,
      },
    },
    contestWindowDays: { type: 'integer', minimum: 1, maximum: 365 },
    verification: {
      type: 'object',
      additionalProperties: false,
      properties: {
        target: { ...url, description: 'The deployment the gate retests; identities come from the scan section.' },
        rateLimit: { type: 'number', exclusiveMinimum: 0 },
      },
    },
    clocks: clocksConfigSchema,
    mail: {
      type: 'object',
      additionalProperties: false,
      required: ['smtp', 'from'],
      properties: { smtp: { type: 'string', pattern: '^smtps?://' }, from: { type: 'string', minLength: 3 } },
    },
    webhooks: {
      type: 'array',
      // The secret's format is checked in discloseSettings, whose error says how to make a good one.
      items: { type: 'object', additionalProperties: false, required: ['url', 'secret'], properties: { url, secret: { type: 'string', description: 'whsec_ and the base64 of at least 24 random bytes (Standard Webhooks).' } } },
    },
    digestHour: { type: 'integer', minimum: 0, maximum: 23 },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bodyBytes: { type: 'integer', minimum: 1024, maximum: 10_485_760 },
        reportsPerHour: { type: 'integer', minimum: 1, description: 'Reports one address may file per hour.' },
        loginsPerMinute: { type: 'integer', minimum: 1 },
      },
    },
    secret: { type: 'string', minLength: 32 },
    oidc: {
      type: 'object',
      additionalProperties: false,
      required: ['issuer', 'clientId', 'clientSecret'],
      description: 'Staff sign-in through an OpenID Connect provider: existing accounts only, matched by verified email.',
      properties: { issuer: url, clientId: { type: 'string', minLength: 1 }, clientSecret: { type: 'string', minLength: 1 }, label: { type: 'string', minLength: 1, maxLength: 60 } },
    },
    csaf: {
      type: 'object',
      additionalProperties: false,
      description: 'Published advisories are served as a CSAF 2.0 provider (/.well-known/csaf/provider-metadata.json); these say what aggregators may do with them.',
      properties: {
        listOnAggregators: { type: 'boolean', description: 'Whether CSAF aggregators may list this provider (default true).' },
        mirrorOnAggregators: { type: 'boolean', description: 'Whether CSAF aggregators may mirror its advisories (default true).' },
      },
    },
  },
} as const;

const DEFAULT_POLICY = `We welcome reports of security vulnerabilities in our services, and we will not take legal action against anyone who reports in good faith, avoids harming people's data and privacy, and gives us a reasonable time to fix the flaw before telling others.

When you report, we acknowledge within 3 business days, assess within 7 days, tell you how things stand at least every 14 days, and aim to fix within 90 days. We call a flaw fixed only when your reproduction no longer works against the deployed fix, and you may contest our conclusion. We disclose fixed flaws 30 days after the fix, crediting you if you wish.

Please do not access, keep or share other people's data beyond what is needed to show the flaw.`;

type Section = Partial<{
  store: string; publicUrl: string; organization: string; policy: string;
  securityTxt: Partial<DiscloseSettings['securityTxt']>; contestWindowDays: number;
  verification: Partial<DiscloseSettings['verification']>; clocks: unknown; mail: DiscloseSettings['mail'];
  webhooks: DiscloseSettings['webhooks']; digestHour: number; limits: Partial<DiscloseSettings['limits']>; secret: string;
  oidc: Omit<OidcSettings, 'label'> & { label?: string }; csaf: Partial<DiscloseSettings['csaf']>;
}>;

/** The settings from the configuration's `disclose` section; errors point at file:line. */
export function discloseSettings(config: LeakproofConfig): DiscloseSettings {
  const section = (checkSection(config, 'disclose', discloseSectionSchema) ?? {}) as Section;
  const publicUrl = (section.publicUrl ?? 'http://127.0.0.1:8090').replace(/\/+$/, '');
  const clocks = compileClockPolicy(section.clocks, { locate: config.locate, path: 'disclose.clocks' });
  return {
    store: section.store ?? 'sqlite:leakproof-disclose.db',
    publicUrl,
    publicUrlConfigured: section.publicUrl !== undefined,
    organization: section.organization ?? 'Our organisation',
    policy: section.policy ?? DEFAULT_POLICY,
    securityTxt: {
      contact: section.securityTxt?.contact ?? [],
      expiresInDays: section.securityTxt?.expiresInDays ?? 180,
      preferredLanguages: section.securityTxt?.preferredLanguages ?? ['en'],
      encryption: section.securityTxt?.encryption,
      acknowledgments: section.securityTxt?.acknowledgments,
      hiring: section.securityTxt?.hiring,
    },
    contestWindowDays: section.contestWindowDays ?? 14,
    verification: { target: section.verification?.target, rateLimit: section.verification?.rateLimit ?? 10 },
    clocks,
    mail: section.mail,
    webhooks: checkWebhookSecrets(section.webhooks ?? [], config),
    digestHour: section.digestHour ?? 8,
    limits: { bodyBytes: section.limits?.bodyBytes ?? 262_144, reportsPerHour: section.limits?.reportsPerHour ?? 20, loginsPerMinute: section.limits?.loginsPerMinute ?? 10 },
    secret: section.secret,
    oidc: section.oidc ? { ...section.oidc, label: section.oidc.label ?? 'single sign-on' } : undefined,
    csaf: { listOnAggregators: section.csaf?.listOnAggregators ?? true, mirrorOnAggregators: section.csaf?.mirrorOnAggregators ?? true },
  };
}

/**
 * Refuses a webhook secret a Standard Webhooks receiver would not read the same way, at load rather
 * than at the first delivery, which would be signed with a key the receiver never computes. The
 * secret itself stays out of the message: it may have come from the environment.
 */
function checkWebhookSecrets(webhooks: DiscloseSettings['webhooks'], config: LeakproofConfig): DiscloseSettings['webhooks'] {
  for (const [index, target] of webhooks.entries()) {
    if (webhookSecretKey(target.secret) !== undefined) continue;
    throw new ConfigError(`disclose.webhooks[${index}].secret: must be ${WEBHOOK_SECRET_FORMAT}`, {
      location: config.locate(target, 'secret'),
      hint: 'make one with: echo "whsec_$(openssl rand -base64 32)"',
    });
  }
  return webhooks;
}

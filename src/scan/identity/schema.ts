/**
 * JSON Schema (draft-07) of the `identities` list, for validating configuration with ajv and for
 * editors' completion. Each kind is an `if`/`then` branch on `kind` rather than a `oneOf`, so that
 * a mistake is reported once, against the kind the user chose, and an unknown key lists the keys
 * that kind knows.
 *
 * @example
 * ```ts
 * const validate = new Ajv({ allErrors: true, strict: true }).compile(identitiesSchema);
 * if (!validate(config.identities)) console.log(validate.errors);
 * ```
 */
import { IDENTITY_KINDS, IDENTITY_NAME_PATTERN } from './config.ts';

type Schema = Readonly<Record<string, unknown>>;

interface Variant {
  description: string;
  properties: Readonly<Record<string, Schema>>;
  required: readonly string[];
  /** More keywords for the branch (`oneOf`, nested `if`). */
  also?: Schema;
}

const TEXT: Schema = { type: 'string', minLength: 1 };
const STRING_MAP: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const SECONDS: Schema = { type: 'number', exclusiveMinimum: 0 };

/** Requires `properties` (ajv's strictRequired wants them defined where they are required). */
function requires(properties: Readonly<Record<string, Schema>>): Schema {
  return { type: 'object', properties, required: Object.keys(properties) };
}

/** An object tagged by `tag`: one `if`/`then` per variant, each closed to unknown keys. */
function tagged(tag: string, description: string, variants: Readonly<Record<string, Variant>>, shared: Readonly<Record<string, Schema>> = {}, sharedRequired: readonly string[] = []): Schema {
  const tags = Object.keys(variants);
  return {
    type: 'object',
    description,
    required: [tag, ...sharedRequired],
    properties: { [tag]: { enum: tags, description: `One of: ${tags.join(', ')}.` } },
    allOf: Object.entries(variants).map(([value, variant]) => ({
      if: { type: 'object', properties: { [tag]: { const: value } }, required: [tag] },
      then: {
        type: 'object',
        description: variant.description,
        additionalProperties: false,
        required: [tag, ...sharedRequired, ...variant.required],
        properties: { [tag]: { const: value, description: variant.description }, ...shared, ...variant.properties },
        ...variant.also,
      },
    })),
  };
}

const tokenSourceSchema = tagged('from', 'Where the login response carries the token.', {
  json: {
    description: 'A JSON path into the response body.',
    properties: { path: { ...TEXT, pattern: '^\\$', description: 'JSON path of the token, e.g. $.token or $.data.access_token.' } },
    required: ['path'],
  },
  header: { description: 'A response header.', properties: { header: { ...TEXT, description: 'The header name, e.g. X-Auth-Token.' } }, required: ['header'] },
  cookie: { description: 'A cookie the response sets.', properties: { cookie: { ...TEXT, description: 'The cookie name, e.g. sid.' } }, required: ['cookie'] },
});

const tokenPlacementSchema = tagged('as', 'How requests carry the token. Default: bearer, or the same cookie when the token comes from a cookie.', {
  bearer: { description: 'Authorization: Bearer <token>.', properties: {}, required: [] },
  header: {
    description: 'A header of your choice: <header>: <scheme> <token>.',
    properties: { header: { ...TEXT, description: 'The header name.' }, scheme: { ...TEXT, description: 'Written before the token, e.g. Token; none by default.' } },
    required: ['header'],
  },
  cookie: { description: 'A cookie.', properties: { cookie: { ...TEXT, description: 'The cookie name.' } }, required: ['cookie'] },
  query: { description: 'A query parameter.', properties: { parameter: { ...TEXT, description: 'The parameter name.' } }, required: ['parameter'] },
});

const LOGIN_PATH: Schema = { ...TEXT, description: "Joined to the target's base URL, e.g. /auth/login." };
const LOGIN_URL: Schema = { type: 'string', pattern: '^https?://', description: 'A full URL, when the login is on another host (add it to scope).' };

const loginRequestSchema: Schema = {
  type: 'object',
  description: 'The login request. Sent even in a read-only scan, because it is configured here.',
  additionalProperties: false,
  properties: {
    method: { enum: ['POST', 'PUT', 'GET'], description: 'Default POST.' },
    path: LOGIN_PATH,
    url: LOGIN_URL,
    json: { description: 'A JSON body, e.g. { username: alice, password: ${ALICE_PASSWORD} }.' },
    form: { ...STRING_MAP, description: 'A form-encoded body.' },
    headers: { ...STRING_MAP, description: 'Headers to send with the login request.' },
  },
  oneOf: [requires({ path: LOGIN_PATH }), requires({ url: LOGIN_URL })],
};

const OAUTH2_COMMON: Readonly<Record<string, Schema>> = {
  grant: { enum: ['client_credentials', 'password'], description: 'The OAuth 2.0 grant: client_credentials (RFC 6749 §4.4) or password (§4.3).' },
  tokenUrl: { ...TEXT, description: "The token endpoint: a full URL (add its host to scope) or a path joined to the target's base URL." },
  clientId: { ...TEXT, description: 'The OAuth 2.0 client id.' },
  clientSecret: { ...TEXT, description: 'The client secret; leave out for a public client.' },
  clientAuth: { enum: ['client_secret_basic', 'client_secret_post'], description: 'How the client authenticates to the token endpoint. Default client_secret_basic.' },
  scope: { ...TEXT, description: 'Space-separated scopes to ask for.' },
  params: { ...STRING_MAP, description: 'More form parameters for the token request, e.g. audience.' },
  username: { ...TEXT, description: 'The resource owner (password grant).' },
  password: { ...TEXT, description: "The resource owner's password (password grant)." },
  refreshBefore: { ...SECONDS, description: 'Renew the token this many seconds before it expires. Default 30.' },
};

const COOKIE: Readonly<Record<string, Schema>> = {
  cookie: { ...TEXT, description: 'The cookie name, e.g. sid.' },
  value: { ...TEXT, description: 'The cookie value; use ${ENV} rather than writing it here.' },
  header: { ...TEXT, description: 'A whole Cookie header, e.g. sid=abc; csrftoken=def.' },
};

const COMMON: Readonly<Record<string, Schema>> = {
  name: { type: 'string', pattern: IDENTITY_NAME_PATTERN, description: 'Unique name of the identity, e.g. alice; used in reports and as the prefix of shell variables.' },
  role: { enum: ['user', 'admin'], description: 'What the identity may do in the API: user (default) or admin.' },
  owns: {
    type: 'object',
    description: 'Object ids the identity owns, by kind, e.g. { user: [a1b2c3] }.',
    additionalProperties: { type: 'array', items: TEXT },
  },
};

/** One identity. */
export const identitySchema: Schema = tagged(
  'kind',
  'Who the scanner is when it sends a request, and how it gets its credentials.',
  {
    anonymous: { description: 'No credentials.', properties: {}, required: [] },
    bearer: { description: 'A static token, sent as Authorization: Bearer <token>.', properties: { token: { ...TEXT, description: 'The token; use ${ENV} rather than writing it here.' } }, required: ['token'] },
    apiKey: {
      description: 'A static API key in a header or a query parameter.',
      properties: {
        in: { enum: ['header', 'query'], description: 'Where the key goes.' },
        parameter: { ...TEXT, description: 'The header or query parameter name, e.g. X-API-Key or api_key.' },
        value: { ...TEXT, description: 'The key; use ${ENV} rather than writing it here.' },
      },
      required: ['in', 'parameter', 'value'],
    },
    cookie: {
      description: 'A static session cookie: cookie and value, or a whole Cookie header.',
      properties: COOKIE,
      required: [],
      also: { oneOf: [requires({ cookie: COOKIE.cookie ?? {}, value: COOKIE.value ?? {} }), requires({ header: COOKIE.header ?? {} })] },
    },
    login: {
      description: 'Logs in with a request and uses the token from the response; logs in again before it expires or after a 401.',
      properties: {
        request: loginRequestSchema,
        token: tokenSourceSchema,
        use: tokenPlacementSchema,
        expiresIn: { ...SECONDS, description: 'Token lifetime in seconds, when the token is not a JWT with exp.' },
        refreshBefore: { ...SECONDS, description: 'Log in again this many seconds before the token expires. Default 30.' },
        secretFields: { type: 'array', items: TEXT, description: 'Login body fields to redact, besides those named like a secret (password, secret, token, key, pin, otp, code).' },
      },
      required: ['request', 'token'],
    },
    oauth2: {
      description: 'An OAuth 2.0 access token from the client-credentials or password grant.',
      properties: OAUTH2_COMMON,
      required: ['grant', 'tokenUrl', 'clientId'],
      also: {
        if: { type: 'object', properties: { grant: { const: 'password' } }, required: ['grant'] },
        then: requires({ username: OAUTH2_COMMON.username ?? {}, password: OAUTH2_COMMON.password ?? {} }),
      },
    },
  } satisfies Record<(typeof IDENTITY_KINDS)[number], Variant>,
  COMMON,
  ['name'],
);

/** The `identities` list of a configuration file. */
export const identitiesSchema: Schema = {
  type: 'array',
  description: 'The identities the scanner uses besides anonymous, e.g. user A, user B and an admin.',
  items: identitySchema,
};

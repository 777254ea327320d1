/**
 * Staff sign-in through an OpenID Connect provider (openid-client): the authorization code flow
 * with PKCE, state and nonce. The provider says who someone is; the tracker decides what they may
 * do. Only an existing, active account whose email the provider has verified can sign in this way,
 * with that account's role: no account is created from a provider's say-so.
 */
import * as client from 'openid-client';
import { ExitCode, LeakproofError } from '../core/errors.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The button's words: "Sign in with LABEL". */
  label: string;
}

/** The provider could not be reached or refused the sign-in: the message says which. */
export class OidcError extends LeakproofError {
  override readonly code = 'ERR_DISCLOSE_OIDC';
  override readonly exitCode = ExitCode.Runtime;
}

/** What the browser carries between the two legs, in a signed cookie. */
export interface OidcTransaction {
  state: string;
  nonce: string;
  verifier: string;
}

export interface OidcIdentity {
  email: string;
  subject: string;
}

export class OidcSignIn {
  readonly settings: OidcSettings;
  #configuration: Promise<client.Configuration> | undefined;

  constructor(settings: OidcSettings) {
    this.settings = settings;
  }

  /** Discovery happens at the first sign-in, and again after a failure: a provider down at start does not stop the tracker. */
  #configure(): Promise<client.Configuration> {
    this.#configuration ??= (async () => {
      const issuer = new URL(this.settings.issuer);
      // Plain HTTP only to a provider on this machine (development, tests); anything else must be HTTPS.
      const loopback = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
      try {
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- marked deprecated only to stand out; used for a provider on this machine only
        return await client.discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, loopback ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 });
      } catch (error) {
        this.#configuration = undefined;
        throw new OidcError(`the OpenID provider ${issuer.origin} could not be reached: ${(error as Error).message}`, { cause: error });
      }
    })();
    return this.#configuration;
  }

  /** Where to send the browser, and what to remember until it comes back. */
  async begin(redirectUri: string): Promise<{ url: string; transaction: OidcTransaction }> {
    const configuration = await this.#configure();
    const transaction = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: 'openid email',
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, transaction };
  }

  /** Exchanges the code the browser came back with; the identity only if the provider verified the email. */
  async finish(currentUrl: URL, transaction: OidcTransaction): Promise<OidcIdentity> {
    const configuration = await this.#configure();
    let subject: string;
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, { pkceCodeVerifier: transaction.verifier, expectedState: transaction.state, expectedNonce: transaction.nonce, idTokenExpected: true });
      const idToken = tokens.claims();
      if (!idToken) throw new OidcError('the OpenID provider sent no ID token');
      subject = idToken.sub;
      // Many providers put the email in the ID token; others only answer it at the userinfo endpoint.
      claims = typeof idToken.email === 'string' ? idToken : await client.fetchUserInfo(configuration, tokens.access_token, subject);
    } catch (error) {
      if (error instanceof OidcError) throw error;
      throw new OidcError(`the OpenID provider's answer was refused: ${(error as Error).message}`, { cause: error });
    }
    const email = claims.email;
    if (typeof email !== 'string' || claims.email_verified !== true) throw new OidcError('the OpenID provider did not give a verified email address for this person');
    return { email: email.toLowerCase(), subject };
  }
}

/** Signing up and logging in. Registration is open to anyone, as on the real service. */
import { ApiError, badRequest } from '../api-error.ts';
import type { Call, Reply, Route } from '../route.ts';

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;

interface Credentials {
  readonly username: string;
  readonly password: string;
}

function credentialsOf(body: unknown): Credentials {
  if (typeof body !== 'object' || body === null) throw badRequest('The body must be {"username", "password"}.');
  const { username, password } = body as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw badRequest('"username" and "password" must both be strings.');
  }
  return { username, password };
}

async function session(call: Call, personId: string, status: number): Promise<Reply> {
  return { status, body: { token: await call.service.tokens.issue(personId), user_id: personId } };
}

export const authRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/auth/register',
    operationId: 'register',
    access: 'anyone',
    takesBody: true,
    async handle(call) {
      const { username, password } = credentialsOf(call.body);
      if (!USERNAME.test(username)) throw badRequest('"username" must be 3 to 32 letters, digits, "_", "." or "-".');
      if (password.length < 8 || password.length > 128) throw badRequest('"password" must be 8 to 128 characters.');
      const { community } = call.service;
      if (community.findByUsername(username) !== undefined) {
        throw new ApiError(409, 'conflict', `The username "${username}" is taken.`);
      }
      return session(call, community.register(username, password).id, 201);
    },
  },
  {
    method: 'POST',
    path: '/auth/login',
    operationId: 'login',
    access: 'anyone',
    takesBody: true,
    async handle(call) {
      const { username, password } = credentialsOf(call.body);
      const person = call.service.community.authenticate(username, password);
      if (person === undefined) throw new ApiError(401, 'invalid_credentials', 'Unknown username or wrong password.');
      return session(call, person.id, 200);
    },
  },
];

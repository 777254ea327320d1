/**
 * A synthetic OpenAPI 3.0 description of any size, shaped like the real ones a scan plans for.
 * Half its resources are about people (schemas with `$ref`s to shared address and location
 * schemas), half about things that people own. Each resource has ten operations: a list, a
 * create, a get / update / delete by path id, a search, a bulk lookup by a body of ids, a nested
 * list of people, a nested item, and an administrators' route; successful responses carry an
 * example, as real descriptions' do. About 3 KB of pretty-printed JSON per operation: the lean end
 * of the real descriptions of about 1,000 operations (Cloudflare 2.7 KB, Kubernetes 3.7, GitHub 10.6).
 */

const PEOPLE = ['User', 'Rider', 'Member', 'Customer', 'Instructor', 'Patient', 'Employee', 'Profile'];
const THINGS = ['Workout', 'Order', 'Device', 'Invoice', 'Ticket', 'Subscription'];

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const text = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const whole = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', description, ...extra });
const uuid = (index: number, n: number): string => `3f2a9c1e-8b7d-4e1a-${String(index).padStart(4, '0')}-${String(n).padStart(12, '0')}`;

/** The person resource `index` is about, or (for a thing) the one its owner is. */
function personName(index: number): string {
  const even = index - (index % 2);
  return `${PEOPLE[(even / 2) % PEOPLE.length] ?? 'User'}${even}`;
}

function personSchemas(name: string, index: number): Record<string, Schema> {
  const location = ref(`Location${index}`);
  return {
    [name]: {
      type: 'object',
      description: `A ${name.toLowerCase()} of the service (area ${index}): their account and profile as the owner sees them.`,
      required: ['id', 'username'],
      properties: {
        id: text('Unique identifier.', { format: 'uuid', example: uuid(index, 1) }),
        username: text('Public handle, unique.', { example: 'cadence_erin' }),
        email: text('Where the service writes to them.', { format: 'email' }),
        first_name: text('Given name.'),
        last_name: text('Family name.'),
        birthday: text('Date of birth.', { format: 'date' }),
        age: whole('Age in years, from the birthday.'),
        gender: text('As they declared it.', { enum: ['female', 'male', 'non-binary', 'undisclosed'] }),
        weight: { type: 'number', description: 'Body weight in kilograms.' },
        height: { type: 'number', description: 'Height in centimetres.' },
        phone: text('Mobile number, E.164.'),
        image_url: text('Profile photo.', { format: 'uri' }),
        location,
        address: ref('Address'),
        is_profile_private: { type: 'boolean', description: 'Whether only followers may see the profile.' },
        total_followers: whole('People following them.'),
        total_workouts: whole('Workouts completed.'),
        last_login_ip: text('Where they last logged in from.', { format: 'ipv4' }),
        created_at: text('When the account was created.', { format: 'date-time' }),
      },
    },
    [`${name}Summary`]: {
      type: 'object',
      description: `What a search shows of a ${name.toLowerCase()}.`,
      properties: { id: text('Unique identifier.', { format: 'uuid' }), username: text('Public handle.'), image_url: text('Profile photo.', { format: 'uri' }), location: ref(`Location${index}`), is_profile_private: { type: 'boolean' } },
    },
    [`${name}Update`]: {
      type: 'object',
      description: 'The fields an owner may change.',
      properties: { email: text('New address.', { format: 'email' }), weight: { type: 'number' }, is_profile_private: { type: 'boolean' }, location: ref(`Location${index}`) },
    },
    [`Location${index}`]: { type: 'object', properties: { city: text('City.'), country: text('ISO 3166 country code.'), latitude: { type: 'number' }, longitude: { type: 'number' } } },
  };
}

function thingSchemas(name: string, index: number): Record<string, Schema> {
  return {
    [name]: {
      type: 'object',
      description: `A ${name.toLowerCase()} (area ${index}), owned by one person.`,
      properties: {
        id: text('Unique identifier.', { format: 'uuid' }),
        title: text('What it is called.'),
        status: text('Where it is in its life.', { enum: ['draft', 'active', 'closed'] }),
        amount: { type: 'number', description: 'In the account currency.' },
        owner: ref(`${personName(index)}Summary`),
        created_at: text('When it was created.', { format: 'date-time' }),
        tags: { type: 'array', items: { type: 'string' } },
      },
    },
    [`${name}Summary`]: { type: 'object', properties: { id: text('Unique identifier.', { format: 'uuid' }), title: text('What it is called.'), owner_id: text('Its owner.', { format: 'uuid' }) } },
    [`${name}Update`]: { type: 'object', properties: { title: text('New title.'), status: text('New status.', { enum: ['draft', 'active', 'closed'] }) } },
  };
}

function personExample(index: number, n: number, full: boolean): Schema {
  const card = { id: uuid(index, n), username: `rider_${index}_${n}`, image_url: `https://cdn.example.com/avatars/${index}/${n}.jpg`, location: { city: 'Leeds', country: 'GB', latitude: 53.8, longitude: -1.55 }, is_profile_private: n % 3 === 0 };
  if (!full) return card;
  return {
    ...card,
    email: `rider.${index}.${n}@example.com`, first_name: 'Erin', last_name: 'Cadence', birthday: '1988-04-12', age: 37, gender: 'female', weight: 61.5, height: 168,
    phone: '+447700900123', address: { street: '1 Example Road', city: 'Leeds', postal_code: 'LS1 1AA', country: 'GB' },
    total_followers: 120 + n, total_workouts: 845, last_login_ip: '203.0.113.7', created_at: '2019-02-01T08:00:00Z',
  };
}

function thingExample(index: number, n: number, full: boolean): Schema {
  const card = { id: uuid(index, n), title: `Morning ride ${n}`, owner_id: uuid(index - 1, n) };
  if (!full) return card;
  return { id: card.id, title: card.title, status: 'active', amount: 39.99, owner: personExample(index - 1, n, false), created_at: '2021-01-20T07:30:00Z', tags: ['endurance', 'low-impact'] };
}

const json = (schema: Schema, example?: unknown): Schema => ({ content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } } });
const ok = (description: string, schema: Schema, example: unknown): Schema => ({ '200': { description, ...json(schema, example) }, '401': { $ref: '#/components/responses/Unauthorized' }, '404': { $ref: '#/components/responses/NotFound' } });
const pathId = (name: string): Schema => ({ name, in: 'path', required: true, description: 'The identifier.', schema: { type: 'string', format: 'uuid', example: '3f2a9c1e-8b7d-4e1a-9c55-2b1d0f6e7a31' } });
const GUIDE = 'Requests need a bearer token from the login flow. Pages hold at most `limit` items; follow `next_cursor` for the next one. Errors come back as an `Error` object with a stable code; see the guide for the codes and for the rate limits of each area.';

function resourcePaths(schema: string, index: number, person: boolean): Record<string, Schema> {
  const noun = schema.replace(/\d+$/, '').toLowerCase();
  const base = `/v1/area${index}/${noun}s`;
  const sample = (n: number, full: boolean): Schema => (person ? personExample(index, n, full) : thingExample(index, n, full));
  const list = { type: 'object', properties: { data: { type: 'array', items: ref(`${schema}Summary`) }, next_cursor: { type: 'string' } } };
  const page = { data: [sample(1, false), sample(2, false), sample(3, false)], next_cursor: 'eyJwYWdlIjoyfQ' };
  const op = (id: string, summary: string, extra: Schema): Schema => ({ operationId: `${id}${schema}`, summary, description: `${summary}. ${GUIDE}`, tags: [`area ${index}`], ...extra });
  return {
    [base]: {
      get: op('list', `List ${noun}s`, { parameters: [{ $ref: '#/components/parameters/Limit' }, { $ref: '#/components/parameters/Cursor' }], responses: ok('A page.', list, page) }),
      post: op('create', `Create a ${noun}`, { requestBody: { required: true, ...json(ref(`${schema}Update`)) }, responses: ok('Created.', ref(schema), sample(1, true)) }),
    },
    [`${base}/{${person ? 'user_id' : 'id'}}`]: {
      parameters: [pathId(person ? 'user_id' : 'id')],
      get: op('get', `Get one ${noun}`, { responses: ok('Found.', ref(schema), sample(1, true)) }),
      patch: op('update', `Change a ${noun}`, { requestBody: json(ref(`${schema}Update`)), responses: ok('Changed.', ref(schema), sample(1, true)) }),
      delete: op('delete', `Delete a ${noun}`, { responses: { '204': { description: 'Deleted.' }, '404': { $ref: '#/components/responses/NotFound' } } }),
    },
    [`${base}/search`]: { get: op('search', `Search ${noun}s`, { parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1 } }, { $ref: '#/components/parameters/Limit' }], responses: ok('Matches.', list, page) }) },
    [`${base}/details`]: {
      post: op('details', `Look up ${noun}s in bulk`, {
        requestBody: json({ type: 'object', required: ['ids'], properties: { ids: { type: 'array', maxItems: 100, items: { type: 'string', format: 'uuid' } } } }),
        responses: ok('The ones found.', { type: 'array', items: ref(schema) }, [sample(1, true), sample(2, true)]),
      }),
    },
    [`${base}/{id}/followers`]: {
      parameters: [pathId('id')],
      get: op('followers', `Who follows a ${noun}`, { parameters: [{ $ref: '#/components/parameters/Limit' }], responses: ok('Followers.', { type: 'array', items: ref(`${personName(index)}Summary`) }, [personExample(index, 4, false), personExample(index, 5, false)]) }),
    },
    [`${base}/{id}/history/{event_id}`]: {
      parameters: [pathId('id'), pathId('event_id')],
      get: op('history', 'One change in its history', { responses: ok('The change.', { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, by: ref(`${schema}Summary`), before: ref(schema) } }, { at: '2021-02-02T10:00:00Z', by: sample(1, false), before: sample(1, true) }) }),
    },
    [`/admin${base}`]: { get: op('adminList', `Every ${noun}, for administrators`, { tags: ['admin'], responses: ok('All of them.', { type: 'array', items: ref(schema) }, [sample(1, true), sample(2, true)]) }) },
  };
}

/** An OpenAPI 3.0 document with `10 * resources` operations. */
export function syntheticApi(resources: number): object {
  const paths: Record<string, Schema> = {};
  const schemas: Record<string, Schema> = {
    Address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' }, postal_code: { type: 'string' }, country: { type: 'string' } } },
    Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, message: { type: 'string' } } },
  };
  for (let index = 0; index < resources; index += 1) {
    const person = index % 2 === 0;
    const name = person ? personName(index) : `${THINGS[index % THINGS.length] ?? 'Order'}${index}`;
    Object.assign(schemas, person ? personSchemas(name, index) : thingSchemas(name, index));
    Object.assign(paths, resourcePaths(name, index, person));
  }
  return {
    openapi: '3.0.3',
    info: { title: `Synthetic API of ${resources * 10} operations`, version: '1.0.0' },
    servers: [{ url: 'https://api.example.com' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      parameters: {
        Limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        Cursor: { name: 'cursor', in: 'query', schema: { type: 'string' } },
      },
      responses: {
        Unauthorized: { description: 'No valid credentials.', ...json(ref('Error')) },
        NotFound: { description: 'No such resource.', ...json(ref('Error')) },
      },
      schemas,
    },
  };
}

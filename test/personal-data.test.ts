import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpecError } from '../src/core/errors.ts';
import { createClassifier, namesPerson } from '../src/core/personal-data/index.ts';
import { nameWords } from '../src/core/personal-data/words.ts';
import type { PersonalField } from '../src/core/personal-data/index.ts';

const classifier = createClassifier();
const onPerson = { personLike: true };

function categoryOf(name: string, schema?: object, context?: { parentSchemaName?: string; personLike?: boolean }): string | undefined {
  return classifier.classifyField(name, schema, context)?.category;
}

function summary(fields: readonly PersonalField[]): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field.path, field.category]));
}

describe('every field of the 2021 Peloton leak is personal data', () => {
  // GET /api/user/search/<q>: anonymous, any prefix, one rider per item.
  const searchResult = {
    type: 'object',
    properties: {
      data: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            username: { type: 'string' },
            image_url: { type: 'string' },
            location: { type: 'string' },
            is_profile_private: { type: 'boolean' },
            total_followers: { type: 'integer' },
            total_following: { type: 'integer' },
            total_workouts: { type: 'integer' },
          },
        },
      },
    },
  };

  it('finds each field of the rider search result, unnamed schema and all', () => {
    assert.deepEqual(summary(classifier.classifySchema(searchResult)), {
      'data[].id': 'person-id',
      'data[].username': 'username',
      'data[].image_url': 'photo',
      'data[].location': 'location',
      'data[].is_profile_private': 'privacy-preference',
      'data[].total_followers': 'activity',
      'data[].total_following': 'activity',
      'data[].total_workouts': 'activity',
    });
  });

  it('counts workout statistics of a person as personal data (activity): they say what someone did and when', () => {
    assert.equal(categoryOf('total_workouts'), 'activity');
    assert.equal(classifier.classifyField('total_workouts')?.sensitivity, 'behavioural');
  });

  it('finds age, gender, weight and birthday in the workout details of a rider', () => {
    const details = {
      title: 'RiderWorkoutDetails',
      properties: {
        user_id: { type: 'string' },
        username: { type: 'string' },
        age: { type: 'integer' },
        gender: { type: 'string' },
        weight: { type: 'number' },
        birthday: { type: 'string', format: 'date' },
        location: { type: 'string' },
        total_output: { type: 'number' },
      },
    };
    assert.deepEqual(summary(classifier.classifySchema(details)), {
      user_id: 'person-id',
      username: 'username',
      age: 'age',
      gender: 'gender',
      weight: 'weight',
      birthday: 'birthday',
      location: 'location',
      total_output: 'activity',
    });
  });

  it('finds id and location of the GraphQL User type', () => {
    const user = { properties: { id: { type: 'string' }, location: { type: 'string' } } };
    assert.deepEqual(summary(classifier.classifySchema(user, { name: 'User' })), { id: 'person-id', location: 'location' });
  });
});

describe('field names are read as words, in any case style', () => {
  const variants: [string[], string][] = [
    [['user_id', 'userId', 'UserID', 'user-id', 'USER_ID', 'UserId'], 'person-id'],
    [['follower_ids', 'followerIds', 'followerIDs', 'follower-ids'], 'person-id'],
    [['first_name', 'firstName', 'FirstName', 'first-name', 'firstname'], 'name'],
    [['date_of_birth', 'dateOfBirth', 'DOB', 'birth_date', 'birthDate', 'birthdate'], 'birthday'],
    [['email', 'e-mail', 'eMail', 'emailAddress', 'EMAIL_ADDRESS', 'user_email', 'emails'], 'email'],
    [['phone', 'phoneNumber', 'mobile_number', 'telephone'], 'phone'],
    [['address_line_2', 'AddressLine1', 'postcode', 'postal_code', 'zip', 'zipCode', 'street'], 'postal-address'],
    [['is_profile_private', 'isProfilePrivate', 'profile-private'], 'privacy-preference'],
    [['heart_rate', 'avgHeartRate', 'calories', 'total_calories', 'blood_pressure'], 'health'],
    [['avatar_url', 'avatarUrl', 'profile_picture', 'profilePhotoUri'], 'photo'],
    [['lat', 'lng', 'latitude', 'longitude', 'geoLocation'], 'geo-coordinates'],
    [['age', 'riderAge', 'age_in_years', 'age_group'], 'age'],
  ];
  for (const [names, category] of variants) {
    it(`reads ${names.join(', ')} as ${category}`, () => {
      for (const name of names) assert.equal(categoryOf(name), category, name);
    });
  }

  it('splits at case changes, separators and digits, and makes plurals singular', () => {
    assert.deepEqual(nameWords('followerIDs'), ['follower', 'id']);
    assert.deepEqual(nameWords('IPv4Address'), ['ip', 'address']);
    assert.deepEqual(nameWords('address_line_2'), ['address', 'line']);
    assert.deepEqual(nameWords('total-workouts'), ['total', 'workout']);
  });
});

describe('look-alike names are never classified', () => {
  const lookAlikes = [
    'usage', 'message', 'page', 'language', 'storage', 'average', 'percentage', 'agent', 'manage', 'eight',
    'mileage', 'package', 'stage', 'created_at', 'updated_at', 'page_size', 'pageToken', 'status', 'description',
    'user_agent', 'total', 'count', 'limit', 'offset',
  ];
  for (const name of lookAlikes) {
    it(`${name} is not personal data, even on a person`, () => {
      assert.equal(categoryOf(name), undefined);
      assert.equal(categoryOf(name, undefined, onPerson), undefined);
    });
  }

  it('max_age and maxAge are cache lifetimes, not ages', () => {
    assert.equal(categoryOf('max_age', undefined, onPerson), undefined);
    assert.equal(categoryOf('maxAge', undefined, onPerson), undefined);
  });

  it('weight_unit is a display preference, not a weight: only qualifiers like kg may follow the noun', () => {
    assert.equal(categoryOf('weight_unit', undefined, onPerson), undefined);
    assert.equal(categoryOf('weight_kg', undefined, onPerson), 'weight');
  });

  it('image_size and image_width describe an image, not a person', () => {
    assert.equal(categoryOf('image_size', undefined, onPerson), undefined);
    assert.equal(categoryOf('image_width', undefined, onPerson), undefined);
  });

  it('email_verified is about an email, not one', () => {
    assert.equal(categoryOf('email_verified'), undefined);
  });

  it('links to API resources (emails_url, locations_url) are not the data they link to; a photo URL is the photo', () => {
    assert.equal(categoryOf('emails_url'), undefined);
    assert.equal(categoryOf('locations_url', undefined, onPerson), undefined);
    assert.equal(categoryOf('avatar_url'), 'photo');
  });

  it('a boolean says something about personal data rather than holding it (has_avatar, email: true)', () => {
    assert.equal(categoryOf('has_avatar', { type: 'boolean' }), undefined);
    assert.equal(categoryOf('email', { type: 'boolean' }), undefined);
    assert.equal(categoryOf('email', { type: 'string' }), 'email');
  });
});

describe('ambiguous names count only on a person-like schema', () => {
  const personOnly: [string, string][] = [
    ['id', 'person-id'],
    ['name', 'name'],
    ['display_name', 'name'],
    ['image_url', 'photo'],
    ['picture', 'photo'],
    ['location', 'location'],
    ['city', 'location'],
    ['country', 'location'],
    ['weight', 'weight'],
    ['height', 'height'],
    ['address', 'postal-address'],
    ['ip_address', 'ip-address'],
    ['login', 'username'],
  ];
  for (const [name, category] of personOnly) {
    it(`${name} is ${category} on a User, nothing on a Product or a parcel`, () => {
      assert.equal(categoryOf(name, undefined, { parentSchemaName: 'User' }), category);
      assert.equal(categoryOf(name, undefined, { parentSchemaName: 'Product' }), undefined);
      assert.equal(categoryOf(name), undefined);
    });
  }

  it('weight_class of a person reveals their weight band', () => {
    assert.equal(categoryOf('weightClass', undefined, onPerson), 'weight');
    assert.equal(categoryOf('weightClass'), undefined);
  });

  it('explicit person names count anywhere: owner_name, customer_email, home_location, client_ip', () => {
    assert.equal(categoryOf('owner_name'), 'name');
    assert.equal(categoryOf('customer_email'), 'email');
    assert.equal(categoryOf('home_location'), 'location');
    assert.equal(categoryOf('client_ip'), 'ip-address');
  });

  it('a company name is not a personal name, even on a person', () => {
    assert.equal(categoryOf('company_name', undefined, onPerson), undefined);
    assert.equal(categoryOf('repository_full_name', undefined, onPerson), undefined);
  });
});

describe('the most specific pattern wins', () => {
  it('email_address is an email, not a postal address', () => {
    assert.equal(categoryOf('email_address', undefined, onPerson), 'email');
  });

  it('ip_address on a person is an IP address, not a postal address', () => {
    assert.equal(categoryOf('ip_address', undefined, onPerson), 'ip-address');
  });

  it('place_of_birth is a location, not a birthday', () => {
    assert.equal(categoryOf('place_of_birth'), 'location');
  });

  it('between equally long patterns the head of the compound wins: location_lat is a latitude', () => {
    assert.equal(categoryOf('location_lat', undefined, onPerson), 'geo-coordinates');
  });
});

describe('a schema is person-like when named like a person or carrying two personal fields', () => {
  const empty = { type: 'object', properties: {} };

  for (const name of ['User', 'Person', 'Profile', 'Member', 'Customer', 'Rider', 'Contact', 'Employee', 'UserDto', 'PublicUser', 'simple-user', 'RiderProfile', 'users']) {
    it(`${name} is person-like by name`, () => {
      assert.equal(classifier.isPersonLike(empty, name), true);
      assert.equal(namesPerson(name), true);
    });
  }

  for (const name of ['UserSettings', 'CustomerOrder', 'Product', 'Pet', 'UserList']) {
    it(`${name} is not person-like by name`, () => {
      assert.equal(classifier.isPersonLike(empty, name), false);
    });
  }

  it('uses the schema title when no name is given', () => {
    assert.equal(classifier.isPersonLike({ title: 'Rider', properties: {} }), true);
  });

  it('an unnamed schema with two identifying or describing fields is person-like', () => {
    assert.equal(classifier.isPersonLike({ properties: { username: {}, age: {} } }), true);
    assert.equal(classifier.isPersonLike({ properties: { username: {}, sku: {} } }), false);
  });

  it('ids of people do not make a record a person: an order with user_id and owner_id is not one', () => {
    assert.equal(classifier.isPersonLike({ properties: { id: {}, user_id: {}, owner_id: {} } }), false);
  });

  it('an Account is a person only with a personal field to back it: bank accounts are nobody', () => {
    assert.equal(classifier.isPersonLike({ properties: { email: {} } }, 'Account'), true);
    assert.equal(classifier.isPersonLike({ properties: { routing_number: {} } }, 'BankAccount'), false);
  });

  it('an Organization is never a person, however many contact fields it has', () => {
    assert.equal(classifier.isPersonLike({ properties: { email: {}, phone: {}, username: {} } }, 'Organization'), false);
  });

  it('counts properties declared through allOf', () => {
    const composed = { allOf: [{ properties: { email: {} } }, { properties: { gender: {} } }] };
    assert.equal(classifier.isPersonLike(composed), true);
  });
});

describe('schema formats classify a field its name does not', () => {
  it('format: email is an email whatever the name', () => {
    assert.deepEqual(classifier.classifyField('contact', { type: 'string', format: 'email' }), { category: 'email', sensitivity: 'contact', reason: 'format' });
  });

  it('format: password is a credential', () => {
    assert.equal(classifier.classifyField('pin', { type: 'string', format: 'password' })?.category, 'credential');
  });

  it('format: ipv4 is an IP address only on a person: servers have addresses too', () => {
    assert.equal(categoryOf('remote', { type: 'string', format: 'ipv4' }, onPerson), 'ip-address');
    assert.equal(categoryOf('remote', { type: 'string', format: 'ipv4' }), undefined);
  });

  it('looks at the items of an array', () => {
    assert.equal(categoryOf('recipients', { type: 'array', items: { type: 'string', format: 'email' } }), 'email');
  });

  it('a date format alone is not a birthday: created_at is a date too', () => {
    assert.equal(categoryOf('created_on', { type: 'string', format: 'date' }, onPerson), undefined);
  });

  it('the name wins over the format, with reason name', () => {
    assert.equal(classifier.classifyField('email', { type: 'string', format: 'email' })?.reason, 'name');
  });
});

describe('observed values are classified by name, then by value pattern', () => {
  const byValue: [string, string][] = [
    ['ann@example.com', 'email'],
    ['+14155552671', 'phone'],
    ['+1 (415) 555-2671', 'phone'],
    ['4111 1111 1111 1111', 'payment-card'],
    ['378282246310005', 'payment-card'],
    ['123-45-6789', 'national-id'],
  ];
  for (const [value, category] of byValue) {
    it(`${value} is ${category}`, () => {
      assert.deepEqual(classifier.classifyValue('field', value), { category, sensitivity: classifier.categories.find((c) => c.id === category)?.sensitivity, reason: 'value' });
    });
  }

  it('an IP address value is personal only on a person', () => {
    assert.equal(classifier.classifyValue('remote', '203.0.113.7')?.category, undefined);
    assert.equal(classifier.classifyValue('remote', '203.0.113.7', onPerson)?.category, 'ip-address');
    assert.equal(classifier.classifyValue('remote', '2001:db8::1', onPerson)?.category, 'ip-address');
  });

  it('ISO dates, times, plain numbers and words are not personal by value', () => {
    for (const value of ['1990-05-17', '2021-01-20T10:00:00Z', '12:30:00', '1234567890', 'hello', 42, true, null]) {
      assert.equal(classifier.classifyValue('field', value), undefined, String(value));
    }
  });

  it('a birthday is known by its name, whatever its value looks like', () => {
    assert.equal(classifier.classifyValue('birthday', '1990-05-17')?.category, 'birthday');
    assert.equal(classifier.classifyValue('dob', '17/05/1990')?.category, 'birthday');
  });

  it('the name rules come first, with reason name', () => {
    assert.deepEqual(classifier.classifyValue('age', 34), { category: 'age', sensitivity: 'demographic', reason: 'name' });
  });

  it('a boolean value under a personal name holds no personal data', () => {
    assert.equal(classifier.classifyValue('email', true), undefined);
    assert.equal(classifier.classifyValue('is_profile_private', true)?.category, 'privacy-preference');
  });

  it('looks into arrays of values', () => {
    assert.equal(classifier.classifyValue('cc', ['ann@example.com', 'bob@example.com'])?.category, 'email');
  });
});

describe('the x-personal-data extension overrides the rules', () => {
  it('names the category of a field the rules would miss', () => {
    assert.deepEqual(classifier.classifyField('handle_2', { type: 'string', 'x-personal-data': 'username' }), { category: 'username', sensitivity: 'online-identifier', reason: 'extension' });
  });

  it('false clears a field the rules would classify', () => {
    assert.equal(classifier.classifyField('email', { type: 'string', 'x-personal-data': false }), undefined);
  });

  it('a disabled category stays off', () => {
    const noActivity = createClassifier({ disable: ['activity'] });
    assert.equal(noActivity.classifyField('x', { 'x-personal-data': 'activity' }), undefined);
  });

  it('an unknown category is a SpecError naming the property', () => {
    assert.throws(() => classifier.classifyField('contact', { 'x-personal-data': 'emial' }), (error: unknown) => {
      assert.ok(error instanceof SpecError);
      assert.match(error.message, /'contact'.*x-personal-data.*"emial"/);
      assert.match(error.hint ?? '', /email/);
      return true;
    });
  });
});

describe('credentials are classified apart, as secrets', () => {
  for (const name of ['password', 'client_secret', 'api_key', 'apiKey', 'access_token', 'refreshToken', 'token', 'private_key']) {
    it(`${name} is a credential`, () => {
      assert.equal(classifier.classifyField(name)?.sensitivity, 'credential');
    });
  }

  it('a reference to a secret (an object, as in Kubernetes) and paging tokens are not secrets', () => {
    assert.equal(categoryOf('passwordSecret', { type: 'object', properties: { name: {}, key: {} } }), undefined);
    assert.equal(categoryOf('next_page_token'), undefined);
    assert.equal(categoryOf('max_tokens'), undefined);
    assert.equal(categoryOf('token_type'), undefined);
  });
});

describe('classifySchema walks nested, shared and recursive schemas', () => {
  // Shared: several properties reach the same Address and the same User. Recursive: a User's
  // followers are Users, and a User's teams are Teams whose lead and members are Users.
  const address: Record<string, unknown> = { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' }, label: { type: 'string' } } };
  const user: Record<string, unknown> = { type: 'object', title: 'User', properties: {} };
  const team: Record<string, unknown> = { type: 'object', title: 'Team', properties: {} };
  Object.assign(user.properties as object, {
    id: { type: 'integer' },
    email: { type: 'string' },
    home_address: { allOf: [address] },
    address,
    followers: { type: 'array', items: user },
    teams: { type: 'array', items: team },
    settings: { type: 'object', additionalProperties: { type: 'object', properties: { secret: { type: 'string' } } } },
  });
  Object.assign(team.properties as object, { id: { type: 'integer' }, name: { type: 'string' }, lead: user, members: { type: 'array', items: user } });
  const ride = { type: 'object', properties: { id: { type: 'string' }, instructor: user, crew: team, pickup: address } };

  it('terminates and gives each personal field with its path', () => {
    assert.deepEqual(summary(classifier.classifySchema(user)), {
      id: 'person-id',
      email: 'email',
      home_address: 'postal-address',
      address: 'postal-address',
      'home_address.street': 'postal-address',
      'home_address.city': 'location',
      'address.street': 'postal-address',
      'address.city': 'location',
      'settings.*.secret': 'credential',
    });
  });

  it('never enters a schema from inside itself: the followers and team members of a User are Users already walked', () => {
    const paths = classifier.classifySchema(user).map((field) => field.path);
    assert.ok(!paths.some((path) => path.startsWith('followers') || path.startsWith('teams')));
  });

  it('reports a shared schema under every path that reaches it, shortest first', () => {
    const paths = classifier.classifySchema(ride).map((field) => field.path);
    for (const path of ['instructor.email', 'crew.lead.email', 'crew.members[].email', 'instructor.address.city', 'crew.lead.address.city']) {
      assert.ok(paths.includes(path), path);
    }
    assert.ok(paths.indexOf('instructor.email') < paths.indexOf('crew.lead.email'));
    assert.ok(paths.indexOf('crew.lead.email') < paths.indexOf('crew.lead.address.city'));
  });

  it('an address or location of a person is about that person; the pickup address of a ride is a place', () => {
    const fields = summary(classifier.classifySchema(ride));
    assert.equal(fields['pickup.street'], 'postal-address');
    assert.equal(fields['pickup.city'], undefined);
    assert.equal(fields['instructor.address.city'], 'location');
  });

  it('a Team is not a person: its id and name are not personal', () => {
    const fields = summary(classifier.classifySchema(ride));
    assert.equal(fields['crew.id'], undefined);
    assert.equal(fields['crew.name'], undefined);
    assert.equal(fields['crew.lead.id'], 'person-id');
  });

  it('hands back the property schema and the schema declaring it, for the caller to locate', () => {
    const email = classifier.classifySchema(user).find((field) => field.path === 'email');
    assert.equal(email?.schema, (user.properties as Record<string, unknown>).email);
    assert.equal(email?.parent, user);
    const street = classifier.classifySchema(user).find((field) => field.path === 'home_address.street');
    assert.equal(street?.parent, address);
  });

  it('takes component names from nameOf, so a $ref-resolved Rider is person-like', () => {
    const rider = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } };
    const leaderboard = { type: 'object', properties: { entries: { type: 'array', items: rider } } };
    assert.deepEqual(summary(classifier.classifySchema(leaderboard)), {});
    const names = new Map<object, string>([[rider, 'Rider']]);
    assert.deepEqual(summary(classifier.classifySchema(leaderboard, { nameOf: (schema) => names.get(schema) })), {
      'entries[].id': 'person-id',
      'entries[].name': 'name',
    });
  });

  it('a property named for people makes its inline schema person-like: owner: { id, name }', () => {
    const repository = { properties: { id: { type: 'integer' }, name: { type: 'string' }, owner: { properties: { id: { type: 'integer' }, name: { type: 'string' } } } } };
    assert.deepEqual(summary(classifier.classifySchema(repository, { name: 'Repository' })), { 'owner.id': 'person-id', 'owner.name': 'name' });
  });

  it('an array at the root gives paths starting with []', () => {
    assert.deepEqual(summary(classifier.classifySchema({ type: 'array', items: { properties: { email: {} } } })), { '[].email': 'email' });
  });

  it('stops on a graph whose paths would never end', () => {
    // Every node refers to every other: the number of paths grows exponentially with depth.
    const schemas = Array.from({ length: 12 }, (_, i): { properties: Record<string, unknown> } => ({ properties: { [`user_id_${i}`]: { type: 'string' } } }));
    for (const schema of schemas) {
      schemas.forEach((other, j) => {
        schema.properties[`next${j}`] = other;
      });
    }
    const started = performance.now();
    const fields = classifier.classifySchema(schemas[0] ?? {});
    assert.ok(performance.now() - started < 5_000);
    for (let i = 0; i < schemas.length; i++) assert.ok(fields.some((field) => field.name === `user_id_${i}`), `user_id_${i}`);
  });
});

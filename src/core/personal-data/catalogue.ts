/**
 * The built-in catalogue of personal data: which field names, schema formats and observed values
 * say that a field holds data about a person, and of what kind. Data only; `classify.ts` compiles
 * it. The categories cover what leaked from Peloton's API in 2021 (age, gender, location, weight,
 * birthday, username, photo, workout stats, the private-profile flag) and the usual rest.
 *
 * Name patterns are matched on the *words* of a field name, never on its characters, so `usage`
 * and `message` never match `age` and `language` never matches `gender`. See {@link Evidence}.
 */

/**
 * How much harm a leak of a category does, and of which kind. `special` is GDPR art. 9-like data
 * (health, biometrics, beliefs); `credential` is a secret, not personal data as such: whoever
 * reads it can act as the person. `behavioural` is what a person does (workouts, followers),
 * `preference` a choice about their data (the private-profile flag itself).
 *
 * @example
 * ```ts
 * const severe: Sensitivity[] = ['special', 'financial', 'credential'];
 * ```
 */
export type Sensitivity =
  | 'identifier'
  | 'online-identifier'
  | 'contact'
  | 'demographic'
  | 'location'
  | 'special'
  | 'financial'
  | 'credential'
  | 'behavioural'
  | 'preference';

/**
 * Every sensitivity, for validating and listing.
 *
 * @example
 * ```ts
 * SENSITIVITIES.includes(input as Sensitivity);
 * ```
 */
export const SENSITIVITIES: readonly Sensitivity[] = [
  'identifier',
  'online-identifier',
  'contact',
  'demographic',
  'location',
  'special',
  'financial',
  'credential',
  'behavioural',
  'preference',
];

/** JSON Schema type names. */
export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

export const JSON_TYPES: readonly JsonType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

/**
 * What puts a field in a category.
 *
 * A *name pattern* is a sequence of words, written in any case style (`first name`, `firstName`,
 * `first-name` are the same pattern). Words are split at case changes, `_`, `-`, spaces and digits
 * (digits are dropped), lower-cased, and plurals made singular, on both sides. A pattern matches a
 * field name when its words appear in it in a row, and every word after them is a qualifier such as
 * `hash` or a unit (see {@link QUALIFIER_WORDS}): `user_email` and `weight_kg` match,
 * `email_verified` and `image_size` do not, because they are about the data, not the data.
 * `^` anchors a pattern at the first word, `$` forbids any word after it.
 *
 * @example
 * ```ts
 * const evidence: Evidence = { names: ['heart rate', '^hr$'], formats: [], values: [] };
 * ```
 */
export interface Evidence {
  /** Name patterns. */
  names?: readonly string[];
  /** JSON Schema `format` values (`email`, `ipv4`) that put a field in the category whatever its name. */
  formats?: readonly string[];
  /** Regular expression sources (Unicode mode) that an observed string value matches whole. */
  values?: readonly string[];
}

/**
 * One category of personal data.
 *
 * @example
 * ```ts
 * const loyalty: CategoryDefinition = {
 *   id: 'loyalty-number',
 *   label: 'Loyalty card number',
 *   sensitivity: 'identifier',
 *   names: ['loyalty number', 'membership number'],
 *   description: 'Number on a customer loyalty card',
 * };
 * ```
 */
export interface CategoryDefinition extends Evidence {
  /** Stable id, lower-case words joined by `-`; what `x-personal-data` and configs name. */
  id: string;
  label: string;
  sensitivity: Sensitivity;
  names: readonly string[];
  /** Evidence that counts only on a person-like schema (`name` of a User, not of a Product). */
  person?: Evidence;
  /** Name patterns that rule the category out wherever they occur in a name (`max age`). */
  unless?: readonly string[];
  /**
   * JSON Schema types the field may have, checked when its schema (or its observed value) says;
   * arrays count as the type of their items. Default: every type but `boolean`, because a boolean
   * says something *about* personal data (`has_avatar`) rather than holding it.
   */
  types?: readonly JsonType[];
  description: string;
}

/**
 * Words that may follow a name pattern without changing what the field holds: `email_hash`,
 * `weight_kg`, `age_in_years`, `location_history`. Not `url`: `emails_url` and `locations_url`
 * are links to API resources; the photo category names its URLs itself.
 */
export const QUALIFIER_WORDS: readonly string[] = [
  'number', 'num', 'no', 'nr', 'value', 'val',
  'hash', 'hashed', 'digest', 'encrypted', 'masked', 'redacted', 'raw', 'plain', 'text', 'str', 'string',
  'formatted', 'normalized', 'full', 'list', 'array', 'set',
  'group', 'range', 'bracket', 'band', 'bucket', 'identity',
  'date', 'year', 'month', 'day', 'data', 'info', 'information', 'detail', 'history', 'log',
  'confirmation', 'confirm', 'new', 'old', 'current', 'previous',
  'small', 'medium', 'large', 'big', 'thumb', 'thumbnail', 'original',
  'kg', 'lb', 'pound', 'g', 'gram', 'oz', 'cm', 'mm', 'm', 'meter', 'metre', 'in', 'inch', 'ft', 'feet', 'foot',
  'bpm', 'kcal', 'cal', 'mmhg',
];

/**
 * Nouns for people. A schema whose name ends in one (`User`, `RiderProfile`, `simple-user`,
 * `UserResponse` after {@link SCHEMA_NAME_WRAPPERS}) describes a person, and `<noun>_id` points at
 * one. Nouns in {@link AMBIGUOUS_PERSON_NOUNS} need a personal field to back them.
 */
export const PERSON_NOUNS: readonly string[] = [
  'user', 'person', 'people', 'profile', 'member', 'customer', 'rider', 'account', 'contact', 'employee',
  'patient', 'student', 'author', 'owner', 'follower', 'followee', 'subscriber', 'participant', 'attendee',
  'passenger', 'instructor', 'athlete', 'citizen', 'applicant', 'candidate', 'guest', 'recipient', 'sender',
  'cardholder', 'individual', 'creator', 'reviewer', 'assignee', 'collaborator', 'buyer', 'shopper',
  'visitor', 'beneficiary', 'staff', 'teammate', 'friend', 'me',
];

/** Person nouns that also name things: a bank, ledger or service account is nobody. */
export const AMBIGUOUS_PERSON_NOUNS: readonly string[] = ['account'];

/**
 * Nouns for groups and things, whose schemas never describe a person however many contact fields
 * they carry: an organization's email is still an email, but its id is not a person's.
 */
export const NON_PERSON_NOUNS: readonly string[] = [
  'organization', 'organisation', 'org', 'company', 'business', 'merchant', 'enterprise', 'team', 'group',
  'tenant', 'workspace', 'project', 'repository', 'repo', 'product', 'app', 'application', 'installation',
  'store', 'shop', 'vendor', 'supplier',
];

/** Words that schema names add after the noun without changing what they describe: `UserDto`. */
export const SCHEMA_NAME_WRAPPERS: readonly string[] = [
  'response', 'request', 'dto', 'model', 'entity', 'detail', 'info', 'data', 'object', 'summary',
  'read', 'create', 'update', 'input', 'output', 'out', 'in', 'schema', 'view', 'record', 'resource',
  'item', 'payload', 'result', 'body', 'representation', 'public', 'private', 'full', 'basic', 'simple',
  'base', 'v',
];

const PERSON_ID_NOUNS = PERSON_NOUNS.filter((noun) => !['me', 'people', ...AMBIGUOUS_PERSON_NOUNS].includes(noun));
/** `user_name` is a username and `account_name` or `profile_name` rarely a person's name. */
const PERSON_NAME_NOUNS = PERSON_ID_NOUNS.filter((noun) => !['user', 'profile'].includes(noun));

/** A picture and its address: `avatar`, `avatar_url`, `image_uri`. */
function withLinks(words: readonly string[]): string[] {
  return words.flatMap((word) => [word, `${word} url`, `${word} uri`, `${word} link`]);
}

const TEXT_TYPES: readonly JsonType[] = ['string', 'object', 'array', 'null'];

const IPV4 = String.raw`^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$`;
const IPV6_FULL = String.raw`^(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}$`;
const IPV6_SHORT = String.raw`^(?=[0-9A-Fa-f:]*::)[0-9A-Fa-f:]{2,39}$`;

/**
 * The built-in categories, in the order they win ties (see `classify.ts`).
 *
 * @example
 * ```ts
 * const email = CATALOGUE.find((category) => category.id === 'email');
 * ```
 */
export const CATALOGUE: readonly CategoryDefinition[] = [
  {
    id: 'person-id',
    label: 'Person identifier',
    sensitivity: 'identifier',
    names: [
      ...PERSON_ID_NOUNS.flatMap((noun) => [`${noun} id`, `${noun} uuid`, `${noun} guid`]),
      'userid', 'customerid', 'memberid', 'created by', 'updated by', 'modified by', 'deleted by', 'owned by',
    ],
    person: { names: ['^id$', '^uuid$', '^guid$'] },
    types: ['string', 'integer', 'number', 'object', 'array', 'null'],
    description: 'Identifier of a person in this system (user_id, follower_ids, a User\'s id): the key to enumerate people by',
  },
  {
    id: 'name',
    label: 'Personal name',
    sensitivity: 'identifier',
    names: [
      'first name', 'last name', 'given name', 'family name', 'middle name', 'maiden name', 'surname', 'firstname',
      'lastname', 'forename', 'nickname', ...PERSON_NAME_NOUNS.map((noun) => `${noun} name`),
    ],
    person: { names: ['^name$', '^display name$', '^displayname$', 'full name', 'fullname', 'legal name', 'real name', 'preferred name'] },
    unless: ['company', 'business', 'organization', 'organisation', 'merchant', 'brand', 'repository', 'product', 'file'],
    types: TEXT_TYPES,
    description: 'A person\'s name, given, family or displayed',
  },
  {
    id: 'username',
    label: 'Username or handle',
    sensitivity: 'online-identifier',
    names: ['username', 'user name', 'screen name', 'screenname', 'leaderboard name', 'gamertag', 'user handle', 'login name'],
    person: { names: ['^handle$', '^login$'] },
    types: TEXT_TYPES,
    description: 'The name a person is known by on the service; searchable, so it links accounts across services',
  },
  {
    id: 'email',
    label: 'Email address',
    sensitivity: 'contact',
    names: ['email', 'e mail', 'email address', 'emailaddress', 'mail address'],
    formats: ['email', 'idn-email'],
    values: [String.raw`^[^\s@]{1,64}@[^\s@.]+(?:\.[^\s@.]+)+$`],
    person: { names: ['^mail$'] },
    types: TEXT_TYPES,
    description: 'An email address',
  },
  {
    id: 'phone',
    label: 'Phone number',
    sensitivity: 'contact',
    names: [
      'phone', 'telephone', 'phone number', 'phonenumber', 'mobile number', 'mobile phone', 'cell phone', 'msisdn',
      'fax', 'fax number',
    ],
    formats: ['phone', 'tel'],
    values: [String.raw`^\+[1-9]\d{7,14}$`, String.raw`^\+[1-9][\d ().-]{7,20}\d$`, String.raw`^\(\d{3}\) ?\d{3}[ .-]\d{4}$`],
    person: { names: ['^mobile$', '^cell$', '^tel$'] },
    types: ['string', 'integer', 'number', 'object', 'array', 'null'],
    description: 'A telephone, mobile or fax number',
  },
  {
    id: 'postal-address',
    label: 'Postal address',
    sensitivity: 'contact',
    names: [
      'street', 'street address', 'street name', 'postal address', 'home address', 'billing address', 'shipping address',
      'mailing address', 'residential address', 'delivery address', 'address line', 'addressline', 'house number',
      'postcode', 'post code', 'postal code', 'postalcode', 'zip$', 'zip code', 'zipcode',
    ],
    person: { names: ['address'] },
    unless: ['wallet address', 'web address'],
    types: TEXT_TYPES,
    description: 'Where a person lives or receives mail: street, postcode, or a whole address',
  },
  {
    id: 'location',
    label: 'Location',
    sensitivity: 'location',
    names: [
      'home location', 'current location', 'last location', 'last known location', 'hometown', 'home town',
      'home city', 'residence', 'birthplace', 'place of birth', 'whereabout', ...PERSON_ID_NOUNS.map((noun) => `${noun} location`),
    ],
    person: {
      names: [
        'location', 'city', 'city name', 'town', 'region', 'region name', 'province', 'country', 'country name', 'country code',
        'locality', 'time zone', 'timezone', '^tz$',
      ],
    },
    types: TEXT_TYPES,
    description: 'Where a person is or lives, coarser than an address: "Austin, TX", city, region, country. A bare location is a person\'s only on a person: code, cloud regions and warehouses have locations too',
  },
  {
    id: 'geo-coordinates',
    label: 'Geographic coordinates',
    sensitivity: 'location',
    names: [
      'latitude', 'longitude', 'lat', 'lng', 'lon', 'geo', 'geolocation', 'geo location', 'geo point', 'geopoint',
      'geohash', 'gps', 'coordinate', 'gps coordinate',
    ],
    types: ['number', 'string', 'object', 'array', 'null'],
    description: 'Latitude and longitude: where a person is, to a few metres',
  },
  {
    id: 'birthday',
    label: 'Date of birth',
    sensitivity: 'demographic',
    names: ['birthday', 'birth', 'birthdate', 'date of birth', 'dateofbirth', 'dob', 'born', 'born on', 'bday'],
    types: ['string', 'integer', 'object', 'null'],
    description: 'Birthday, date or year of birth. A plain date value alone is not taken for one: created_at is a date too',
  },
  {
    id: 'age',
    label: 'Age',
    sensitivity: 'demographic',
    names: ['age', 'age group', 'age range', 'age bracket'],
    unless: ['max age', 'min age', 'maximum age', 'minimum age', 'cache age', 'account age'],
    types: ['integer', 'number', 'string', 'object', 'null'],
    description: 'A person\'s age or age range',
  },
  {
    id: 'gender',
    label: 'Gender or sex',
    sensitivity: 'demographic',
    names: ['gender', 'sex', 'gender identity', 'pronoun'],
    types: TEXT_TYPES,
    description: 'Gender, sex or pronouns',
  },
  {
    id: 'weight',
    label: 'Body weight',
    sensitivity: 'demographic',
    names: ['body weight', 'bodyweight'],
    person: { names: ['weight', 'weight class'] },
    unless: ['font weight', 'image weight'],
    types: ['number', 'integer', 'string', 'object', 'null'],
    description: 'Body weight, or a weight class that reveals it; a parcel\'s weight is not a person\'s',
  },
  {
    id: 'height',
    label: 'Body height',
    sensitivity: 'demographic',
    names: ['body height'],
    person: { names: ['height'] },
    unless: ['line height', 'image height', 'photo height', 'picture height', 'avatar height', 'banner height'],
    types: ['number', 'integer', 'string', 'object', 'null'],
    description: 'Body height; an image\'s height is not a person\'s',
  },
  {
    id: 'health',
    label: 'Health data',
    sensitivity: 'special',
    names: [
      'heart rate', 'heartrate', 'heart rate zone', 'calorie', 'calorie burned', 'kcal', 'blood pressure', 'blood type',
      'blood group', 'blood sugar', 'blood glucose', 'glucose', 'cholesterol', 'medical', 'medical condition',
      'medical record', 'health record', 'health data', 'health condition', 'mental health', 'diagnosis', 'medication',
      'prescription', 'allergy', 'disability', 'pregnancy', 'pregnant', 'symptom', 'injury', 'vaccination', 'bmi',
      'body mass index', 'body fat', 'vo max', 'spo', 'oxygen saturation', 'menstrual', 'biometric', 'face template',
      'voiceprint',
    ],
    description: 'Data about a person\'s body or health, including biometrics: heart rate, calories, blood pressure, diagnoses',
  },
  {
    id: 'sensitive-trait',
    label: 'Origin, beliefs or orientation',
    sensitivity: 'special',
    names: [
      'ethnicity', 'ethnic origin', 'race', 'religion', 'religious belief', 'sexual orientation', 'political opinion',
      'political party', 'political affiliation', 'trade union', 'union membership',
    ],
    description: 'Racial or ethnic origin, religion, political opinion, trade-union membership, sexual orientation',
  },
  {
    id: 'activity',
    label: 'Activity and social statistics',
    sensitivity: 'behavioural',
    names: [
      'workout', 'total workout', 'workout count', 'workout streak', 'total ride', 'ride count', 'total follower',
      'follower count', 'total following', 'following count', 'step count', 'daily step', 'total step',
      'sleep duration', 'sleep score', 'personal record', 'personal best', 'total output',
    ],
    types: ['integer', 'number', 'string', 'object', 'array', 'null'],
    description: 'What a person does and who follows them: workout counts and stats, followers, steps, sleep',
  },
  {
    id: 'photo',
    label: 'Photo or avatar',
    sensitivity: 'identifier',
    names: withLinks([
      'avatar', 'gravatar', 'headshot', 'selfie', 'profile image', 'profile photo', 'profile picture', 'profile pic',
      'user image', 'user photo', 'user picture',
    ]),
    person: { names: withLinks(['image', 'photo', 'picture', 'pic', 'portrait']) },
    types: TEXT_TYPES,
    description: 'A picture of a person or its URL (image_url of a user); a product\'s image is not one',
  },
  {
    id: 'ip-address',
    label: 'IP address',
    sensitivity: 'online-identifier',
    names: [
      'client ip', 'remote ip', 'user ip', 'customer ip', 'actor ip', 'last ip', 'login ip', 'last login ip', 'signup ip',
      'sign in ip', 'registration ip', 'browser ip', 'x forwarded for',
    ],
    person: { names: ['ip', 'ip address', 'ipaddress'], formats: ['ipv4', 'ipv6'], values: [IPV4, IPV6_FULL, IPV6_SHORT] },
    types: TEXT_TYPES,
    description: 'The IP address a person connects from. Servers have addresses too, so a bare ip counts only on a person',
  },
  {
    id: 'device-id',
    label: 'Device or advertising identifier',
    sensitivity: 'online-identifier',
    names: [
      'device id', 'deviceid', 'udid', 'idfa', 'idfv', 'gaid', 'advertising id', 'ad id', 'imei', 'push token',
      'device token', 'cookie id',
    ],
    person: { names: ['mac address'] },
    types: TEXT_TYPES,
    description: 'Identifiers of a person\'s phone, browser or device that track them across sessions',
  },
  {
    id: 'national-id',
    label: 'National identifier',
    sensitivity: 'identifier',
    names: [
      'ssn', 'social security', 'social security number', 'national id', 'national identification number',
      'national insurance number', 'nino', 'passport', 'passport number', 'tax id', 'tax number', 'taxpayer id',
      'driver license', 'drivers license', 'driving licence', 'driving license', 'id card', 'identity card',
      'identity number', 'personal number', 'personnummer', 'aadhaar', 'nric', 'cpf',
    ],
    values: [String.raw`^\d{3}-\d{2}-\d{4}$`],
    types: TEXT_TYPES,
    description: 'Government identifiers: social security or national insurance number, passport, tax id, driving licence',
  },
  {
    id: 'payment-card',
    label: 'Payment card',
    sensitivity: 'financial',
    names: ['card number', 'cardnumber', 'credit card', 'debit card', 'cvv', 'cvc', 'card security code', 'card verification'],
    values: [
      String.raw`^(?:4\d{3}|5[1-5]\d{2}|2[2-7]\d{2}|6011|65\d{2})(?:[ -]?\d{4}){3}$`,
      String.raw`^3[47]\d{2}[ -]?\d{6}[ -]?\d{5}$`,
    ],
    types: TEXT_TYPES,
    description: 'A payment card number or its security code',
  },
  {
    id: 'bank-account',
    label: 'Bank account',
    sensitivity: 'financial',
    names: ['iban', 'bank account', 'bank account number', 'account number', 'routing number', 'sort code'],
    types: TEXT_TYPES,
    description: 'A bank account: IBAN, account and routing number, sort code',
  },
  {
    id: 'credential',
    label: 'Credential or secret',
    sensitivity: 'credential',
    names: [
      'password', 'passwd', 'pwd', 'passphrase', 'secret', 'client secret', 'secret key', 'api key', 'apikey',
      'access key', 'private key', 'access token', 'refresh token', 'id token', 'auth token', 'bearer token',
      'session token', 'api token', 'csrf token', 'reset token', 'verification token', '^token$', 'session id',
      'sessionid', 'otp', 'one time password', 'totp secret', 'recovery code', 'pin code', 'security answer',
      'credential',
    ],
    formats: ['password'],
    unless: ['secret name', 'key name', 'public api key', 'publishable key', 'pull secret', 'secret scanning'],
    // An object named like a secret is a reference to one (Kubernetes' passwordSecret: {name, key}).
    types: ['string', 'array', 'null'],
    description: 'Passwords, tokens and keys. A secret rather than personal data: whoever reads it can act as the person',
  },
  {
    id: 'privacy-preference',
    label: 'Privacy preference',
    sensitivity: 'preference',
    names: [
      'profile private', 'private profile', 'profile privacy', 'profile visibility', 'privacy setting', 'private account',
      'account private',
    ],
    person: { names: ['privacy', '^private$', '^is private$', '^visibility$'] },
    types: ['boolean', 'string', 'object', 'null'],
    description: 'A person\'s choice about who may see their data (is_profile_private): the flag every response must honour',
  },
];

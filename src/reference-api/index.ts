/**
 * The embedded reference API: a Peloton-like connected-fitness service that replays the 2021 leak
 * in-process, in three modes, with the flaws it plants listed as data.
 *
 * @example
 * import { startReferenceApi, SEED } from './reference-api/index.ts';
 * const api = await startReferenceApi({ mode: 'leaky' });
 * const erin = SEED.people.find((person) => person.username === 'erin');
 * await fetch(`${api.url}/api/user/${erin?.id}`); // a private profile, no login needed
 * await api.close();
 */
export type { Mode } from './modes.ts';
export { MODES } from './modes.ts';
export type { ReferenceApi, ReferenceApiOptions } from './server.ts';
export { startReferenceApi } from './server.ts';
export type { Credentials, Follow, Person, Ride, Role, Seed, Workout } from './seed.ts';
export { SEED, SEEDED_CREDENTIALS, seededPersonId } from './seed.ts';
export type { Attacker, Exploit, FlawKind, OwaspApiRisk, PlantedFlaw } from './flaws.ts';
export { PLANTED_FLAWS } from './flaws.ts';
export { referenceApiGatewayConfigPath, referenceApiScanConfigPath, referenceApiSpecPath } from './routes/description.ts';
export type { ExploitOutcome, ProbeRequest } from './exploit.ts';
export { identityToken, replayExploit, sendRequest } from './exploit.ts';

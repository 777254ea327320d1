/**
 * CSAF 2.0 distribution (section 7): what a CSAF provider serves so that aggregators, scanners and
 * customers find and fetch its advisories without asking. Directory-based, from the tracker itself:
 * - the provider metadata at `/.well-known/csaf/provider-metadata.json` (requirements 7 and 9),
 *   named in security.txt's `CSAF` field (8);
 * - one folder for TLP:WHITE documents, with a folder per year of initial release (11), `index.txt`
 *   (12), `changes.csv` (13) and directory listings (14);
 * - a SHA-256 and a SHA-512 of every document (18).
 *
 * Documents are not signed with OpenPGP (requirements 19 and 20), so the role is `csaf_provider`,
 * not `csaf_trusted_provider`. TLS (requirement 3) is the deployment's: `publicUrl` must be https.
 */
import { createHash } from 'node:crypto';
import type { Publisher } from './input.ts';

export const PROVIDER_METADATA_PATH = '/.well-known/csaf/provider-metadata.json';
/** The directory of TLP:WHITE documents: every published revision is TLP:WHITE. */
export const WHITE_DIRECTORY = '/.well-known/csaf/white/';

/** What the distribution needs of a published advisory: the latest revision's tracking facts. */
export interface DistributedAdvisory {
  /** `/document/tracking/id`. */
  trackingId: string;
  /** `/document/tracking/initial_release_date`: its year names the folder. */
  initialReleaseDate: string;
  /** `/document/tracking/current_release_date`: the order of `changes.csv`. */
  currentReleaseDate: string;
}

/**
 * The file name CSAF 2.0 section 5.1 derives from a tracking id: lower case, and every run of
 * characters other than `+`, `-`, `a`–`z` and `0`–`9` replaced by one `_`.
 *
 * @example
 * ```ts
 * csafFileName('Example Company - 2019-YH3234'); // 'example_company_-_2019-yh3234.json'
 * ```
 */
export function csafFileName(trackingId: string): string {
  return `${trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_')}.json`;
}

/** The document's path inside the TLP:WHITE directory: `YEAR/FILE.json` (requirement 11). */
export function distributionPath(advisory: DistributedAdvisory): string {
  return `${advisory.initialReleaseDate.slice(0, 4)}/${csafFileName(advisory.trackingId)}`;
}

/** `index.txt` (requirement 12): every document's path, one per line. */
export function indexTxt(advisories: readonly DistributedAdvisory[]): string {
  return advisories.map(distributionPath).sort().map((path) => `${path}\n`).join('');
}

/**
 * `changes.csv` (requirement 13): each document's path and current release date, both quoted,
 * the most recent change first. No value can hold a quote: paths are built from `[+\-a-z0-9_/.]`
 * and dates are ISO 8601.
 */
export function changesCsv(advisories: readonly DistributedAdvisory[]): string {
  return [...advisories]
    .sort((a, b) => (a.currentReleaseDate === b.currentReleaseDate ? (distributionPath(a) < distributionPath(b) ? -1 : 1) : a.currentReleaseDate < b.currentReleaseDate ? 1 : -1))
    .map((a) => `"${distributionPath(a)}","${a.currentReleaseDate}"\n`)
    .join('');
}

export interface ProviderMetadataInput {
  /** The tracker's public address, without a trailing slash. */
  publicUrl: string;
  publisher: Publisher;
  /** When the distribution last changed: the latest revision's release, ISO 8601. */
  lastUpdated: string;
  listOnAggregators: boolean;
  mirrorOnAggregators: boolean;
}

/**
 * `provider-metadata.json` (requirement 7), in the shape of CSAF 2.0's provider metadata schema.
 *
 * @example
 * ```ts
 * providerMetadata({ publicUrl: 'https://security.example.com', publisher, lastUpdated: '2026-11-25T10:00:00.000Z', listOnAggregators: true, mirrorOnAggregators: true });
 * ```
 */
export function providerMetadata(input: ProviderMetadataInput): object {
  const { publisher } = input;
  return {
    canonical_url: `${input.publicUrl}${PROVIDER_METADATA_PATH}`,
    distributions: [{ directory_url: `${input.publicUrl}${WHITE_DIRECTORY}` }],
    last_updated: input.lastUpdated,
    list_on_CSAF_aggregators: input.listOnAggregators,
    metadata_version: '2.0',
    mirror_on_CSAF_aggregators: input.mirrorOnAggregators,
    publisher: {
      category: publisher.category,
      name: publisher.name,
      namespace: publisher.namespace,
      ...(publisher.contactDetails === undefined || publisher.contactDetails.trim() === '' ? {} : { contact_details: publisher.contactDetails }),
    },
    role: 'csaf_provider',
  };
}

export type ChecksumAlgorithm = 'sha256' | 'sha512';

/**
 * A document's `.sha256` or `.sha512` file (requirement 18), as `sha256sum` writes it: the hash
 * in hex, two spaces and the file's name, so that `sha256sum -c` checks a downloaded copy.
 */
export function checksumFile(text: string, fileName: string, algorithm: ChecksumAlgorithm): string {
  return `${createHash(algorithm).update(text, 'utf8').digest('hex')}  ${fileName}\n`;
}

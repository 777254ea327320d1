/** Advisories for resolved cases: CSAF 2.0 for machines, Markdown for people. */
export type { AdvisoryInput, AdvisoryProduct, Publisher, PublisherCategory, RevisionEntry } from './input.ts';
export { AdvisoryError } from './input.ts';
export { csafAdvisory, CsafInvalidError } from './csaf.ts';
export { validateCsaf } from './csaf-validate.ts';
export { markdownAdvisory } from './markdown.ts';
export type { ChecksumAlgorithm, DistributedAdvisory, ProviderMetadataInput } from './distribution.ts';
export { changesCsv, checksumFile, csafFileName, distributionPath, indexTxt, PROVIDER_METADATA_PATH, providerMetadata, WHITE_DIRECTORY } from './distribution.ts';

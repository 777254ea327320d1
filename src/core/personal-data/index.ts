/**
 * Personal data in API descriptions and responses: the catalogue of categories, and the
 * classifier that scan, audit and gateway ask which fields hold personal data.
 *
 * @example
 * ```ts
 * import { createClassifier } from './core/personal-data/index.ts';
 *
 * const classifier = createClassifier();
 * classifier.classifyField('is_profile_private'); // { category: 'privacy-preference', ... }
 * for (const field of classifier.classifySchema(userSchema, { name: 'User' })) console.log(field.path, field.category);
 * ```
 */
export { CATALOGUE, SENSITIVITIES } from './catalogue.ts';
export type { CategoryDefinition, Evidence, JsonType, Sensitivity } from './catalogue.ts';
export { createClassifier, namesPerson } from './classify.ts';
export type { Classification, ClassificationReason, Classifier, FieldContext } from './classify.ts';
export { checkPersonalDataConfig, personalDataConfigSchema } from './config.ts';
export type { ConfigCheckOptions, Locate, PersonalDataConfig } from './config.ts';
export { PERSONAL_DATA_EXTENSION } from './rules.ts';
export type { PersonalField, SchemaWalkOptions } from './schema-walk.ts';
export { componentNames, personalDataReturned } from './operations.ts';
export type { ResponsePersonalData } from './operations.ts';

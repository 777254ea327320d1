/** Which personal data an operation of an API model returns, read from its response schemas. */
import type { ApiModel, Operation } from '../model.ts';
import type { Classifier } from './classify.ts';
import type { PersonalField } from './schema-walk.ts';

export interface ResponsePersonalData {
  /** `200`, `2XX`... */
  status: string;
  fields: PersonalField[];
}

/**
 * The personal fields of each successful (2XX) response of `operation`, one entry per status.
 * Component names (`User`, `Rider`) tell the classifier which schemas describe a person.
 *
 * @example
 * ```ts
 * const classifier = createClassifier();
 * const names = componentNames(api);
 * for (const op of api.operations) console.log(op.id, personalDataReturned(op, classifier, names));
 * ```
 */
export function personalDataReturned(operation: Operation, classifier: Classifier, names: ReadonlyMap<object, string>): ResponsePersonalData[] {
  const result: ResponsePersonalData[] = [];
  for (const response of operation.responses) {
    if (!/^2(\d\d|XX)$/i.test(response.status)) continue;
    const fields = new Map<string, PersonalField>();
    for (const { schema } of response.content) {
      if (!schema) continue;
      for (const field of classifier.classifySchema(schema, { nameOf: (node) => names.get(node) })) fields.set(field.path, field);
    }
    if (fields.size > 0) result.push({ status: response.status, fields: [...fields.values()] });
  }
  return result;
}

/** The named schemas of a model, by identity: `$ref`s were replaced by the very same objects. */
export function componentNames(api: ApiModel): Map<object, string> {
  return new Map([...api.schemas].map(([name, schema]) => [schema, name]));
}

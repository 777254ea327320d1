/**
 * GraphQL endpoints, probed like REST ones: one introspection tells which query fields take a
 * person's id (`user(id:)`) or a text query (`searchUsers(query:)`), and what scalar fields their
 * result has. The engine then asks for each person through those fields with the id in a
 * *variable*, as owner, anonymous and everyone else, and the same checks decide on the answers.
 */

/** Asks only for what the probes need, not the whole schema. */
export const INTROSPECTION_QUERY = `query LeakproofIntrospection {
  __schema {
    queryType { name }
    types {
      kind name
      fields { name args { name type { ...Ref } } type { ...Ref } }
    }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`;

interface TypeRef {
  kind: string;
  name: string | null;
  ofType?: TypeRef | null;
}

interface Field {
  name: string;
  args?: { name: string; type: TypeRef }[] | null;
  type: TypeRef;
}

interface IntrospectedType {
  kind: string;
  name: string;
  fields?: Field[] | null;
}

export interface GraphqlProbe {
  /** The query field, e.g. `user`. */
  field: string;
  /** The argument that takes the id or the search text. */
  argument: string;
  /** The argument's GraphQL type as declared, e.g. `ID!`. */
  argumentType: string;
  /** The query with one variable, `$value`, selecting every scalar field of the result. */
  query: string;
}

export interface GraphqlProbes {
  subjects: GraphqlProbe[];
  searches: GraphqlProbe[];
}

const ID_ARGUMENT = /^(?:id|userId|user_id|memberId|member_id|personId|person_id|uuid)$/;
const SEARCH_ARGUMENT = /^(?:q|query|search|term|keyword|prefix|name)$/;

/** The probes an introspection result allows; none when it is not one (introspection turned off). */
export function probesFromIntrospection(json: unknown): GraphqlProbes {
  const schema = (json as { data?: { __schema?: { queryType?: { name?: string } | null; types?: IntrospectedType[] } } } | undefined)?.data?.__schema;
  const types = new Map((schema?.types ?? []).map((type) => [type.name, type]));
  const query = types.get(schema?.queryType?.name ?? 'Query');
  const probes: GraphqlProbes = { subjects: [], searches: [] };
  for (const field of query?.fields ?? []) {
    const args = field.args ?? [];
    const required = args.filter((a) => a.type.kind === 'NON_NULL');
    const [argument] = required.length === 1 ? required : args.length === 1 ? args : [];
    if (!argument) continue;
    const result = types.get(namedType(field.type).name ?? '');
    const scalars = (result?.fields ?? []).filter((f) => (f.args ?? []).length === 0 && ['SCALAR', 'ENUM'].includes(namedType(f.type).kind)).map((f) => f.name);
    if (result?.kind !== 'OBJECT' || scalars.length === 0) continue;
    const argumentType = typeName(argument.type);
    const probe = { field: field.name, argument: argument.name, argumentType, query: `query ($value: ${argumentType}) { ${field.name}(${argument.name}: $value) { ${scalars.join(' ')} } }` };
    const base = namedType(argument.type).name;
    if (ID_ARGUMENT.test(argument.name) && (base === 'ID' || base === 'String' || base === 'Int')) probes.subjects.push(probe);
    else if (SEARCH_ARGUMENT.test(argument.name) && base === 'String') probes.searches.push(probe);
  }
  return probes;
}

function namedType(type: TypeRef): TypeRef {
  let current = type;
  while ((current.kind === 'NON_NULL' || current.kind === 'LIST') && current.ofType) current = current.ofType;
  return current;
}

function typeName(type: TypeRef): string {
  if (type.kind === 'NON_NULL' && type.ofType) return `${typeName(type.ofType)}!`;
  if (type.kind === 'LIST' && type.ofType) return `[${typeName(type.ofType)}]`;
  return type.name ?? 'String';
}

/** A GraphQL endpoint in the description: POST with a JSON body that has a `query` string. */
export function isGraphqlBody(schema: Record<string, unknown> | undefined): boolean {
  const properties = schema?.properties as Record<string, { type?: unknown }> | undefined;
  const query = properties?.query?.type;
  return query === 'string' || (Array.isArray(query) && query.includes('string'));
}

/** Writes leakproof.schema.json from the schemas in the code: npm run schema. */
import { writeFileSync } from 'node:fs';
import { leakproofConfigSchema } from '../src/config-schema.ts';

writeFileSync(new URL('../leakproof.schema.json', import.meta.url), `${JSON.stringify(leakproofConfigSchema, null, 2)}\n`);

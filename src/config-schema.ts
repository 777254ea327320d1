/**
 * The JSON Schema of the whole leakproof.yaml, composed from the core's and each part's section
 * schemas, for editors' completion. Published as leakproof.schema.json (`npm run schema` writes
 * it; a test keeps it in step with the code).
 */
import { auditSectionSchema } from './audit/config.ts';
import { configSchema } from './core/config.ts';
import { discloseSectionSchema } from './disclose/settings.ts';
import { gatewaySectionSchema } from './gateway/config.ts';
import { scanSectionSchema } from './scan/config.ts';

export const leakproofConfigSchema = {
  ...configSchema,
  $id: 'https://leakproof.invalid/leakproof.schema.json',
  properties: {
    ...configSchema.properties,
    scan: { description: configSchema.properties.scan.description, ...scanSectionSchema },
    audit: { description: configSchema.properties.audit.description, ...auditSectionSchema },
    gateway: { description: configSchema.properties.gateway.description, ...gatewaySectionSchema },
    disclose: { description: configSchema.properties.disclose.description, ...discloseSectionSchema },
  },
};

/** The registry of scan checks: adding one is one file and one line here. */
import type { Check } from '../context.ts';
import { bola } from './bola.ts';
import { enumeration } from './enumeration.ts';
import { excessiveDataExposure } from './excessive-data-exposure.ts';
import { functionLevelAuthorization } from './function-level-authorization.ts';
import { jwtWeakness } from './jwt-weakness.ts';
import { massAssignment } from './mass-assignment.ts';
import { missingAuthentication } from './missing-authentication.ts';
import { privateFlagBypass } from './private-flag-bypass.ts';
import { undocumentedEndpoint } from './undocumented-endpoint.ts';
import { unrestrictedResourceConsumption } from './unrestricted-resource-consumption.ts';

export const CHECKS: readonly Check[] = [
  missingAuthentication,
  bola,
  privateFlagBypass,
  excessiveDataExposure,
  enumeration,
  functionLevelAuthorization,
  unrestrictedResourceConsumption,
  undocumentedEndpoint,
  massAssignment,
  jwtWeakness,
];

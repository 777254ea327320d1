/** The OpenAPI document, served as it is on disk: it describes the API, so it needs no login. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Route } from '../route.ts';

/** Absolute path of the reference API's OpenAPI 3.1 document (the API as designed). */
export const referenceApiSpecPath: string = join(import.meta.dirname, '..', 'openapi.yaml');

/** Absolute path of the scan configuration for the reference API (identities, visibility, safety). */
export const referenceApiScanConfigPath: string = join(import.meta.dirname, '..', 'leakproof.yaml');

/** Absolute path of the gateway configuration that puts the fix in front of the leaky modes. */
export const referenceApiGatewayConfigPath: string = join(import.meta.dirname, '..', 'gateway.yaml');

export function readDescription(): Promise<string> {
  return readFile(referenceApiSpecPath, 'utf8');
}

export const descriptionRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/openapi.yaml',
    operationId: 'getOpenApiDocument',
    access: 'anyone',
    takesBody: false,
    handle: (call) => ({ body: call.service.description, contentType: 'application/yaml; charset=utf-8' }),
  },
];

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildOpenApiDocument } from '../../functions/http/openapi';

/**
 * docs/openapi.json is the published API reference (the running service serves the same document at
 * /openapi.json). It is generated from the zod schemas; this test fails when it drifts.
 * Regenerate with `UPDATE_OPENAPI=1 npx jest test/unit/openapi-doc`.
 */
const FILE = resolve(__dirname, '../../docs/openapi.json');

it('docs/openapi.json matches the document generated from the schemas', () => {
  const generated = `${JSON.stringify(buildOpenApiDocument('http://localhost:3000'), null, 2)}\n`;
  if (process.env.UPDATE_OPENAPI === '1') writeFileSync(FILE, generated);
  expect(readFileSync(FILE, 'utf8')).toBe(generated);
});

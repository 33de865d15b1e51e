// Validators built from the published schemas vendored in test/schemas (see its README).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';
import type { FormatsPlugin } from 'ajv-formats';

// Both are CommonJS with a default export that TypeScript's ESM interop does not see as callable.
const require = createRequire(import.meta.url);
const Ajv04 = (require('ajv-draft-04') as { default: typeof Ajv }).default;
const addFormats = (require('ajv-formats') as { default: FormatsPlugin }).default;
import { validateXML } from 'xmllint-wasm';

const schema = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../schemas/${name}`, import.meta.url)), 'utf8')) as Record<string, unknown>;

const describe = (errors: ErrorObject[] | null | undefined) => (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');

// The SARIF 2.1.0 schema is draft-04; its formats (uri, uri-reference, date-time) are checked too.
const sarifAjv = new Ajv04({ allErrors: true, strict: false });
addFormats(sarifAjv);
const sarifValidate = sarifAjv.compile(schema('sarif-schema-2.1.0.json'));

/** Schema errors of a SARIF log, one per line; empty when valid. */
export function sarifSchemaErrors(log: unknown): string {
  return sarifValidate(log) ? '' : describe(sarifValidate.errors);
}

const ghAjv = new Ajv({ allErrors: true, strict: false });
addFormats(ghAjv);
const actionValidate = ghAjv.compile(schema('github-action.json'));
const workflowValidate = ghAjv.compile(schema('github-workflow.json'));

export function actionSchemaErrors(doc: unknown): string {
  return actionValidate(doc) ? '' : describe(actionValidate.errors);
}
export function workflowSchemaErrors(doc: unknown): string {
  return workflowValidate(doc) ? '' : describe(workflowValidate.errors);
}

const junitXsd = readFileSync(fileURLToPath(new URL('../schemas/JUnit.xsd', import.meta.url)), 'utf8');

/** libxml2's XSD validation of a JUnit file against the Ant JUnit schema; empty when valid. */
export async function junitXsdErrors(xml: string): Promise<string> {
  const res = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'JUnit.xsd', contents: junitXsd }] });
  return res.valid ? '' : res.errors.map((e) => e.rawMessage).join('\n');
}

// The config's JSON Schema, generated from the same zod schema that validates it, so editors can
// complete and check tourney.config.yaml with exactly the rules tourney applies.
import * as z from 'zod';
import { configSchema } from '../config/schema.js';
import { packagePath } from '../paths.js';

export const CONFIG_SCHEMA_FILE = 'schemas/tourney.config.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  // Input shape: what a user writes (durations as "10m" or seconds), not what tourney parses it into.
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://tourney.dev/schemas/tourney.config.schema.json',
    title: 'tourney.config.yaml',
    description: 'Config of tourney: entrants, sandbox limits, gates, score weights, judge, model providers. See the README of the tourney package.',
  };
}

export function schemaCommand(): void {
  process.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\n');
}

/** The schema file shipped in the package (kept equal to configJsonSchema() by a test). */
export function shippedSchemaPath(): string {
  return packagePath(CONFIG_SCHEMA_FILE);
}

import * as z from 'zod';
import { DURATION_EXPECTED, MEMORY_EXPECTED, parseDuration, parseMemoryMb } from './quantities.js';

export { DURATION_EXPECTED, MEMORY_EXPECTED, MAX_DURATION_SEC, parseDuration, parseMemoryMb } from './quantities.js';

function unitSchema(parse: (v: unknown) => number | undefined, expected: string, example: string) {
  // z.unknown() lets the parser see every input, so one message covers wrong types and bad text.
  return z.unknown().transform((value, ctx): number | undefined => {
    const parsed = parse(value);
    if (parsed === undefined) ctx.addIssue({ code: 'custom', message: expected, input: value });
    return parsed;
  })
    // What the published JSON Schema says of the key (the parser above is what decides).
    .meta({ description: expected.replace(/^expected /, ''), anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string', examples: [example] }] })
    .optional();
}

/** An optional duration key; parses to seconds. */
export const durationSchema = unitSchema(parseDuration, DURATION_EXPECTED, '10m');
/** An optional memory-size key; parses to MB. */
export const memorySchema = unitSchema(parseMemoryMb, MEMORY_EXPECTED, '2g');

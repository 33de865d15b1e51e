import { readFile } from 'node:fs/promises';
import Handlebars from 'handlebars';
import { packagePath } from '../paths.js';
import type { EntrantConfig, Spec } from '../types.js';
import { formatSeconds } from '../format.js';

let compiled: Handlebars.TemplateDelegate | undefined;

/** The entrant's prompt: the spec plus how it will be judged, plus the entrant's own approach. */
export async function buildEntrantPrompt(spec: Spec, entrant: EntrantConfig, timeLimitSec: number): Promise<string> {
  compiled ??= Handlebars.compile(await readFile(packagePath('prompts', 'entrant.md.hbs'), 'utf8'), { noEscape: true });
  return compiled({
    spec: { body: spec.body.trim(), test: spec.test, setup: spec.setup },
    approach: entrant.approach,
    timeLimit: formatSeconds(timeLimitSec),
  });
}

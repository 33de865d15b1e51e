// `tourney init`: a commented config and a spec template, so a first run needs no README open.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { openRepo } from '../git/repo.js';
import { TourneyError } from '../errors.js';
import { shippedSchemaPath } from './schema-command.js';

const CONFIG = (schemaRef: string) => `# yaml-language-server: $schema=${schemaRef}
# tourney's config. Every key is optional; the values shown are the defaults unless marked "example".
# Check it without running anything: tourney validate feature.md

entrants:                        # who competes (example: replace the models with yours)
  - name: careful                # lower case, digits, . _ - (it becomes a branch name)
    model: anthropic/claude-sonnet-4-5
    approach: Read the code first, follow its conventions, add tests with the feature.
  - name: minimal
    model: openai/gpt-5
    approach: Make the smallest change that satisfies the spec.

sandbox:
  cpus: 1                        # per entrant container
  memory: 2g
  timeLimit: 15m                 # per entrant (the spec's timeLimit and --time-limit win)
  network: auto                  # auto | none | model-only | allowlist | open

gates:                           # who may win
  tests: true
  hiddenTests: true
  tampering: true
  security: high                 # no new finding at or above this severity
  # minMargin: 2                 # no winner unless it leads the runner-up by this many points

judge:
  models: []                     # e.g. [anthropic/claude-opus-4-1]: compares the finalists pairwise
`;

const SPEC = `---
test: npm test                   # required: the command the referee runs
# setup: npm ci                  # dependencies, installed once per run
# build: npm run build
# timeLimit: 15m
# hidden:                        # acceptance tests the entrants never see
#   files: acceptance/
#   test: node --test tourney-hidden/
# scope: [src/**, test/**]
---

# What to build, in one line

## Outcome
What is true when this is done, from the user's side.

## Context
Where the code lives, what it already does, conventions to follow.

## Constraints
- No new dependencies.

## Acceptance criteria
- Each one checkable by a test or by reading the diff.
`;

async function writeNew(path: string, text: string): Promise<boolean> {
  try {
    // O_EXCL: never overwrite a file the user already has.
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    await handle.writeFile(text);
    await handle.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new TourneyError(`${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
}

export async function initCommand(options: { repo: string; spec: string }): Promise<number> {
  const { root } = await openRepo(options.repo);
  const schema = shippedSchemaPath();
  const rel = relative(root, schema);
  // Inside the repo (node_modules) a relative path travels with it; a global install needs the absolute one.
  const schemaRef = rel.startsWith('..') ? schema : `./${rel}`;
  const configPath = join(root, 'tourney.config.yaml');
  const specPath = join(root, options.spec);
  const wrote: string[] = [];
  const kept: string[] = [];
  (await writeNew(configPath, CONFIG(schemaRef)) ? wrote : kept).push(configPath);
  (await writeNew(specPath, SPEC) ? wrote : kept).push(specPath);
  for (const f of wrote) process.stdout.write(`wrote ${f}\n`);
  for (const f of kept) process.stdout.write(`kept ${f} (it exists; nothing overwritten)\n`);
  process.stdout.write(`next: edit both, then "tourney validate ${options.spec}" and "tourney run ${options.spec}"\n`);
  return 0;
}

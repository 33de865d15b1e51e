import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { createDemoRepo } from '../../src/demo/demo.js';
import { runTournament } from '../../src/run/tournament.js';
import type { RunEvent } from '../../src/run/events.js';
import type { RunResult } from '../../src/types.js';
import type { AgentTranscript } from '../../src/agents/kind.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';

// Codex CLI as an entrant, through its real binary in Docker, on the scripted model: the demo's scripts (written
// with opencode's tools) implement the feature through Codex's exec_command and apply_patch, and are refereed
// like any entrant's. One opencode entrant runs beside them as the baseline for the start-up times.

async function repoWith(config: string): Promise<string> {
  const repo = await createDemoRepo(await mkdtemp(join(tmpdir(), 'tourney-e2e-codex-')));
  await cp(fileURLToPath(new URL('../fixtures/codex-scripts', import.meta.url)), join(repo, 'codex-scripts'), { recursive: true });
  await writeFile(join(repo, 'tourney.config.yaml'), config);
  await execa('git', ['add', '-A'], { cwd: repo });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'codex config'], { cwd: repo });
  return repo;
}

interface Timed {
  at: number;
  event: RunEvent;
}

async function run(repo: string): Promise<{ result: RunResult; events: Timed[] }> {
  const events: Timed[] = [];
  const result = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md') }, { onEvent: (event) => events.push({ at: Date.now(), event }) });
  return { result, events };
}

const stepAt = (events: Timed[], name: string, step: string) =>
  events.find(({ event }) => event.type === 'step' && event.name === name && event.step.step === step)?.at ?? NaN;

const transcriptOf = async (result: RunResult, name: string) =>
  JSON.parse(await readFile(join(result.runDir, 'entrants', name, 'transcript.json'), 'utf8')) as AgentTranscript;

describe('codex entrants in a tournament', () => {
  let engine: Engine;
  const repos: string[] = [];
  let main: { result: RunResult; events: Timed[] };

  beforeAll(async () => {
    engine = await ensureTestImage();
    const repo = await repoWith(`entrants:
  - { name: codex-tidy, agent: codex, model: scripted/demo-slugify-tidy }
  - { name: codex-hasty, agent: codex, model: scripted/demo-slugify-hasty }
  - { name: codex-slow, agent: codex, model: scripted/write-then-hang, timeLimit: 40s }
  - { name: opencode-tidy, model: scripted/demo-slugify-tidy }
scripts: [./codex-scripts]
sandbox: { cpus: 1, memory: 1g, timeLimit: 3m }
`);
    repos.push(repo);
    main = await run(repo);
  }, 900_000);

  afterAll(async () => {
    for (const repo of repos) await rm(repo, { recursive: true, force: true });
  });

  it('implements the feature from the demo script through Codex, and the referee passes it', async () => {
    const tidy = main.result.entrants.find((e) => e.name === 'codex-tidy')!;
    expect(tidy.status, tidy.error).toBe('finished');
    expect(tidy.gates.filter((g) => !g.passed).map((g) => g.gate)).toEqual([]);
    expect(tidy.eligible).toBe(true);
    expect(tidy.gates.find((g) => g.gate === 'hiddenTests')?.passed).toBe(true);
    expect(tidy.tokens.input).toBeGreaterThan(1000);
    expect(tidy.tokens.output).toBeGreaterThan(0);
    const patch = await readFile(join(main.result.runDir, tidy.diffPath), 'utf8');
    expect(patch).toContain('export function slugify(text)');
    expect(patch).toContain('test/slugify.test.js');
  });

  it('writes the normalised transcript: the prompt, Codex tool calls with their output, the final message, the tokens', async () => {
    const t = await transcriptOf(main.result, 'codex-tidy');
    expect(t).toMatchObject({ format: 'tourney-transcript/1', agent: 'codex', model: 'scripted/demo-slugify-tidy' });
    expect(t.messages[0]?.role).toBe('user');
    expect(t.prompt).toContain('slugify');
    const parts = t.messages.flatMap((m) => m.parts);
    const tools = parts.flatMap((p) => (p.type === 'tool' ? [p] : []));
    expect(tools.map((p) => p.name)).toEqual(['shell', 'shell', 'apply_patch', 'apply_patch', 'shell']);
    expect(tools.every((p) => p.status === 'completed')).toBe(true);
    expect(tools.at(-1)?.output).toMatch(/# pass \d+/);
    expect(parts.some((p) => p.type === 'text' && p.text.includes('all tests pass'))).toBe(true);
    expect(t.messages.at(-1)?.tokens?.input).toBeGreaterThan(0);
  });

  it('refs the same hidden tests for a codex entrant that breaks an existing test', () => {
    const hasty = main.result.entrants.find((e) => e.name === 'codex-hasty')!;
    expect(hasty.status, hasty.error).toBe('finished');
    expect(hasty.eligible).toBe(false);
    expect(hasty.gates.find((g) => g.gate === 'tests')?.passed).toBe(false);
  });

  it('stops a codex entrant whose model hangs at its time limit, and keeps the file it wrote', async () => {
    const slow = main.result.entrants.find((e) => e.name === 'codex-slow')!;
    expect(slow.status).toBe('timeout');
    expect(slow.error).toMatch(/time limit/);
    expect(slow.durationMs).toBeLessThan(40_000 + 30_000);
    const patch = await readFile(join(main.result.runDir, slow.diffPath), 'utf8');
    expect(patch).toContain('src/slug-draft.js');
  });

  it('measures start to first model turn against opencode in the same run', () => {
    const codexStart = stepAt(main.events, 'codex-tidy', 'sandbox');
    const codexExec = stepAt(main.events, 'codex-tidy', 'agent-start');
    const codexTurn = stepAt(main.events, 'codex-tidy', 'turn');
    const openStart = stepAt(main.events, 'opencode-tidy', 'sandbox');
    const openAgent = stepAt(main.events, 'opencode-tidy', 'agent-start');
    const openTurn = stepAt(main.events, 'opencode-tidy', 'turn');
    for (const t of [codexStart, codexExec, codexTurn, openStart, openAgent, openTurn]) expect(Number.isFinite(t)).toBe(true);
    const line = `codex: sandbox->first turn ${codexTurn - codexStart} ms (exec->first turn ${codexTurn - codexExec} ms); ` +
      `opencode: sandbox->first turn ${openTurn - openStart} ms (agent start->first turn ${openTurn - openAgent} ms); ` +
      `ratio (sandbox->first turn) ${((codexTurn - codexStart) / (openTurn - openStart)).toFixed(2)}\n`;
    process.stderr.write(line);
    const opencode = main.result.entrants.find((e) => e.name === 'opencode-tidy')!;
    expect(opencode.status, opencode.error).toBe('finished');
  });

  it('leaves no container or network behind', async () => {
    // Docker is shared (other suites may run at once): only this run's resources count.
    const runId = basename(main.result.runDir);
    expect((await leftoverResources(engine)).filter((name) => name.includes(runId))).toEqual([]);
  });
});

describe('a codex entrant the provider refuses', () => {
  const repos: string[] = [];
  afterAll(async () => {
    for (const repo of repos) await rm(repo, { recursive: true, force: true });
  });

  it('ends a refused codex entrant with the cause in plain words after the first 401, not after its retries', async () => {
    const repo = await repoWith(`entrants:
  - { name: refused, agent: codex, model: scripted/refuse-key }
scripts: [./codex-scripts]
sandbox: { cpus: 1, memory: 1g, timeLimit: 3m }
`);
    repos.push(repo);
    const { result, events } = await run(repo);
    const refused = result.entrants.find((e) => e.name === 'refused')!;
    expect(refused.status).toBe('error');
    expect(refused.error).toBe('scripted rejected the API key (401): the script answered so');
    // Codex itself retries a 401 five times (about 8 s); the kind stops at the first.
    expect(stepAt(events, 'refused', 'extracting') - stepAt(events, 'refused', 'agent-start')).toBeLessThan(5000);
    const t = await transcriptOf(result, 'refused');
    expect(t.error?.kind).toBe('auth');
    expect(t.error?.raw).toContain('invalid x-api-key');
  }, 600_000);
});

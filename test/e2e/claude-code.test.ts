import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../src/sandbox/engine.js';
import { execa } from 'execa';
import { createDemoRepo } from '../../src/demo/demo.js';
import { runTournament } from '../../src/run/tournament.js';
import type { RunEvent } from '../../src/run/events.js';
import type { EntrantResult, RunResult } from '../../src/types.js';
import { TRANSCRIPT_FORMAT, type AgentTranscript } from '../../src/agents/kind.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';

// Claude Code entrants through the real binary in Docker, driven by the scripted model with the demo's own scripts
// (written with opencode's tool names: the scripted server maps them onto the tools Claude Code offers).

async function demoWith(config: string): Promise<string> {
  const repo = await createDemoRepo(await mkdtemp(join(tmpdir(), 'tourney-e2e-claude-')));
  await cp(fileURLToPath(new URL('../fixtures/claude-code-scripts', import.meta.url)), join(repo, 'claude-scripts'), { recursive: true });
  await writeFile(join(repo, 'tourney.config.yaml'), config);
  await execa('git', ['add', '-A'], { cwd: repo });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'claude-code config'], { cwd: repo });
  return repo;
}

async function run(repo: string): Promise<{ result: RunResult; events: RunEvent[]; elapsedMs: number }> {
  const events: RunEvent[] = [];
  const started = Date.now();
  const result = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md') }, { onEvent: (event) => events.push(event) });
  return { result, events, elapsedMs: Date.now() - started };
}

const transcriptOf = async (result: RunResult, entrant: EntrantResult) =>
  JSON.parse(await readFile(join(result.runDir, entrant.transcriptPath!), 'utf8')) as AgentTranscript;

// The hanging entrant must reach its first write within the limit: a few seconds on an idle machine, much more when
// other suites load it (Claude Code's start alone took 10 s at load 12 on 2 cores); TOURNEY_TEST_LIMIT_S raises it.
const LIMIT_S = Number(process.env.TOURNEY_TEST_LIMIT_S ?? 45);

const SANDBOX = 'scripts: [./claude-scripts]\nsandbox:\n  cpus: 1\n  memory: 1g\n  timeLimit: 3m\n';

describe('claude-code entrants on the scripted model', () => {
  let engine: Engine;
  let repo: string;
  let result: RunResult;
  let events: RunEvent[];
  const entrant = (name: string) => result.entrants.find((e) => e.name === name)!;

  beforeAll(async () => {
    engine = await ensureTestImage();
    repo = await demoWith(
      [
        'entrants:',
        '  - { name: tidy, agent: claude-code, model: scripted/demo-slugify-tidy }',
        '  - { name: hasty, agent: claude-code, model: scripted/demo-slugify-hasty }',
        `  - { name: slow, agent: claude-code, model: scripted/write-then-hang, timeLimit: ${LIMIT_S}s }`,
        // Claude Code's first request alone is thousands of tokens: its stream's usage must stop it right there.
        '  - { name: capped, agent: claude-code, model: scripted/demo-slugify-hasty, budget: { tokens: 1000 } }',
        SANDBOX,
      ].join('\n'),
    );
    ({ result, events } = await run(repo));
  }, 900_000);

  afterAll(async () => {
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  it('implements the demo feature through Claude Code and wins on the referee\'s gates', () => {
    const tidy = entrant('tidy');
    expect(tidy).toMatchObject({ agent: 'claude-code', status: 'finished', eligible: true, rank: 1 });
    expect(result.winner).toBe('tidy');
    expect(tidy.checks.tests?.passed).toBe(true);
    expect(tidy.diff.files).toBe(2);
    // Its own usage report: the scripted server's counts, summed by Claude Code over its five requests.
    expect(tidy.tokens.input).toBeGreaterThan(1000);
    expect(tidy.tokens.output).toBeGreaterThan(50);
  });

  it('stops an entrant at its token budget from the usage in its stream', () => {
    const capped = entrant('capped');
    expect(capped.status).toBe('budget');
    expect(capped.error).toMatch(/^stopped at its budget: used [\d,]+ tokens, budget 1,000 tokens$/);
    expect(capped.eligible).toBe(false);
    // Stopped early: hasty's whole session (which rewrites the module) never ran to its end.
    expect(capped.tokens.input + capped.tokens.cacheRead + capped.tokens.cacheWrite).toBeLessThan(entrant('hasty').tokens.input + entrant('hasty').tokens.cacheRead + entrant('hasty').tokens.cacheWrite);
  });

  it('refs a broken change the same way: hasty rewrote the module and fails the tests', () => {
    const hasty = entrant('hasty');
    expect(hasty.status).toBe('finished');
    expect(hasty.diff.files).toBe(1);
    expect(hasty.eligible).toBe(false);
    expect(hasty.checks.tests?.passed).toBe(false);
  });

  it('writes the normalised transcript with Claude Code\'s tool names and their results', async () => {
    const transcript = await transcriptOf(result, entrant('tidy'));
    expect(transcript).toMatchObject({ format: TRANSCRIPT_FORMAT, agent: 'claude-code', model: 'scripted/demo-slugify-tidy' });
    const tools = transcript.messages.flatMap((m) => m.parts).filter((p) => p.type === 'tool');
    expect(tools.map((t) => [t.name, t.status])).toEqual([
      ['Read', 'completed'],
      ['Read', 'completed'],
      ['Edit', 'completed'],
      ['Write', 'completed'],
      ['Bash', 'completed'],
    ]);
    expect(tools[4]?.output).toMatch(/# pass [1-9]/);
    expect(transcript.messages.filter((m) => m.role === 'assistant')).toHaveLength(5);
  });

  it('reports its turns and tool calls as steps for the live view', () => {
    const steps = events.flatMap((e) => (e.type === 'step' && e.name === 'tidy' ? [e] : []));
    expect(steps.length).toBeGreaterThan(0);
  });

  it('stops at the time limit and keeps the work done so far', async () => {
    const slow = entrant('slow');
    expect(slow.status).toBe('timeout');
    expect(slow.error).toBe(`time limit of ${LIMIT_S} s reached`);
    expect(slow.durationMs).toBeLessThan((LIMIT_S + 30) * 1000);
    expect(await readFile(join(result.runDir, slow.diffPath), 'utf8')).toContain('src/slugify-draft.js');
    // Stopped by the kind itself (the exec killed at the limit), so its transcript was written: the write is in it.
    const transcript = await transcriptOf(result, slow);
    // The kind counts the time it was given (the limit less the sandbox's start).
    expect(Number(/^time limit of (\d+) s reached$/.exec(transcript.error?.message ?? '')?.[1])).toBeLessThanOrEqual(LIMIT_S);
    expect(transcript.messages.flatMap((m) => m.parts).filter((p) => p.type === 'tool').map((t) => [t.name, t.status])).toEqual([['Write', 'completed']]);
  });

  it('leaves no containers or networks behind', async () => {
    // The engine is shared (other suites, other runs): only this run's resources count.
    expect((await leftoverResources(engine)).filter((name) => name.includes(result.runId))).toEqual([]);
  });
});

describe('a claude-code entrant whose key is refused', () => {
  let repo: string;
  afterAll(async () => {
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  it('ends with status error and the plain reason at the first 401, not after Claude Code\'s ten retries', async () => {
    await ensureTestImage();
    repo = await demoWith(['entrants:', '  - { name: refused, agent: claude-code, model: scripted/refuse-key, timeLimit: 90s }', SANDBOX].join('\n'));
    const { result } = await run(repo);
    const refused = result.entrants[0]!;
    if (refused.status !== 'error') process.stderr.write(`${JSON.stringify(refused)}\n${await readFile(join(result.runDir, refused.transcriptPath ?? 'none'), 'utf8').catch(() => 'no transcript')}\n`);
    expect(refused.status).toBe('error');
    expect(refused.error).toBe('scripted rejected the API key (401): the script answered so');
    // Its retries back off for minutes; the entrant's whole life (sandbox, agent, diff) is a few seconds here.
    expect(refused.durationMs).toBeLessThan(30_000);
    const transcript = JSON.parse(await readFile(join(result.runDir, refused.transcriptPath!), 'utf8')) as AgentTranscript;
    expect(transcript.error).toMatchObject({ kind: 'auth', message: refused.error });
  }, 600_000);
});

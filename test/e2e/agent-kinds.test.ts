import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createDemoRepo } from '../../src/demo/demo.js';
import { runTournament } from '../../src/run/tournament.js';
import { summaryTable } from '../../src/cli/reporters.js';
import type { RunEvent } from '../../src/run/events.js';
import type { AgentTranscript } from '../../src/agents/kind.js';
import type { RunResult } from '../../src/types.js';
import { ensureTestImage, leftoverResources } from '../support/docker.js';

const SLEEPY_LIMIT_S = 25;

// The four kinds in one tournament on the demo spec, refereed and judged the same way: opencode, Claude Code and Codex
// through their real binaries, driven by the same scripted turns (demo-slugify-tidy), and command entrants. The command
// agent is a node script committed in the repository (tools/agent.mjs): node is in the sandbox image already.
const FOUR = ['tidy', 'claude', 'codex', 'cli'] as const;
const KIND_OF = { tidy: 'opencode', claude: 'claude-code', codex: 'codex', cli: 'command' } as const;

describe('agent kinds side by side: opencode, claude-code, codex and command', () => {
  let repo: string;
  let result: RunResult;
  const events: { at: number; event: RunEvent }[] = [];

  beforeAll(async () => {
    const docker = await ensureTestImage();
    repo = await createDemoRepo(await mkdtemp(join(tmpdir(), 'tourney-kinds-')));
    await mkdir(join(repo, 'tools'));
    await copyFile(fileURLToPath(new URL('../fixtures/command-agent/agent.mjs', import.meta.url)), join(repo, 'tools', 'agent.mjs'));
    await writeFile(join(repo, 'tourney.config.yaml'), [
      'entrants:',
      '  - name: tidy',
      '    model: scripted/demo-slugify-tidy',
      '  - name: claude',
      '    agent: claude-code',
      '    model: scripted/demo-slugify-tidy',
      '  - name: codex',
      '    agent: codex',
      '    model: scripted/demo-slugify-tidy',
      '  - name: cli',
      '    agent: command',
      '    model: scripted/demo-stuck',
      '    command: node {workdir}/tools/agent.mjs --implement {promptFile} {model}',
      '  - name: sleepy',
      '    agent: command',
      '    model: scripted/demo-stuck',
      '    command: [node, tools/agent.mjs, --sleep, "{promptFile}", "{model}"]',
      `    timeLimit: ${SLEEPY_LIMIT_S}s`,
      '  - name: broken',
      '    agent: command',
      '    model: scripted/demo-stuck',
      '    command: node tools/agent.mjs --fail {promptFile}',
      '  - name: absent',
      '    agent: command',
      '    model: scripted/demo-stuck',
      '    command: no-such-agent --prompt {promptFile}',
      'judge:',
      '  models: [scripted/demo-judge]',
      'sandbox:',
      '  cpus: 1',
      '  memory: 1g',
      '  timeLimit: 3m',
      '',
    ].join('\n'));
    await execa('git', ['add', '-A'], { cwd: repo });
    await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'command agent'], { cwd: repo });
    result = await runTournament({ repoDir: repo, specPath: join(repo, 'feature.md') }, { onEvent: (event) => events.push({ at: Date.now(), event }) });
    // Only this run's: other suites may share the engine.
    expect((await leftoverResources(docker)).filter((r) => r.includes(result.runId))).toEqual([]);
  }, 900_000);

  afterAll(async () => {
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  const entrant = (name: string) => result.entrants.find((e) => e.name === name)!;
  const transcript = async (name: string) => JSON.parse(await readFile(join(result.runDir, 'entrants', name, 'transcript.json'), 'utf8')) as AgentTranscript;

  it('referees every kind the same way: each implements the feature and passes the tests and the hidden tests', () => {
    for (const name of FOUR) {
      const e = entrant(name);
      expect(e.status, `${name}: ${e.error}`).toBe('finished');
      expect(e.checks.tests?.passed).toBe(true);
      expect(e.checks.hiddenTests?.passed).toBe(true);
      expect(e.eligible).toBe(true);
    }
    for (const name of FOUR) expect(entrant(name).agent).toBe(KIND_OF[name]);
    expect(FOUR as readonly string[]).toContain(result.winner);
    // The same script through three agents: the same change, so the same diff size.
    const sizes = ['tidy', 'claude', 'codex'].map((n) => [entrant(n).diff.files, entrant(n).diff.additions]);
    expect(new Set(sizes.map((x) => x.join(' '))).size).toBe(1);
  });

  it('writes the same transcript shape for every kind, each with its own tool names and tokens from its own usage', async () => {
    for (const [name, tools] of [['claude', ['Read', 'Edit', 'Write', 'Bash']], ['codex', ['shell', 'apply_patch']]] as const) {
      const t = await transcript(name);
      expect(t).toMatchObject({ format: 'tourney-transcript/1', agent: KIND_OF[name], model: 'scripted/demo-slugify-tidy' });
      const parts = t.messages.flatMap((m) => m.parts).filter((p) => p.type === 'tool');
      expect(parts.map((p) => p.type === 'tool' && p.name)).toEqual(expect.arrayContaining([...tools]));
      expect(parts.every((p) => p.type === 'tool' && p.status === 'completed'), name).toBe(true);
      expect(entrant(name).tokens.input, name).toBeGreaterThan(0);
    }
    const tidy = await transcript('tidy');
    expect(tidy).toMatchObject({ format: 'tourney-transcript/1', agent: 'opencode', model: 'scripted/demo-slugify-tidy' });
    const tools = tidy.messages.flatMap((m) => m.parts).filter((p) => p.type === 'tool');
    expect(tools.map((t) => t.type === 'tool' && t.name)).toEqual(expect.arrayContaining(['read', 'edit', 'write', 'bash']));
    expect(tools.every((t) => t.type === 'tool' && t.status === 'completed')).toBe(true);
    expect(tidy.messages.some((m) => m.role === 'assistant' && (m.tokens?.input ?? 0) > 0)).toBe(true);

    const cli = await transcript('cli');
    expect(cli).toMatchObject({ format: 'tourney-transcript/1', agent: 'command', model: 'scripted/demo-stuck' });
    const text = cli.messages.find((m) => m.role === 'assistant')?.parts[0];
    expect(text?.type === 'text' && text.text).toMatch(/prompt mentions slugify: yes/);
    expect(text?.type === 'text' && text.text).toMatch(/\[stderr\] agent: starting/);
    expect(text?.type === 'text' && text.text).toContain('cwd /work/repo');
    expect(cli.messages[0]).toMatchObject({ role: 'user', parts: [{ type: 'text', text: expect.stringContaining('slugify') }] });
  });

  it('stops a command at its time limit, whatever signals it ignores, and keeps its partial work', async () => {
    const sleepy = entrant('sleepy');
    expect(sleepy.status).toBe('timeout');
    expect(sleepy.error).toMatch(/time limit/);
    expect(sleepy.durationMs).toBeLessThan((SLEEPY_LIMIT_S + 15) * 1000);
    // The kind itself stopped it (a group kill) and returned in time: the runner did not have to cut it off.
    expect(sleepy.transcriptPath).toBe('entrants/sleepy/transcript.json');
    expect((await transcript('sleepy')).error?.message).toMatch(/^time limit of \d+ s reached$/);
    expect(await readFile(join(result.runDir, sleepy.diffPath), 'utf8')).toContain('written before the agent hung');
    expect(await readFile(join(result.runDir, 'entrants', 'sleepy', 'transcript.json'), 'utf8')).toContain('still thinking');
  });

  it('reports a failing command with its exit code and the tail of its stderr, and a missing one by name', () => {
    expect(entrant('broken').status).toBe('failed');
    expect(entrant('broken').error).toMatch(/^command exited with code 3: agent: starting \(stderr\)\nboom: cannot continue$/);
    expect(entrant('absent').status).toBe('error');
    expect(entrant('absent').error).toMatch(/command "no-such-agent" is not in the sandbox image/);
  });

  it('measures each kind from its agent start to its first activity line (printed, for the closing note)', () => {
    const first = (name: string, match: (e: RunEvent) => boolean) => events.find(({ event }) => event.type !== 'run-end' && 'name' in event && event.name === name && match(event))?.at ?? NaN;
    const lines = FOUR.map((name) => {
      const start = first(name, (e) => e.type === 'step' && e.step.step === 'agent-start');
      const activity = first(name, (e) => e.type === 'activity');
      return { name, ms: activity - start, agentMs: entrant(name).timings?.agentMs ?? NaN };
    });
    for (const l of lines) expect(l.ms).toBeGreaterThanOrEqual(0);
    process.stderr.write(`agent start -> first activity: ${lines.map((l) => `${l.name} ${l.ms} ms (agent ${l.agentMs} ms)`).join(', ')}\n`);
  });

  it('emits the live view steps in order for each kind', () => {
    const steps = (name: string) => events.flatMap(({ event }) => (event.type === 'step' && event.name === name ? [event.step] : []));
    expect(steps('cli').map((s) => s.step)).toEqual(['sandbox', 'agent-start', 'extracting']);
    for (const name of ['claude', 'codex']) {
      const seen = steps(name).map((s) => s.step).filter((s, i, all) => s !== all[i - 1]);
      expect(seen, name).toEqual(['sandbox', 'agent-start', 'turn', 'extracting']);
      expect(steps(name).some((s) => s.step === 'turn' && s.turn >= 3), name).toBe(true);
    }
    const tidy = steps('tidy');
    expect(tidy.map((s) => s.step).filter((s, i, all) => s !== all[i - 1])).toEqual(['sandbox', 'agent-start', 'turn', 'extracting']);
    const turns = tidy.flatMap((s) => (s.step === 'turn' ? [s.turn] : []));
    expect(turns[0]).toBe(1);
    expect(turns.at(-1)).toBeGreaterThanOrEqual(4);
    expect(tidy.some((s) => s.step === 'turn' && s.tool?.startsWith('edit'))).toBe(true);
    const limits = events.flatMap(({ event }) => (event.type === 'step' && event.name === 'sleepy' ? [event.limitMs] : []));
    expect(new Set(limits)).toEqual(new Set([SLEEPY_LIMIT_S * 1000]));
  });

  it('shows the agent kind beside the model in the report, result.json and the terminal scorecard', async () => {
    const html = await readFile(result.reportPath, 'utf8');
    expect(html).toContain('<span class="agent-kind">command</span>: <code>scripted/demo-stuck</code>');
    expect(html).toContain('<span class="agent-kind">opencode</span>: <code>scripted/demo-slugify-tidy</code>');
    // Both conversations, in the same markup: opencode's tool calls, the command's output as text.
    expect(html).toContain('<span class="agent-kind">claude-code</span>: <code>scripted/demo-slugify-tidy</code>');
    expect(html).toContain('<span class="agent-kind">codex</span>: <code>scripted/demo-slugify-tidy</code>');
    expect(html.match(/<summary><h3>Conversation<\/h3>/g)?.length).toBe(7);
    expect(html).toMatch(/<li class="t-tool"><details><summary><code>Edit<\/code>/);
    expect(html).toMatch(/<li class="t-tool"><details><summary><code>apply_patch<\/code>/);
    expect(html).toMatch(/<li class="t-tool"><details><summary><code>edit<\/code>/);
    expect(html).toContain('prompt mentions slugify: yes');
    const saved = JSON.parse(await readFile(join(result.runDir, 'result.json'), 'utf8')) as RunResult;
    expect(Object.fromEntries(saved.entrants.map((e) => [e.name, e.agent]))).toEqual({ tidy: 'opencode', claude: 'claude-code', codex: 'codex', cli: 'command', sleepy: 'command', broken: 'command', absent: 'command' });
    expect(summaryTable(result)).toMatch(/ cli +command scripted\/demo-stuck +finished/);
  });
});

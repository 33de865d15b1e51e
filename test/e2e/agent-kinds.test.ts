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

// One opencode entrant and command entrants on the demo spec, refereed and judged the same way. The command agent is
// a node script committed in the repository (tools/agent.mjs): node is in the sandbox image, so nothing is added to it.
describe('agent kinds side by side: opencode and command', () => {
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
  }, 600_000);

  afterAll(async () => {
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  const entrant = (name: string) => result.entrants.find((e) => e.name === name)!;
  const transcript = async (name: string) => JSON.parse(await readFile(join(result.runDir, 'entrants', name, 'transcript.json'), 'utf8')) as AgentTranscript;

  it('referees the command agent like the opencode one: both pass the tests and the hidden tests', () => {
    for (const name of ['tidy', 'cli']) {
      const e = entrant(name);
      expect(e.status, `${name}: ${e.error}`).toBe('finished');
      expect(e.checks.tests?.passed).toBe(true);
      expect(e.checks.hiddenTests?.passed).toBe(true);
      expect(e.eligible).toBe(true);
    }
    expect(entrant('tidy').agent).toBe('opencode');
    expect(entrant('cli').agent).toBe('command');
    expect(['tidy', 'cli']).toContain(result.winner);
  });

  it('writes the same transcript shape for both kinds', async () => {
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
    expect(await readFile(join(result.runDir, sleepy.diffPath), 'utf8')).toContain('written before the agent hung');
    expect(await readFile(join(result.runDir, 'entrants', 'sleepy', 'transcript.json'), 'utf8')).toContain('still thinking');
  });

  it('reports a failing command with its exit code and the tail of its stderr, and a missing one by name', () => {
    expect(entrant('broken').status).toBe('failed');
    expect(entrant('broken').error).toMatch(/^command exited with code 3: agent: starting \(stderr\)\nboom: cannot continue$/);
    expect(entrant('absent').status).toBe('error');
    expect(entrant('absent').error).toMatch(/command "no-such-agent" is not in the sandbox image/);
  });

  it('emits the live view steps in order for each kind', () => {
    const steps = (name: string) => events.flatMap(({ event }) => (event.type === 'step' && event.name === name ? [event.step] : []));
    expect(steps('cli').map((s) => s.step)).toEqual(['sandbox', 'agent-start', 'extracting']);
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
    const saved = JSON.parse(await readFile(join(result.runDir, 'result.json'), 'utf8')) as RunResult;
    expect(Object.fromEntries(saved.entrants.map((e) => [e.name, e.agent]))).toEqual({ tidy: 'opencode', cli: 'command', sleepy: 'command', broken: 'command', absent: 'command' });
    expect(summaryTable(result)).toMatch(/ cli +command scripted\/demo-stuck +finished/);
  });
});

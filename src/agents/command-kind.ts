import { writeFile } from 'node:fs/promises';
import { emptyTokens } from '../types.js';
import { errorMessage } from '../errors.js';
import { expandCommand } from './command-template.js';
import { cancelReason, TRANSCRIPT_FORMAT, type AgentKind, type AgentLaunch, type AgentRunContext, type AgentSessionResult, type AgentTranscript, type LaunchContext } from './kind.js';
import { parseModel } from './models.js';

/** Where the prompt is written in the container: outside the work dir, so it is never part of the diff. */
export const PROMPT_FILE = '/tmp/tourney-prompt.md';
/** The transcript keeps at most this much of the command's output (its head and its tail). */
export const TRANSCRIPT_CAP_BYTES = 256 * 1024;
const ERROR_TAIL_CHARS = 2000;
const ACTIVITY_CHARS = 200;

/**
 * `command`: any CLI the user put in the sandbox image, run by exec with the prompt in a file. Its output is the
 * transcript; exit 0 means it finished, anything else that it failed; the time limit kills its process group.
 */
export const commandKind: AgentKind = {
  name: 'command',
  // The user's image carries the program (sandbox.dockerfile / sandbox.packages): tourney adds nothing.
  imageFiles: () => [],
  launch(ctx: LaunchContext): AgentLaunch {
    const template = ctx.command;
    if (!template) throw new Error('agent "command" needs a command (the config schema requires one)');
    const baseUrl = ctx.scriptedBaseUrl ?? ctx.gateway?.settings.baseURL ?? '';
    return {
      // Idle: the agent runs later, by exec, once the repository is in.
      cmd: ['sleep', 'infinity'],
      env: {
        ...ctx.passEnv,
        TOURNEY_MODEL: ctx.model,
        TOURNEY_BASE_URL: baseUrl,
        TOURNEY_PROMPT_FILE: PROMPT_FILE,
        HOME: '/home/tourney',
        ...ctx.sandboxEnv,
      },
      run: (run) => runCommand(run, template, baseUrl),
    };
  },
};

async function runCommand(ctx: AgentRunContext, template: readonly string[], baseUrl: string): Promise<AgentSessionResult> {
  const started = Date.now();
  const output = new CappedLog(TRANSCRIPT_CAP_BYTES);
  const result = (status: AgentSessionResult['status'], error?: string): AgentSessionResult => ({
    status,
    ...(error !== undefined && { error }),
    tokens: emptyTokens(),
    costUsd: 0,
    durationMs: Date.now() - started,
    toolCalls: 0,
    deniedPermissions: [],
  });
  const argv = expandCommand(template, {
    promptFile: PROMPT_FILE,
    workdir: ctx.directory,
    model: ctx.model,
    modelId: parseModel(ctx.model).modelID || ctx.model,
    baseUrl,
  });
  const timeLimit = AbortSignal.timeout(ctx.timeLimitMs);
  const stop = AbortSignal.any([ctx.signal, timeLimit]);
  let outcome: AgentSessionResult;
  try {
    ctx.onStep({ step: 'agent-start' });
    await ctx.sandbox.writeFile(PROMPT_FILE, ctx.prompt, { mode: 0o644 });
    const found = await ctx.sandbox.execStream(['sh', '-c', 'command -v "$0"', argv[0]!], { signal: stop });
    if (found.exitCode !== 0 && !found.killed) {
      outcome = result('error', `command "${argv[0]}" is not in the sandbox image: install it with sandbox.packages or a sandbox.dockerfile (FROM the tourney image)`);
    } else {
      const exec = await ctx.sandbox.execStream(argv, {
        workdir: ctx.directory,
        signal: stop,
        maxOutputBytes: 64 * 1024,
        onStdout: (line) => {
          output.add(line);
          if (line.trim()) ctx.onActivity(line.slice(0, ACTIVITY_CHARS));
        },
        onStderr: (line) => output.add(`[stderr] ${line}`),
      });
      if (timeLimit.aborted) outcome = result('timeout', `time limit of ${Math.round(ctx.timeLimitMs / 1000)} s reached`);
      else if (ctx.signal.aborted) outcome = result('error', cancelReason(ctx.signal));
      else if (exec.exitCode === 0) outcome = result('finished');
      else {
        const tail = exec.stderr.trim().slice(-ERROR_TAIL_CHARS);
        outcome = result('failed', `command exited with code ${exec.exitCode ?? 'unknown'}${tail ? `: ${tail}` : ''}`);
      }
    }
  } catch (err) {
    outcome = result('error', errorMessage(err));
  }
  const transcript: AgentTranscript = {
    format: TRANSCRIPT_FORMAT,
    agent: 'command',
    model: ctx.model,
    prompt: ctx.prompt,
    messages: [
      { role: 'user', parts: [{ type: 'text', text: ctx.prompt }] },
      { role: 'assistant', parts: [{ type: 'text', text: output.text() }] },
    ],
    ...(outcome.status !== 'finished' && outcome.error && { error: { message: outcome.error } }),
    ...(output.truncated && { truncated: true }),
  };
  await writeFile(ctx.transcriptFile, JSON.stringify(transcript, null, 2));
  return { ...outcome, durationMs: Date.now() - started };
}

/** The head and the tail of a stream of lines, within a byte budget (the middle of a huge log is dropped). */
export class CappedLog {
  private readonly head: string[] = [];
  private headBytes = 0;
  private tail: string[] = [];
  private tailBytes = 0;
  private dropped = 0;

  constructor(private readonly cap: number) {}

  add(line: string): void {
    const bytes = Buffer.byteLength(line) + 1;
    if (this.headBytes + bytes <= this.cap / 2) {
      this.head.push(line);
      this.headBytes += bytes;
      return;
    }
    this.tail.push(line);
    this.tailBytes += bytes;
    while (this.tailBytes > this.cap / 2 && this.tail.length > 0) {
      this.tailBytes -= Buffer.byteLength(this.tail.shift()!) + 1;
      this.dropped += 1;
    }
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  text(): string {
    const gap = this.dropped > 0 ? [`[... ${this.dropped} line(s) left out ...]`] : [];
    return [...this.head, ...gap, ...this.tail].join('\n');
  }
}

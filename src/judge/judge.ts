import { judgeConfidence, type JudgeConfidence } from './confidence.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Engine } from '../sandbox/engine.js';
import { Sandbox, type SandboxLimits } from '../sandbox/container.js';
import { retarAs, tarOf } from '../sandbox/tar.js';
import { isScripted, type EntrantGateway } from '../agents/models.js';
import type { AgentAnswerer } from '../agents/kind.js';
import { agentKind } from '../agents/kinds.js';
import { agentSandbox } from '../sandbox/agent-sandbox.js';
import type { Attachment, SandboxNetworks } from '../run/networks.js';
import { errorMessage } from '../errors.js';
import type { JudgeConfig, Spec } from '../types.js';
import type { EntrantChecks } from '../checks/types.js';
import { judgeCall } from './call.js';
import { pairwisePrompt, pairwiseAnswerSchema, rubricPrompt, rubricAnswerSchema, RUBRIC_CRITERIA } from './prompt.js';
import { buildMatch } from './verdicts.js';
import { createScheduler } from './schedule.js';
import { fitBradleyTerry } from './bradley-terry.js';
import type { JudgeCall, MatchResult, JudgeRanking } from './types.js';

const JUDGE_DIR = '/work/repo';
const CALLS_PER_SERVER = 3;

export interface Finalist {
  name: string;
  patch: string;
  checks: EntrantChecks;
}

export interface RubricScores {
  entrant: string;
  judge: string;
  scores: Record<string, number> | null;
  rationale: string;
  error?: string;
}

export interface JudgeResult {
  ran: true;
  mode: JudgeConfig['mode'];
  models: string[];
  matches: MatchResult[];
  rubric: RubricScores[];
  ranking: JudgeRanking | null;
  /** Position bias, panel agreement and strength intervals (pairwise mode; absent in older results). */
  confidence?: JudgeConfidence | null;
  /** 0..1 per finalist: the judge part of the score. */
  scores: Record<string, number>;
  calls: number;
  failedCalls: number;
  durationMs: number;
  tokens: { input: number; output: number };
  costUsd: number;
}

export interface JudgeInput {
  engine: Engine;
  runId: string;
  image: string;
  limits: SandboxLimits;
  spec: Spec;
  config: JudgeConfig;
  finalists: Finalist[];
  baseTar: string;
  scratch: string;
  networks: SandboxNetworks;
  /** Host variables for a judge of this model: its provider's credentials (see run/preflight.ts). */
  envFor: (model: string) => Record<string, string>;
  gatewayFor: (model: string) => EntrantGateway | undefined;
  readOnlyBinds: string[];
  signal: AbortSignal;
  onProgress: (line: string) => void;
  /** A decision started (no outcome) or decided, for the live view. */
  onCall?: (call: { id: string; label: string; outcome?: string }) => void;
}

/** Runs the judge panel over the finalists and returns per-finalist judge scores with the evidence. */
export async function runJudge(input: JudgeInput): Promise<JudgeResult> {
  const started = Date.now();
  const judgeTar = join(input.scratch, 'judge-base.tar');
  // Root-owned files: the judge's user can read the base repository but not change it.
  await retarAs(input.baseTar, judgeTar, 0);
  const servers = await Promise.all(input.config.models.map((model, index) => startJudgeServer(input, model, index, judgeTar)));
  try {
    const calls: JudgeCall[] = [];
    const matches: MatchResult[] = [];
    const rubric: RubricScores[] = [];
    const byName = new Map(input.finalists.map((f) => [f.name, f]));
    if (input.config.mode === 'pairwise') {
      const names = input.finalists.map((f) => f.name);
      const playRound = async (pairs: [string, string][]) => {
        await Promise.all(pairs.map(async ([a, b]) => {
          const call = { id: `${a} vs ${b}`, label: `${a} vs ${b}` };
          input.onCall?.(call);
          const matchCalls = await Promise.all(
            servers.flatMap((server) => [
              pairwiseCall(input, server, byName.get(a)!, byName.get(b)!),
              pairwiseCall(input, server, byName.get(b)!, byName.get(a)!),
            ]),
          );
          calls.push(...matchCalls);
          const match = buildMatch(a, b, matchCalls);
          matches.push(match);
          const outcome = match.outcome === 'a' ? match.a : match.outcome === 'b' ? match.b : match.outcome;
          input.onCall?.({ ...call, outcome });
          input.onProgress(`${match.a} vs ${match.b}: ${outcome}`);
        }));
      };
      // Every pair meets with up to six finalists; beyond that, Swiss rounds bound the number of matches.
      const scheduler = createScheduler(names);
      for (let pairs = scheduler.nextRound(matches); pairs.length > 0; pairs = scheduler.nextRound(matches)) await playRound(pairs);
    } else {
      for (const finalist of input.finalists) {
        for (const [index, server] of servers.entries()) {
          const call = { id: `${finalist.name} ${index}`, label: servers.length > 1 ? `${finalist.name} (judge ${index + 1})` : finalist.name };
          input.onCall?.(call);
          const out = await server.limit(() => rubricCall(input, server, finalist));
          input.onCall?.({ ...call, outcome: out.call.error ? 'no answer' : 'graded' });
          rubric.push(out.scores);
          calls.push(out.call);
        }
      }
    }
    // Matches of a round run concurrently; keep the record in a stable order.
    matches.sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1));
    const ranking = input.config.mode === 'pairwise' ? fitBradleyTerry(input.finalists.map((f) => f.name), matches) : null;
    const confidence = input.config.mode === 'pairwise' ? judgeConfidence(input.finalists.map((f) => f.name), input.config.models, matches) : null;
    return {
      ran: true,
      mode: input.config.mode,
      models: input.config.models,
      matches,
      rubric,
      ranking,
      confidence,
      scores: ranking ? ranking.scores : rubricScores(input.finalists.map((f) => f.name), rubric),
      calls: calls.length,
      failedCalls: calls.filter((c) => c.verdict === null).length,
      durationMs: Date.now() - started,
      tokens: { input: calls.reduce((s, c) => s + c.tokens.input, 0), output: calls.reduce((s, c) => s + c.tokens.output, 0) },
      costUsd: calls.reduce((s, c) => s + c.costUsd, 0),
    };
  } finally {
    await Promise.all(servers.map(async (s) => {
      await s.sandbox.remove();
      await s.attachment.release().catch(() => undefined);
    }));
  }
}

interface JudgeServer {
  model: string;
  answerer: AgentAnswerer;
  sandbox: Sandbox;
  attachment: Attachment;
  limit: <T>(work: () => Promise<T>) => Promise<T>;
}

async function startJudgeServer(input: JudgeInput, model: string, index: number, judgeTar: string): Promise<JudgeServer> {
  // Its own network like an entrant's, and its own secret: an entrant's container can neither reach nor drive it.
  const attachment = await input.networks.attach(`judge-${index}`, model, input.gatewayFor(model)?.settings, input.engine);
  const gateway = input.gatewayFor(model);
  // The judge's kind: opencode (the only kind that answers so far; see AgentLaunch.answerer).
  const launch = agentKind('opencode').launch({
    model,
    scriptedBaseUrl: attachment.scriptedBaseUrl,
    ...(gateway && { gateway }),
    passEnv: isScripted(model) ? {} : input.envFor(model),
    sandboxEnv: attachment.env,
    role: 'judge',
  });
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await Sandbox.create(input.engine, {
      image: input.image,
      runId: input.runId,
      role: `judge:${index}`,
      name: `tourney-${input.runId}-judge-${index}`,
      limits: input.limits,
      network: attachment.network,
      aliases: attachment.aliases,
      env: launch.env,
      readOnlyBinds: isScripted(model) ? [] : input.readOnlyBinds,
      cmd: launch.cmd,
    });
    await sandbox.putTar(judgeTar, '/work');
    // The diffs too, under names that say nothing about who made them.
    const diffs = input.finalists.map((f) => ({ name: `candidates/${createHash('sha256').update(f.patch).digest('hex').slice(0, 12)}.patch`, content: f.patch, mode: 0o444 }));
    await sandbox.putTar(await tarOf(diffs, 0), '/work');
    if (!launch.answerer) throw new Error('its agent kind cannot answer as a judge');
    const answerer = await launch.answerer(agentSandbox(sandbox, (box, port) => attachment.serverUrl(box, port)), { directory: JUDGE_DIR, ...(input.signal && { signal: input.signal }) });
    let running = 0;
    const queue: (() => void)[] = [];
    const limit = async <T>(work: () => Promise<T>): Promise<T> => {
      if (running >= CALLS_PER_SERVER) await new Promise<void>((resolve) => queue.push(resolve));
      running += 1;
      try {
        return await work();
      } finally {
        running -= 1;
        queue.shift()?.();
      }
    };
    return { model, answerer, sandbox, attachment, limit };
  } catch (err) {
    await sandbox?.remove();
    await attachment.release().catch(() => undefined);
    throw new Error(`judge ${model} did not start: ${errorMessage(err)}`, { cause: err });
  }
}

async function pairwiseCall(input: JudgeInput, server: JudgeServer, first: Finalist, second: Finalist): Promise<JudgeCall> {
  return server.limit(async () => {
    const prompt = await pairwisePrompt(input.config.rubric, input.spec, { label: 'A', ...first }, { label: 'B', ...second });
    const out = await judgeCall({
      answerer: server.answerer,
      model: server.model,
      prompt,
      schema: pairwiseAnswerSchema,
      retries: input.config.retries,
      timeLimitMs: input.config.timeLimitSec * 1000,
      signal: input.signal,
    });
    return {
      judge: server.model,
      first: first.name,
      second: second.name,
      verdict: out.answer?.winner ?? null,
      rationale: out.answer?.rationale ?? '',
      ...(out.answer?.confidence !== undefined ? { confidence: out.answer.confidence } : {}),
      ...(out.error ? { error: out.error } : {}),
      durationMs: out.durationMs,
      tokens: out.tokens,
      costUsd: out.costUsd,
      attempts: out.attempts,
    };
  });
}

async function rubricCall(input: JudgeInput, server: JudgeServer, finalist: Finalist): Promise<{ scores: RubricScores; call: JudgeCall }> {
  const prompt = await rubricPrompt(input.config.rubric, input.spec, { label: 'A', ...finalist });
  const out = await judgeCall({
    answerer: server.answerer,
    model: server.model,
    prompt,
    schema: rubricAnswerSchema,
    retries: input.config.retries,
    timeLimitMs: input.config.timeLimitSec * 1000,
    signal: input.signal,
  });
  const call: JudgeCall = {
    judge: server.model,
    first: finalist.name,
    second: finalist.name,
    verdict: out.answer ? 'tie' : null,
    rationale: out.answer?.rationale ?? '',
    ...(out.error ? { error: out.error } : {}),
    durationMs: out.durationMs,
    tokens: out.tokens,
    costUsd: out.costUsd,
    attempts: out.attempts,
  };
  return {
    scores: { entrant: finalist.name, judge: server.model, scores: out.answer?.scores ?? null, rationale: out.answer?.rationale ?? '', ...(out.error ? { error: out.error } : {}) },
    call,
  };
}

/** Rubric mode: the mean criterion score, mapped from 1..5 to 0..1, averaged over the judges that answered. */
function rubricScores(names: string[], rubric: RubricScores[]): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const name of names) {
    const answered = rubric.filter((r) => r.entrant === name && r.scores);
    const means = answered.map((r) => RUBRIC_CRITERIA.reduce((s, c) => s + (r.scores![c] ?? 1), 0) / RUBRIC_CRITERIA.length);
    scores[name] = means.length > 0 ? (means.reduce((s, m) => s + m, 0) / means.length - 1) / 4 : 0.5;
  }
  return scores;
}

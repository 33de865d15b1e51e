import * as z from 'zod';
import { MAX_ENTRANTS, MAX_TRIALS } from './defaults.js';
import { durationSchema, memorySchema } from './units.js';
import { strictObject } from './zod-errors.js';
import { DEBIAN_PACKAGE_RE } from '../prepare/toolchain.js';
import { allowEntrySchema } from './allow.js';
import { enginesSchema } from './engines.js';
import { AGENT_KIND_NAMES } from '../agents/kind.js';
import { parseCommand } from '../agents/command-template.js';

export const NAME_EXPECTED =
  'expected a name of 1-40 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (it becomes a git branch name)';
export const TRIALS_EXPECTED = `expected a whole number of trials from 1 to ${MAX_TRIALS}`;
export const MODEL_EXPECTED = 'expected "provider/model", e.g. "anthropic/claude-sonnet-4-5"';
export const MODEL_RE = /^[^\s/]+\/\S+$/;

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,39}$/;
const ENV_RE = /^[A-Z_][A-Z0-9_]*$/;

/** Branch names tourney itself uses beside `tourney/<run>/<entrant>`: an entrant may not take one. */
export const RESERVED_NAMES = ['winner'] as const;

// The regex alone admits names git refuses as a ref component ("a..b", "x.lock", "x.").
export const entrantName = z.string().regex(NAME_RE, NAME_EXPECTED)
  .refine((n) => !n.includes('..') && !n.endsWith('.') && !n.endsWith('.lock'), NAME_EXPECTED)
  .refine((n) => !(RESERVED_NAMES as readonly string[]).includes(n), { error: (issue) => `expected a name other than "${String(issue.input)}": tourney keeps the winner's branch as tourney/<run>/winner` });

const PROVIDER_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const HEADER_RE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const gatewayModelSchema = strictObject({
  name: z.string().trim().min(1).optional(),
  context: z.int('expected a token count').positive().optional(),
  output: z.int('expected a token count').positive().optional(),
});

const providerSettingsSchema = strictObject({
  baseURL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. "https://llm-gateway.example.com/v1"' }).optional(),
  apiKeyEnv: z.string().regex(ENV_RE, 'expected an environment variable name like "CORP_GATEWAY_KEY"').optional(),
  headers: z.record(
    z.string(),
    z.string('expected a header value (a string; "{env:NAME}" reads the host variable NAME)').refine((v) => !/[\r\n]/.test(v), 'expected a header value on one line'),
  ).superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (!HEADER_RE.test(name)) ctx.addIssue({ code: 'custom', path: [name], input: name, message: 'expected an HTTP header name like "X-Team"' });
    }
  }).optional(),
  npm: z.string().regex(/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+$/, 'expected an npm package name like "@ai-sdk/openai-compatible"').optional(),
  name: z.string().trim().min(1).optional(),
  models: z.union([
    z.array(z.string().trim().min(1, 'expected a model id')).min(1),
    z.record(z.string().trim().min(1, 'expected a model id'), gatewayModelSchema),
  ], 'expected a list of model ids, or a mapping of model id to { name, context, output }').optional(),
});

// Key checks in a refinement: zod reports a bad record key only as "Invalid key in record".
const providersSchema = z.record(z.string(), providerSettingsSchema).superRefine((providers, ctx) => {
  for (const id of Object.keys(providers)) {
    const message = !PROVIDER_RE.test(id)
      ? 'expected a provider id like "anthropic" or "corp-gateway" (lower-case letters, digits, ".", "_", "-")'
      : id === 'scripted' ? 'expected a provider id other than "scripted" (tourney serves that one itself)' : undefined;
    if (message) ctx.addIssue({ code: 'custom', path: [id], input: id, message });
  }
});

export type RawProviderSettings = z.output<typeof providerSettingsSchema>;

const commandSchema = z
  .union([z.string(), z.array(z.string())], 'expected a command: a string like "my-agent --prompt-file {promptFile}" or a list of words')
  .superRefine((template, ctx) => {
    const parsed = parseCommand(template);
    if ('problems' in parsed) for (const message of parsed.problems) ctx.addIssue({ code: 'custom', input: template, message });
  });

// Either cap alone is fine; an empty mapping is a mistake (the user meant to set one).
export const budgetSchema = strictObject({
  tokens: z.int('expected a whole number of tokens, like 200000').positive('expected a token count above 0').optional(),
  costUsd: z.number('expected US dollars, like 2.5').positive('expected US dollars above 0').max(1e6, 'expected at most 1000000 US dollars').optional(),
}).refine((b) => b.tokens !== undefined || b.costUsd !== undefined, 'expected tokens or costUsd (or both), e.g. budget: { tokens: 200000, costUsd: 2 }');

const entrantSchema = strictObject({
  name: entrantName,
  agent: z.enum(AGENT_KIND_NAMES, `expected one of ${AGENT_KIND_NAMES.map((k) => `"${k}"`).join(', ')}`).optional(),
  /** For `agent: command`: the program and its arguments ({promptFile}, {workdir}, {model}, {modelId}, {baseUrl}). */
  command: commandSchema.optional(),
  model: z.string().regex(MODEL_RE, MODEL_EXPECTED).optional(),
  approach: z.string().trim().min(1).optional(),
  timeLimit: durationSchema,
  providers: providersSchema.optional(),
  /** Runs of this entrant (each its own sandbox, refereed and scored alone); ranked by their mean. */
  trials: z.number().int(TRIALS_EXPECTED).min(1, TRIALS_EXPECTED).max(MAX_TRIALS, TRIALS_EXPECTED).optional(),
  budget: budgetSchema.optional(),
});

const entrantsSchema = z.array(entrantSchema).min(1).max(MAX_ENTRANTS).superRefine((entrants, ctx) => {
  const seen = new Map<string, number>();
  entrants.forEach((e, i) => {
    if (e.agent === 'command' && e.command === undefined) {
      ctx.addIssue({ code: 'custom', path: [i, 'command'], input: e, message: 'expected a command for agent "command", e.g. command: "my-agent --prompt-file {promptFile}"' });
    }
    if (e.agent !== 'command' && e.command !== undefined) {
      ctx.addIssue({ code: 'custom', path: [i, 'command'], input: e.command, message: `expected no command: it is only for agent "command" (this entrant's agent is "${e.agent ?? 'opencode'}")` });
    }
    const first = seen.get(e.name);
    if (first === undefined) seen.set(e.name, i);
    else ctx.addIssue({ code: 'custom', path: [i, 'name'], input: e.name, message: `expected a name not used by another entrant (entrants[${first}] has it)` });
  });
});

const sandboxSchema = strictObject({
  image: z.string().trim().min(1).optional(),
  cpus: z.number().positive().optional(),
  memory: memorySchema,
  pids: z.int().positive().optional(),
  // The repository copy and opencode's own state live there too: less than this is no workspace.
  disk: memorySchema.refine((mb) => mb === undefined || mb >= 64, 'expected at least "64m"'),
  maxDiff: memorySchema,
  network: z.enum(['auto', 'none', 'model-only', 'open', 'allowlist']).optional(),
  allow: z.array(allowEntrySchema).optional(),
  env: z.array(z.string().regex(ENV_RE, 'expected an environment variable name like "ANTHROPIC_API_KEY"')).optional(),
  timeLimit: durationSchema,
  opencodeAuth: z.boolean().optional(),
  setupNetwork: z.enum(['open', 'none']).optional(),
  setupTimeLimit: durationSchema,
  setupKey: z.array(z.string().trim().min(1, 'expected a glob like "package-lock.json" or "**/requirements*.txt"')).min(1).optional(),
  setupEnv: z.array(z.string().regex(ENV_RE, 'expected an environment variable name like "NPM_TOKEN"')).optional(),
  packages: z.array(z.string().regex(DEBIAN_PACKAGE_RE, 'expected a Debian package name like "python3-pytest" (optionally "name=version")')).optional(),
  dockerfile: z.string().trim().min(1, 'expected the path of a Dockerfile (relative to the repository root)').optional(),
  caFile: z.string().trim().min(1, 'expected the path of a PEM CA bundle').optional(),
  maxParallel: z.int('expected a whole number of entrants to run at once, like 2').min(1, 'expected at least 1 entrant at a time').max(64, 'expected at most 64 entrants at a time').optional(),
}).superRefine((sandbox, ctx) => {
  if (sandbox.network === 'allowlist' && !sandbox.allow?.length) {
    ctx.addIssue({ code: 'custom', path: ['allow'], input: sandbox.allow, message: 'expected a list of hosts ("host" or "host:port") with network "allowlist", e.g. allow: [api.anthropic.com]' });
  }
  if (sandbox.allow && sandbox.network !== 'allowlist') {
    ctx.addIssue({ code: 'custom', path: ['allow'], input: sandbox.allow, message: 'only applies with network "allowlist": set sandbox.network: allowlist, or remove sandbox.allow' });
  }
});

const gatesSchema = strictObject({
  tests: z.boolean().optional(),
  hiddenTests: z.boolean().optional(),
  tampering: z.boolean().optional(),
  security: z.enum(['high', 'medium', 'low', 'off']).optional(),
  build: z.boolean().optional(),
  performance: z.boolean().optional(),
  injection: z.boolean().optional(),
  minMargin: z.number('expected score points (0-100), e.g. 2').min(0).max(100, 'expected score points from 0 to 100').optional(),
});

const weight = z.number('expected a weight: a number >= 0').min(0, 'expected a weight >= 0').optional();
const weightsSchema = strictObject({
  tests: weight,
  hiddenTests: weight,
  lint: weight,
  security: weight,
  performance: weight,
  scope: weight,
  judge: weight,
});

const judgeSchema = strictObject({
  models: z.array(z.string().regex(MODEL_RE, MODEL_EXPECTED)).optional(),
  mode: z.enum(['pairwise', 'rubric']).optional(),
  rubric: z.string().trim().min(1, 'expected the path of a rubric template').optional(),
  retries: z.int().min(0).max(5).optional(),
  timeLimit: durationSchema,
});

const tamperingSchema = strictObject({
  protected: z.array(z.string().trim().min(1, 'expected a glob like "migrations/**"')).optional(),
});

const performanceSchema = strictObject({
  threshold: z.number().min(0).max(1, 'expected a fraction from 0 to 1, e.g. 0.1 for 10%').optional(),
  rounds: z.int().min(1).max(20).optional(),
});

export const configSchema = strictObject({
  entrants: entrantsSchema.optional(),
  sandbox: sandboxSchema.optional(),
  gates: gatesSchema.optional(),
  weights: weightsSchema.optional(),
  tampering: tamperingSchema.optional(),
  performance: performanceSchema.optional(),
  judge: judgeSchema.optional(),
  providers: providersSchema.optional(),
  scripts: z.array(z.string().trim().min(1, 'expected a directory path')).optional(),
  budget: budgetSchema.optional(),
  /** Docker engines the run's containers are placed on (default: the local engine, or DOCKER_HOST). */
  engines: enginesSchema.optional(),
});

export type RawConfig = z.output<typeof configSchema>;

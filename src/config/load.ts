import { readFile, stat } from 'node:fs/promises';
import { readInputFile } from './input-file.js';
import path from 'node:path';
import { TourneyError } from '../errors.js';
import type { EngineConfig, EntrantConfig, JudgeConfig, SandboxConfig, TourneyConfig } from '../types.js';
import {
  builtinRubric, builtinScriptsDir, CONFIG_FILENAMES, DEFAULT_JUDGE, DEFAULT_APPROACHES, DEFAULT_ENTRANTS, DEFAULT_SANDBOX, DEFAULT_SCORING, MAX_ENTRANTS, MAX_TRIALS,
} from './defaults.js';
import { isYamlError, parseJson, parseYaml, yamlErrorText } from './parse-file.js';
import { trialNames } from './trials.js';
import { engineNames, type RawEngines } from './engines.js';
import { configSchema, entrantName, MODEL_EXPECTED, MODEL_RE, NAME_EXPECTED, type RawConfig, type RawProviderSettings } from './schema.js';
import type { ProviderSettingsMap } from '../agents/gateways.js';
import { parseCommand } from '../agents/command-template.js';
import { describeValue, formatZodIssues } from './zod-errors.js';

export interface LoadConfigOptions {
  /** Explicit config file (relative to cwd); otherwise `tourney.config.{yaml,yml,json}` in repoRoot. */
  configPath?: string;
  entrants?: number;
  model?: string;
  timeLimitSec?: number;
  /** `tourney score` scores given candidates: no entrants are needed (nor a model). */
  withoutEntrants?: boolean;
  /** `--judge` flags: judge models instead of the config's. */
  judgeModels?: string[];
  /** `--min-margin`: instead of gates.minMargin. */
  minMargin?: number;
  /** `--trials`: runs of every entrant, instead of each entrant's `trials:`. */
  trials?: number;
}

/** `abs` relative to the cwd when it lies inside it, for messages; "../../x" reads worse than "/abs/x". */
export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

async function isFile(p: string): Promise<boolean | 'dir'> {
  try {
    return (await stat(p)).isDirectory() ? 'dir' : true;
  } catch {
    return false;
  }
}

/** The config file to read, or undefined when there is none. */
export async function findConfigFile(repoRoot: string, configPath?: string): Promise<string | undefined> {
  if (configPath !== undefined) {
    const abs = path.resolve(configPath);
    const kind = await isFile(abs);
    if (kind === false) throw new TourneyError(`${displayPath(abs)}: no such file (the config file given)`);
    if (kind === 'dir') throw new TourneyError(`${displayPath(abs)}: is a directory, expected a config file`);
    return abs;
  }
  const found: string[] = [];
  for (const name of CONFIG_FILENAMES) {
    const abs = path.join(repoRoot, name);
    if ((await isFile(abs)) === true) found.push(abs);
  }
  if (found.length > 1) {
    throw new TourneyError(`${found.map(displayPath).join(' and ')}: found more than one config file; keep only one`);
  }
  return found[0];
}

async function readRawConfig(file: string): Promise<RawConfig> {
  const shown = displayPath(file);
  const text = (await readInputFile(file, shown, 'config file')).replace(/^\uFEFF/, '');
  let data: unknown;
  if (file.endsWith('.json')) data = parseJson(text, shown);
  else {
    try {
      data = parseYaml(text);
    } catch (err) {
      if (!isYamlError(err)) throw err;
      throw new TourneyError(`${shown}: invalid YAML ${yamlErrorText(err)}`, { cause: err });
    }
  }
  // An empty or comments-only file is a config with every default.
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new TourneyError(`${shown}: expected a mapping with keys entrants, sandbox, scripts at the top level, got ${describeValue(data)}`);
  }
  const parsed = configSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) throw new TourneyError(formatZodIssues(parsed.error.issues, shown));
  return parsed.data;
}

function checkOptions(opts: LoadConfigOptions): void {
  const n = opts.entrants;
  if (n !== undefined && !(Number.isInteger(n) && n >= 1 && n <= MAX_ENTRANTS)) {
    throw new TourneyError(`--entrants: expected an integer from 1 to ${MAX_ENTRANTS}, got ${n}`);
  }
  if (opts.model !== undefined && !MODEL_RE.test(opts.model)) {
    throw new TourneyError(`--model: ${MODEL_EXPECTED}, got ${JSON.stringify(opts.model)}`);
  }
  const k = opts.trials;
  if (k !== undefined && !(Number.isInteger(k) && k >= 1 && k <= MAX_TRIALS)) {
    throw new TourneyError(`--trials: expected an integer from 1 to ${MAX_TRIALS}, got ${k}`);
  }
  const t = opts.timeLimitSec;
  if (t !== undefined && !(Number.isFinite(t) && t > 0)) {
    throw new TourneyError(`time limit: expected a positive number of seconds, got ${t}`);
  }
}

function resolveEntrants(raw: RawConfig, opts: LoadConfigOptions, shown: string | undefined): EntrantConfig[] {
  const listed = raw.entrants;
  if (listed) {
    if (opts.entrants !== undefined && opts.entrants !== listed.length) {
      throw new TourneyError(`${shown}: --entrants ${opts.entrants} does not match the ${listed.length} entrant(s) listed under "entrants"; drop --entrants or edit the list`);
    }
    const missing = listed.flatMap((e, i) => (opts.model ?? e.model ? [] : [`${shown}: key "entrants[${i}].model" is missing: ${MODEL_EXPECTED} (or pass --model to use one model for every entrant)`]));
    if (missing.length) throw new TourneyError(missing.join('\n'));
    return listed.map((e) => ({
      name: e.name,
      agent: e.agent ?? 'opencode',
      ...(e.command !== undefined && { command: commandArgv(e.command) }),
      model: (opts.model ?? e.model)!,
      ...(e.approach !== undefined && { approach: e.approach }),
      ...(e.timeLimit !== undefined && { timeLimitSec: e.timeLimit }),
      ...(e.providers && { providers: resolveProviders(e.providers) }),
      ...((opts.trials ?? e.trials ?? 1) > 1 && { trials: opts.trials ?? e.trials }),
      ...(e.budget && { budget: e.budget }),
    }));
  }
  if (!opts.model) {
    const where = shown ? `${shown} lists no entrants and ` : '';
    throw new TourneyError(`${where}no model was given: pass --model provider/model (e.g. --model anthropic/claude-sonnet-4-5), or list entrants with their models in tourney.config.yaml`);
  }
  const model = opts.model;
  return Array.from({ length: opts.entrants ?? DEFAULT_ENTRANTS }, (_, i) => ({
    name: `entrant-${i + 1}`,
    agent: 'opencode' as const,
    model,
    approach: DEFAULT_APPROACHES[i % DEFAULT_APPROACHES.length]!,
    ...((opts.trials ?? 1) > 1 && { trials: opts.trials }),
  }));
}

/**
 * Every trial is a sandbox and a candidate of its own, named `<entrant>-t<k>`: the total stays within
 * MAX_ENTRANTS, and no trial's name may be another entrant's or too long to be a branch name.
 */
function checkTrials(entrants: EntrantConfig[], shown: string | undefined): EntrantConfig[] {
  const where = shown ?? 'the config';
  const runs = entrants.reduce((sum, e) => sum + (e.trials ?? 1), 0);
  if (runs > MAX_ENTRANTS) {
    const list = entrants.map((e) => `${e.name} x${e.trials ?? 1}`).join(', ');
    throw new TourneyError(`${where}: entrants times trials is ${runs} runs (${list}); expected at most ${MAX_ENTRANTS}: lower "trials" (or --trials) or list fewer entrants`);
  }
  const names = new Set(entrants.map((e) => e.name));
  for (const [i, e] of entrants.entries()) {
    for (const name of trialNames(e)) {
      if (name === e.name) continue;
      if (names.has(name)) throw new TourneyError(`${where}: key "entrants[${i}].trials": trial ${name} of ${e.name} has the name of another entrant; rename one of them`);
      if (!entrantName.safeParse(name).success) throw new TourneyError(`${where}: key "entrants[${i}].name": with trials its runs are named ${name}, and ${NAME_EXPECTED}; use a shorter name`);
    }
  }
  return entrants;
}

/** A template the schema accepted, as argv. */
function commandArgv(template: string | string[]): string[] {
  const parsed = parseCommand(template);
  if ('problems' in parsed) throw new Error(`unreachable: the schema accepted a bad command (${parsed.problems.join('; ')})`);
  return parsed.argv;
}

async function resolveScriptDirs(repoRoot: string, dirs: string[], shown: string | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const [i, dir] of dirs.entries()) {
    const abs = path.resolve(repoRoot, dir);
    if ((await isFile(abs)) !== 'dir') {
      throw new TourneyError(`${shown}: key "scripts[${i}]": expected a directory (relative to the repository root), got ${JSON.stringify(dir)}, which is not a directory (${abs})`);
    }
    out.push(abs);
  }
  out.push(builtinScriptsDir());
  return [...new Set(out)];
}

async function resolveJudge(root: string, raw: RawConfig['judge'], shown: string | undefined, flagModels?: string[]): Promise<JudgeConfig> {
  let rubric = builtinRubric();
  if (raw?.rubric) {
    rubric = path.resolve(root, raw.rubric);
    if ((await isFile(rubric)) !== true) throw new TourneyError(`${shown}: key "judge.rubric": expected a rubric template file (relative to the repository root), got ${JSON.stringify(raw.rubric)}: ${rubric} is not a file`);
  }
  return {
    models: flagModels ?? raw?.models ?? [],
    mode: raw?.mode ?? DEFAULT_JUDGE.mode,
    rubric,
    retries: raw?.retries ?? DEFAULT_JUDGE.retries,
    timeLimitSec: raw?.timeLimit ?? DEFAULT_JUDGE.timeLimitSec,
  };
}

/** A path from the config, relative to the repository root, that must be a readable file. */
async function existingFile(root: string, value: string, shown: string | undefined, key: string, what: string): Promise<string> {
  const abs = path.resolve(root, value);
  if ((await isFile(abs)) !== true) {
    throw new TourneyError(`${shown}: key "${key}": expected ${what} (relative to the repository root), got ${JSON.stringify(value)}: ${abs} is not a file`);
  }
  try {
    await readFile(abs);
  } catch (err) {
    throw new TourneyError(`${shown}: key "${key}": ${abs} cannot be read (${(err as NodeJS.ErrnoException).code ?? errorText(err)})`);
  }
  return abs;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Reads and validates the tourney config, then applies flags and defaults. Throws TourneyError. */
export async function loadConfig(repoRoot: string, opts: LoadConfigOptions = {}): Promise<TourneyConfig> {
  checkOptions(opts);
  const root = path.resolve(repoRoot);
  const file = await findConfigFile(root, opts.configPath);
  const shown = file && displayPath(file);
  const raw: RawConfig = file ? await readRawConfig(file) : {};
  const s: Partial<NonNullable<RawConfig['sandbox']>> = raw.sandbox ?? {};
  const sandbox: SandboxConfig = {
    image: s.image ?? DEFAULT_SANDBOX.image,
    cpus: s.cpus ?? DEFAULT_SANDBOX.cpus,
    memoryMb: s.memory ?? DEFAULT_SANDBOX.memoryMb,
    pids: s.pids ?? DEFAULT_SANDBOX.pids,
    diskMb: s.disk ?? DEFAULT_SANDBOX.diskMb,
    maxDiffBytes: s.maxDiff === undefined ? DEFAULT_SANDBOX.maxDiffBytes : s.maxDiff * 1024 * 1024,
    network: s.network ?? DEFAULT_SANDBOX.network,
    allow: s.allow ?? [],
    env: [...new Set(s.env ?? DEFAULT_SANDBOX.env)],
    timeLimitSec: opts.timeLimitSec ?? s.timeLimit ?? DEFAULT_SANDBOX.timeLimitSec,
    opencodeAuth: s.opencodeAuth ?? DEFAULT_SANDBOX.opencodeAuth,
    setupNetwork: s.setupNetwork ?? DEFAULT_SANDBOX.setupNetwork,
    setupTimeLimitSec: s.setupTimeLimit ?? DEFAULT_SANDBOX.setupTimeLimitSec,
    ...(s.setupKey && { setupKey: s.setupKey }),
    setupEnv: [...new Set(s.setupEnv ?? DEFAULT_SANDBOX.setupEnv)],
    packages: [...new Set(s.packages ?? DEFAULT_SANDBOX.packages)],
    ...(s.maxParallel !== undefined && { maxParallel: s.maxParallel }),
    ...(s.dockerfile && { dockerfile: await existingFile(root, s.dockerfile, shown, 'sandbox.dockerfile', 'a Dockerfile') }),
    ...(s.caFile && { caFile: await existingFile(root, s.caFile, shown, 'sandbox.caFile', 'a PEM CA bundle') }),
  };
  const weights = { ...DEFAULT_SCORING.weights, ...raw.weights };
  if (Object.values(weights).every((w) => w === 0)) {
    throw new TourneyError(`${shown}: key "weights": expected at least one weight above 0`);
  }
  return {
    ...(file && { source: file }),
    entrants: opts.withoutEntrants ? [] : checkTrials(resolveEntrants(raw, opts, shown), shown),
    sandbox,
    scriptDirs: await resolveScriptDirs(root, raw.scripts ?? [], shown),
    scoring: {
      gates: { ...DEFAULT_SCORING.gates, ...raw.gates, ...(opts.minMargin !== undefined && { minMargin: opts.minMargin }) },
      weights,
      protectedPaths: raw.tampering?.protected ?? [],
      performance: { ...DEFAULT_SCORING.performance, ...raw.performance },
    },
    judge: await resolveJudge(root, raw.judge, shown, opts.judgeModels),
    providers: resolveProviders(raw.providers ?? {}),
    ...(raw.budget && { budget: raw.budget }),
    engines: await resolveEngines(root, raw.engines ?? [], shown),
  };
}

async function resolveEngines(root: string, raw: RawEngines, shown: string | undefined): Promise<EngineConfig[]> {
  const names = engineNames(raw);
  return Promise.all(raw.map(async (e, i) => ({
    name: names[i]!,
    host: e.host,
    ...(e.slots !== undefined && { slots: e.slots }),
    ...(e.reach && { reach: e.reach }),
    ...(e.tls && {
      tls: {
        ca: await existingFile(root, e.tls.ca, shown, `engines[${i}].tls.ca`, 'a PEM CA certificate'),
        cert: await existingFile(root, e.tls.cert, shown, `engines[${i}].tls.cert`, 'a PEM client certificate'),
        key: await existingFile(root, e.tls.key, shown, `engines[${i}].tls.key`, 'a PEM client key'),
      },
    }),
  })));
}

/** `models` as a list of ids becomes a mapping, the one shape the rest of tourney reads. */
function resolveProviders(raw: Record<string, RawProviderSettings>): ProviderSettingsMap {
  return Object.fromEntries(
    Object.entries(raw).map(([id, settings]) => {
      const { models, ...rest } = settings;
      const byId = Array.isArray(models) ? Object.fromEntries(models.map((m) => [m, {}])) : models;
      return [id, { ...rest, ...(byId && { models: byId }) }];
    }),
  );
}

// `tourney validate SPEC`: every check a run makes before its first container (spec, repository, config,
// models and credentials, Docker engine and its limits), and nothing else: no run dir, no container.
import { loadSpec } from '../spec/load.js';
import { openRepo } from '../git/repo.js';
import { loadConfig } from '../config/load.js';
import { preflight } from '../run/preflight.js';
import { modelCatalogueSource } from '../agents/kinds.js';
import { TourneyError } from '../errors.js';
import { stripControl } from '../text/control.js';

export interface ValidationStep {
  name: 'spec' | 'repository' | 'config' | 'models' | 'docker' | 'limits';
  ok: boolean;
  detail: string;
  exitCode?: number;
}

export interface ValidateOptions {
  repo: string;
  config?: string;
  /** As for run: entrants made from flags when the config lists none. */
  model?: string;
  entrants?: number;
  json?: boolean;
}

/** Runs the checks in the order a run does; stops at the first failure (later ones depend on it). */
export async function validate(specPath: string, options: ValidateOptions): Promise<ValidationStep[]> {
  const steps: ValidationStep[] = [];
  const step = async (name: ValidationStep['name'], work: () => Promise<string>): Promise<boolean> => {
    try {
      steps.push({ name, ok: true, detail: await work() });
      return true;
    } catch (err) {
      if (!(err instanceof TourneyError)) throw err;
      steps.push({ name, ok: false, detail: err.message, exitCode: err.exitCode });
      return false;
    }
  };
  let spec: Awaited<ReturnType<typeof loadSpec>> | undefined;
  if (!(await step('spec', async () => {
    spec = await loadSpec(specPath);
    return `"${spec.title}": test "${spec.test}"${spec.hidden ? `, hidden "${spec.hidden.test}"` : ''}${spec.bench?.length ? `, ${spec.bench.length} benchmark(s)` : ''}`;
  }))) return steps;
  let root = '';
  if (!(await step('repository', async () => {
    const repo = await openRepo(options.repo);
    root = repo.root;
    return `${repo.root} at ${repo.head.slice(0, 12)}${repo.branch ? ` on ${repo.branch}` : ' (detached)'}${repo.dirty ? '; uncommitted changes are not seen by entrants' : ''}`;
  }))) return steps;
  let config: Awaited<ReturnType<typeof loadConfig>> | undefined;
  if (!(await step('config', async () => {
    config = await loadConfig(root, { configPath: options.config, model: options.model, entrants: options.entrants });
    return `${config.entrants.length} entrant(s): ${config.entrants.map((e) => `${e.name} (${e.model})`).join(', ')}`;
  }))) return steps;
  const notes: string[] = [];
  if (!(await step('models', async () => {
    const plan = await preflight({
      config: config!,
      catalogue: { ...modelCatalogueSource, onNote: (m) => notes.push(m) },
      onWarning: (m) => notes.push(m),
    });
    notes.push(...plan.notes);
    return `every model is known and has its credentials${notes.length ? ` (${notes.join('; ')})` : ''}`;
  }))) return steps;
  const { connectEngine } = await import('../sandbox/docker.js');
  const { engineConfigProblem } = await import('../run/engines.js');
  const engines: Awaited<ReturnType<typeof connectEngine>>[] = [];
  if (!(await step('docker', async () => {
    // What `tourney run` refuses about its engines (a scripted model on an engine elsewhere...), refused here too.
    const refused = engineConfigProblem(config!);
    if (refused) throw refused;
    const listed = config!.engines.length > 0 ? config!.engines : [undefined];
    const versions: string[] = [];
    for (const e of listed) {
      const engine = e ? await connectEngine(e.host, e.name, e.tls, e.reach) : await connectEngine();
      engines.push(engine);
      const version = await engine.engineVersion();
      versions.push(e ? `${e.name} ${version.version || 'reachable'}` : version.version || 'reachable');
    }
    return `engine${versions.length > 1 ? 's' : ''} ${versions.join(', ')}`;
  }))) return steps;
  await step('limits', async () => {
    const { checkEngineFits } = await import('../sandbox/capacity.js');
    const limits = config!.sandbox;
    for (const engine of engines) {
      const problem = await checkEngineFits(engine, limits);
      if (problem) throw new TourneyError(`${config!.source ?? 'the config'}: ${config!.engines.length > 0 ? `engine ${engine.id}: ` : ''}${problem}`);
    }
    return `${limits.cpus} CPU, ${limits.memoryMb} MB, ${limits.pids} processes per container fit the engine${engines.length > 1 ? 's' : ''}`;
  });
  return steps;
}

export async function validateCommand(specPath: string, options: ValidateOptions): Promise<number> {
  const steps = await validate(specPath, options);
  const failed = steps.find((s) => !s.ok);
  if (options.json) process.stdout.write(JSON.stringify({ ok: !failed, steps }, null, 2) + '\n');
  else {
    for (const s of steps) process.stdout.write(stripControl(`${s.ok ? 'ok  ' : 'FAIL'} ${s.name.padEnd(10)} ${s.detail}\n`));
    process.stdout.write(failed ? `not ready: fix the ${failed.name} first (no container was started)\n` : 'ready: tourney run would start the entrants now\n');
  }
  return failed ? (failed.exitCode ?? 2) : 0;
}

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../sandbox/engine.js';
import type { SandboxLimits } from '../sandbox/container.js';
import type { EntrantChecks } from '../checks/types.js';
import type { ScoringConfig, Spec, TestCheck } from '../types.js';
import { runTamperCheck } from '../checks/tampering.js';
import { runScopeCheck } from '../checks/scope.js';
import { runInjectionCheck } from '../checks/injection.js';
import { runLintCheck } from '../checks/lint.js';
import { runSecurityCheck } from '../checks/security.js';
import { staticGates } from '../ranking/gates.js';
import type { GateResult } from '../ranking/types.js';
import { errorMessage } from '../errors.js';
import { materialize, PatchDoesNotApply, type FileChange } from './materialize.js';
import { finishRun, startRun, type CommandSpec, type Overlay, type StartedRun } from './tests.js';
import { planSentinel, withHarnessFindings } from './harness.js';
import { findHarnessPatches } from '../checks/harness-patch.js';
import { harnessNotRun, type HarnessCheck } from './sentinel.js';
import type { RunEnvironment } from '../prepare/environment.js';
import { copyImage } from '../sandbox/image-transfer.js';
import type { EntrantEnvironment } from '../prepare/types.js';

export interface RefereeContext {
  engine: Engine;
  /** Where containers start from: the run's prepared environment, or an entrant's own. */
  environment: RunEnvironment;
  /** The engine the environment's images are made on, when it is not `engine` (an engine pool): they are copied over. */
  environmentEngine?: Engine;
  runId: string;
  runDir: string;
  baseTar: string;
  spec: Spec;
  scoring: ScoringConfig;
  limits: SandboxLimits;
  timeoutMs: number;
}

export interface RefereeVerdict {
  /** Every check but performance, which runs for all candidates at once afterwards (refereePerformance). */
  checks: EntrantChecks;
  changes: FileChange[];
  environment?: EntrantEnvironment;
  /** Where this entrant's benchmarks can run: its environment's image, or why there is none. */
  bench?: { image: string | null; error?: string };
}

/** Each check timed, for the closing numbers and the bench script. */
export type CheckTimings = Record<string, number>;

/**
 * Every check on one entrant's patch but the benchmarks, cheapest first: the checks that only read code
 * (tampering, injection, scope, lint, security) read a host copy of base and base + patch as data; then
 * the checks that execute code (build, tests, hidden tests) run in fresh network-less containers.
 * Benchmarks run later, for every candidate at once (refereePerformance).
 */
export async function refereeEntrant(
  ctx: RefereeContext, name: string, patch: string, timings: CheckTimings = {},
  /** Told as soon as the static checks' gates are known: the first one failed, or null. */
  onStaticGates?: (failed: GateResult | null) => void,
  /** Told as each containerised step starts ("tests", "hidden tests"), for the live view. */
  onStep?: (step: string) => void,
): Promise<RefereeVerdict> {
  const dir = join(ctx.runDir, 'entrants', name);
  const rel = `entrants/${name}`;
  await mkdir(dir, { recursive: true });
  const timed = async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await work();
    } finally {
      timings[key] = (timings[key] ?? 0) + Date.now() - t0;
    }
  };

  const scratch = await mkdtemp(join(tmpdir(), `tourney-referee-${name}-`));
  try {
    let tree;
    try {
      tree = await timed('materialize', () => materialize(ctx.baseTar, patch, scratch));
    } catch (err) {
      const error = err instanceof PatchDoesNotApply ? `the entrant's patch does not apply to the base commit: ${err.message}` : errorMessage(err);
      return { checks: { tests: null, error }, changes: [] };
    }
    const { spec } = ctx;
    // The checks that only read the two trees run while the containers start (they share nothing with
    // them); their gates are still told before any of the entrant's code runs in a container.
    const staticInput = {
      baseDir: tree.baseDir,
      headDir: tree.headDir,
      changedFiles: tree.changes.filter((c) => c.status !== 'deleted').map((c) => c.path),
      outDir: dir,
      outRel: rel,
    };
    const staticRun = (async () => {
      const tamperStatic = await timed('tampering', async () => ({
        check: await runTamperCheck({
          baseDir: tree.baseDir,
          headDir: tree.headDir,
          changes: tree.changes,
          symlinks: tree.symlinks,
          patch,
          // The spec's benchmarks measure the entrant; an entrant must not get to rewrite them.
          protectedPaths: [...ctx.scoring.protectedPaths, ...(spec.bench ?? [])],
        }),
        harnessPatches: await findHarnessPatches({ headDir: tree.headDir, changedFiles: staticInput.changedFiles, patch }),
      }));
      const injection = await timed('injection', async () => runInjectionCheck({ patch }));
      const scope = await timed('scope', () => runScopeCheck({ baseDir: tree.baseDir, headDir: tree.headDir, changes: tree.changes, scope: spec.scope }));
      const lint = await timed('lint', () => runLintCheck(staticInput));
      const security = await timed('security', () => runSecurityCheck(staticInput));
      return { tamperStatic, injection, scope, lint, security };
    })();
    // Awaited below; this only keeps a failure from going unhandled while the containers start.
    staticRun.catch(() => undefined);

    // A diff that changes what the setup depends on (a new dependency) gets an environment of its own.
    onStep?.('environment');
    const env = await timed('environment', () =>
      ctx.environment.forEntrant(name, patch, { headDir: tree.headDir, changedPaths: tree.changes.map((c) => c.path) }),
    );
    if (env.image !== null && ctx.environmentEngine && ctx.environmentEngine !== ctx.engine) await copyImage(ctx.environmentEngine, ctx.engine, env.image);
    const hiddenOverlays: Overlay[] = spec.hidden ? spec.hidden.files.map((hostPath) => ({ hostPath, repoPath: spec.hidden!.into })) : [];
    const command = (key: string, cmd: string): CommandSpec => ({ key, command: cmd, logFile: join(dir, `${key}.log`), logRel: `${rel}/${key}.log` });
    const base = { runId: ctx.runId, entrant: name, baseTar: ctx.baseTar, patch, limits: ctx.limits, timeoutMs: ctx.timeoutMs };
    let visibleCommands = [...(spec.build ? [command('build', spec.build)] : []), command('test', spec.test)];
    let hiddenCommands = spec.hidden ? [command('hidden-test', spec.hidden.test)] : [];
    // Failing sentinel tests beside the hidden (else visible) tests: a harness that lets them pass is neutralised.
    const plan = await timed('sentinel', () => planSentinel(spec, tree.headDir, hiddenOverlays));
    const sentinelLog = { logFile: join(dir, 'sentinel.log'), logRel: `${rel}/sentinel.log` };
    if ('target' in plan) {
      if (plan.target === 'hidden-test') hiddenCommands = plan.add(hiddenCommands, sentinelLog);
      else visibleCommands = plan.add(visibleCommands, sentinelLog);
    }

    // Hidden tests get a container of their own, started beside the visible tests' one: whatever the
    // visible run does or leaves behind (files, background processes) cannot reach them. One shared
    // container cannot be made as safe: the prepared installs under the repository, HOME and /tmp are all
    // writable by the user the tests run as, and nothing in a capability-less container can put them back.
    const testPhases: Record<string, number> = {};
    const hiddenPhases: Record<string, number> = {};
    const image = env.image;
    const visibleStart = image === null ? null : startRun(ctx.engine, { ...base, image, purpose: 'tests', commandCount: visibleCommands.length, phases: testPhases });
    const hiddenStart = image === null || !spec.hidden ? null
      : startRun(ctx.engine, { ...base, image, purpose: 'hidden', overlays: hiddenOverlays, commandCount: hiddenCommands.length, phases: hiddenPhases });
    const removals: Promise<void>[] = [];
    const finished = new Set<Promise<StartedRun>>();
    let visible: Record<string, TestCheck>;
    let hidden: TestCheck | undefined;
    let harness: HarnessCheck;
    let statics: Awaited<typeof staticRun>;
    try {
      statics = await staticRun;
      const staticChecks: EntrantChecks = { tests: null, tampering: withHarnessFindings(statics.tamperStatic.check, statics.tamperStatic.harnessPatches, harnessNotRun('not yet')), injection: statics.injection, scope: statics.scope, lint: statics.lint, security: statics.security };
      const outOnStatic = staticGates(staticChecks, tree.changes.length > 0, spec, ctx.scoring.gates).find((g) => !g.passed);
      // Tests still run for an entrant out on a static gate: they are the scorecard's main signal (a cheat that
      // also fails the tests reads differently from one that passes them) and the sentinel run is part of tampering.
      onStaticGates?.(outOnStatic ?? null);

      if (visibleStart === null) {
        harness = harnessNotRun(env.environment.error ?? 'no environment');
        const notRun = (c: CommandSpec): [string, TestCheck] => [c.key, { passed: null, exitCode: null, counts: null, durationMs: 0, logPath: env.environment.logPath ?? c.logRel, error: env.environment.error }];
        visible = Object.fromEntries(visibleCommands.map(notRun));
        hidden = hiddenCommands.map(notRun)[0]?.[1];
      } else {
        // One after the other, as before: two test runs at once per entrant would double the CPU the
        // referee asks of the machine (entrants are already refereed side by side), for flaky timings.
        onStep?.(spec.build ? 'build and tests' : 'tests');
        finished.add(visibleStart);
        visible = await timed('tests', async () => finishRun(await visibleStart, { commands: visibleCommands, timeoutMs: ctx.timeoutMs, phases: testPhases }));
        if (hiddenStart) {
          onStep?.('hidden tests');
          finished.add(hiddenStart);
          hidden = (await timed('hiddenTests', async () => finishRun(await hiddenStart, { commands: hiddenCommands, timeoutMs: ctx.timeoutMs, phases: hiddenPhases })))['hidden-test'];
        }
        harness = 'target' in plan ? plan.result() : harnessNotRun(plan.none);
        timings.sentinelRun = (timings.sentinelRun ?? 0) + harness.durationMs;
      }
    } finally {
      // Containers started for runs that never came (a static check threw) go too.
      for (const started of [visibleStart, hiddenStart]) {
        if (started && !finished.has(started)) removals.push(started.then((s) => s.sandbox?.remove()));
      }
      await Promise.all(removals);
      for (const [k, ms] of Object.entries(testPhases)) timings[`tests.${k}`] = (timings[`tests.${k}`] ?? 0) + ms;
      for (const [k, ms] of Object.entries(hiddenPhases)) timings[`hidden.${k}`] = (timings[`hidden.${k}`] ?? 0) + ms;
    }
    const { tamperStatic, injection, scope, lint, security } = statics;

    const tampering = withHarnessFindings(tamperStatic.check, tamperStatic.harnessPatches, harness);

    return {
      checks: {
        tests: visible.test ?? null,
        ...(spec.build ? { build: visible.build ?? null } : {}),
        ...(spec.hidden ? { hiddenTests: hidden ?? null } : {}),
        tampering,
        harness,
        injection,
        scope,
        lint,
        security,
      },
      changes: tree.changes,
      environment: env.environment,
      bench: env.image === null ? { image: null, error: env.environment.error ?? 'no environment' } : { image: env.image },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { packagePath } from '../paths.js';
import { TourneyError, errorMessage } from '../errors.js';
import { parseDuration, DURATION_EXPECTED } from '../config/units.js';
import { MAX_ENTRANTS } from '../config/defaults.js';
import type { Reporter } from '../run/events.js';
import type { RunResult } from '../types.js';
import { LineReporter, TtyReporter, silentReporter } from './reporters.js';
import { stripControl } from '../text/control.js';

function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}

/** Exit codes: part of the CLI's contract, documented in the README. */
export const EXIT = { winner: 0, noWinner: 1, badInput: 2, environment: 3, interrupted: 130 } as const;

function entrantCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_ENTRANTS) {
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_ENTRANTS}, got "${value}"`);
  }
  return n;
}

function duration(value: string): number {
  const seconds = parseDuration(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value);
  if (seconds === undefined) throw new InvalidArgumentError(`${DURATION_EXPECTED}, got "${value}"`);
  return seconds;
}

/** Like `duration`, plus whole days ("7d"): image ages are counted in days. */
function durationWithDays(value: string): number {
  const days = /^(\d+)\s*d$/i.exec(value.trim());
  return days ? Number(days[1]) * 86_400 : duration(value);
}

function modelRef(value: string): string {
  if (!/^[^\s/]+\/\S+$/.test(value)) throw new InvalidArgumentError(`expected "provider/model", e.g. "anthropic/claude-sonnet-4-5", got "${value}"`);
  return value;
}

function scorePoints(value: string): number {
  const points = Number(value);
  if (value.trim() === '' || !Number.isFinite(points) || points < 0 || points > 100) throw new InvalidArgumentError(`expected score points from 0 to 100, e.g. 2, got "${value}"`);
  return points;
}

function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError(`expected a port number from 0 to 65535, got "${value}"`);
  return port;
}

interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
}

function pickReporter(options: OutputOptions): Reporter {
  if (options.quiet) return silentReporter;
  return process.stderr.isTTY ? new TtyReporter() : new LineReporter();
}

/** Ctrl-C cancels the run (which then removes its containers); a second Ctrl-C exits at once. */
function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let count = 0;
  const onSigint = () => {
    count += 1;
    if (count === 1) {
      process.stderr.write('\ntourney: interrupted; stopping entrants and removing containers (Ctrl-C again to quit now)\n');
      controller.abort();
    } else {
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    },
  };
}

function finishRun(result: RunResult, options: OutputOptions): number {
  if (options.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  return result.winner ? EXIT.winner : EXIT.noWinner;
}

/** What every run-like command shares: Ctrl-C handling, progress output, --json, the exit code. */
async function runCommand(options: OutputOptions, work: (signal: AbortSignal, reporter: Reporter) => Promise<RunResult>): Promise<number> {
  const { signal, dispose } = interruptSignal();
  const reporter = pickReporter(options);
  try {
    return finishRun(await work(signal, reporter), options);
  } finally {
    reporter.close?.();
    dispose();
  }
}

// Commands are imported when they run: the referee and report modules take seconds to load, and
// "tourney run" must report a missing key (the preflight) before paying for them.
const commands = {
  run: () => import('../run/tournament.js'),
  score: () => import('../score/score.js'),
  demo: () => import('../demo/demo.js'),
  doctor: () => import('../doctor/doctor.js'),
  image: () => import('./image-command.js'),
  modelServer: () => import('./model-server-command.js'),
  report: () => import('./report-command.js'),
  clean: () => import('./clean-command.js'),
};

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('tourney')
    .description('Run several coding agents on one feature spec in Docker sandboxes, referee the results, keep the best.')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();

  program
    .command('run')
    .description('run a tournament on a feature spec in the current repository')
    .argument('<spec>', 'feature spec: Markdown with YAML front matter (test command, optional setup and timeLimit)')
    .option('--repo <dir>', 'repository to work on', '.')
    .option('--config <file>', 'config file (default: tourney.config.yaml/.yml/.json at the repo root)')
    .option('-n, --entrants <n>', 'number of entrants when the config lists none', entrantCount)
    .option('-m, --model <provider/model>', 'model for every entrant, e.g. anthropic/claude-sonnet-4-5', modelRef)
    .option('--time-limit <duration>', 'per-entrant time limit, e.g. 90s, 10m', duration)
    .option('--image <tag>', 'sandbox image tag')
    .option('--judge <provider/model...>', 'judge model(s), overriding judge.models in the config', (v: string, all: string[] = []) => [...all, modelRef(v)])
    .option('--min-margin <points>', 'no winner unless it leads the runner-up by at least this many score points (a tie-break never suffices); overrides gates.minMargin', scorePoints)
    .option('--full', 'also benchmark entrants already out on a gate (skipped by default)')
    .option('--json', 'print result.json to stdout')
    .option('-q, --quiet', 'no progress output')
    .action(async (spec: string, options: OutputOptions & { repo: string; config?: string; entrants?: number; model?: string; timeLimit?: number; image?: string; judge?: string[]; minMargin?: number; full?: boolean }) => {
      const { runTournament } = await commands.run();
      setExit(await runCommand(options, (signal, reporter) => runTournament(
        { repoDir: options.repo, specPath: spec, configPath: options.config, entrants: options.entrants, model: options.model, timeLimitSec: options.timeLimit, image: options.image, judgeModels: options.judge, minMargin: options.minMargin, full: options.full, signal },
        reporter,
      )));
    });

  program
    .command('score')
    .description("score existing changes (branches or patch files from any agent tool or person) with tourney's referee and report; no agents run")
    .argument('<spec>', 'feature spec the candidates were made for')
    .requiredOption('-c, --candidate <name=ref-or-patch>', 'a candidate: NAME=git ref, or NAME=path to a .patch file (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--base <ref>', 'commit the candidates start from (default: merge base of the candidates and HEAD)')
    .option('--repo <dir>', 'repository', '.')
    .option('--config <file>', 'config file (gates, weights, sandbox limits)')
    .option('--image <tag>', 'sandbox image tag')
    .option('--judge <provider/model...>', 'judge model(s), overriding judge.models in the config', (v: string, all: string[] = []) => [...all, modelRef(v)])
    .option('--min-margin <points>', 'no winner unless it leads the runner-up by at least this many score points; overrides gates.minMargin', scorePoints)
    .option('--full', 'also benchmark entrants already out on a gate (skipped by default)')
    .option('--json', 'print result.json to stdout')
    .option('-q, --quiet', 'no progress output')
    .action(async (spec: string, options: OutputOptions & { candidate: string[]; base?: string; repo: string; config?: string; image?: string; judge?: string[]; minMargin?: number; full?: boolean }) => {
      const { scoreCandidates } = await commands.score();
      setExit(await runCommand(options, (signal, reporter) => scoreCandidates(
        { repoDir: options.repo, specPath: spec, configPath: options.config, candidates: options.candidate, base: options.base, image: options.image, judgeModels: options.judge, minMargin: options.minMargin, full: options.full, signal },
        reporter,
      )));
    });

  program
    .command('demo')
    .description('offline demo: a 4-entrant tournament with scripted entrants and a scripted judge on a bundled sample project (no API key, no network)')
    .option('--dir <dir>', 'where to create the sample project (default: a new temp dir)')
    .option('--json', 'print result.json to stdout')
    .option('-q, --quiet', 'no progress output')
    .action(async (options: OutputOptions & { dir?: string }) => {
      const { runDemo } = await commands.demo();
      setExit(await runCommand(options, (signal, reporter) => runDemo({ dir: options.dir, signal }, reporter)));
    });

  program
    .command('report')
    .description("render a run's report.html again from its saved result.json (e.g. after upgrading tourney)")
    .argument('<run-dir>', 'a run directory, .tourney/runs/<run-id>')
    .action(async (runDir: string) => {
      const { rerenderReport } = await commands.report();
      process.stdout.write(`${await rerenderReport(runDir)}\n`);
    });

  const image = program.command('image').description('manage the sandbox image');
  image
    .command('build')
    .description('build the sandbox image (Node, git, the opencode binary from the installed opencode-ai package)')
    .option('--tag <tag>', 'image tag')
    .addOption(new Option('--base <image>', 'base image (default: tourney-base:bookworm when present, else node:22-bookworm-slim)').env('TOURNEY_BASE_IMAGE'))
    .action(async (options: { tag?: string; base?: string }) => {
      const { buildImageCommand } = await commands.image();
      await buildImageCommand(options);
    });
  image
    .command('ls')
    .description('list prepared environments and toolchain images: key, size, age, last use')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const { listImagesCommand } = await commands.image();
      await listImagesCommand(options);
    });
  image
    .command('prune')
    .description('remove prepared environments and toolchain images (all, or those unused for longer than --older-than)')
    .option('--older-than <duration>', 'keep images used more recently than this, e.g. 7d, 12h, 30m', durationWithDays)
    .addOption(new Option('--kind <kind>', 'only prepared environments or only toolchain images').choices(['environment', 'toolchain']))
    .option('--dry-run', 'say what would be removed, remove nothing')
    .action(async (options: { olderThan?: number; dryRun?: boolean; kind?: 'environment' | 'toolchain' }) => {
      const { pruneImagesCommand } = await commands.image();
      await pruneImagesCommand(options);
    });

  program
    .command('clean')
    .description('remove what ended runs left (containers, networks) and prune old run dirs and tourney/* branches; never a live run\'s')
    .option('--repo <dir>', 'repository whose run dirs and branches to prune', '.')
    .option('--older-than <duration>', 'keep run dirs and branches younger than this, e.g. 7d, 12h (default 14d)', durationWithDays)
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--json', 'print what was removed and kept as JSON')
    .action(async (options: { repo: string; olderThan?: number; dryRun?: boolean; json?: boolean }) => {
      const { cleanCommand, DEFAULT_CLEAN_AGE_SEC } = await commands.clean();
      setExit(await cleanCommand({ ...options, olderThan: options.olderThan ?? DEFAULT_CLEAN_AGE_SEC }));
    });

  program
    .command('doctor')
    .description('check the Docker engine, the sandbox image, the opencode binary and provider credentials')
    .option('--config <file>', 'config file whose entrants to check credentials for')
    .option('--repo <dir>', 'repository whose config to read', '.')
    .option('--live', 'also send one short request per configured model from a sandbox (costs a few tokens) and report ok / auth failed / model unknown / unreachable')
    .action(async (options: { config?: string; repo: string; live?: boolean }) => {
      const { runDoctor } = await commands.doctor();
      setExit(await runDoctor(options));
    });

  program
    .command('model-server')
    .description('serve the scripted model (replays scripts of tool calls and text) as OpenAI chat completions, OpenAI Responses and Anthropic Messages, e.g. as a gateway (providers.<id>.baseURL)')
    .option('--scripts <dir...>', 'directories holding <name>.yaml|.json scripts (the built-in examples are always included)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', portNumber, 0)
    .option('--api-key-env <name...>', 'require on every request the key held by this host variable (else 401, as a provider answers a wrong key)')
    .action(async (options: { scripts?: string[]; host: string; port: number; apiKeyEnv?: string[] }) => {
      const { serveScriptedModel } = await commands.modelServer();
      await serveScriptedModel(options);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed the message (and help for usage errors).
      return err.exitCode === 0 ? 0 : EXIT.badInput;
    }
    if (err instanceof TourneyError) {
      // Messages quote user and entrant input (YAML excerpts, commands): no escape codes reach the terminal.
      process.stderr.write(stripControl(`tourney: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`));
      return err.exitCode;
    }
    process.stderr.write(stripControl(`tourney: internal error: ${errorMessage(err)}\n${err instanceof Error && err.stack ? err.stack + '\n' : ''}`));
    return 1;
  }
}

import { execa } from 'execa';
import { loadConfig, findConfigFile } from '../config/load.js';
import { openRepo } from '../git/repo.js';
import { errorMessage } from '../errors.js';
import { DEFAULT_IMAGE } from '../config/defaults.js';
import { imageExists, LOCAL_BASE_IMAGE } from '../sandbox/image.js';
import { DockerEngine } from '../sandbox/docker.js';
import type { Engine } from '../sandbox/engine.js';
import { modelCatalogueSource } from '../agents/kinds.js';
import { sweepOrphans } from '../sandbox/orphans.js';
import { isScripted, parseModel } from '../agents/models.js';
import { modelUses, preflight, type ModelUse } from '../run/preflight.js';
import { liveChecks } from './live.js';
import { authFileProviders, opencodeAuthFile, providerEnvNames, setVariables } from '../agents/providers.js';
import { packagePath } from '../paths.js';
import type { TourneyConfig } from '../types.js';
import { detectHostTrust } from '../prepare/trust.js';

interface Finding {
  ok: boolean;
  what: string;
  /** What to do about it, when not ok. */
  fix?: string;
}

export async function runDoctor(options: { config?: string; repo: string; live?: boolean; json?: boolean }): Promise<number> {
  const findings: Finding[] = [];
  const engine = new DockerEngine();
  let dockerUp = false;
  try {
    const version = await engine.engineVersion();
    dockerUp = true;
    findings.push({ ok: true, what: `Docker engine ${version.version} (API ${version.apiVersion})` });
  } catch (err) {
    findings.push({
      ok: false,
      what: `Docker engine not reachable: ${errorMessage(err)}`,
      fix: 'install Docker (Debian: apt-get install docker.io) and start it (systemctl start docker, or run dockerd), or set DOCKER_HOST',
    });
  }

  let config: TourneyConfig | undefined;
  let root: string | undefined;
  try {
    root = (await openRepo(options.repo)).root;
  } catch (err) {
    // Outside a repository there is no config to read: the machine checks still apply.
    findings.push({ ok: true, what: `config: not read (${errorMessage(err)}); "tourney doctor --repo DIR" also checks a repository's config and credentials` });
  }
  if (root !== undefined) {
    try {
      if (await findConfigFile(root, options.config)) config = await loadConfig(root, { configPath: options.config });
    } catch (err) {
      findings.push({ ok: false, what: `config: ${errorMessage(err)}`, fix: 'fix the config file (see the README for its keys)' });
    }
  }

  if (dockerUp) {
    const tag = config?.sandbox.image ?? DEFAULT_IMAGE;
    if (await imageExists(engine, tag)) {
      findings.push({ ok: true, what: `sandbox image ${tag}` });
    } else {
      const base = (await imageExists(engine, LOCAL_BASE_IMAGE)) ? '' : ` (no registry? first make a local base: ${packagePath('containers', 'make-base.sh')})`;
      findings.push({ ok: false, what: `sandbox image ${tag} is missing`, fix: `run "tourney image build"${base}; "tourney run" also builds it when missing` });
    }
    findings.push(await leftoverFinding(engine));
  }

  try {
    const binary = modelCatalogueSource.binary();
    const { stdout } = await execa(binary, ['--version'], { timeout: 20_000 });
    const expected = modelCatalogueSource.version();
    findings.push({ ok: stdout.trim() === expected, what: `opencode ${stdout.trim()} at ${binary}`, fix: `reinstall: npm install opencode-ai@${expected}` });
  } catch (err) {
    findings.push({ ok: false, what: `opencode binary: ${errorMessage(err)}`, fix: 'run npm install in the tourney package (the binary ships in opencode-linux-x64)' });
  }

  findings.push(...(await engineFindings(config)));
  findings.push(...credentialFindings(config));
  findings.push(await setupTrustFinding(config));

  // With --json, stdout holds only the JSON; progress lines go to stderr.
  const print = (f: Finding) => { if (!options.json) process.stdout.write(`${f.ok ? '✓' : '✗'} ${f.what}\n${!f.ok && f.fix ? `  → ${f.fix}\n` : ''}`); };
  findings.forEach(print);
  if (options.live) {
    const live = await liveFindings(engine, dockerUp, config, options.json ? process.stderr : process.stdout);
    live.forEach(print);
    findings.push(...live);
  }
  const problems = findings.filter((f) => !f.ok).length;
  if (options.json) process.stdout.write(JSON.stringify({ ok: problems === 0, problems, findings }, null, 2) + '\n');
  else process.stdout.write(problems === 0 ? 'everything tourney needs is in place\n' : `${problems} problem(s) found\n`);
  return problems === 0 ? 0 : 3;
}

/** Each engine of the config's `engines:` (the local one is checked above): does it answer, and what is it. */
async function engineFindings(config: TourneyConfig | undefined): Promise<Finding[]> {
  return Promise.all((config?.engines ?? []).map(async (e, i): Promise<Finding> => {
    try {
      const engine = new DockerEngine(e.host, e.name, e.tls, e.reach);
      const version = await engine.engineVersion();
      return { ok: true, what: `engine ${e.name} (${e.host}): Docker ${version.version}, reach ${engine.reach}${e.slots ? `, ${e.slots} slot(s)` : ''}` };
    } catch (err) {
      return { ok: false, what: `engine ${e.name} (${e.host}, engines[${i}]) not reachable: ${errorMessage(err)}`, fix: 'start that engine, or check the host, its TLS files or your ssh agent; or take it out of engines:' };
    }
  }));
}

/**
 * Leftovers of ended runs are removed here (their owner process is gone, so nobody else will); what
 * remains belongs to live runs or other hosts and is never a problem to fix by hand.
 */
async function leftoverFinding(engine: Engine): Promise<Finding> {
  try {
    const { removed, kept } = await sweepOrphans(engine);
    const count = (state: string) => kept.filter((r) => r.state === state).length;
    const parts = [
      removed.length ? `removed ${removed.length} left by ended runs` : 'none left by ended runs',
      ...(count('alive') ? [`${count('alive')} of live runs (left alone)`] : []),
      ...(count('other-host') ? [`${count('other-host')} of runs on other hosts (left alone)`] : []),
    ];
    const unowned = kept.filter((r) => r.state === 'unowned');
    if (unowned.length === 0) return { ok: true, what: `tourney containers and networks: ${parts.join('; ')}` };
    // Made by an older tourney (or by hand): maybe a live run's, so only said, never a failure to fix by force.
    return {
      ok: true,
      what: `tourney containers and networks: ${parts.join('; ')}; ${unowned.length} without an owner label (${unowned.map((r) => r.name).join(', ')}): "tourney clean --older-than 1h" removes those older than an hour`,
    };
  } catch (err) {
    return { ok: false, what: `could not list tourney containers: ${errorMessage(err)}`, fix: 'check the Docker engine' };
  }
}

/** --live: the same preflight as a run, then one request per model from a sandbox. */
async function liveFindings(engine: Engine, dockerUp: boolean, config: TourneyConfig | undefined, progress: NodeJS.WritableStream): Promise<Finding[]> {
  if (!dockerUp || !config) return [{ ok: false, what: 'live check: needs the Docker engine and a tourney config listing entrants (or judge models)' }];
  const image = config.sandbox.image;
  if (!(await imageExists(engine, image))) return [{ ok: false, what: `live check: the sandbox image ${image} is missing`, fix: 'run "tourney image build"' }];
  let plan;
  try {
    plan = await preflight({ config, catalogue: modelCatalogueSource });
  } catch (err) {
    return [{ ok: false, what: `live check not started: ${errorMessage(err)}` }];
  }
  progress.write('live check: one short request per model from a sandbox (costs a few tokens each)...\n');
  let checks: Awaited<ReturnType<typeof liveChecks>>;
  try {
    checks = await liveChecks(engine, image, config, plan);
  } catch (err) {
    // e.g. sandbox.network "none" with a real provider: a run would stop the same way.
    return [{ ok: false, what: `live check: ${errorMessage(err)}` }];
  }
  if (checks.length === 0) return [{ ok: true, what: 'live check: every model is scripted (served by tourney itself), nothing to ask' }];
  return checks.map((c) => ({
    ok: c.outcome === 'ok',
    what: `live ${c.model} (${c.who.join(', ')}): ${c.outcome}${c.outcome === 'ok' ? '' : `: ${c.detail}`} (sandbox and opencode ${seconds(c.startMs)}, request ${seconds(c.answerMs)})`,
  }));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What a setup container gets from this host to reach package registries (see the README's "Prepared environments"). */
async function setupTrustFinding(config: TourneyConfig | undefined): Promise<Finding> {
  const trust = await detectHostTrust(config?.sandbox.caFile ?? null);
  const network = config?.sandbox.setupNetwork ?? 'open';
  const proxies = trust.passed.length ? `; passes ${trust.passed.join(', ')}` : '; no proxy or registry variables set';
  if (network === 'none') return { ok: true, what: `setup containers: sandbox.setupNetwork is "none" (the setup reaches no registry)${proxies}` };
  if (trust.caFile) return { ok: true, what: `setup containers: network "open", CA bundle ${trust.caFile} (from ${trust.caSource})${proxies}` };
  return {
    ok: true,
    what: `setup containers: network "open", no CA bundle found on this host (the image's own roots only)${proxies}`,
    fix: 'behind a TLS-intercepting proxy, set sandbox.caFile (or NODE_EXTRA_CA_CERTS) to its CA bundle',
  };
}

function credentialFindings(config: TourneyConfig | undefined): Finding[] {
  if (!config) return [{ ok: true, what: 'no tourney.config with entrants here: provider credentials not checked (scripted models need none)' }];
  const uses = modelUses(config).filter((use) => !isScripted(use.model));
  if (uses.length === 0) return [{ ok: true, what: 'all entrants (and judges) use the scripted model: no credentials needed' }];
  const authFile = opencodeAuthFile();
  // One finding per provider and gateway settings: entrants with their own apiKeyEnv are checked apart.
  const seen = new Map<string, ModelUse>();
  for (const use of uses) seen.set(`${parseModel(use.model).providerID} ${JSON.stringify(use.settings ?? null)}`, use);
  return [...seen.values()].map((use) => {
    const provider = parseModel(use.model).providerID;
    const via = use.settings?.baseURL ? ` (through ${use.settings.baseURL})` : '';
    const names = use.settings?.apiKeyEnv ? [use.settings.apiKeyEnv] : (providerEnvNames(provider, null) ?? []);
    const passed = Object.keys(setVariables(names, process.env));
    if (passed.length > 0) return { ok: true, what: `${provider}${via}: ${passed.join(', ')} is set and passed to that provider's entrants` };
    if (use.settings?.apiKeyEnv) return { ok: false, what: `${provider}${via}: providers.${provider}.apiKeyEnv names ${use.settings.apiKeyEnv}, which is unset or empty`, fix: `export ${use.settings.apiKeyEnv}` };
    if (use.settings?.baseURL) return { ok: true, what: `${provider}${via}: no key variable set; requests go to the gateway without a key` };
    if (config.sandbox.opencodeAuth && authFileProviders(authFile)?.has(provider)) return { ok: true, what: `${provider}: opencode auth file ${authFile} mounted read-only` };
    const known = names.length > 0 ? names.join(' or ') : `the API key variable for ${provider} (and list it under sandbox.env)`;
    return {
      ok: false,
      what: `${provider}: no credentials reach the sandboxes`,
      fix: `export ${known}, or set sandbox.opencodeAuth: true after "opencode auth login"`,
    };
  });
}

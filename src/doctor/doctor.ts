import Docker from 'dockerode';
import { execa } from 'execa';
import { loadConfig, findConfigFile } from '../config/load.js';
import { openRepo } from '../git/repo.js';
import { errorMessage } from '../errors.js';
import { DEFAULT_IMAGE } from '../config/defaults.js';
import { imageExists, opencodeBinaryPath, opencodeVersion, LOCAL_BASE_IMAGE } from '../sandbox/image.js';
import { sweepOrphans } from '../sandbox/orphans.js';
import { isScripted, parseModel } from '../agents/opencode-config.js';
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

export async function runDoctor(options: { config?: string; repo: string }): Promise<number> {
  const findings: Finding[] = [];
  const docker = new Docker();
  let dockerUp = false;
  try {
    const version = await docker.version();
    dockerUp = true;
    findings.push({ ok: true, what: `Docker engine ${version.Version} (API ${version.ApiVersion})` });
  } catch (err) {
    findings.push({
      ok: false,
      what: `Docker engine not reachable: ${errorMessage(err)}`,
      fix: 'install Docker (Debian: apt-get install docker.io) and start it (systemctl start docker, or run dockerd), or set DOCKER_HOST',
    });
  }

  let config: TourneyConfig | undefined;
  try {
    const root = (await openRepo(options.repo)).root;
    if (await findConfigFile(root, options.config)) config = await loadConfig(root, { configPath: options.config });
  } catch (err) {
    findings.push({ ok: false, what: `config: ${errorMessage(err)}`, fix: 'fix the config file (see the README for its keys)' });
  }

  if (dockerUp) {
    const tag = config?.sandbox.image ?? DEFAULT_IMAGE;
    if (await imageExists(docker, tag)) {
      findings.push({ ok: true, what: `sandbox image ${tag}` });
    } else {
      const base = (await imageExists(docker, LOCAL_BASE_IMAGE)) ? '' : ` (no registry? first make a local base: ${packagePath('containers', 'make-base.sh')})`;
      findings.push({ ok: false, what: `sandbox image ${tag} is missing`, fix: `run "tourney image build"${base}; "tourney run" also builds it when missing` });
    }
    findings.push(await leftoverFinding(docker));
  }

  try {
    const binary = opencodeBinaryPath();
    const { stdout } = await execa(binary, ['--version'], { timeout: 20_000 });
    const expected = opencodeVersion();
    findings.push({ ok: stdout.trim() === expected, what: `opencode ${stdout.trim()} at ${binary}`, fix: `reinstall: npm install opencode-ai@${expected}` });
  } catch (err) {
    findings.push({ ok: false, what: `opencode binary: ${errorMessage(err)}`, fix: 'run npm install in the tourney package (the binary ships in opencode-linux-x64)' });
  }

  findings.push(...credentialFindings(config));
  findings.push(await setupTrustFinding(config));

  for (const f of findings) {
    process.stdout.write(`${f.ok ? '✓' : '✗'} ${f.what}\n${!f.ok && f.fix ? `  → ${f.fix}\n` : ''}`);
  }
  const problems = findings.filter((f) => !f.ok).length;
  process.stdout.write(problems === 0 ? 'everything tourney needs is in place\n' : `${problems} problem(s) found\n`);
  return problems === 0 ? 0 : 3;
}

/**
 * Leftovers of ended runs are removed here (their owner process is gone, so nobody else will); what
 * remains belongs to live runs or other hosts and is never a problem to fix by hand.
 */
async function leftoverFinding(docker: Docker): Promise<Finding> {
  try {
    const { removed, kept } = await sweepOrphans(docker);
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
  const models = [...config.entrants.map((e) => e.model), ...config.judge.models];
  const providers = [...new Set(models.filter((m) => !isScripted(m)).map((m) => parseModel(m).providerID))];
  if (providers.length === 0) return [{ ok: true, what: 'all entrants (and judges) use the scripted model: no credentials needed' }];
  const authFile = opencodeAuthFile();
  return providers.map((provider) => {
    const names = providerEnvNames(provider, null) ?? [];
    const passed = Object.keys(setVariables(names, process.env));
    if (passed.length > 0) return { ok: true, what: `${provider}: ${passed.join(', ')} is set and passed to that provider's entrants` };
    if (config.sandbox.opencodeAuth && authFileProviders(authFile)?.has(provider)) return { ok: true, what: `${provider}: opencode auth file ${authFile} mounted read-only` };
    const known = names.length > 0 ? names.join(' or ') : `the API key variable for ${provider} (and list it under sandbox.env)`;
    return {
      ok: false,
      what: `${provider}: no credentials reach the sandboxes`,
      fix: `export ${known}, or set sandbox.opencodeAuth: true after "opencode auth login"`,
    };
  });
}

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentClient, newServerSecret, serverSecretEnv } from './opencode.js';
import { errorMessage } from '../errors.js';

/**
 * opencode's provider catalogue (its built-in models.dev snapshot): which providers exist, the
 * variables each reads its key from, and the models it knows. Reading it means starting
 * `opencode serve` once (~10-20 s), so the result is cached on disk per opencode version.
 */
export interface Catalogue {
  opencodeVersion: string;
  providers: Record<string, { env: string[]; models: string[] }>;
}

/** `$TOURNEY_CACHE_DIR`, else `$XDG_CACHE_HOME/tourney`, else `~/.cache/tourney`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOURNEY_CACHE_DIR) return env.TOURNEY_CACHE_DIR;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tourney');
}

export function cataloguePath(version: string, dir = cacheDir()): string {
  return join(dir, `opencode-catalogue-${version}.json`);
}

/** The cached catalogue for this opencode version, or null (missing or unreadable: it is rebuilt). */
export async function readCachedCatalogue(version: string, dir = cacheDir()): Promise<Catalogue | null> {
  try {
    const parsed = JSON.parse(await readFile(cataloguePath(version, dir), 'utf8')) as Catalogue;
    return parsed.opencodeVersion === version && typeof parsed.providers === 'object' ? parsed : null;
  } catch {
    return null;
  }
}

export async function writeCachedCatalogue(catalogue: Catalogue, dir = cacheDir()): Promise<void> {
  await mkdir(dir, { recursive: true });
  const path = cataloguePath(catalogue.opencodeVersion, dir);
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(catalogue));
  // Concurrent runs may build it at once; rename keeps every reader on a whole file.
  await rename(partial, path);
}

const SERVE_TIMEOUT_MS = 60_000;

/**
 * Asks a short-lived `opencode serve` on the host for its providers. It runs with its own empty
 * XDG dirs (so the user's config, auth and cache neither leak in nor change) and with the models
 * fetch off, so the answer is the snapshot shipped in this binary, the one the sandboxes run.
 */
export async function readCatalogueFromOpencode(binary: string, version: string): Promise<Catalogue> {
  const home = await mkdtemp(join(tmpdir(), 'tourney-catalogue-'));
  // The plugin install opencode starts in its config dir is skipped when it looks done already.
  const configDir = join(home, 'config', 'opencode');
  await mkdir(join(configDir, 'node_modules', '@opencode-ai', 'plugin'), { recursive: true });
  await writeFile(join(configDir, 'package-lock.json'), JSON.stringify({ packages: { 'node_modules/@opencode-ai/plugin': { version } } }));
  // Any local process could reach the port while it runs: like the sandboxes' servers, it takes a password.
  const secret = newServerSecret();
  const child = spawn(binary, ['serve', '--hostname', '127.0.0.1', '--port', '0'], {
    cwd: home,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CACHE_HOME: join(home, 'cache'),
      XDG_STATE_HOME: join(home, 'state'),
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_PROJECT_CONFIG: '1',
      ...serverSecretEnv(secret),
    },
  });
  try {
    const url = await listeningUrl(child);
    const listed = await agentClient(url, secret).provider.list();
    if (!listed.data) throw new Error(`GET /provider answered ${JSON.stringify(listed.error)}`);
    const providers: Catalogue['providers'] = {};
    for (const p of listed.data.all) providers[p.id] = { env: [...p.env], models: Object.keys(p.models).sort() };
    return { opencodeVersion: version, providers };
  } finally {
    await stop(child);
    await rm(home, { recursive: true, force: true });
  }
}

function listeningUrl(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`opencode serve did not start within ${SERVE_TIMEOUT_MS / 1000} s: ${output.slice(-500)}`)), SERVE_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`opencode serve exited with code ${code}: ${output.slice(-500)}`));
    });
  });
}

/** opencode may ignore the first SIGTERM while it is busy: wait, then SIGKILL. */
async function stop(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

export interface CatalogueSource {
  binary: () => string;
  version: () => string;
  dir?: string;
  /** Said before the slow first read, so a pause of several seconds is explained. */
  onNote?: (message: string) => void;
}

/** The catalogue for the installed opencode: from the cache, else read once and cached; null if unreadable. */
export async function loadCatalogue(source: CatalogueSource): Promise<{ catalogue: Catalogue | null; problem?: string }> {
  let version: string;
  try {
    version = source.version();
  } catch (err) {
    return { catalogue: null, problem: errorMessage(err) };
  }
  const cached = await readCachedCatalogue(version, source.dir);
  if (cached) return { catalogue: cached };
  try {
    source.onNote?.(`reading opencode ${version}'s model catalogue (once per opencode version, cached in ${cataloguePath(version, source.dir)})`);
    const catalogue = await readCatalogueFromOpencode(source.binary(), version);
    await writeCachedCatalogue(catalogue, source.dir).catch(() => undefined);
    return { catalogue };
  } catch (err) {
    return { catalogue: null, problem: `cannot read opencode's model catalogue: ${errorMessage(err)}` };
  }
}

// Runs in a setup container after the setup command, in the repository copy (the working dir).
// Keeps only what the setup made (node_modules/, .venv/, ...) and lists it for .git/info/exclude, so
// the committed image holds the installs but none of the repository's files: every container lays
// its own base over it. Prints a JSON summary on stdout. Plain Node, no dependencies.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const EXCLUDE_FILE = process.argv[2] ?? '/work/.tourney-env/exclude';
const git = (...args) => execFileSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', ...args], { maxBuffer: 1 << 30 }).toString('utf8');
const entries = (text) => text.split('\0').filter((entry) => entry.length > 0);

// Tracked files the setup changed: their changes are not kept (each container lays the base again).
const trackedChanged = entries(git('status', '--porcelain=v1', '-z', '--untracked-files=no')).map((entry) => entry.slice(3));

// Everything untracked, ignored or not; a wholly untracked folder is one entry ending in "/".
const products = entries(git('ls-files', '--others', '-z', '--directory'));

/** An anchored gitignore pattern matching exactly `path`. */
function pattern(path) {
  let p = path.replace(/[\\*?[]/g, (c) => `\\${c}`);
  if (/^[#!]/.test(p)) p = `\\${p}`;
  p = p.replace(/ +$/, (spaces) => spaces.replace(/ /g, '\\ '));
  return `/${p}`;
}
// A name with a control character cannot be one exact ignore line (git drops a trailing "\r", so
// "src\r" would hide every new file under src/): such a file is removed instead of listed.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const unlisted = products.filter((p) => /[\x00-\x1f\x7f]/.test(p));
for (const name of unlisted) rmSync(name, { force: true, recursive: true });
const listed = products.filter((p) => !unlisted.includes(p));
mkdirSync(dirname(EXCLUDE_FILE), { recursive: true });
writeFileSync(EXCLUDE_FILE, listed.map(pattern).map((line) => `${line}\n`).join(''));

// Where package managers keep what they install; anything else a setup makes may be a build of the
// code under test, frozen at the base commit: the summary names it so tourney can warn.
const DEPENDENCY_DIRS = new Set([
  'node_modules', '.pnpm-store', '.yarn', '.npm', 'bower_components', 'jspm_packages', '.venv', 'venv', '.tox', '.nox',
  '__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.eggs', '.cache', '.bundle', '.gradle', '.m2', '.cargo',
]);
const base = (p) => p.replace(/\/$/, '').split('/').at(-1);
const unusual = listed.filter((p) => !p.split('/').some((part) => DEPENDENCY_DIRS.has(part)) && !/\.egg-info$|\.pnp\.(c?js|loader\.mjs)$/.test(base(p)));

const tracked = entries(git('ls-files', '-z'));
const dirs = new Set();
for (const file of tracked) {
  rmSync(file, { force: true, recursive: true });
  for (let dir = dirname(file); dir !== '.' && dir !== '/'; dir = dirname(dir)) dirs.add(dir);
}
// Deepest first; a folder that still holds a product stays.
for (const dir of [...dirs].sort((a, b) => b.split('/').length - a.split('/').length)) {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty: it holds what the setup made.
  }
}
rmSync('.git', { recursive: true, force: true });

process.stdout.write(`${JSON.stringify({ trackedChanged, products: listed.length, sample: listed.slice(0, 20), unusual: unusual.slice(0, 50), unlisted })}\n`);

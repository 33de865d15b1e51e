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
const unlisted = products.filter((p) => p.includes('\n'));
mkdirSync(dirname(EXCLUDE_FILE), { recursive: true });
writeFileSync(EXCLUDE_FILE, products.filter((p) => !p.includes('\n')).map(pattern).map((line) => `${line}\n`).join(''));

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

process.stdout.write(`${JSON.stringify({ trackedChanged, products: products.length, sample: products.slice(0, 20), unlisted })}\n`);

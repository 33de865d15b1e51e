// A table of malformed inputs across specs, configs, flags, the environment, `score` candidates and run
// dirs, each as a user would give it. Every one must exit with its documented code before any work (no
// run dir), name what is wrong, and print no stack trace, "undefined" or "[object Object]".
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, vi } from 'vitest';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { main } from '../../src/cli/main.js';
import type { RunResult } from '../../src/types.js';

interface Case {
  /** What is wrong, as the test title. */
  what: string;
  /** Files to write, relative to this case's folder inside the repository ($C in args). */
  files?: Record<string, string>;
  args: string[];
  env?: Record<string, string | undefined>;
  /** Run inside this case's folder, for commands that read the cwd. */
  code: number;
  says: RegExp;
  setup?: (caseDir: string) => Promise<void>;
}

let repo: string;
let bare: string;
const OK_SPEC = '---\ntest: npm test\n---\n# Do a thing\n';
const SCRIPTED = ['-m', 'scripted/demo-slugify-tidy'];
const spec = (front: string) => `---\n${front}\n---\n# Task\n`;
const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...['b', 'c', 'd', 'e', 'f'].map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`)].join('\n');

// A real result.json (from a demo run), corrupted one way per case.
// Wrong values go in `as never`: the point is a file whose types are wrong.
const REAL_RESULT = JSON.parse(readFileSync(new URL('../fixtures/results/demo-run.json', import.meta.url), 'utf8')) as RunResult;
const corrupt = (change: (r: RunResult) => void): string => {
  const copy = structuredClone(REAL_RESULT);
  change(copy);
  return JSON.stringify(copy);
};
const entrant = (r: RunResult, i: number) => r.entrants[i]!;
const R = (what: string, change: (r: RunResult) => void, says: RegExp, command = 'report'): Case => ({
  what: `run dir: ${what}`, files: { 'run/result.json': corrupt(change) }, args: command === 'report' ? ['report', '$C/run'] : [command, '$C/run', '--repo', '$R'], code: 2, says,
});

const ONE_SCRIPTED = 'entrants: [{ name: a, model: scripted/demo-slugify-tidy }]\n';
const PID_MAX = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());

/** A spec whose hidden.files is `entry`, made by `setup` in the case's folder. */
const H = (what: string, entry: string, setup: (dir: string) => Promise<unknown>, says: RegExp): Case => ({
  what: `spec: ${what}`, files: { 'feature.md': spec(`test: t\nhidden: { files: ${entry}, test: y }`) }, setup: async (d) => void (await setup(d)), args: ['run', '$C/feature.md', '--repo', '$R', ...SCRIPTED], code: 2, says,
});
const S = (what: string, text: string, says: RegExp, code = 2): Case => ({ what: `spec: ${what}`, files: { 'feature.md': text }, args: ['run', '$C/feature.md', '--repo', '$R', ...SCRIPTED], code, says });
const C = (what: string, yaml: string, says: RegExp, name = 'tourney.config.yaml'): Case => ({ what: `config: ${what}`, files: { 'feature.md': OK_SPEC, [name]: yaml }, args: ['run', '$C/feature.md', '--repo', '$R', '--config', `$C/${name}`], code: 2, says });
const F = (what: string, args: string[], says: RegExp, code = 2): Case => ({ what: `flag: ${what}`, files: { 'feature.md': OK_SPEC }, args, code, says });

const cases: Case[] = [
  // --- specs
  { what: 'spec: missing file', args: ['run', '$C/nope.md', '--repo', '$R', ...SCRIPTED], code: 2, says: /nope\.md: no such file \(the spec file\)/ },
  { what: 'spec: a directory', setup: (d) => mkdir(join(d, 'dir.md')), args: ['run', '$C/dir.md', '--repo', '$R', ...SCRIPTED], code: 2, says: /dir\.md: is a directory, expected the spec file/ },
  { what: 'spec: a FIFO', setup: async (d) => void (await execa('mkfifo', [join(d, 'fifo.md')])), args: ['run', '$C/fifo.md', '--repo', '$R', ...SCRIPTED], code: 2, says: /fifo\.md: is a named pipe \(FIFO\)/ },
  S('empty', '', /the spec file is empty/),
  S('whitespace only', '  \n\n\t\n', /the spec file is empty/),
  S('no front matter', '# Just a title\n', /no front matter; the spec must start with a YAML block/),
  S('unclosed front matter', '---\ntest: npm test\n# Task\n', /never closed/),
  S('front matter is a list', '---\n- a\n- b\n---\n', /front matter must be a mapping.*got a list/),
  S('front matter is a scalar', '---\njust text\n---\n', /front matter must be a mapping.*got "just text"/),
  S('invalid YAML', '---\ntest: [npm test\n---\n', /front matter is not valid YAML at line \d+/),
  S('duplicate key', spec('test: a\ntest: b'), /Map keys must be unique/),
  S('alias bomb', spec(`test: t\n${bomb}`), /aliases \(\*name\) expand to too many nodes/),
  S('JavaScript front matter', '---js\n{ test: "x" }\n---\n', /front matter/),
  S('missing test', spec('title: T'), /front matter key "test" is missing: expected the test command/),
  S('empty test', spec('test: ""'), /front matter key "test": expected the test command the referee runs/),
  S('test is a number', spec('test: 42'), /front matter key "test": expected the test command.*as a string/),
  S('test is a list', spec('test: [a, b]'), /front matter key "test": expected the test command/),
  S('unknown key', spec('test: t\nfrobnicate: 1'), /unknown front matter key "frobnicate"/),
  S('misspelt key', spec('test: t\nsetpu: npm ci'), /unknown front matter key "setpu" \(did you mean "setup"\?\)/),
  S('timeLimit text', spec('test: t\ntimeLimit: soon'), /front matter key "timeLimit": expected a positive number of seconds/),
  S('timeLimit zero', spec('test: t\ntimeLimit: 0'), /front matter key "timeLimit"/),
  S('timeLimit past 7 days', spec('test: t\ntimeLimit: 600h'), /front matter key "timeLimit".*at most 7 days/),
  S('hidden files missing', spec('test: t\nhidden: { files: nothere/, test: x }'), /front matter key "hidden\.files": .*nothere.* does not exist/),
  H('hidden entry a FIFO', 'acc.js', (d) => execa('mkfifo', [join(d, 'acc.js')]), /key "hidden\.files": .*acc\.js is a named pipe \(FIFO\), expected a regular file or a folder/),
  H('hidden entry a symlink out of the spec folder', 'acc.js', (d) => symlink('/etc/passwd', join(d, 'acc.js')), /key "hidden\.files": .*acc\.js is a symlink to \/etc\/passwd, outside the spec's folder/),
  H('hidden folder with a symlink out', 'acc/', async (d) => { await mkdir(join(d, 'acc')); await writeFile(join(d, 'acc', 'a.test.js'), 'x'); await symlink('/etc', join(d, 'acc', 'etc')); }, /acc\/etc is a symlink to \/etc, outside the spec's folder/),
  H('hidden folder with a FIFO inside', 'acc/', async (d) => { await mkdir(join(d, 'acc')); await execa('mkfifo', [join(d, 'acc', 'pipe')]); }, /acc\/pipe is a named pipe \(FIFO\)/),
  H('hidden folder with a broken symlink', 'acc/', async (d) => { await mkdir(join(d, 'acc')); await symlink(join(d, 'gone.js'), join(d, 'acc', 'a.js')); }, /acc\/a\.js is a symlink to nothing \(a broken link\)/),
  H('hidden over 2000 files', 'acc/', async (d) => { await mkdir(join(d, 'acc')); await Promise.all(Array.from({ length: 2001 }, (_, i) => writeFile(join(d, 'acc', `t${i}.js`), ''))); }, /key "hidden\.files": more than 2000 hidden files \(at .*acc\/t\d+\.js\)/),
  H('hidden over 64 MB', 'big.bin', (d) => execa('truncate', ['-s', '65M', join(d, 'big.bin')]), /key "hidden\.files": hidden files add up to more than 64\.0 MB \(at .*big\.bin, 65\.0 MB\)/),
  { what: 'spec: hidden bench that no hidden file provides', files: { 'feature.md': spec('test: t\nhidden: { files: acc/, test: y }\nbench: tourney-hidden/speed.bench.js'), 'acc/a.test.js': 'x' }, args: ['run', '$C/feature.md', '--repo', '$R', ...SCRIPTED], code: 2, says: /key "bench": "tourney-hidden\/speed\.bench\.js" is under hidden\.into \(tourney-hidden\) but no hidden file lands there/ },
  S('hidden without test', spec('test: t\nhidden: { files: feature.md }'), /front matter key "hidden\.test" is missing/),
  S('hidden.into escapes', spec('test: t\nhidden: { files: feature.md, into: ../x, test: y }'), /front matter key "hidden\.into": expected a path inside the repository, got "\.\.\/x"/),
  S('hidden unknown key', spec('test: t\nhidden: { files: feature.md, test: y, secret: 1 }'), /unknown front matter key "hidden\.secret"/),
  S('bench absolute', spec('test: t\nbench: /etc/passwd'), /front matter key "bench": expected a path inside the repository/),
  S('bench escapes', spec('test: t\nbench: [a.js, ../b.js]'), /front matter key "bench\[1\]": expected a path inside the repository/),
  S('bench is a mapping', spec('test: t\nbench: { a: 1 }'), /front matter key "bench": expected tinybench benchmark modules/),
  S('scope is a number', spec('test: t\nscope: 5'), /front matter key "scope": expected globs/),
  S('setupKey empty list', spec('test: t\nsetupKey: []'), /front matter key "setupKey"/),
  S('title empty', spec('test: t\ntitle: ""'), /front matter key "title"/),
  S('build empty', spec('test: t\nbuild: "  "'), /front matter key "build": expected the build or typecheck command/),
  S('over 1 MB', `${OK_SPEC}${'x'.repeat(1_200_000)}`, /is 1\.1 MB, more than the 1\.0 MB a spec file may be/),

  // --- configs
  C('invalid YAML', 'entrants: [\n', /invalid YAML at line/),
  C('invalid JSON', '{"entrants": [}', /tourney.config.json: invalid JSON at line 1, column 15: Unexpected token '}'/, 'tourney.config.json'),
  C('top level a list', '- a\n', /expected a mapping with keys entrants, sandbox/),
  C('top level a scalar', 'hello\n', /expected a mapping with keys entrants, sandbox.*got "hello"/),
  C('unknown top-level key', 'entrnats: []\n', /unknown key "entrnats" \(did you mean "entrants"\?\)/),
  C('entrants not a list', 'entrants: { a: 1 }\n', /key "entrants"/),
  C('entrants empty', 'entrants: []\n', /key "entrants": expected at least 1 item/),
  C('17 entrants', `entrants:\n${Array.from({ length: 17 }, (_, i) => `  - { name: e${i}, model: scripted/demo-stuck }`).join('\n')}\n`, /key "entrants": expected at most 16 items/),
  C('entrant name upper case', 'entrants: [{ name: Bob, model: x/y }]\n', /key "entrants\[0\]\.name": expected a name of 1-40 lower-case letters/),
  C('entrant name "winner"', 'entrants: [{ name: winner, model: x/y }]\n', /key "entrants\[0\]\.name": expected a name other than "winner"/),
  C('entrant name with ..', 'entrants: [{ name: a..b, model: x/y }]\n', /key "entrants\[0\]\.name"/),
  C('entrant name ending .lock', 'entrants: [{ name: a.lock, model: x/y }]\n', /key "entrants\[0\]\.name"/),
  C('duplicate entrant names', 'entrants: [{ name: a, model: x/y }, { name: a, model: x/z }]\n', /"a"/),
  C('model without provider', 'entrants: [{ name: a, model: gpt5 }]\n', /key "entrants\[0\]\.model": expected "provider\/model"/),
  C('unknown entrant key', 'entrants: [{ name: a, model: x/y, temprature: 1 }]\n', /unknown key "entrants\[0\]\.temprature"/),
  C('entrant budget zero tokens', 'entrants: [{ name: a, model: x/y, budget: { tokens: 0 } }]\n', /key "entrants\[0\]\.budget\.tokens": expected a token count above 0, got 0/),
  C('entrant budget cost text', 'entrants: [{ name: a, model: x/y, budget: { costUsd: cheap } }]\n', /key "entrants\[0\]\.budget\.costUsd": expected US dollars, like 2\.5, got "cheap"/),
  C('run budget empty', 'budget: {}\n', /key "budget": expected tokens or costUsd \(or both\)/),
  C('run budget negative cost', 'budget: { costUsd: -2 }\n', /key "budget\.costUsd": expected US dollars above 0, got -2/),
  C('entrant timeLimit text', 'entrants: [{ name: a, model: x/y, timeLimit: forever }]\n', /key "entrants\[0\]\.timeLimit": expected a positive number of seconds/),
  C('sandbox not a mapping', 'sandbox: fast\n', /key "sandbox"/),
  C('cpus negative', 'sandbox: { cpus: -1 }\n', /key "sandbox\.cpus": expected a number > 0, got -1/),
  C('cpus text', 'sandbox: { cpus: two }\n', /key "sandbox\.cpus": expected a number, got "two"/),
  C('memory text', 'sandbox: { memory: lots }\n', /key "sandbox\.memory": expected a size like "512m" or "2g"/),
  C('pids zero', 'sandbox: { pids: 0 }\n', /key "sandbox\.pids"/),
  C('pids too few for an agent', `${ONE_SCRIPTED}sandbox: { pids: 16 }\n`, /key "sandbox\.pids": 16 is too few for an agent to start.*expected at least 32/),
  C('pids beyond the kernel', `${ONE_SCRIPTED}sandbox: { pids: 5000000 }\n`, /key "sandbox\.pids": 5000000 is more than the kernel can set \(at most 4194304/),
  C('pids beyond pid_max', `${ONE_SCRIPTED}sandbox: { pids: ${PID_MAX + 1} }\n`, new RegExp(`key "sandbox\\.pids": ${PID_MAX + 1} is more than the engine's kernel pid_max of ${PID_MAX}`)),
  C('network unknown', 'sandbox: { network: internet }\n', /key "sandbox\.network": expected one of/),
  C('env lower case', 'sandbox: { env: [my_key] }\n', /key "sandbox\.env\[0\]": expected an environment variable name/),
  C('timeLimit 600h', 'sandbox: { timeLimit: 600h }\n', /key "sandbox\.timeLimit".*at most 7 days/),
  C('setupNetwork unknown', 'sandbox: { setupNetwork: maybe }\n', /key "sandbox\.setupNetwork": expected one of/),
  C('packages bad name', 'sandbox: { packages: ["rm -rf /"] }\n', /key "sandbox\.packages\[0\]": expected a Debian package name/),
  C('gates.security unknown', 'gates: { security: extreme }\n', /key "gates\.security"/),
  C('gates.tests text', 'gates: { tests: yes please }\n', /key "gates\.tests"/),
  C('gates unknown key', 'gates: { lint: true }\n', /unknown key "gates\.lint"/),
  C('minMargin negative', 'gates: { minMargin: -3 }\n', /key "gates\.minMargin"/),
  C('weights negative', 'weights: { tests: -1 }\n', /key "weights\.tests"/),
  C('weights unknown part', 'weights: { beauty: 5 }\n', /unknown key "weights\.beauty"/),
  C('judge model malformed', 'judge: { models: [claude] }\n', /key "judge\.models\[0\]": expected "provider\/model"/),
  C('judge mode unknown', 'judge: { mode: battle }\n', /key "judge\.mode": expected one of/),
  C('judge retries text', 'judge: { retries: many }\n', /key "judge\.retries"/),
  C('provider baseURL ftp', 'providers: { openai: { baseURL: "ftp://x" } }\n', /key "providers\.openai\.baseURL": expected an http\(s\) URL/),
  C('provider apiKeyEnv lower case', 'providers: { openai: { apiKeyEnv: key } }\n', /key "providers\.openai\.apiKeyEnv"/),
  C('provider header name', 'providers: { openai: { headers: { "bad header": x } } }\n', /providers\.openai\.headers/),
  C('provider unknown key', 'providers: { openai: { baseUrl: "https://x" } }\n', /unknown key "providers\.openai\.baseUrl" \(did you mean "baseURL"\?\)/),
  C('performance threshold 2', 'performance: { threshold: 2 }\n', /key "performance\.threshold"/),
  C('performance rounds 0', 'performance: { rounds: 0 }\n', /key "performance\.rounds"/),
  C('tampering.protected a number', 'tampering: { protected: 5 }\n', /key "tampering\.protected"/),
  C('scripts not a list', 'scripts: 5\n', /key "scripts"/),
  C('alias bomb', bomb, /aliases \(\*name\) expand to too many nodes/),
  C('duplicate key', 'sandbox: { cpus: 1 }\nsandbox: { cpus: 2 }\n', /invalid YAML at line 2, column 1: Map keys must be unique/),
  C('20,000 unknown keys', Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n'), /… and 19,980 more/),
  { what: 'config: --config missing', files: { 'feature.md': OK_SPEC }, args: ['run', '$C/feature.md', '--repo', '$R', '--config', '$C/nope.yaml'], code: 2, says: /nope\.yaml: no such file \(the config file given\)/ },
  { what: 'config: --config a directory', files: { 'feature.md': OK_SPEC }, setup: (d) => mkdir(join(d, 'cfg')), args: ['run', '$C/feature.md', '--repo', '$R', '--config', '$C/cfg'], code: 2, says: /cfg: is a directory, expected a config file/ },
  { what: 'config: --config a FIFO', files: { 'feature.md': OK_SPEC }, setup: async (d) => void (await execa('mkfifo', [join(d, 'cfg.yaml')])), args: ['run', '$C/feature.md', '--repo', '$R', '--config', '$C/cfg.yaml'], code: 2, says: /cfg\.yaml: is a named pipe \(FIFO\), expected the config file/ },
  C('over 1 MB', `# ${'x'.repeat(1_100_000)}\n`, /more than the 1\.0 MB a config file may be/),

  // --- flags
  F('--entrants 0', ['run', '$C/feature.md', '--entrants', '0'], /--entrants.*whole number from 1 to 16, got "0"/),
  F('--entrants 17', ['run', '$C/feature.md', '--entrants', '17'], /--entrants.*got "17"/),
  F('--entrants text', ['run', '$C/feature.md', '-n', 'three'], /got "three"/),
  F('--model without provider', ['run', '$C/feature.md', '--model', 'gpt'], /--model.*expected "provider\/model".*got "gpt"/),
  F('--time-limit text', ['run', '$C/feature.md', '--time-limit', 'soon'], /--time-limit.*got "soon"/),
  F('--time-limit 0', ['run', '$C/feature.md', '--time-limit', '0'], /--time-limit.*got "0"/),
  F('--time-limit 999h', ['run', '$C/feature.md', '--time-limit', '999h'], /--time-limit.*at most 7 days.*got "999h"/),
  F('--min-margin negative', ['run', '$C/feature.md', '--min-margin', '-1'], /--min-margin/),
  F('--min-margin text', ['run', '$C/feature.md', '--min-margin', 'lots'], /--min-margin.*score points from 0 to 100.*got "lots"/),
  F('--min-margin 101', ['run', '$C/feature.md', '--min-margin', '101'], /--min-margin.*got "101"/),
  F('--judge malformed', ['run', '$C/feature.md', '--judge', 'claude'], /--judge.*expected "provider\/model".*got "claude"/),
  F('--promote unknown mode', ['run', '$C/feature.md', '--promote', 'ship-it'], /--promote/),
  F('--junit a directory', ['run', '$C/feature.md', '--repo', '$R', ...SCRIPTED, '--junit', '$C'], /--junit/),
  F('--markdown empty', ['run', '$C/feature.md', '--repo', '$R', ...SCRIPTED, '--markdown', ''], /--markdown/),
  F('unknown flag', ['run', '$C/feature.md', '--frobnicate'], /unknown option '--frobnicate'/),
  F('missing spec argument', ['run'], /missing required argument 'spec'/),
  F('unknown command', ['rnu'], /unknown command 'rnu'/),
  F('score without --candidate', ['score', '$C/feature.md'], /required option '-c, --candidate/),
  F('model-server --port text', ['model-server', '--port', 'abc'], /--port.*expected a port number from 0 to 65535, got "abc"/),
  F('model-server --port too big', ['model-server', '--port', '70000'], /--port.*got "70000"/),
  F('clean --older-than text', ['clean', '--older-than', 'ages'], /--older-than.*expected an age like "7d"/),
  F('image prune --kind unknown', ['image', 'prune', '--kind', 'all'], /--kind.*Allowed choices are environment, toolchain/),
  F('completion for tcsh', ['completion', 'tcsh'], /completion: expected a shell of bash, zsh or fish, got "tcsh"/),
  F('promote --to unknown', ['promote', '--repo', '$R', '--to', 'production'], /--to/),

  // --- environment and repository
  { what: 'env: DOCKER_HOST malformed', files: { 'feature.md': OK_SPEC }, args: ['run', '$C/feature.md', '--repo', '$R', ...SCRIPTED], env: { DOCKER_HOST: 'tcp://host:abc' }, code: 3, says: /DOCKER_HOST="tcp:\/\/host:abc"/ },
  { what: 'env: Docker unreachable', files: { 'feature.md': OK_SPEC }, args: ['run', '$C/feature.md', '--repo', '$R', ...SCRIPTED], env: { DOCKER_HOST: 'tcp://127.0.0.1:9' }, code: 3, says: /cannot reach the Docker engine/ },
  { what: 'env: git missing', files: { 'feature.md': OK_SPEC }, args: ['run', '$C/feature.md', '--repo', '$R', ...SCRIPTED], env: { PATH: '/nonexistent' }, code: 3, says: /git is not installed/ },
  { what: 'env: no API key for the provider', files: { 'feature.md': OK_SPEC }, args: ['run', '$C/feature.md', '--repo', '$R', '-m', 'anthropic/claude-sonnet-4-5'], env: { ANTHROPIC_API_KEY: undefined }, code: 2, says: /anthropic.*ANTHROPIC_API_KEY.* are unset or empty/ },
  { what: 'env: unknown scripted model', files: { 'feature.md': OK_SPEC }, args: ['run', '$C/feature.md', '--repo', '$R', '-m', 'scripted/no-such-script'], code: 2, says: /no-such-script/ },
  { what: 'repo: --repo missing', files: { 'feature.md': OK_SPEC }, args: ['run', '$C/feature.md', '--repo', '$C/nowhere', ...SCRIPTED], code: 2, says: /nowhere: no such directory \(the repository, --repo\)/ },
  { what: 'repo: --repo a file', files: { 'feature.md': OK_SPEC }, args: ['run', '$C/feature.md', '--repo', '$C/feature.md', ...SCRIPTED], code: 2, says: /is a file, expected the repository's directory/ },
  { what: 'repo: not a git repository', files: { 'feature.md': OK_SPEC }, args: ['run', '$C/feature.md', '--repo', '$B', ...SCRIPTED], code: 2, says: /not a git repository/ },

  // --- score candidates
  { what: 'candidate: no "="', files: { 'feature.md': OK_SPEC }, args: ['score', '$C/feature.md', '--repo', '$R', '-c', 'feat'], code: 2, says: /--candidate "feat": expected NAME=REF_OR_PATCH/ },
  { what: 'candidate: bad name', files: { 'feature.md': OK_SPEC }, args: ['score', '$C/feature.md', '--repo', '$R', '-c', 'Big=HEAD'], code: 2, says: /--candidate "Big=HEAD": expected a name of 1-40 lower-case/ },
  { what: 'candidate: named winner', files: { 'feature.md': OK_SPEC }, args: ['score', '$C/feature.md', '--repo', '$R', '-c', 'winner=HEAD'], code: 2, says: /expected a name other than "winner"/ },
  { what: 'candidate: duplicate name', files: { 'feature.md': OK_SPEC }, args: ['score', '$C/feature.md', '--repo', '$R', '-c', 'a=HEAD', '-c', 'a=HEAD'], code: 2, says: /the name "a" is used by another candidate/ },
  { what: 'candidate: neither ref nor patch', files: { 'feature.md': OK_SPEC }, args: ['score', '$C/feature.md', '--repo', '$R', '-c', 'a=no-such-branch'], code: 2, says: /"no-such-branch" is neither a patch file nor a git ref/ },
  { what: 'candidate: empty patch file', files: { 'feature.md': OK_SPEC, 'empty.patch': '' }, args: ['score', '$C/feature.md', '--repo', '$R', '-c', 'a=$C/empty.patch'], code: 2, says: /--candidate a=.*empty\.patch: the patch file is empty/ },
  { what: 'candidate: a file that is no patch', files: { 'feature.md': OK_SPEC, 'notes.patch': 'just some notes\n' }, args: ['score', '$C/feature.md', '--repo', '$R', '-c', 'a=$C/notes.patch'], code: 2, says: /notes\.patch: the patch does not apply to the base [0-9a-f]{12} \(.*No valid patches in input/ },
  { what: 'candidate: a patch for other code', files: { 'feature.md': OK_SPEC, 'stale.patch': 'diff --git a/src/x.js b/src/x.js\n--- a/src/x.js\n+++ b/src/x.js\n@@ -1 +1 @@\n-old\n+new\n' }, args: ['score', '$C/feature.md', '--repo', '$R', '-c', 'a=$C/stale.patch'], code: 2, says: /stale\.patch: the patch does not apply to the base .*src\/x\.js/ },
  { what: 'candidate: a binary patch without its index', files: { 'feature.md': OK_SPEC, 'bin.patch': 'diff --git a/logo.png b/logo.png\nnew file mode 100644\nBinary files /dev/null and b/logo.png differ\n' }, args: ['score', '$C/feature.md', '--repo', '$R', '-c', 'a=$C/bin.patch'], code: 2, says: /bin\.patch: the patch does not apply to the base .*binary/i },
  { what: 'candidate: --base not a ref', files: { 'feature.md': OK_SPEC }, args: ['score', '$C/feature.md', '--repo', '$R', '-c', 'a=HEAD', '--base', 'nope'], code: 2, says: /--base/ },

  // --- run dirs
  { what: 'run dir: report of a missing dir', args: ['report', '$C/nope'], code: 2, says: /result\.json: no such file/ },
  { what: 'run dir: result.json is null', files: { 'run/result.json': 'null' }, args: ['report', '$C/run'], code: 2, says: /expected a JSON object \(a tourney result\), got null/ },
  { what: 'run dir: result.json is a list', files: { 'run/result.json': '[]' }, args: ['report', '$C/run'], code: 2, says: /got an array/ },
  { what: 'run dir: result.json not JSON', files: { 'run/result.json': '{oops' }, args: ['report', '$C/run'], code: 2, says: /result\.json: not valid JSON/ },
  { what: 'run dir: old schemaVersion', files: { 'run/result.json': '{"schemaVersion": 1}' }, args: ['report', '$C/run'], code: 2, says: /key "schemaVersion": expected 2, got 1/ },
  { what: 'run dir: no entrants', files: { 'run/result.json': '{"schemaVersion": 2, "runId": "x", "baseCommit": "y"}' }, args: ['report', '$C/run'], code: 2, says: /key "entrants" is missing: expected a list/ },
  { what: 'run dir: show an unknown run id', args: ['show', '20200101-000000-abcd', '--repo', '$R'], code: 2, says: /run "20200101-000000-abcd": no such run/ },
  { what: 'run dir: show latest with no runs', args: ['show', 'latest', '--repo', '$B2'], code: 2, says: /no finished run/ },
  { what: 'run dir: open a path that is not a run', args: ['open', '$C/nothing-here', '--print'], code: 2, says: /no such directory/ },
  { what: 'run dir: promote with no runs', args: ['promote', '--repo', '$B2'], code: 2, says: /no finished run/ },
  R('entrant name escapes the run dir', (r) => void (entrant(r, 0).name = '../../etc'), /result\.json: key "entrants\[0\]\.name": expected a name of 1-40 lower-case letters.*got "\.\.\/\.\.\/etc"/),
  R('entrant is null', (r) => void (r.entrants[1] = null as never), /key "entrants\[1\]": expected a mapping, got null/),
  R('entrant without its diff stats', (r) => void Reflect.deleteProperty(entrant(r, 2), 'diff'), /key "entrants\[2\]\.diff" is missing: expected a mapping/),
  R('token count as text', (r) => void (entrant(r, 0).tokens.input = '120' as never), /key "entrants\[0\]\.tokens\.input": expected a number, got "120"/),
  R('negative test count', (r) => void (entrant(r, 0).checks.tests!.counts!.passed = -1), /key "entrants\[0\]\.checks\.tests\.counts\.passed": expected a number >= 0, got -1/),
  R('unknown gate name', (r) => void (entrant(r, 0).gates[0]!.gate = 'beauty' as never), /key "entrants\[0\]\.gates\[0\]\.gate": expected one of "changed", .*got "beauty"/),
  R('unknown entrant status', (r) => void (entrant(r, 3).status = 'asleep' as never), /key "entrants\[3\]\.status": expected one of "finished".*got "asleep"/),
  R('winner names no entrant', (r) => void (r.winner = 'nobody'), /key "winner": expected null or the name of an entrant \(tidy, hasty, stuck, terse\), got "nobody"/),
  R('two entrants with one name', (r) => void (entrant(r, 1).name = 'tidy'), /key "entrants\[1\]\.name": expected a name no other entrant has, got "tidy"/),
  R('winner branch not a tourney branch', (r) => void (r.winnerBranch = 'main; rm -rf ~'), /key "winnerBranch": expected a branch name "tourney\/<run-id>\/<entrant>", got "main; rm -rf ~"/, 'promote'),
  R('run id with a slash', (r) => void (r.runId = '../../x'), /key "runId": expected a run id such as/, 'show'),
  R('base commit not a commit id', (r) => void (r.baseCommit = 'HEAD~1'), /key "baseCommit": expected a commit id \(hex\), got "HEAD~1"/, 'open'),
  R('unknown mode', (r) => void (r.mode = 'tournament' as never), /key "mode": expected one of "run", "score", "gate", got "tournament"/),
  R('spec is null', (r) => void (r.spec = null as never), /key "spec": expected a mapping, got null/),
  R('timings a list', (r) => void (r.timings = [] as never), /key "timings": expected a mapping, got a list/),
  R('judge.ran not a boolean', (r) => void (r.judge.ran = 'maybe' as never), /key "judge\.ran": expected true or false, got "maybe"/),
  R('judge ran without its matches', (r) => void (r.judge = { ran: true, mode: 'pairwise' } as never), /key "judge\.matches" is missing: expected a list/),
  R('security counts without "high"', (r) => void Reflect.deleteProperty(entrant(r, 0).checks.security!.counts, 'high'), /key "entrants\[0\]\.checks\.security\.counts\.high" is missing: expected a number/),
  R('score part unknown', (r) => void (entrant(r, 0).score!.parts[0]!.part = 'style' as never), /key "entrants\[0\]\.score\.parts\[0\]\.part": expected one of "tests".*got "style"/),
  R('no schemaVersion', (r) => void Reflect.deleteProperty(r, 'schemaVersion'), /key "schemaVersion": expected 2, got nothing/),
  R('40 broken entrants', (r) => void (r.entrants = Array.from({ length: 40 }, () => ({ name: 7 })) as never), /… and [\d,]+ more/),
  { what: 'run dir: result.json truncated', files: { 'run/result.json': JSON.stringify(REAL_RESULT).slice(0, 5000) }, args: ['report', '$C/run'], code: 2, says: /result\.json: not valid JSON \(/ },
  { what: 'run dir: result.json a directory', setup: async (d) => void (await mkdir(join(d, 'run', 'result.json'), { recursive: true })), args: ['report', '$C/run'], code: 2, says: /result\.json: is a directory, expected the run result/ },
  { what: 'run dir: result.json a FIFO', setup: async (d) => { await mkdir(join(d, 'run')); await execa('mkfifo', [join(d, 'run', 'result.json')]); }, args: ['show', '$C/run', '--repo', '$R'], code: 2, says: /result\.json: is a named pipe \(FIFO\), expected the run result/ },
  { what: 'run dir: result.json over 32 MB', setup: async (d) => { await mkdir(join(d, 'run')); await writeFile(join(d, 'run', 'result.json'), Buffer.alloc(33 * 1024 * 1024, 0x20)); }, args: ['report', '$C/run'], code: 2, says: /result\.json: is 33\.0 MB, more than the 32\.0 MB a run result may be/ },
];

let stderr = '';
let stdout = '';
beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'tourney-malformed-'));
  bare = await mkdtemp(join(tmpdir(), 'tourney-malformed-bare-'));
  await execa('git', ['init', '-q'], { cwd: repo });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: repo });
  await mkdir(join(bare, 'repo2'));
  await execa('git', ['init', '-q'], { cwd: join(bare, 'repo2') });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: join(bare, 'repo2') });
});
afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
  await rm(bare, { recursive: true, force: true });
});
beforeEach(() => {
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('malformed inputs', () => {
  it('has at least 100 distinct cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((c) => c.what)).size).toBe(cases.length);
  });

  it.each(cases.map((c, i) => [c.what, i] as const))('%s', async (_what, index) => {
    const c = cases[index]!;
    const dir = join(repo, 'cases', String(index));
    await mkdir(dir, { recursive: true });
    for (const [rel, text] of Object.entries(c.files ?? {})) {
      await mkdir(join(dir, rel, '..'), { recursive: true });
      await writeFile(join(dir, rel), text);
    }
    await c.setup?.(dir);
    const args = c.args.map((a) => a.replaceAll('$C', dir).replaceAll('$R', repo).replaceAll('$B2', join(bare, 'repo2')).replaceAll('$B', bare));
    const saved = new Map(Object.keys(c.env ?? {}).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(c.env ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    let code: number;
    try {
      code = await main(['node', 'tourney', ...args]);
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const out = stderr + stdout;
    expect(out).toMatch(c.says);
    expect(code, out).toBe(c.code);
    expect(out).not.toMatch(/\n\s+at [\w.<>]+ \(|internal error/);
    expect(out).not.toMatch(/\bundefined\b|\[object Object\]|\bNaN\b/);
    // Nothing was started: no run dir anywhere.
    expect(await readdir(join(repo, '.tourney', 'runs')).catch(() => [])).toEqual([]);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { builtinScriptsDir, DEFAULT_APPROACHES, DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load.js';
import { TourneyError } from '../../src/errors.js';

let repo: string;
beforeEach(async () => { repo = await mkdtemp(path.join(os.tmpdir(), 'tourney-config-')); });
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(repo, { recursive: true, force: true });
});

const YAML_NAME = 'tourney.config.yaml';

async function write(name: string, text: string): Promise<string> {
  const file = path.join(repo, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

async function configError(opts: LoadConfigOptions = {}): Promise<string> {
  const err = await loadConfig(repo, opts).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TourneyError);
  return (err as TourneyError).message;
}

/** Error from a YAML config with the given text; asserts it starts with the file path. */
async function yamlError(text: string, opts: LoadConfigOptions = { model: 'a/b' }): Promise<string> {
  const file = await write(YAML_NAME, text);
  const message = await configError(opts);
  for (const line of message.split('\n')) expect(line.startsWith(`${file}: `)).toBe(true);
  return message.replaceAll(`${file}: `, '');
}

const FULL = `
entrants:
  - name: careful
    agent: opencode
    model: anthropic/claude-sonnet-4-5
    approach: "Write the tests first, then the code."
    timeLimit: 10m
  - name: quick.v2
    model: openrouter/qwen/qwen3-coder
sandbox:
  image: tourney-sandbox:latest
  cpus: 1.5
  memory: 4g
  pids: 256
  network: model-only
  env: [ANTHROPIC_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY]
  timeLimit: 1h
  opencodeAuth: true
scripts: [./tourney-scripts]
`;

describe('loadConfig', () => {
  it('builds entrants from --model alone, with defaults', async () => {
    const c = await loadConfig(repo, { model: 'anthropic/claude-sonnet-4-5' });
    expect(c.source).toBeUndefined();
    expect(c.entrants.map((e) => e.name)).toEqual(['entrant-1', 'entrant-2', 'entrant-3']);
    expect(new Set(c.entrants.map((e) => e.approach)).size).toBe(3);
    expect(c.entrants.every((e) => e.agent === 'opencode' && e.model === 'anthropic/claude-sonnet-4-5' && e.timeLimitSec === undefined)).toBe(true);
    expect(c.sandbox).toEqual({
      image: DEFAULT_IMAGE, cpus: 1, memoryMb: 2048, pids: 512, diskMb: 2048, maxDiffBytes: 4 * 1024 * 1024, network: 'auto', allow: [], env: [], timeLimitSec: 900, opencodeAuth: false,
      setupNetwork: 'open', setupTimeLimitSec: 1200, setupEnv: [], packages: [],
    });
    expect(DEFAULT_IMAGE).toBe('tourney-sandbox:local');
    expect(c.scriptDirs).toEqual([builtinScriptsDir()]);
  });

  it('cycles the built-in approaches over --entrants N', async () => {
    const c = await loadConfig(repo, { model: 'x/y', entrants: 5, timeLimitSec: 120 });
    expect(c.entrants.map((e) => e.name)).toEqual(['entrant-1', 'entrant-2', 'entrant-3', 'entrant-4', 'entrant-5']);
    expect(c.entrants.map((e) => e.approach)).toEqual([...DEFAULT_APPROACHES, ...DEFAULT_APPROACHES].slice(0, 5));
    expect(c.sandbox.timeLimitSec).toBe(120);
  });

  it('reads a full YAML config', async () => {
    await mkdir(path.join(repo, 'tourney-scripts'));
    const file = await write(YAML_NAME, FULL);
    const c = await loadConfig(repo, {});
    expect(c.source).toBe(file);
    expect(c.entrants).toEqual([
      { name: 'careful', agent: 'opencode', model: 'anthropic/claude-sonnet-4-5', approach: 'Write the tests first, then the code.', timeLimitSec: 600 },
      { name: 'quick.v2', agent: 'opencode', model: 'openrouter/qwen/qwen3-coder' },
    ]);
    expect(c.sandbox).toEqual({
      image: 'tourney-sandbox:latest', cpus: 1.5, memoryMb: 4096, pids: 256, diskMb: 2048, maxDiffBytes: 4 * 1024 * 1024, network: 'model-only', allow: [],
      env: ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'], timeLimitSec: 3600, opencodeAuth: true,
      setupNetwork: 'open', setupTimeLimitSec: 1200, setupEnv: [], packages: [],
    });
    expect(c.scriptDirs).toEqual([path.join(repo, 'tourney-scripts'), builtinScriptsDir()]);
  });

  it('lets flags override models and the default time limit, and accepts a matching --entrants', async () => {
    await write(YAML_NAME, 'entrants: [{ name: a, timeLimit: 90 }, { name: b, model: x/old }]\nsandbox: { timeLimit: 5m }\n');
    const c = await loadConfig(repo, { model: 'scripted/implement-slugify', entrants: 2, timeLimitSec: 60 });
    expect(c.entrants.map((e) => [e.name, e.model, e.timeLimitSec])).toEqual([
      ['a', 'scripted/implement-slugify', 90], ['b', 'scripted/implement-slugify', undefined],
    ]);
    expect(c.sandbox.timeLimitSec).toBe(60);
  });

  it('makes entrants from flags when the config lists none', async () => {
    await write('tourney.config.yml', 'sandbox:\n  network: none\n');
    const c = await loadConfig(repo, { model: 'a/b', entrants: 2 });
    expect(c.entrants.map((e) => e.name)).toEqual(['entrant-1', 'entrant-2']);
    expect(c.sandbox.network).toBe('none');
    expect(c.source).toBe(path.join(repo, 'tourney.config.yml'));
  });

  it('reads engines with names (local for a unix socket, else the host), slots and TLS files; none by default', async () => {
    await write('certs/ca.pem', 'ca');
    await write('certs/cert.pem', 'cert');
    await write('certs/key.pem', 'key');
    await write(YAML_NAME, [
      'entrants: [{ name: a, model: p/m }]',
      'engines:',
      '  - { host: "unix:///var/run/docker.sock", slots: 2 }',
      '  - { host: "unix:///tmp/e2/docker.sock", reach: tunnel }',
      '  - { host: "ssh://me@Build-Box.example", slots: 8 }',
      '  - { host: "tcp://build-box.example:2376", tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem } }',
      '',
    ].join('\n'));
    const c = await loadConfig(repo);
    expect(c.engines).toEqual([
      { name: 'local', host: 'unix:///var/run/docker.sock', slots: 2 },
      { name: 'local-2', host: 'unix:///tmp/e2/docker.sock', reach: 'tunnel' },
      { name: 'build-box.example', host: 'ssh://me@Build-Box.example', slots: 8 },
      { name: 'build-box.example-2', host: 'tcp://build-box.example:2376', tls: { ca: path.join(repo, 'certs/ca.pem'), cert: path.join(repo, 'certs/cert.pem'), key: path.join(repo, 'certs/key.pem') } },
    ]);
    await write(YAML_NAME, 'entrants: [{ name: a, model: p/m }]\n');
    expect((await loadConfig(repo)).engines).toEqual([]);
  });

  it('reads budgets per entrant and per run, and leaves them unset by default', async () => {
    await write(YAML_NAME, 'budget: { costUsd: 5 }\nentrants: [{ name: a, model: p/m, budget: { tokens: 20000, costUsd: 0.5 } }, { name: b, model: p/m }]\n');
    const c = await loadConfig(repo, {});
    expect(c.budget).toEqual({ costUsd: 5 });
    expect(c.entrants.map((e) => e.budget)).toEqual([{ tokens: 20000, costUsd: 0.5 }, undefined]);
    await write(YAML_NAME, 'sandbox: { cpus: 1 }\n');
    expect((await loadConfig(repo, { model: 'a/b' })).budget).toBeUndefined();
  });

  it('reads sandbox.maxParallel, and leaves it unset (derived from the engine) by default', async () => {
    await write(YAML_NAME, 'sandbox: { maxParallel: 2 }\n');
    expect((await loadConfig(repo, { model: 'a/b' })).sandbox.maxParallel).toBe(2);
    await write(YAML_NAME, 'sandbox: { cpus: 1 }\n');
    expect((await loadConfig(repo, { model: 'a/b' })).sandbox.maxParallel).toBeUndefined();
  });

  it('reads JSON configs', async () => {
    await write('tourney.config.json', JSON.stringify({ entrants: [{ name: 'j', model: 'p/m' }], sandbox: { memory: 512 } }));
    const c = await loadConfig(repo, {});
    expect(c.entrants).toEqual([{ name: 'j', agent: 'opencode', model: 'p/m' }]);
    expect(c.sandbox.memoryMb).toBe(512);
  });

  it.each([[1024, 1024], ['512m', 512], ['2g', 2048], ['2GB', 2048], ['1.5g', 1536], ['768', 768]])('reads memory %j as %d MB', async (memory, mb) => {
    await write(YAML_NAME, `sandbox: { memory: ${JSON.stringify(memory)} }\n`);
    expect((await loadConfig(repo, { model: 'a/b' })).sandbox.memoryMb).toBe(mb);
  });

  it('treats an empty config file as all defaults', async () => {
    await write(YAML_NAME, '# nothing yet\n');
    const c = await loadConfig(repo, { model: 'a/b', entrants: 1 });
    expect(c.entrants).toHaveLength(1);
    expect(c.sandbox.memoryMb).toBe(2048);
  });

  it('uses an explicit config path relative to the cwd, ignoring the repo root files', async () => {
    await write(YAML_NAME, 'entrants: [{ name: root, model: a/b }]\n');
    await write('tourney.config.json', '{}');
    const other = await write('other.yaml', 'entrants: [{ name: other, model: a/b }]\n');
    const c = await loadConfig(repo, { configPath: path.relative(process.cwd(), other) });
    expect(c.entrants.map((e) => e.name)).toEqual(['other']);
    expect(c.source).toBe(other);
  });

  it('points builtinScriptsDir at the package examples/scripts', () => {
    const pkgRoot = fileURLToPath(new URL('../../', import.meta.url));
    expect(builtinScriptsDir()).toBe(path.join(pkgRoot, 'examples', 'scripts'));
  });
});

describe('loadConfig errors', () => {
  it('names the file relative to the cwd when that is shorter', async () => {
    vi.spyOn(process, 'cwd').mockReturnValue(repo);
    await write(YAML_NAME, 'sandbox: { cpus: 0 }\n');
    expect(await configError({ model: 'a/b' })).toBe('tourney.config.yaml: key "sandbox.cpus": expected a number > 0, got 0');
  });

  it('refuses two config files', async () => {
    await write(YAML_NAME, '{}');
    await write('tourney.config.json', '{}');
    const message = await configError({ model: 'a/b' });
    expect(message).toContain(`${path.join(repo, YAML_NAME)} and ${path.join(repo, 'tourney.config.json')}: found more than one config file`);
  });

  it('reports a missing or directory --config path', async () => {
    expect(await configError({ configPath: path.join(repo, 'nope.yaml') })).toBe(`${path.join(repo, 'nope.yaml')}: no such file (the config file given)`);
    expect(await configError({ configPath: repo })).toBe(`${repo}: is a directory, expected a config file`);
  });

  it('reports YAML syntax errors with the line', async () => {
    expect(await yamlError('sandbox:\n  cpus: 1\n  cpus: 2\n')).toBe('invalid YAML at line 3, column 3: Map keys must be unique');
  });

  it('reports JSON syntax errors with the position', async () => {
    const file = await write('tourney.config.json', '{\n  "sandbox": { "cpus": 1, }\n}\n');
    expect(await configError({ model: 'a/b' })).toBe(`${file}: invalid JSON at line 2, column 27: Expected double-quoted property name`);
    await write('tourney.config.json', '{ "sandbox": tru }');
    expect(await configError({ model: 'a/b' })).toBe(`${file}: invalid JSON at line 1, column 17: Unexpected token ' '`);
  });

  it('reports a config that is not a mapping', async () => {
    expect(await yamlError('- careful\n- quick\n')).toBe('expected a mapping with keys entrants, sandbox, scripts at the top level, got a list');
  });

  it('reports unknown keys at every level with the allowed keys', async () => {
    const message = await yamlError('entrants:\n  - name: a\n  - name: b\n    modle: x/y\nsandbox: { memroy: 1g }\nextra: 1\n');
    expect(message.split('\n').sort()).toEqual([
      'unknown key "entrants[1].modle" (did you mean "model"?); allowed keys: name, agent, command, model, approach, timeLimit, providers, trials, budget',
      'unknown key "extra"; allowed keys: entrants, sandbox, gates, weights, tampering, performance, judge, providers, scripts, budget, engines',
      'unknown key "sandbox.memroy" (did you mean "memory"?); allowed keys: image, cpus, memory, pids, disk, maxDiff, network, allow, env, timeLimit, opencodeAuth, setupNetwork, setupTimeLimit, setupKey, setupEnv, packages, dockerfile, caFile, maxParallel',
    ]);
  });

  it.each([
    ['entrants: careful', 'key "entrants": expected a list, got "careful"'],
    ['entrants: []', 'key "entrants": expected at least 1 item, got a list'],
    [`entrants: [${Array.from({ length: 17 }, (_, i) => `{ name: e${i} }`).join(', ')}]`, 'key "entrants": expected at most 16 items, got a list'],
    ['entrants: [careful]', 'key "entrants[0]": expected a mapping of keys to values, got "careful"'],
    ['entrants: [{ model: a/b }]', 'key "entrants[0].name" is missing: expected a string'],
    ['entrants: [{ name: Careful }]', 'key "entrants[0].name": expected a name of 1-40 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (it becomes a git branch name), got "Careful"'],
    ['entrants: [{ name: a..b }]', 'key "entrants[0].name": expected a name of 1-40'],
    ['entrants: [{ name: x.lock }]', 'key "entrants[0].name": expected a name of 1-40'],
    [`entrants: [{ name: ${'a'.repeat(41)} }]`, 'key "entrants[0].name": expected a name of 1-40'],
    ['entrants: [{ name: a }, { name: b }, { name: a }]', 'key "entrants[2].name": expected a name not used by another entrant (entrants[0] has it), got "a"'],
    ['entrants: [{ name: a, agent: aider }]', 'key "entrants[0].agent": expected one of "opencode", "claude-code", "codex", "command", got "aider"'],
    ['entrants: [{ name: a, agent: command }]', 'key "entrants[0].command": expected a command for agent "command", e.g. command: "my-agent --prompt-file {promptFile}"'],
    ['entrants: [{ name: a, command: "x {promptFile}" }]', 'key "entrants[0].command": expected no command: it is only for agent "command" (this entrant\'s agent is "opencode")'],
    ['entrants: [{ name: a, agent: codex, command: [x] }]', 'key "entrants[0].command": expected no command: it is only for agent "command" (this entrant\'s agent is "codex")'],
    ['entrants: [{ name: a, agent: command, command: "run {prompt}" }]', 'key "entrants[0].command": unknown placeholder {prompt}: expected one of {promptFile}, {workdir}, {model}, {modelId}, {baseUrl}'],
    ['entrants: [{ name: a, agent: command, command: "" }]', 'key "entrants[0].command": expected a command to run, e.g. "my-agent --prompt-file {promptFile}"'],
    ['entrants: [{ name: a, agent: command, command: "run \'unclosed" }]', 'key "entrants[0].command": the command has an unclosed \' quote'],
    ['entrants: [{ name: a, agent: command, command: 3 }]', 'key "entrants[0].command": expected a command: a string like "my-agent --prompt-file {promptFile}" or a list of words, got 3'],
    ['entrants: [{ name: a, model: sonnet }]', 'key "entrants[0].model": expected "provider/model", e.g. "anthropic/claude-sonnet-4-5", got "sonnet"'],
    ['entrants: [{ name: a, approach: 3 }]', 'key "entrants[0].approach": expected a string, got 3 (a number)'],
    ['entrants: [{ name: winner, model: x/y }]', 'key "entrants[0].name": expected a name other than "winner": tourney keeps the winner\'s branch as tourney/<run>/winner, got "winner"'],
    ['entrants: [{ name: a, timeLimit: soon }]', 'key "entrants[0].timeLimit": expected a positive number of seconds or a duration like "10m", at most 7 days (168h), got "soon"'],
    ['entrants: [{ name: a, budget: { tokens: 0 } }]', 'key "entrants[0].budget.tokens": expected a token count above 0, got 0'],
    ['entrants: [{ name: a, budget: { tokens: 1.5 } }]', 'key "entrants[0].budget.tokens": expected a whole number of tokens, like 200000, got 1.5'],
    ['entrants: [{ name: a, budget: { costUsd: -1 } }]', 'key "entrants[0].budget.costUsd": expected US dollars above 0, got -1'],
    ['entrants: [{ name: a, budget: { costUsd: "$2" } }]', 'key "entrants[0].budget.costUsd": expected US dollars, like 2.5, got "$2"'],
    ['entrants: [{ name: a, budget: {} }]', 'key "entrants[0].budget": expected tokens or costUsd (or both), e.g. budget: { tokens: 200000, costUsd: 2 }'],
    ['entrants: [{ name: a, budget: { token: 5 } }]', 'key "entrants[0].budget.token" (did you mean "tokens"?)'],
    ['budget: 1000', 'key "budget": expected a mapping of keys to values, got 1000'],
    ['budget: { tokens: -5 }', 'key "budget.tokens": expected a token count above 0, got -5'],
    ['budget: { costUsd: 0 }', 'key "budget.costUsd": expected US dollars above 0, got 0'],
    ['engines: []', 'key "engines": expected at least one engine, e.g. engines: [{ host: unix:///var/run/docker.sock }]'],
    ['engines: [{ host: /var/run/docker.sock }]', 'key "engines[0].host": expected a Docker host: unix:///var/run/docker.sock, tcp://box:2376 or ssh://user@box, got "/var/run/docker.sock"'],
    ['engines: [{ host: "http://box:2375" }]', 'key "engines[0].host": expected a Docker host: unix:///var/run/docker.sock, tcp://box:2376 or ssh://user@box (not http://), got "http://box:2375"'],
    ['engines: [{ host: "unix://" }]', 'key "engines[0].host": expected a Docker host: unix:///var/run/docker.sock, tcp://box:2376 or ssh://user@box (a unix socket needs an absolute path after unix://), got "unix://"'],
    ['engines: [{ host: "tcp://box:2376/v1" }]', 'key "engines[0].host": expected a Docker host: unix:///var/run/docker.sock, tcp://box:2376 or ssh://user@box (no path after the host), got "tcp://box:2376/v1"'],
    ['engines: [{ host: "tcp://a:2376" }, { host: "tcp://a:2376" }]', 'key "engines[1].host": expected each engine once; tcp://a:2376 is also engines[0], got "tcp://a:2376"'],
    ['engines: [{ host: "tcp://a:2376", name: x }, { host: "tcp://b:2376", name: x }]', 'key "engines[1].name": expected each engine name once; "x" is also engines[0], got "x"'],
    ['engines: [{ host: "ssh://u@b", tls: { ca: a, cert: b, key: c } }]', 'key "engines[0].tls": expected tls only for a tcp:// host (unix sockets and ssh need none)'],
    ['engines: [{ host: "tcp://a:2376" }, { host: "tcp://A:2376/" }]', 'key "engines[1].host": expected each engine once; tcp://A:2376/ is also engines[0], got "tcp://A:2376/"'],
    ['engines: [{ host: "tcp://u:p@a:2376" }]', 'key "engines[0].host": expected a Docker host: unix:///var/run/docker.sock, tcp://box:2376 or ssh://user@box (a tcp:// host takes no user or password: use tls), got "tcp://u:p@a:2376"'],
    ['engines: [{ host: "tcp://a:2376", reach: ip }]', 'key "engines[0].reach": expected "address" (the container\'s own address, routable from here) or "tunnel" (through the engine\'s API), got "ip"'],
    ['engines: [{ host: "tcp://a:2376", slots: 0 }]', 'key "engines[0].slots": expected at least 1 slot, got 0'],
    ['engines: [{ host: "tcp://a:2376", slot: 2 }]', 'key "engines[0].slot" (did you mean "slots"?)'],
    ['engines: [{ host: "tcp://a:2376", tls: { ca: ca.pem, cert: c.pem, key: k.pem } }]', 'key "engines[0].tls.ca": expected a PEM CA certificate (relative to the repository root), got "ca.pem"'],
    ['sandbox: []', 'key "sandbox": expected a mapping of keys to values, got a list'],
    ['sandbox: { image: "" }', 'key "sandbox.image": expected a non-empty string, got ""'],
    ['sandbox: { cpus: two }', 'key "sandbox.cpus": expected a number, got "two"'],
    ['sandbox: { cpus: -1 }', 'key "sandbox.cpus": expected a number > 0, got -1'],
    ['sandbox: { memory: lots }', 'key "sandbox.memory": expected a size like "512m" or "2g", or a number of MB, got "lots"'],
    ['sandbox: { memory: 0 }', 'key "sandbox.memory": expected a size like "512m" or "2g", or a number of MB, got 0'],
    ['sandbox: { pids: 1.5 }', 'key "sandbox.pids": expected an integer, got 1.5'],
    ['sandbox: { maxParallel: 0 }', 'key "sandbox.maxParallel": expected at least 1 entrant at a time, got 0'],
    ['sandbox: { maxParallel: 1.5 }', 'key "sandbox.maxParallel": expected a whole number of entrants to run at once, like 2, got 1.5'],
    ['sandbox: { maxParallel: all }', 'key "sandbox.maxParallel": expected a whole number of entrants to run at once, like 2, got "all"'],
    ['sandbox: { pids: 0 }', 'key "sandbox.pids": expected a number > 0, got 0'],
    ['sandbox: { network: offline }', 'key "sandbox.network": expected one of "auto", "none", "model-only", "open", "allowlist", got "offline"'],
    ['sandbox: { network: allowlist }', 'key "sandbox.allow": expected a list of hosts ("host" or "host:port") with network "allowlist"'],
    ['sandbox: { network: allowlist, allow: [] }', 'key "sandbox.allow": expected a list of hosts'],
    ['sandbox: { allow: [api.anthropic.com] }', 'key "sandbox.allow": only applies with network "allowlist": set sandbox.network: allowlist, or remove sandbox.allow'],
    ['sandbox: { network: open, allow: [api.anthropic.com] }', 'key "sandbox.allow": only applies with network "allowlist"'],
    ['sandbox: { network: allowlist, allow: api.anthropic.com }', 'key "sandbox.allow": expected a list, got "api.anthropic.com"'],
    ['sandbox: { network: allowlist, allow: ["https://api.anthropic.com"] }', 'key "sandbox.allow[0]": expected "host" or "host:port" (e.g. "api.anthropic.com" or "10.0.0.5:8080"), without a scheme, path or wildcard, got "https://api.anthropic.com"'],
    ['sandbox: { network: allowlist, allow: [ok.example, "*.anthropic.com"] }', 'key "sandbox.allow[1]": expected "host" or "host:port"'],
    ['sandbox: { network: allowlist, allow: ["api.anthropic.com/v1"] }', 'key "sandbox.allow[0]": expected "host" or "host:port"'],
    ['sandbox: { network: allowlist, allow: ["api.anthropic.com:0"] }', 'key "sandbox.allow[0]": expected "host" or "host:port"'],
    ['sandbox: { network: allowlist, allow: ["api.anthropic.com:70000"] }', 'key "sandbox.allow[0]": expected "host" or "host:port"'],
    ['sandbox: { network: allowlist, allow: ["a b"] }', 'key "sandbox.allow[0]": expected "host" or "host:port"'],
    ['sandbox: { network: allowlist, allow: [443] }', 'key "sandbox.allow[0]": expected a string, got 443 (a number)'],
    ['sandbox: { env: ANTHROPIC_API_KEY }', 'key "sandbox.env": expected a list, got "ANTHROPIC_API_KEY"'],
    ['sandbox: { env: [anthropic_key] }', 'key "sandbox.env[0]": expected an environment variable name like "ANTHROPIC_API_KEY", got "anthropic_key"'],
    // Node's timers overflow past ~596 h and would fire at once.
    ['sandbox: { timeLimit: 600h }', 'key "sandbox.timeLimit": expected a positive number of seconds or a duration like "10m", at most 7 days (168h), got "600h"'],
    ['sandbox: { timeLimit: 2200000 }', 'key "sandbox.timeLimit": expected a positive number of seconds or a duration like "10m", at most 7 days (168h), got 2200000'],
    ['sandbox: { timeLimit: 0s }', 'key "sandbox.timeLimit": expected a positive number of seconds or a duration like "10m", at most 7 days (168h), got "0s"'],
    ['sandbox: { opencodeAuth: "yes" }', 'key "sandbox.opencodeAuth": expected true or false, got "yes"'],
    ['sandbox: { setupNetwork: bridge }', 'key "sandbox.setupNetwork": expected one of "open", "none", got "bridge"'],
    ['sandbox: { setupTimeLimit: never }', 'key "sandbox.setupTimeLimit": expected a positive number of seconds or a duration like "10m", at most 7 days (168h), got "never"'],
    ['sandbox: { setupKey: [] }', 'key "sandbox.setupKey": expected at least 1 item'],
    ['sandbox: { setupKey: [""] }', 'key "sandbox.setupKey[0]": expected a glob like "package-lock.json"'],
    ['sandbox: { setupEnv: [npm-token] }', 'key "sandbox.setupEnv[0]": expected an environment variable name like "NPM_TOKEN", got "npm-token"'],
    ['sandbox: { packages: python3 }', 'key "sandbox.packages": expected a list, got "python3"'],
    // A package list reaches an apt-get command line: nothing but package names may pass.
    ['sandbox: { packages: ["python3; curl evil"] }', 'key "sandbox.packages[0]": expected a Debian package name like "python3-pytest"'],
    ['sandbox: { packages: ["-oAPT::x=1"] }', 'key "sandbox.packages[0]": expected a Debian package name'],
    ['sandbox: { packages: ["$(id)"] }', 'key "sandbox.packages[0]": expected a Debian package name'],
    ['sandbox: { dockerfile: "" }', 'key "sandbox.dockerfile": expected the path of a Dockerfile'],
    ['sandbox: { caFile: 3 }', 'key "sandbox.caFile": expected a string, got 3 (a number)'],
    ['scripts: ./dir', 'key "scripts": expected a list, got "./dir"'],
    ['scripts: [""]', 'key "scripts[0]": expected a directory path, got ""'],
  ])('reports %s', async (yaml, expected) => {
    expect(await yamlError(`${yaml}\n`)).toContain(expected);
  });

  it('reads an egress allowlist as hosts and ports (lower case; no port = the web ports)', async () => {
    await write(YAML_NAME, 'entrants: [{ name: a, model: p/m }]\nsandbox:\n  network: allowlist\n  allow: [API.Anthropic.com, "10.0.0.5:8080", "[::1]:3000"]\n');
    const c = await loadConfig(repo, {});
    expect(c.sandbox.network).toBe('allowlist');
    expect(c.sandbox.allow).toEqual([{ host: 'api.anthropic.com', port: null }, { host: '10.0.0.5', port: 8080 }, { host: '[::1]', port: 3000 }]);
  });

  it('reads the prepared-environment keys, with paths relative to the repository root', async () => {
    await write('ci/Dockerfile', 'ARG TOURNEY_IMAGE\nFROM ${TOURNEY_IMAGE}\n');
    await write('certs/proxy.pem', '-----BEGIN CERTIFICATE-----\n');
    await write(YAML_NAME, [
      'entrants: [{ name: a, model: p/m }]',
      'sandbox:',
      '  setupNetwork: none',
      '  setupTimeLimit: 2m',
      '  setupKey: [package-lock.json, "scripts/*.sh"]',
      '  setupEnv: [NPM_TOKEN, NPM_TOKEN]',
      '  packages: [python3, python3-pytest, "libfoo1=1.2-3"]',
      '  dockerfile: ci/Dockerfile',
      '  caFile: certs/proxy.pem',
      '',
    ].join('\n'));
    const c = await loadConfig(repo, {});
    expect(c.sandbox).toMatchObject({
      setupNetwork: 'none',
      setupTimeLimitSec: 120,
      setupKey: ['package-lock.json', 'scripts/*.sh'],
      setupEnv: ['NPM_TOKEN'],
      packages: ['python3', 'python3-pytest', 'libfoo1=1.2-3'],
      dockerfile: path.join(repo, 'ci', 'Dockerfile'),
      caFile: path.join(repo, 'certs', 'proxy.pem'),
    });
  });

  it.each([
    ['dockerfile', 'a Dockerfile'],
    ['caFile', 'a PEM CA bundle'],
  ])('reports a sandbox.%s that is not a file', async (key, what) => {
    const message = await yamlError(`sandbox: { ${key}: ./nowhere }\n`);
    expect(message).toBe(`key "sandbox.${key}": expected ${what} (relative to the repository root), got "./nowhere": ${path.join(repo, 'nowhere')} is not a file`);
  });

  it('reports a scripts entry that is not a directory', async () => {
    const message = await yamlError('scripts: [./missing]\n');
    expect(message).toBe(`key "scripts[0]": expected a directory (relative to the repository root), got "./missing", which is not a directory (${path.join(repo, 'missing')})`);
  });

  it('reports several problems at once, one per line', async () => {
    const message = await yamlError('sandbox: { cpus: 0, network: x }\n');
    expect(message.split('\n')).toHaveLength(2);
  });

  it('reports --entrants that contradicts the config', async () => {
    expect(await yamlError('entrants: [{ name: a, model: p/m }, { name: b, model: p/m }]\n', { entrants: 3 }))
      .toBe('--entrants 3 does not match the 2 entrant(s) listed under "entrants"; drop --entrants or edit the list');
  });

  it.each([0, 17, 2.5, Number.NaN])('reports --entrants %d out of range', async (n) => {
    expect(await configError({ model: 'a/b', entrants: n })).toBe(`--entrants: expected an integer from 1 to 16, got ${n}`);
  });

  it('reports a malformed --model and a bad time limit', async () => {
    expect(await configError({ model: 'sonnet' })).toBe('--model: expected "provider/model", e.g. "anthropic/claude-sonnet-4-5", got "sonnet"');
    expect(await configError({ model: 'a/b', timeLimitSec: 0 })).toMatch(/time limit: expected a positive number of seconds, got 0/);
  });

  it('needs --model when there is no config', async () => {
    const message = await configError({ entrants: 2 });
    expect(message).toMatch(/^no model was given: pass --model provider\/model .*tourney\.config\.yaml$/);
  });

  it('needs --model when the config lists no entrants', async () => {
    const file = await write(YAML_NAME, 'sandbox: { cpus: 2 }\n');
    expect(await configError()).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} lists no entrants and no model was given: pass --model`));
  });

  it('needs a model for every listed entrant without --model', async () => {
    expect(await yamlError('entrants: [{ name: a, model: p/m }, { name: b }]\n', {}))
      .toBe('key "entrants[1].model" is missing: expected "provider/model", e.g. "anthropic/claude-sonnet-4-5" (or pass --model to use one model for every entrant)');
  });
});

describe('trials', () => {
  it('takes trials per entrant, and --trials for every entrant over them', async () => {
    await write(YAML_NAME, 'entrants:\n  - { name: a, model: m/x, trials: 3 }\n  - { name: b, model: m/x }\n');
    const config = await loadConfig(repo, {});
    expect(config.entrants.map((e) => [e.name, e.trials])).toEqual([['a', 3], ['b', undefined]]);
    const flagged = await loadConfig(repo, { trials: 2 });
    expect(flagged.entrants.map((e) => [e.name, e.trials])).toEqual([['a', 2], ['b', 2]]);
    const generated = await loadConfig(await mkdtemp(path.join(os.tmpdir(), 'tourney-config-none-')), { model: 'm/x', entrants: 2, trials: 4 });
    expect(generated.entrants.map((e) => e.trials)).toEqual([4, 4]);
  });

  it('refuses a bad trials value, naming the key and what is expected', async () => {
    for (const bad of ['0', '2.5', '11', '"3"']) {
      const message = await yamlError(`entrants:\n  - { name: a, model: m/x, trials: ${bad} }\n`, {});
      expect(message).toContain('entrants[0].trials');
      expect(message).toMatch(/from 1 to 10|expected a number/);
    }
    for (const bad of [0, 1.5, 11]) expect(await configError({ model: 'm/x', trials: bad })).toContain('--trials: expected an integer from 1 to 10');
  });

  it('keeps entrants times trials within 16 runs, and trial names distinct and valid', async () => {
    await write(YAML_NAME, 'entrants:\n  - { name: a, model: m/x, trials: 9 }\n  - { name: b, model: m/x, trials: 8 }\n');
    expect(await configError({})).toMatch(/entrants times trials is 17 runs \(a x9, b x8\); expected at most 16/);
    await write(YAML_NAME, 'entrants:\n  - { name: a, model: m/x, trials: 2 }\n  - { name: a-t2, model: m/x }\n');
    expect(await configError({})).toContain('key "entrants[0].trials": trial a-t2 of a has the name of another entrant');
    const long = 'x'.repeat(39);
    await write(YAML_NAME, `entrants:\n  - { name: ${long}, model: m/x, trials: 2 }\n`);
    expect(await configError({})).toContain(`with trials its runs are named ${long}-t1`);
  });
});

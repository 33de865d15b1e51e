import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { configJsonSchema, shippedSchemaPath } from '../../src/cli/schema-command.js';
import { loadConfig } from '../../src/config/load.js';
import { loadSpec } from '../../src/spec/load.js';
import { packagePath } from '../../src/paths.js';

let repo: string;
let stdout: string;
beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'tourney-init-'));
  await execa('git', ['init', '-q'], { cwd: repo });
  await execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: repo });
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(repo, { recursive: true, force: true });
});

const run = (...args: string[]) => main(['node', 'tourney', ...args]);
const validator = () => new Ajv2020({ strict: false, allErrors: true }).compile(configJsonSchema());

describe('tourney schema', () => {
  it('prints the schema the package ships (regenerate with: tourney schema > schemas/tourney.config.schema.json)', async () => {
    expect(await run('schema')).toBe(0);
    expect(JSON.parse(stdout)).toEqual(JSON.parse(await readFile(shippedSchemaPath(), 'utf8')));
  });

  it('accepts the configs tourney accepts and refuses unknown keys and wrong types, as the loader does', async () => {
    const check = validator();
    const demo = parse(await readFile(packagePath('examples', 'demo', 'tourney.config.yaml'), 'utf8')) as unknown;
    expect(check(demo), JSON.stringify(check.errors)).toBe(true);
    expect(check({ sandbox: { memory: '2g', timeLimit: '10m', cpus: 1 } })).toBe(true);
    expect(check({ sandbox: { timeLimit: 600 } })).toBe(true);
    expect(check({ sandbx: {} })).toBe(false);
    expect(check({ sandbox: { cpus: 'two' } })).toBe(false);
    expect(check({ entrants: [{ name: 'Not A Branch', model: 'x/y' }] })).toBe(false);
    expect(check({ sandbox: { network: 'internet' } })).toBe(false);
  });
});

describe('tourney init', () => {
  it('writes a config and a spec that tourney loads, and names the schema for editors', async () => {
    expect(await run('init', '--repo', repo)).toBe(0);
    const configText = await readFile(join(repo, 'tourney.config.yaml'), 'utf8');
    expect(configText.split('\n')[0]).toBe(`# yaml-language-server: $schema=${shippedSchemaPath()}`);
    expect(validator()(parse(configText))).toBe(true);
    const config = await loadConfig(repo, {});
    expect(config.entrants.map((e) => e.name)).toEqual(['careful', 'minimal']);
    const spec = await loadSpec(join(repo, 'feature.md'));
    expect(spec.test).toBe('npm test');
    expect(Object.keys(spec.sections)).toEqual(expect.arrayContaining(['outcome', 'context', 'constraints', 'acceptance criteria']));
    expect(stdout).toMatch(/wrote .*tourney\.config\.yaml\nwrote .*feature\.md\n/);
  });

  it('never overwrites a file the user has', async () => {
    await writeFile(join(repo, 'tourney.config.yaml'), 'mine: true\n');
    expect(await run('init', '--repo', repo, '--spec', 'specs-new.md')).toBe(0);
    expect(await readFile(join(repo, 'tourney.config.yaml'), 'utf8')).toBe('mine: true\n');
    expect(stdout).toMatch(/kept .*tourney\.config\.yaml \(it exists; nothing overwritten\)/);
    expect(await readFile(join(repo, 'specs-new.md'), 'utf8')).toContain('## Acceptance criteria');
  });
});

import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { useCliHarness } from '../support/cli-harness.js';
import { configJsonSchema, shippedSchemaPath } from '../../src/cli/schema-command.js';
import { loadConfig } from '../../src/config/load.js';
import { loadSpec } from '../../src/spec/load.js';
import { packagePath } from '../../src/paths.js';

const cli = useCliHarness({ prefix: 'init' });
const run = cli.run;
const validator = () => new Ajv2020({ strict: false, allErrors: true }).compile(configJsonSchema());

describe('tourney schema', () => {
  it('prints the schema the package ships (regenerate with: tourney schema > schemas/tourney.config.schema.json)', async () => {
    expect(await run('schema')).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual(JSON.parse(await readFile(shippedSchemaPath(), 'utf8')));
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
    expect(await run('init', '--repo', cli.dir)).toBe(0);
    const configText = await readFile(join(cli.dir, 'tourney.config.yaml'), 'utf8');
    expect(configText.split('\n')[0]).toBe(`# yaml-language-server: $schema=${shippedSchemaPath()}`);
    expect(validator()(parse(configText))).toBe(true);
    const config = await loadConfig(cli.dir, {});
    expect(config.entrants.map((e) => e.name)).toEqual(['careful', 'minimal']);
    const spec = await loadSpec(join(cli.dir, 'feature.md'));
    expect(spec.test).toBe('npm test');
    expect(Object.keys(spec.sections)).toEqual(expect.arrayContaining(['outcome', 'context', 'constraints', 'acceptance criteria']));
    expect(cli.stdout).toMatch(/wrote .*tourney\.config\.yaml\nwrote .*feature\.md\n/);
  });

  it('never overwrites a file the user has', async () => {
    await writeFile(join(cli.dir, 'tourney.config.yaml'), 'mine: true\n');
    expect(await run('init', '--repo', cli.dir, '--spec', 'specs-new.md')).toBe(0);
    expect(await readFile(join(cli.dir, 'tourney.config.yaml'), 'utf8')).toBe('mine: true\n');
    expect(cli.stdout).toMatch(/kept .*tourney\.config\.yaml \(it exists; nothing overwritten\)/);
    expect(await readFile(join(cli.dir, 'specs-new.md'), 'utf8')).toContain('## Acceptance criteria');
  });
});

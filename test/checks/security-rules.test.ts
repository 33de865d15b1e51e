import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../src/paths.js';
import { astGrepBinary, loadSecurityRules, securityRulesDir } from '../../src/checks/security.js';

describe('security rule pack', () => {
  it('every rule has CWE, severity and a note, and the pack covers JS/TS and Python', async () => {
    const names = (await readdir(securityRulesDir())).filter((n) => n.endsWith('.yml'));
    expect(names.length).toBeGreaterThanOrEqual(40);
    for (const name of names) {
      const doc = parseYaml(await readFile(join(securityRulesDir(), name), 'utf8')) as Record<string, unknown>;
      const meta = doc.metadata as Record<string, unknown> | undefined;
      expect(doc.id, name).toBe(name.replace(/\.yml$/, ''));
      expect(['error', 'warning', 'info'], name).toContain(doc.severity);
      expect(String(meta?.cwe), name).toMatch(/^CWE-\d+$/);
      expect(['high', 'medium', 'low'], name).toContain(meta?.severity);
      expect(String(doc.note ?? '').length, name).toBeGreaterThan(40);
      expect(String(doc.message ?? '').length, name).toBeGreaterThan(10);
      expect(doc.rule, name).toBeTypeOf('object');
    }
    const rules = await loadSecurityRules();
    expect(rules.filter((r) => r.language === 'Tsx').length).toBeGreaterThanOrEqual(15);
    expect(rules.filter((r) => r.language === 'Python').length).toBeGreaterThanOrEqual(15);
  });

  it('every rule has a test with code that must match and code that must not', async () => {
    const testDir = packagePath('rules', 'security-tests');
    for (const rule of await loadSecurityRules()) {
      const doc = parseYaml(await readFile(join(testDir, `${rule.id}-test.yml`), 'utf8')) as Record<string, unknown>;
      expect(doc.id).toBe(rule.id);
      expect((doc.valid as unknown[] | undefined)?.length ?? 0, rule.id).toBeGreaterThan(0);
      expect((doc.invalid as unknown[] | undefined)?.length ?? 0, rule.id).toBeGreaterThan(0);
    }
  });

  it('passes ast-grep rule tests: each rule matches its invalid code and none of its valid code', async () => {
    const res = await execa(
      astGrepBinary(),
      ['test', '--config', packagePath('rules', 'sgconfig.yml'), '--skip-snapshot-tests', '--color', 'never'],
      { reject: false, cwd: packagePath('rules') },
    );
    const out = `${String(res.stdout)}\n${String(res.stderr)}`;
    expect(out, out).toMatch(/test result: ok\. \d+ passed; 0 failed/);
    expect(res.exitCode, out).toBe(0);
    const passed = Number(/(\d+) passed/.exec(out)?.[1] ?? 0);
    expect(passed).toBe((await loadSecurityRules()).length);
  });
});

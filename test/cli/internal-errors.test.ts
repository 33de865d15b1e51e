// A bug in tourney is reported as one: exit 4, one line, the stack in a log file, never on screen.
// With --json every failure is also an error object on stdout.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let stderr: string;
let stdout: string;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-internal-'));
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
});
afterEach(async () => {
  vi.restoreAllMocks();
  vi.doUnmock('../../src/cli/report-command.js');
  vi.resetModules();
  await rm(dir, { recursive: true, force: true });
});

async function mainWithBrokenReport() {
  vi.resetModules();
  vi.doMock('../../src/cli/report-command.js', () => ({
    rerenderReport: () => { throw new TypeError("Cannot read properties of undefined (reading 'x')"); },
  }));
  return (await import('../../src/cli/main.js')).main;
}

describe('internal errors', () => {
  it('exit 4 with one line, a "please report" pointer and the stack in a private log file', async () => {
    const main = await mainWithBrokenReport();
    expect(await main(['node', 'tourney', 'report', dir])).toBe(4);
    expect(stderr).toMatch(/^tourney: internal error: Cannot read properties of undefined \(reading 'x'\)\n/);
    expect(stderr).not.toMatch(/\n\s+at /);
    const log = /please report it with the log (\S+)\.\n$/.exec(stderr)?.[1];
    expect(log).toBeDefined();
    const text = await readFile(log!, 'utf8');
    expect(text).toMatch(/TypeError: Cannot read properties of undefined/);
    expect(text).toMatch(/\n\s+at /);
    // Values (paths, tokens) stay out of the log; flags and commands are kept.
    expect(text).toContain('command: tourney … …');
    expect(text).not.toContain(dir);
    await rm(log!);
  });

  it('with --json, the error is also an object on stdout', async () => {
    const main = await mainWithBrokenReport();
    expect(await main(['node', 'tourney', 'report', dir, '--json'])).toBe(2); // report has no --json: a usage error
    expect(JSON.parse(stdout)).toEqual({ error: { code: 'usage', message: "unknown option '--json'", exitCode: 2 } });
  });
});

describe('--json on failure', () => {
  it('a bad input is { error: { code: "bad-input", message, exitCode: 2 } }', async () => {
    const { main } = await import('../../src/cli/main.js');
    expect(await main(['node', 'tourney', 'run', join(dir, 'nope.md'), '--repo', dir, '--json'])).toBe(2);
    const parsed = JSON.parse(stdout) as { error: { code: string; message: string; exitCode: number } };
    expect(parsed.error.code).toBe('bad-input');
    expect(parsed.error.exitCode).toBe(2);
    expect(parsed.error.message).toMatch(/not a git repository|nope\.md/);
  });

  it('prints nothing extra on stdout without --json', async () => {
    const { main } = await import('../../src/cli/main.js');
    expect(await main(['node', 'tourney', 'run', join(dir, 'nope.md'), '--repo', dir])).toBe(2);
    expect(stdout).toBe('');
  });
});

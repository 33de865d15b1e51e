import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliHarness } from '../support/cli-harness.js';

const cli = useCliHarness({ prefix: 'resume-cli' });

describe('tourney resume / rerun input errors (before any container)', () => {
  it('says there is no interrupted run to resume, exit 2', async () => {
    expect(await cli.run('resume', '--repo', cli.dir)).toBe(2);
    expect(cli.stderr).toMatch(/\.tourney\/runs: no interrupted run to resume \(expected a run directory holding run\.json and no result\.json\)/);
    expect(cli.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the saved file that is not run inputs, and refuses a finished run', async () => {
    const dir = join(cli.dir, '.tourney', 'runs', '20261202-000000-abcd');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'run.json'), JSON.stringify({ schema: 'tourney-run-inputs/1' }));
    expect(await cli.run('resume', '20261202-000000-abcd', '--repo', cli.dir)).toBe(2);
    expect(cli.stderr).toContain('run.json: not valid run inputs');
    await writeFile(join(dir, 'result.json'), '{}');
    expect(await cli.run('resume', '20261202-000000-abcd', '--repo', cli.dir)).toBe(2);
    expect(cli.stderr).toMatch(/run 20261202-000000-abcd finished .*"tourney rerun 20261202-000000-abcd --entrant NAME"/);
  });

  it('requires --entrant for rerun', async () => {
    expect(await cli.run('rerun', 'latest', '--repo', cli.dir)).toBe(2);
    expect(cli.stderr).toContain("required option '--entrant <name...>' not specified");
  });
});

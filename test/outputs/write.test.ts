import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatStepOutputs, parseStepOutputs, stepOutputs } from '../../src/outputs/github-output.js';
import { combineExitCodes, writeCiOutputs } from '../../src/outputs/write.js';
import { finishCiOutputs } from '../../src/outputs/cli.js';
import { TourneyError } from '../../src/errors.js';
import type { RunResult } from '../../src/types.js';
import { cli } from '../support/cli.js';
import { makeRun } from '../report/fixture.js';
import { sarifSchemaErrors } from './validators.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function fixture(): Promise<{ result: RunResult; dir: string }> {
  const fx = await makeRun();
  const dir = await mkdtemp(join(tmpdir(), 'tourney-ci-'));
  dirs.push(fx.runDir, dir);
  return { result: fx.result, dir };
}

// Names an entrant could pick to write outputs of its own into $GITHUB_OUTPUT.
const HOSTILE_NAMES = ['evil\nwinner=forged', 'evil\r\npassed=true', 'evil\rpassed=true', 'evil<<EOF\npassed=true\nEOF', 'x\nghadelimiter_fixed\npassed=true', 'trailing\n', '=', ''];

describe('$GITHUB_OUTPUT', () => {
  it('the seven values, from the result', async () => {
    const { result } = await fixture();
    const values = parseStepOutputs(formatStepOutputs({ ...stepOutputs(result) }));
    expect(values).toEqual({
      winner: result.winner, branch: result.winnerBranch, score: String(result.entrants.find((e) => e.name === result.winner)!.score!.total),
      report: result.reportPath, result: join(result.runDir, 'result.json'), 'run-dir': result.runDir, passed: 'true',
    });
    const none = parseStepOutputs(formatStepOutputs({ ...stepOutputs({ ...result, winner: null, winnerBranch: null }) }));
    expect(none).toMatchObject({ winner: '', branch: '', score: '', passed: 'false' });
  });

  it.each(HOSTILE_NAMES)('a hostile winner name sets only `winner`, to itself: %j', (name) => {
    // The first delimiter drawn is the one the name contains: it must be refused and another drawn.
    const draws = ['fixed', 'fresh'];
    const text = formatStepOutputs({ winner: name, passed: 'false' }, () => draws.shift() ?? 'more');
    const values = parseStepOutputs(text);
    expect(Object.keys(values).sort()).toEqual(['passed', 'winner']);
    expect(values.passed).toBe('false');
    // The runner reads lines split at \r and \n and joins them with \n.
    expect(values.winner).toBe(name.replace(/\r\n?/g, '\n'));
    // And by the runner's own rule: every line is `name=value`, `name<<delim`, or inside a heredoc.
    const lines = text.split('\n').filter(Boolean);
    expect(lines[0]).toMatch(/^winner(=|<<ghadelimiter_)/);
  });

  it('rejects an output name that is not a plain identifier', () => {
    expect(() => formatStepOutputs({ 'a=b': 'x' })).toThrow(/invalid output name/);
  });
});

describe('writeCiOutputs', () => {
  it('writes the files asked for and appends (never overwrites) the GitHub files', async () => {
    const { result, dir } = await fixture();
    const summary = join(dir, 'summary.md');
    const output = join(dir, 'output');
    await writeFile(summary, '# earlier step\n');
    await writeFile(output, 'earlier=1\n');
    const env = { GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output };
    const written = await writeCiOutputs(result, { markdown: join(dir, 'out/score.md'), junit: join(dir, 'out/junit.xml'), sarif: join(dir, 'out/tourney.sarif'), top: '> packet' }, env);
    expect(Object.keys(written).sort()).toEqual(['junit', 'markdown', 'sarif', 'stepOutputs', 'stepSummary']);
    const md = await readFile(join(dir, 'out/score.md'), 'utf8');
    expect(md).toContain('> packet');
    expect(await readFile(summary, 'utf8')).toBe(`# earlier step\n${md}\n`);
    const outputs = parseStepOutputs(await readFile(output, 'utf8'));
    expect(outputs).toMatchObject({ earlier: '1', winner: result.winner, passed: 'true' });
    expect(await readFile(join(dir, 'out/junit.xml'), 'utf8')).toContain('<testsuites>');
    expect(sarifSchemaErrors(JSON.parse(await readFile(join(dir, 'out/tourney.sarif'), 'utf8')))).toBe('');
  });

  it('without flags or GitHub variables writes nothing', async () => {
    const { result } = await fixture();
    expect(await writeCiOutputs(result, {}, {})).toEqual({});
  });

  it('an output that cannot be written: the others are still written, one TourneyError (exit 3) names it', async () => {
    const { result, dir } = await fixture();
    const blocked = join(dir, 'blocked');
    await mkdir(blocked);
    await writeFile(join(blocked, 'file'), '');
    await chmod(blocked, 0o500);
    const output = join(dir, 'output');
    const err = await writeCiOutputs(result, { junit: join(dir, 'blocked/file/junit.xml'), markdown: join(dir, 'ok.md') }, { GITHUB_OUTPUT: output }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TourneyError);
    expect((err as TourneyError).exitCode).toBe(3);
    expect((err as TourneyError).message).toContain('--junit');
    expect(await readFile(join(dir, 'ok.md'), 'utf8')).toContain('careful');
    expect(parseStepOutputs(await readFile(output, 'utf8')).winner).toBe('careful');
  });
});

describe('exit codes when outputs fail', () => {
  it('winner or no winner becomes 3; a run that already failed keeps its own code', () => {
    expect(combineExitCodes(0, false)).toBe(0);
    expect(combineExitCodes(1, false)).toBe(1);
    expect(combineExitCodes(0, true)).toBe(3);
    expect(combineExitCodes(1, true)).toBe(3);
    for (const own of [2, 3, 130]) expect(combineExitCodes(own, true)).toBe(own);
  });

  it('finishCiOutputs says what the run decided when an output fails', async () => {
    const { result, dir } = await fixture();
    await mkdir(join(dir, 'is-a-file-parent'));
    await writeFile(join(dir, 'is-a-file-parent/x'), '');
    let stderr = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
    try {
      expect(await finishCiOutputs(result, 0, { junit: join(dir, 'is-a-file-parent/x/j.xml') }, undefined, {})).toBe(3);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr).toMatch(/could not write --junit .*\nhint: the run itself finished \(winner careful, exit code 0\)/);
  });
});

describe('the flags on the CLI', () => {
  it.each(['run', 'score'])('%s has --markdown, --junit and --sarif', async (command) => {
    const { stdout } = await cli(command, '--help');
    for (const flag of ['--markdown <file>', '--junit <file>', '--sarif <file>']) expect(stdout).toContain(flag);
  });

  it.each(['--markdown', '--junit', '--sarif'])('%s naming a directory is bad input (exit 2) before any work', async (flag) => {
    const { dir } = await fixture();
    const { code, stderr } = await cli('run', join(dir, 'no-such-spec.md'), '--repo', dir, flag, dir);
    expect(code).toBe(2);
    expect(stderr).toContain(`${flag} ${dir}: is a directory`);
  });
});

// Step outputs for GitHub Actions ($GITHUB_OUTPUT): `name=value` lines, or for a value that is not
// one plain line the heredoc form `name<<DELIM` ... `DELIM`. Values come partly from entrants (the
// winner's name, its branch): a newline in one must not start a second output, and a value must not
// be able to contain the line that ends it. So any value with a line break (or a character the
// runner might read as one) gets the heredoc form with a random delimiter that it does not contain.

import { randomBytes } from 'node:crypto';
import type { RunResult } from '../types.js';

export interface StepOutputs {
  winner: string;
  branch: string;
  score: string;
  report: string;
  result: string;
  /** The run directory (report, logs, diffs): what a CI job uploads as an artifact. */
  'run-dir': string;
  passed: 'true' | 'false';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function stepOutputs(result: RunResult): StepOutputs {
  const winner = result.entrants.find((e) => e.name === result.winner);
  return {
    winner: result.winner ?? '',
    branch: result.winnerBranch ?? '',
    score: winner?.score ? String(winner.score.total) : '',
    report: result.reportPath,
    result: `${result.runDir.replace(/\/+$/, '')}/result.json`,
    'run-dir': result.runDir,
    passed: result.winner ? 'true' : 'false',
  };
}

function delimiterFor(value: string, random: () => string): string {
  for (;;) {
    const delimiter = `ghadelimiter_${random()}`;
    if (!value.includes(delimiter)) return delimiter;
  }
}

/** The text to append to $GITHUB_OUTPUT. `random` is for tests that need a delimiter to collide. */
export function formatStepOutputs(values: Record<string, string>, random: () => string = () => randomBytes(16).toString('hex')): string {
  let out = '';
  for (const [name, value] of Object.entries(values)) {
    if (!NAME.test(name)) throw new Error(`invalid output name "${name}"`);
    if (/^[^\r\n\u2028\u2029\u0085]*$/.test(value) && !value.includes('<<')) {
      out += `${name}=${value}\n`;
    } else {
      const delimiter = delimiterFor(value, random);
      out += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    }
  }
  return out;
}

/**
 * Reads a $GITHUB_OUTPUT file as the Actions runner does (lines end at \r\n, \r or \n; `name=value`
 * when `=` comes before any `<<`, else a heredoc whose lines are joined with \n), for tests.
 */
export function parseStepOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    const eq = line.indexOf('=');
    if (heredoc && (eq === -1 || heredoc[1]!.length < eq)) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i += 1; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`output ${name}: delimiter ${delimiter} never closed`);
      out[name!] = value.join('\n');
    } else if (eq > 0) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    } else {
      throw new Error(`invalid output line "${line}"`);
    }
  }
  return out;
}

import { randomInt } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Spec } from '../types.js';
import type { TamperCheck, TamperFinding } from '../checks/types.js';
import { overlayFiles, type Overlay } from '../sandbox/overlay.js';
import type { CommandSpec } from './tests.js';
import { harnessNotRun, isSentinelTarget, judgeSentinel, makeSentinel, type HarnessCheck, type TestFileContent } from './sentinel.js';

// Where the sentinel tests go and how their run is woven into the referee's commands.

export interface SentinelPlan {
  /** Key of the real command the sentinel run copies ('hidden-test' or 'test'). */
  target: 'hidden-test' | 'test';
  add(commands: CommandSpec[], log: { logFile: string; logRel: string }): CommandSpec[];
  result(): HarnessCheck;
}

/**
 * The hidden tests when the spec has them (the entrant never saw them, and its code is loaded by
 * them), else the visible test files of the entrant's tree. Null with a reason when there is no
 * test file of a kind the sentinels know.
 */
export async function planSentinel(spec: Spec, headDir: string, hiddenOverlays: Overlay[]): Promise<SentinelPlan | { none: string }> {
  const hidden = spec.hidden !== undefined;
  const files: TestFileContent[] = hidden
    ? (await overlayFiles(hiddenOverlays)).map((f) => ({ path: f.name, content: f.content }))
    : await visibleTestFiles(headDir);
  const sentinel = makeSentinel(files);
  if (!sentinel) return { none: `no ${hidden ? 'hidden' : 'visible'} test file of a kind the sentinel tests know (JS/TS or Python test files by name)` };
  const command = hidden ? spec.hidden!.test : spec.test;
  const target = hidden ? 'hidden-test' : 'test';
  let check: HarnessCheck = harnessNotRun('the sentinel run did not happen');
  return {
    target,
    add(commands, log) {
      const run: CommandSpec = {
        key: 'sentinel',
        command,
        ...log,
        swap: { during: sentinel.probeFiles, after: sentinel.originals },
        onRun: (run) => {
          check = judgeSentinel(sentinel, { command, exitCode: run.exitCode, output: run.stdout, durationMs: run.durationMs, logPath: log.logRel, timedOut: run.timedOut });
        },
      };
      // Before or after the real run, at random: a harness that behaves on its first (or second)
      // run in a container cannot know which one carries the sentinels.
      const at = commands.findIndex((c) => c.key === target);
      const index = at + randomInt(2);
      return [...commands.slice(0, index), run, ...commands.slice(index)];
    },
    result: () => check,
  };
}

/** Patched harness code and a neutralised harness are tampering that gates, wherever the entrant did it. */
export function withHarnessFindings(tampering: TamperCheck, patched: TamperFinding[], harness: HarnessCheck): TamperCheck {
  const findings = [...tampering.findings, ...patched];
  if (harness.neutralised) {
    findings.push({ kind: 'harness-neutralised', severity: 'gate', file: harness.files[0] ?? '', evidence: `test harness neutralised: ${harness.evidence}` });
  }
  if (findings.length === tampering.findings.length) return tampering;
  return { ...tampering, flagged: true, findings };
}

async function visibleTestFiles(root: string): Promise<TestFileContent[]> {
  const out: TestFileContent[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    // Dirents do not follow links: an entrant's symlink is never read through.
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.git' || entry.name.startsWith('.venv')) continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(join(dir, entry.name), path);
      else if (entry.isFile() && isSentinelTarget(path)) out.push({ path, content: await readFile(join(dir, entry.name)) });
    }
  };
  await walk(root, '');
  return out;
}

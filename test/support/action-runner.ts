// Runs a composite action's shell steps on this machine as the GitHub runner would: each `run:` step
// in bash (`bash --noprofile --norc -eo pipefail`, as `shell: bash` does), with the runner's variables
// (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT per step, GITHUB_WORKSPACE, RUNNER_TEMP, GITHUB_ACTION_PATH,
// INPUT_*) and the step's `env:`, whose `${{ }}` expressions are evaluated for the few forms the action
// uses. `uses:` steps are skipped (they need GitHub). Any other expression is an error, so the action
// cannot start depending on something this runner would silently get wrong.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { parseStepOutputs } from '../../src/outputs/github-output.js';

interface Step { id?: string; name?: string; uses?: string; run?: string; shell?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> }
interface ActionFile { inputs: Record<string, { default?: string; required?: boolean }>; outputs: Record<string, { value: string }>; runs: { using: string; steps: Step[] } }

export interface ActionRun {
  /** Exit code of the last step that ran (the action's own result). */
  exitCode: number;
  steps: { name: string; skipped: boolean; exitCode: number | null; stdout: string; stderr: string; outputs: Record<string, string> }[];
  outputs: Record<string, string>;
  summary: string;
  /** The GITHUB_OUTPUT files' text, by step id. */
  rawOutputs: Record<string, string>;
}

export async function runActionLocally(actionPath: string, opts: { workspace: string; temp: string; inputs: Record<string, string>; env?: Record<string, string>; only?: string[] }): Promise<ActionRun> {
  const action = parse(await readFile(join(actionPath, 'action.yml'), 'utf8')) as ActionFile;
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const given = opts.inputs[name];
    if (given === undefined && spec.required) throw new Error(`input ${name} is required`);
    inputs[name] = given ?? spec.default ?? '';
  }
  const steps: Record<string, Record<string, string>> = {};
  const evaluate = (text: string) => text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => {
    let m: RegExpExecArray | null;
    if ((m = /^inputs\.([\w-]+)$/.exec(expr))) return inputs[m[1]!] ?? '';
    if ((m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr))) return steps[m[1]!]?.[m[2]!] ?? '';
    if (expr === 'github.action_path') return actionPath;
    if (expr === 'github.workspace') return opts.workspace;
    if (expr === 'runner.temp') return opts.temp;
    throw new Error(`expression not supported by the local runner: ${expr}`);
  });
  const summary = join(opts.temp, 'step-summary.md');
  await mkdir(opts.temp, { recursive: true });
  await writeFile(summary, '');
  const base: Record<string, string> = {};
  // The host's own GitHub variables (if tests run inside Actions) must not leak into the local run.
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(GITHUB_|INPUT_|RUNNER_)/.test(k)) base[k] = v;
  Object.assign(base, opts.env, {
    GITHUB_ACTIONS: 'true', CI: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: opts.workspace, RUNNER_TEMP: opts.temp, GITHUB_ACTION_PATH: actionPath,
  });
  for (const [name, value] of Object.entries(inputs)) base[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;

  const run: ActionRun = { exitCode: 0, steps: [], outputs: {}, summary: '', rawOutputs: {} };
  for (const [i, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.id ?? `step ${i}`;
    if (step.uses || (opts.only && !opts.only.includes(name))) {
      run.steps.push({ name, skipped: true, exitCode: null, stdout: '', stderr: '', outputs: {} });
      continue;
    }
    if (step.if) throw new Error(`step ${name}: \`if:\` on a run step is not supported by the local runner`);
    if (step.shell !== 'bash') throw new Error(`step ${name}: expected shell: bash, got ${step.shell}`);
    const output = join(opts.temp, `output-${i}`);
    await writeFile(output, '');
    const env: Record<string, string> = { ...base, GITHUB_OUTPUT: output };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = evaluate(String(v));
    const script = join(opts.temp, `step-${i}.sh`);
    // The script text is used as it is: a `${{ }}` in it would be pasted by GitHub, and the tests forbid it.
    await writeFile(script, step.run ?? '');
    const res = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: opts.workspace, env, extendEnv: false, reject: false, all: false });
    const text = await readFile(output, 'utf8');
    const outputs = parseStepOutputs(text);
    if (step.id) {
      steps[step.id] = outputs;
      run.rawOutputs[step.id] = text;
    }
    run.steps.push({ name, skipped: false, exitCode: res.exitCode ?? null, stdout: String(res.stdout), stderr: String(res.stderr), outputs });
    run.exitCode = res.exitCode ?? 1;
    if (run.exitCode !== 0) break;
  }
  for (const [name, out] of Object.entries(action.outputs)) run.outputs[name] = evaluate(out.value);
  run.summary = await readFile(summary, 'utf8');
  return run;
}

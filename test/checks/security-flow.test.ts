import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSecurityCheck } from '../../src/checks/security.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tourney-sec-flow-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** The rule ids the check reports as new when `head` replaces an empty file. */
async function newRules(head: string): Promise<string[]> {
  for (const [side, text] of [['base', ''], ['head', head]] as const) {
    const p = join(root, side, 'src/handler.ts');
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, text);
  }
  const check = await runSecurityCheck({ baseDir: join(root, 'base'), headDir: join(root, 'head'), changedFiles: ['src/handler.ts'], outDir: join(root, 'out'), outRel: 'out' });
  expect(check.error).toBeUndefined();
  return check.newFindings.map((f) => f.ruleId).sort();
}

describe('security rules follow simple data flow within a file', () => {
  it.each([
    ['promisify(exec)', "import { promisify } from 'node:util';\nimport { exec } from 'node:child_process';\nconst run = promisify(exec);\nexport const f = (b: string) => run(`git log ${b}`);\n", 'js-child-process-exec-alias'],
    ['util.promisify(cp.exec)', "const util = require('util');\nconst cp = require('child_process');\nconst run = util.promisify(cp.exec);\nrun('tar xf ' + file);\n", 'js-child-process-exec-alias'],
    ['destructured rename', "const { exec: run } = require('child_process');\nrun(`ls ${dir}`);\n", 'js-child-process-exec-alias'],
    ['import rename', "import { execSync as sh } from 'node:child_process';\nconst cmd = `rm -rf ${target}`;\nsh(cmd);\n", 'js-child-process-exec-alias'],
    ['namespace import', "import * as cp from 'child_process';\ncp.exec(`ping ${host}`);\n", 'js-child-process-exec-dynamic'],
    ['member alias', "import * as cp from 'child_process';\nconst run = cp.execSync;\nrun('ping ' + host);\n", 'js-child-process-exec-alias'],
    ['command built in a variable', "import { exec } from 'child_process';\nconst cmd = 'git checkout ' + branch;\nexec(cmd);\n", 'js-child-process-exec-built-variable'],
    ['SQL built in a variable', 'const sql = `SELECT * FROM users WHERE id = ${id}`;\nawait db.query(sql);\n', 'js-sql-injection-built-variable'],
    ['request data in a variable, then a path', "const { file } = req.query;\nfs.readFileSync(path.join(root, file));\n", 'js-request-input-variable-path'],
    ['eval of a built variable', 'const code = `return ${expr}`;\neval(code);\n', 'js-eval-dynamic'],
    ['innerHTML from a built variable', 'const html = `<b>${name}</b>`;\nel.innerHTML = html;\n', 'js-innerhtml-dynamic'],
  ])('%s', async (_name, code, rule) => {
    expect(await newRules(code)).toContain(rule);
  });

  it('reports nothing when the aliased exec only ever gets fixed strings, or the variable is never a command', async () => {
    const code = "import { exec as run } from 'node:child_process';\nconst label = `build ${n}`;\nrun('git status');\nconsole.log(label);\nconst re = /a/;\nconst s = `x${y}`;\nre.exec(s);\n";
    expect(await newRules(code)).toEqual([]);
  });
});

// git on the host over a tree an entrant wrote. The tree's own .gitattributes can name drivers
// (filter=, diff=, merge=) that the user's or the system's git config defines, and git would run
// them as the host user while adding, diffing or applying; ident/eol/working-tree-encoding make it
// rewrite content. So this git reads no config but the scratch repository's own, ignores every
// attribute the tree sets (info/attributes outranks .gitattributes), and runs no hooks.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from './repo.js';

const NO_CONFIG_ENV = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_SYSTEM: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_ATTR_NOSYSTEM: '1',
};

const SAFE_CONFIG = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.attributesFile=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.autocrlf=false',
  '-c', 'core.symlinks=true',
  '-c', 'diff.external=',
];

/** `!attr` is "unspecified", whatever the tree's .gitattributes says: git's plain defaults apply. */
const NEUTRAL_ATTRIBUTES = '* !filter !diff !merge !text !eol !ident !working-tree-encoding !export-subst !export-ignore\n';

/** Runs git in a scratch repository over an entrant's tree. */
export function untrustedGit(cwd: string, args: string[], env: Record<string, string> = {}) {
  return git(cwd, [...SAFE_CONFIG, ...args], { env: { ...NO_CONFIG_ENV, ...env } });
}

/** After `git init`: the tree's attributes lose all effect in this repository. */
export async function neutraliseAttributes(repoDir: string): Promise<void> {
  await mkdir(join(repoDir, '.git', 'info'), { recursive: true });
  await writeFile(join(repoDir, '.git', 'info', 'attributes'), NEUTRAL_ATTRIBUTES);
}

import { minimatch } from 'minimatch';
import { readTreeFile } from '../referee/tree-read.js';
import type { FileChange } from '../referee/materialize.js';
import type { ScopeCheck } from './types.js';

export interface ScopeInput {
  baseDir: string;
  headDir: string;
  changes: FileChange[];
  /** The spec's scope globs, if any. */
  scope?: string[];
}

/** How far the change went: files outside the spec's scope, its size, new dependencies. */
export async function runScopeCheck(input: ScopeInput): Promise<ScopeCheck> {
  const files = input.changes.map((c) => c.path);
  const scope = input.scope ?? null;
  const outOfScope = scope ? files.filter((f) => !scope.some((g) => minimatch(f, g, { dot: true }))) : [];
  const newDependencies: string[] = [];
  for (const change of input.changes) {
    if (change.status === 'deleted') continue;
    const reader = MANIFESTS.find((m) => m.matches(change.path));
    if (!reader) continue;
    const before = new Set(await reader.dependencies(await readOr(input.baseDir, change.path)));
    for (const dep of await reader.dependencies(await readOr(input.headDir, change.path))) {
      if (!before.has(dep)) newDependencies.push(`${change.path}: ${dep}`);
    }
  }
  return {
    scope,
    files,
    outOfScope,
    additions: input.changes.reduce((sum, c) => sum + c.additions, 0),
    deletions: input.changes.reduce((sum, c) => sum + c.deletions, 0),
    newDependencies,
  };
}

interface ManifestReader {
  matches(path: string): boolean;
  /** From the manifest's text. */
  dependencies(text: string): Promise<string[]>;
}

// A symlinked manifest reads as empty: its target is not the repository's to declare.
const readOr = async (root: string, rel: string) => (await readTreeFile(root, rel).catch(() => null)) ?? '';

const MANIFESTS: ManifestReader[] = [
  {
    matches: (p) => p === 'package.json' || p.endsWith('/package.json'),
    async dependencies(text) {
      try {
        const json = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
        return ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].flatMap((k) => Object.keys(json[k] ?? {}));
      } catch {
        return [];
      }
    },
  },
  {
    matches: (p) => /(^|\/)requirements[^/]*\.txt$/.test(p),
    async dependencies(text) {
      return text
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .filter((l) => l && !l.startsWith('-'))
        .map((l) => l.split(/[\s<>=!~;[]/)[0]!.toLowerCase());
    },
  },
];

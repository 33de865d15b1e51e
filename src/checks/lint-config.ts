// Which ESLint configuration the lint check uses, and how to build an ESLint instance from it.
//
// Security: ESLint runs JavaScript only to load configuration (the config file and the plugins it
// imports); parsing and rule visitors read the linted files as text and never execute them.
// So the only code that may run is either tourney's own built-in config (created here, its
// plugins resolved from tourney's node_modules) or the repository's config file taken from the
// BASE commit, which is the user's own code. `overrideConfigFile` is always set, which turns off
// ESLint's search for `eslint.config.*` next to the linted files: an entrant's config in head is
// never loaded.

import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export const LINT_EXTENSIONS = ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'];

/** ESLint's own lookup order for flat config files. */
const REPO_CONFIG_NAMES = ['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'].map((ext) => `eslint.config.${ext}`);

const ALL_FILES = ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}'];
const TS_FILES = ['**/*.{ts,mts,cts,tsx}'];

export function isLintable(file: string): boolean {
  return LINT_EXTENSIONS.some((ext) => file.endsWith(ext));
}

/** The repository's flat config at the repo root of the base tree, or null. */
export async function findRepoConfig(baseDir: string): Promise<string | null> {
  for (const name of REPO_CONFIG_NAMES) {
    const path = join(baseDir, name);
    const info = await lstat(path).catch(() => null);
    if (info?.isFile()) return path;
  }
  return null;
}

/**
 * tourney's default. `files` is explicit so .jsx and the TypeScript extensions are linted at all
 * (flat config only picks up .js/.mjs/.cjs by itself), and the typescript-eslint parser and rules
 * are confined to TypeScript so plain JavaScript keeps espree.
 */
export function builtInConfig(): Linter.Config[] {
  const languageOptions = { globals: { ...globals.browser, ...globals.node } };
  return [
    // ESLint ignores node_modules by default; a change to committed vendored code is still a change.
    { ignores: ['!**/node_modules/'] },
    { ...js.configs.recommended, files: ALL_FILES, languageOptions },
    { files: ['**/*.jsx'], languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } } },
    ...tseslint.configs.recommended.map((config) => ({ ...config, files: TS_FILES }) as Linter.Config),
  ];
}

export type ConfigChoice = { kind: 'repository'; file: string } | { kind: 'built-in' };

export function createESLint(cwd: string, choice: ConfigChoice): ESLint {
  const common = {
    cwd,
    // Entrant code must not be able to switch rules off with /* eslint-disable */ comments.
    allowInlineConfig: false,
    warnIgnored: false,
    // Nothing cached to disk, nothing fixed in place: the trees are evidence.
    cache: false,
    fix: false,
  };
  // With a file path, ESLint resolves the config's globs against `cwd` (not the file's folder),
  // so the base config applies to the head tree just as it does to the base tree.
  return choice.kind === 'repository'
    ? new ESLint({ ...common, overrideConfigFile: choice.file })
    : new ESLint({ ...common, overrideConfigFile: true, overrideConfig: builtInConfig() });
}

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TourneyError } from '../errors.js';

const require = createRequire(import.meta.url);

export interface PlatformBinary {
  /** The wrapper package the user installs (`opencode-ai`): its per-platform optional dependencies hold the binary. */
  wrapper: string;
  /** Candidate platform packages, in preference order. */
  packages: readonly string[];
  /** The binary's path inside a platform package (`bin/opencode`). */
  bin: string;
}

/**
 * The Linux binary an agent's npm package ships for this host's platform (it runs in the container, not on the host).
 * Resolved from the wrapper package, in case npm nested its optional dependencies there.
 */
export function platformBinaryPath(spec: PlatformBinary): string {
  let from = require;
  try {
    from = createRequire(require.resolve(`${spec.wrapper}/package.json`));
  } catch {
    // Fall through: the lookup below reports the missing package.
  }
  for (const name of spec.packages) {
    try {
      const path = join(dirname(from.resolve(`${name}/package.json`)), spec.bin);
      if (existsSync(path)) return path;
    } catch {
      // Not installed: try the next candidate.
    }
  }
  const wanted = spec.packages.length > 0 ? spec.packages.join(' or ') : `a Linux build for ${process.arch}`;
  throw new TourneyError(`The ${spec.wrapper} binary for the sandbox image is missing (${wanted}).`, {
    hint: `Run \`npm install\` in the tourney directory. The sandbox needs ${spec.wrapper}'s Linux package, which npm installs only on Linux hosts (x64 or arm64).`,
  });
}

/** The installed version of an npm package (the pinned agent version recorded in the image's labels). */
export function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') return pkg.version;
  } catch {
    // Reported below.
  }
  throw new TourneyError(`Cannot read the version of the ${name} package.`, { hint: 'Run `npm install`.' });
}

export function hasAvx2(): boolean {
  try {
    return /(^|\s)avx2(\s|$)/i.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

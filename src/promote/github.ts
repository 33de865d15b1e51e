// The GitHub side of `promote --to pr`: which repository, which token, which API, and GitHub's
// errors as one-line messages. The network calls themselves go through @octokit/rest.
import { Octokit } from '@octokit/rest';
import { TourneyError } from '../errors.js';
import { stripControl } from '../text/control.js';

export interface RepoName {
  owner: string;
  repo: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * owner/repo from a remote URL: https://host/o/r(.git), https://user@host/o/r, ssh://git@host[:port]/o/r.git,
 * git@host:o/r.git, git://host/o/r. Null for anything else (a local path, a bundle).
 */
export function parseRemoteUrl(url: string): RepoName | null {
  const u = url.trim();
  let path: string | null = null;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(u);
  if (/^(https?|ssh|git|git\+ssh|ssh\+git):\/\//i.test(u)) {
    try {
      path = new URL(u).pathname;
    } catch {
      return null;
    }
  } else if (scp && !/^[A-Za-z]:[\\/]/.test(u)) {
    path = scp[2]!;
  }
  if (path === null) return null;
  const parts = decodeURIComponent(path).replace(/\/+$/, '').replace(/\.git$/, '').split('/').filter(Boolean);
  if (parts.length < 2) return null;
  const [owner, repo] = parts.slice(-2) as [string, string];
  return NAME.test(owner) && NAME.test(repo) && repo !== '.' && repo !== '..' ? { owner, repo } : null;
}

export function parseRepoName(value: string, where: string): RepoName {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value.trim());
  if (!m) throw new TourneyError(`${where} "${value}": expected owner/name, e.g. octo-org/octo-repo`);
  return { owner: m[1]!, repo: m[2]! };
}

/** --github-repo, else $GITHUB_REPOSITORY (Actions sets it), else the remote's URL. */
export function pickRepository(flag: string | undefined, env: NodeJS.ProcessEnv, remote: string, remoteUrl: string): RepoName {
  if (flag) return parseRepoName(flag, '--github-repo');
  if (env.GITHUB_REPOSITORY) return parseRepoName(env.GITHUB_REPOSITORY, 'GITHUB_REPOSITORY');
  const parsed = parseRemoteUrl(remoteUrl);
  if (!parsed) throw new TourneyError(`remote ${remote} (${remoteUrl}): cannot tell the GitHub repository from its URL (expected https://host/owner/name, git@host:owner/name.git or ssh://host/owner/name); pass --github-repo owner/name`);
  return parsed;
}

/** The token, before anything is pushed: GITHUB_TOKEN, else GH_TOKEN. */
export function githubToken(env: NodeJS.ProcessEnv): string {
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (!token) throw new TourneyError('no GitHub token: set GITHUB_TOKEN or GH_TOKEN (a token that may write pull requests and push to the repository); nothing was pushed');
  return token;
}

export function apiBase(env: NodeJS.ProcessEnv): string {
  return (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
}

export function octokit(env: NodeJS.ProcessEnv): Octokit {
  return new Octokit({ auth: githubToken(env), baseUrl: apiBase(env), userAgent: 'tourney-promote', log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
}

/** GitHub's answer to a failed call, the parts we use. */
export interface ApiFailure {
  status?: number;
  message: string;
  errors: { message?: string; code?: string; field?: string; resource?: string }[];
}

export function apiFailure(err: unknown): ApiFailure {
  const e = err as { status?: unknown; message?: unknown; response?: { data?: unknown } };
  const data = (e.response?.data ?? {}) as { message?: unknown; errors?: unknown };
  const errors = Array.isArray(data.errors) ? (data.errors as ApiFailure['errors']).map((x) => (typeof x === 'string' ? { message: x } : x)) : [];
  return {
    // Octokit reports a failed fetch (refused, DNS, TLS) as status 500 with no response.
    status: e.response && typeof e.status === 'number' && e.status > 0 ? e.status : undefined,
    message: typeof data.message === 'string' ? data.message : typeof e.message === 'string' ? e.message : String(err),
    errors,
  };
}

/** One line for a failed API call: 401/403/network are exit 3 (environment), 404/422 exit 2 (bad input). */
export function apiError(err: unknown, what: string, repo: RepoName, base: string): TourneyError {
  const f = apiFailure(err);
  const slug = `${repo.owner}/${repo.repo}`;
  const detail = stripControl([f.message, ...f.errors.map((x) => x.message ?? [x.resource, x.field, x.code].filter(Boolean).join(' '))].filter(Boolean).join('; ')).replace(/\s+/g, ' ');
  switch (f.status) {
    case undefined:
      return new TourneyError(`${what}: cannot reach the GitHub API at ${base} (${detail}); set GITHUB_API_URL for GitHub Enterprise`, { exitCode: 3, cause: err });
    case 401:
      return new TourneyError(`${what}: GitHub rejected the token (401 ${detail}); check GITHUB_TOKEN / GH_TOKEN`, { exitCode: 3, cause: err });
    case 403:
      return new TourneyError(`${what}: forbidden on ${slug} (403 ${detail}); the token needs "pull requests: write" (and "issues: write" for labels), or the rate limit was hit`, { exitCode: 3, cause: err });
    case 404:
      return new TourneyError(`${what}: ${slug} not found at ${base} (404), or the token cannot see it; check the remote, --github-repo or GITHUB_REPOSITORY`, { exitCode: 2, cause: err });
    case 422:
      return new TourneyError(`${what}: GitHub refused it (422 ${detail})`, { exitCode: 2, cause: err });
    default:
      return new TourneyError(`${what}: GitHub answered ${f.status} (${detail})`, { exitCode: f.status >= 500 ? 3 : 2, cause: err });
  }
}

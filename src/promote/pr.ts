import { TourneyError } from '../errors.js';
import { git } from '../git/repo.js';
import { apiBase, apiError, apiFailure, githubToken, octokit, pickRepository, type RepoName } from './github.js';
import { packetTitle, renderPrPacket } from './packet.js';
import type { PromoteOptions, PromoteRecord } from './types.js';
import type { Promotable } from './winner.js';

async function remoteUrl(root: string, remote: string): Promise<string> {
  if (!/^[A-Za-z0-9][\w.-]*$/.test(remote)) throw new TourneyError(`--remote "${remote}": not a remote name`);
  const url = await git(root, ['remote', 'get-url', remote]);
  if (url.exitCode !== 0) {
    const known = (await git(root, ['remote'])).stdout.split('\n').filter(Boolean);
    throw new TourneyError(`--remote ${remote}: no such remote in ${root} (${known.length ? `remotes: ${known.join(', ')}` : 'the repository has no remote'}; add one with "git remote add")`);
  }
  return url.stdout.trim();
}

/**
 * Pushes the winner branch to the remote and opens a pull request for it. The token is checked
 * first so that nothing is pushed when the PR cannot be opened; an open PR for the same head is
 * reported (and labelled), not an error.
 */
export async function promotePr(w: Promotable, options: PromoteOptions): Promise<PromoteRecord> {
  const { env } = options;
  const token = options.dryRun ? null : githubToken(env);
  const url = await remoteUrl(w.root, options.remote);
  const repo = pickRepository(options.githubRepo, env, options.remote, url);
  const slug = `${repo.owner}/${repo.repo}`;
  const base = apiBase(env);
  const title = packetTitle(w.result);
  const body = renderPrPacket(w.result, { relativeTo: w.root });
  const into = options.into ?? w.result.startBranch ?? null;
  const record = {
    mode: 'pr' as const, runId: w.result.runId, winner: w.winner, winnerBranch: w.winnerBranch, winnerCommit: w.winnerCommit,
    remote: options.remote, repository: slug, labels: options.labels, draft: options.draft, dryRun: options.dryRun,
    oldSha: null, newSha: w.winnerCommit,
  };
  const plan = [
    `push ${w.winnerBranch} (${w.winnerCommit.slice(0, 12)}) to ${options.remote} (${url})`,
    `open a ${options.draft ? 'draft ' : ''}pull request on ${slug} (${base}): ${w.winnerBranch} -> ${into ?? "the repository's default branch"}${options.labels.length ? `, labels ${options.labels.join(', ')}` : ''}`,
  ];
  if (options.dryRun) return { ...record, action: 'planned', target: into, plan, at: new Date().toISOString() };
  if (!token) throw new Error('unreachable: token checked above');

  const api = octokit(env);
  const target = into ?? (await defaultBranch(api, repo, base));
  const ref = `refs/heads/${w.winnerBranch}`;
  const pushed = await git(w.root, ['push', '--no-verify', '--porcelain', options.remote, `${w.winnerCommit}:${ref}`]);
  if (pushed.exitCode !== 0) {
    const why = (pushed.stderr || pushed.stdout).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('To ') && l !== 'Done').slice(0, 2).join('; ');
    throw new TourneyError(`git push ${options.remote} ${w.winnerBranch} failed: ${why}`, { exitCode: 3 });
  }

  let pr: { number: number; html_url: string };
  let action: PromoteRecord['action'] = 'pr-opened';
  try {
    pr = (await api.rest.pulls.create({ owner: repo.owner, repo: repo.repo, title, head: w.winnerBranch, base: target, body, draft: options.draft })).data;
  } catch (err) {
    const f = apiFailure(err);
    if (f.status !== 422 || ![f.message, ...f.errors.map((e) => e.message ?? '')].some((m) => /pull request already exists/i.test(m))) {
      throw apiError(err, `opening a pull request ${w.winnerBranch} -> ${target}`, repo, base);
    }
    const open = await api.rest.pulls.list({ owner: repo.owner, repo: repo.repo, head: `${repo.owner}:${w.winnerBranch}`, state: 'open' })
      .catch((e: unknown) => { throw apiError(e, 'looking up the existing pull request', repo, base); });
    const existing = open.data[0];
    if (!existing) throw apiError(err, `opening a pull request ${w.winnerBranch} -> ${target}`, repo, base);
    pr = existing;
    action = 'pr-exists';
  }
  if (options.labels.length) {
    await api.rest.issues.addLabels({ owner: repo.owner, repo: repo.repo, issue_number: pr.number, labels: options.labels })
      .catch((e: unknown) => { throw apiError(e, `labelling pull request #${pr.number} (${pr.html_url})`, repo, base); });
  }
  const said = action === 'pr-exists' ? `a pull request for ${w.winnerBranch} already exists: ${pr.html_url}` : `opened pull request #${pr.number}: ${pr.html_url}`;
  return { ...record, action, target, prUrl: pr.html_url, prNumber: pr.number, plan: [plan[0]!, said], at: new Date().toISOString() };
}

async function defaultBranch(api: ReturnType<typeof octokit>, repo: RepoName, base: string): Promise<string> {
  try {
    return (await api.rest.repos.get({ owner: repo.owner, repo: repo.repo })).data.default_branch;
  } catch (err) {
    throw apiError(err, `reading ${repo.owner}/${repo.repo}'s default branch (the run started on a detached HEAD; pass --into)`, repo, base);
  }
}

// sandbox.maxDiff: the largest change tourney takes from an entrant or candidate. A bigger one (a
// 30 MB blob is a 38 MB binary patch) is refused with a status of its own: it is not refereed, not
// shown to a judge, and never becomes a branch in the user's repository.

/** The diff is larger than sandbox.maxDiff. */
export class DiffTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`its diff is larger than sandbox.maxDiff (${formatBytes(maxBytes)}): not refereed, no branch`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1).replace(/\.0$/, '')} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1).replace(/\.0$/, '')} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}

/** Throws DiffTooLarge when `patch` is over `maxBytes` (binary parts count as encoded). */
export function checkDiffSize(patch: string, maxBytes: number): string {
  if (Buffer.byteLength(patch) > maxBytes) throw new DiffTooLarge(maxBytes);
  return patch;
}

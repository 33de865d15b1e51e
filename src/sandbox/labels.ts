/** Labels on every container and network tourney creates, so a sweep can find leftovers by run. */
export const LABELS = {
  managed: 'dev.tourney.managed',
  run: 'dev.tourney.run',
  role: 'dev.tourney.role',
} as const;

/** uid/gid of the non-root `tourney` user in the sandbox image (containers/Dockerfile). */
export const SANDBOX_UID = 10001;

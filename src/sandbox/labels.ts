/** Labels on every container and network tourney creates, so a sweep can find leftovers by run. */
export const LABELS = {
  managed: 'dev.tourney.managed',
  run: 'dev.tourney.run',
  role: 'dev.tourney.role',
} as const;

/** uid/gid of the non-root `tourney` user in the sandbox image (containers/Dockerfile). */
export const SANDBOX_UID = 10001;

/** Labels on the images tourney makes beyond the sandbox image: toolchains and prepared environments. */
export const IMAGE_LABELS = {
  kind: 'dev.tourney.kind',
  /** The environment key (prepared images) or the toolchain key (toolchain images). */
  key: 'dev.tourney.key',
  /** Image id the image was made from (sandbox image for toolchains, toolchain for environments). */
  from: 'dev.tourney.from',
  setup: 'dev.tourney.setup',
  repo: 'dev.tourney.repo',
  created: 'dev.tourney.created',
} as const;

export type ImageKind = 'toolchain' | 'environment';

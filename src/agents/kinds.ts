import { TourneyError } from '../errors.js';
import type { AgentKind, AgentKindName, ImageFile } from './kind.js';
import { opencodeKind, opencodeBinaryPath, opencodeVersion } from './opencode-kind.js';
import { commandKind } from './command-kind.js';
import { codexKind } from './codex-kind.js';

// One line per kind. A kind missing here is refused when a run starts (agentKind below).
const KINDS: { readonly [K in AgentKindName]?: AgentKind } = {
  opencode: opencodeKind,
  command: commandKind,
  codex: codexKind,
};

export function agentKind(name: AgentKindName): AgentKind {
  const kind = KINDS[name];
  if (!kind) throw new TourneyError(`agent kind "${name}" is not available in this build of tourney`);
  return kind;
}

/** The kinds this build implements. */
export function availableKinds(): AgentKindName[] {
  return Object.keys(KINDS) as AgentKindName[];
}

/** The kinds a run's containers use: its entrants', and opencode for the judge (always, so one image serves both). */
export function runKinds(entrants: readonly { agent: AgentKindName }[]): AgentKindName[] {
  return [...new Set<AgentKindName>(['opencode', ...entrants.map((e) => e.agent)])].sort();
}

export interface SandboxImageContents {
  /** The configured tag, with a suffix naming the extra kinds when the run needs more than opencode's files. */
  tag: string;
  files: ImageFile[];
  buildArgs: Record<string, string>;
}

/**
 * What the sandbox image carries for these kinds. A run whose kinds add nothing beyond opencode's binary (opencode,
 * command) builds the very image it always did, under the configured tag; any other set gets a tag of its own, so
 * runs of different sets do not rebuild each other's image.
 */
export function sandboxImageContents(tag: string, kinds: readonly AgentKindName[]): SandboxImageContents {
  const used = [...new Set<AgentKindName>(['opencode', ...kinds])].sort();
  const files = used.flatMap((name) => agentKind(name).imageFiles());
  const extra = used.filter((name) => name !== 'opencode' && agentKind(name).imageFiles().length > 0);
  return { tag: extra.length > 0 ? withTagSuffix(tag, extra.join('-')) : tag, files, buildArgs: { OPENCODE_VERSION: opencodeVersion() } };
}

/** `tourney-sandbox:1` + `codex` -> `tourney-sandbox:1-codex`; a name without a tag gets `:latest-codex`. */
export function withTagSuffix(image: string, suffix: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const tagged = colon > slash;
  const out = tagged ? `${image}-${suffix}` : `${image}:latest-${suffix}`;
  // Docker's limit on a tag is 128 characters.
  const tagPart = out.slice(out.lastIndexOf(':') + 1);
  if (tagPart.length > 128) throw new TourneyError(`sandbox image tag ${out} is longer than Docker allows (128 characters after ":")`);
  return out;
}

/** The source of the model catalogue preflight checks model names against (the opencode the sandboxes run). */
export const modelCatalogueSource = { binary: opencodeBinaryPath, version: opencodeVersion };

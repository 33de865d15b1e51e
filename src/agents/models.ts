import type { ProviderSettings } from './gateways.js';

// Model names and gateways as every agent kind sees them (not one agent's protocol).

export const SCRIPTED_PROVIDER = 'scripted';
/** Model the scripted server answers title/summary requests with (opencode's small_model). */
export const SCRIPTED_TITLE_MODEL = '_title';

export interface ModelRef {
  providerID: string;
  modelID: string;
}

export function parseModel(model: string): ModelRef {
  const slash = model.indexOf('/');
  return { providerID: model.slice(0, slash), modelID: model.slice(slash + 1) };
}

export function isScripted(model: string): boolean {
  return parseModel(model).providerID === SCRIPTED_PROVIDER;
}

/** A provider gateway as one entrant uses it: its settings, and whether a key variable reaches the sandbox. */
export interface EntrantGateway {
  settings: ProviderSettings;
  keyless: boolean;
}

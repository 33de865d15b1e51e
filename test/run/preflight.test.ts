import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { writeCachedCatalogue, type Catalogue } from '../../src/agents/catalogue.js';
import { credentialEnv, credentialScope, gatewayFor, preflight, type PreflightInput } from '../../src/run/preflight.js';
import { entrantEnv, entrantOpencodeConfig } from '../../src/agents/opencode-config.js';
import { TourneyError } from '../../src/errors.js';
import type { TourneyConfig } from '../../src/types.js';

const VERSION = '0.0.0-test';
const CATALOGUE: Catalogue = {
  opencodeVersion: VERSION,
  providers: {
    anthropic: { env: ['ANTHROPIC_API_KEY'], models: ['claude-haiku-4-5', 'claude-opus-4-5', 'claude-sonnet-4-5'] },
    openai: { env: ['OPENAI_API_KEY'], models: ['gpt-5', 'gpt-5-mini'] },
    google: { env: ['GOOGLE_GENERATIVE_AI_API_KEY', 'GEMINI_API_KEY'], models: ['gemini-2.5-pro'] },
    // Known only to the catalogue, not to the built-in table.
    moonshotai: { env: ['MOONSHOT_API_KEY'], models: ['kimi-k2'] },
  },
};

let dir: string;
let cache: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourney-preflight-'));
  cache = join(dir, 'cache');
  await writeCachedCatalogue(CATALOGUE, cache);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

let counter = 0;
async function config(yaml: string): Promise<TourneyConfig> {
  const root = join(dir, `repo-${counter++}`);
  await import('node:fs/promises').then((fs) => fs.mkdir(root, { recursive: true }));
  await writeFile(join(root, 'tourney.config.yaml'), yaml);
  return loadConfig(root, {});
}

function input(cfg: TourneyConfig, env: NodeJS.ProcessEnv, extra: Partial<PreflightInput> = {}): PreflightInput {
  return {
    config: cfg,
    env,
    authFile: join(dir, 'no-auth.json'),
    // A binary that cannot start: every test here must be answered from the cached catalogue or the table.
    catalogue: { binary: () => '/nonexistent/opencode', version: () => VERSION, dir: cache },
    ...extra,
  };
}

async function failure(promise: Promise<unknown>): Promise<TourneyError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TourneyError);
  return err as TourneyError;
}

const twoProviders = `entrants:
  - { name: careful, model: anthropic/claude-sonnet-4-5 }
  - { name: quick, model: anthropic/claude-haiku-4-5 }
  - { name: other, model: openai/gpt-5 }
  - { name: fake, model: scripted/demo-slugify-tidy }
`;

describe('preflight: credentials', () => {
  it('passes when every provider has its variable set, and gives each provider only its own', async () => {
    const plan = await preflight(input(await config(twoProviders), { ANTHROPIC_API_KEY: 'sk-ant', OPENAI_API_KEY: 'sk-oai', HOME: '/root' }));
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'careful')).toEqual({ ANTHROPIC_API_KEY: 'sk-ant' });
    expect(credentialEnv(plan, 'openai/gpt-5', 'other')).toEqual({ OPENAI_API_KEY: 'sk-oai' });
    expect(credentialEnv(plan, 'scripted/demo-slugify-tidy', 'fake')).toEqual({});
  });

  it('stops with exit code 2 naming the provider, its entrants and the variable to export', async () => {
    const err = await failure(preflight(input(await config(twoProviders), { OPENAI_API_KEY: 'sk-oai' })));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('anthropic (used by entrant "careful", entrant "quick")');
    expect(err.message).toContain('export ANTHROPIC_API_KEY');
    expect(err.message).not.toContain('openai');
  });

  it('counts an empty (or blank) variable as unset', async () => {
    const err = await failure(preflight(input(await config(twoProviders), { ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '  ' })));
    expect(err.message).toContain('2 providers');
    expect(err.message).toMatch(/anthropic .*ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN are unset or empty/);
    expect(err.message).toMatch(/openai .*OPENAI_API_KEY is unset or empty/);
  });

  it('accepts any of a provider\'s variables (google: GEMINI_API_KEY)', async () => {
    const plan = await preflight(input(await config('entrants:\n  - { name: g, model: google/gemini-2.5-pro }\n'), { GEMINI_API_KEY: 'g' }));
    expect(credentialEnv(plan, 'google/gemini-2.5-pro', 'g')).toEqual({ GEMINI_API_KEY: 'g' });
  });

  it('takes variable names from opencode\'s catalogue for providers the built-in table does not know', async () => {
    const cfg = await config('entrants:\n  - { name: k, model: moonshotai/kimi-k2 }\n');
    expect((await failure(preflight(input(cfg, {})))).message).toContain('export MOONSHOT_API_KEY');
    const plan = await preflight(input(cfg, { MOONSHOT_API_KEY: 'm', ANTHROPIC_API_KEY: 'a' }));
    expect(credentialEnv(plan, 'moonshotai/kimi-k2', 'k')).toEqual({ MOONSHOT_API_KEY: 'm' });
  });

  it('accepts the opencode auth file when sandbox.opencodeAuth is true and it lists the provider', async () => {
    const auth = join(dir, 'auth.json');
    await writeFile(auth, JSON.stringify({ anthropic: { type: 'api', key: 'sk-ant' } }));
    const cfg = await config(`${twoProviders}sandbox:\n  opencodeAuth: true\n`);
    const plan = await preflight(input(cfg, { OPENAI_API_KEY: 'o' }, { authFile: auth }));
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'careful')).toEqual({});
    // The file does not cover a provider it does not list.
    const err = await failure(preflight(input(cfg, {}, { authFile: auth })));
    expect(err.message).toContain('openai (used by entrant "other")');
    expect(err.message).toContain(`${auth} has no "openai" entry`);
  });

  it('ignores the auth file unless sandbox.opencodeAuth is true', async () => {
    const auth = join(dir, 'auth-ignored.json');
    await writeFile(auth, JSON.stringify({ anthropic: { type: 'api', key: 'sk-ant' } }));
    const cfg = await config('entrants:\n  - { name: a, model: anthropic/claude-sonnet-4-5 }\n');
    expect((await failure(preflight(input(cfg, {}, { authFile: auth })))).message).toContain('export ANTHROPIC_API_KEY');
  });

  it('checks the judge\'s provider too', async () => {
    const cfg = await config('entrants:\n  - { name: a, model: anthropic/claude-sonnet-4-5 }\njudge:\n  models: [openai/gpt-5]\n');
    const err = await failure(preflight(input(cfg, { ANTHROPIC_API_KEY: 'a' })));
    expect(err.message).toContain('openai (used by the judge)');
    expect(err.message).toContain('export OPENAI_API_KEY');
  });

  it('needs nothing for scripted models', async () => {
    const cfg = await config('entrants:\n  - { name: a, model: scripted/demo-slugify-tidy }\njudge:\n  models: [scripted/demo-judge]\n');
    await expect(preflight(input(cfg, {}))).resolves.toBeTruthy();
  });

  it('reports a missing key without reading the catalogue when the built-in table knows the provider', async () => {
    const cfg = await config('entrants:\n  - { name: a, model: anthropic/claude-sonnet-4-5 }\n');
    const started = Date.now();
    const err = await failure(preflight(input(cfg, {}, { catalogue: { binary: () => '/nonexistent/opencode', version: () => 'not-cached', dir: cache } })));
    expect(err.message).toContain('export ANTHROPIC_API_KEY');
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('preflight: model names', () => {
  it('rejects a model the catalogue does not list, suggesting the nearest names', async () => {
    const cfg = await config('entrants:\n  - { name: a, model: anthropic/claude-sonet-4.5 }\n');
    const err = await failure(preflight(input(cfg, { ANTHROPIC_API_KEY: 'a' })));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('entrant "a": opencode 0.0.0-test has no model "claude-sonet-4.5" for anthropic');
    expect(err.message).toContain('did you mean anthropic/claude-sonnet-4-5');
  });

  it('rejects an unknown provider with a suggestion', async () => {
    const cfg = await config('entrants:\n  - { name: a, model: antropic/claude-sonnet-4-5 }\nsandbox:\n  env: [MY_KEY]\n');
    const err = await failure(preflight(input(cfg, { MY_KEY: 'k' })));
    expect(err.message).toContain('provider "antropic" is not in opencode 0.0.0-test\'s catalogue; did you mean anthropic');
  });

  it('warns and skips the model check when the catalogue cannot be read', async () => {
    const warnings: string[] = [];
    const cfg = await config('entrants:\n  - { name: a, model: anthropic/not-a-model }\n');
    await preflight(input(cfg, { ANTHROPIC_API_KEY: 'a' }, {
      catalogue: { binary: () => '/nonexistent/opencode', version: () => 'not-cached', dir: join(dir, 'empty-cache') },
      onWarning: (w) => warnings.push(w),
    }));
    expect(warnings.join('\n')).toContain("cannot read opencode's model catalogue");
  });
});

describe('the environment of each entrant\'s container', () => {
  it('holds its own provider\'s key, never another provider\'s, plus the non-credential sandbox.env extras', async () => {
    const cfg = await config(`${twoProviders}sandbox:\n  env: [ANTHROPIC_API_KEY, OPENAI_API_KEY, HTTP_PROXY, UNSET_ONE]\n`);
    const host = { ANTHROPIC_API_KEY: 'sk-ant', OPENAI_API_KEY: 'sk-oai', HTTP_PROXY: 'http://proxy:3128', GEMINI_API_KEY: 'g', PATH: '/usr/bin' };
    const plan = await preflight(input(cfg, host));
    const containerEnv = (model: string, entrant: string) => entrantEnv(entrantOpencodeConfig(model, 'http://10.0.0.1:9'), credentialEnv(plan, model, entrant));
    const anthropic = containerEnv('anthropic/claude-sonnet-4-5', 'careful');
    expect(anthropic.ANTHROPIC_API_KEY).toBe('sk-ant');
    expect(anthropic.HTTP_PROXY).toBe('http://proxy:3128');
    expect(anthropic).not.toHaveProperty('OPENAI_API_KEY');
    expect(anthropic).not.toHaveProperty('GEMINI_API_KEY');
    expect(anthropic).not.toHaveProperty('PATH');
    const openai = containerEnv('openai/gpt-5', 'other');
    expect(openai.OPENAI_API_KEY).toBe('sk-oai');
    expect(openai).not.toHaveProperty('ANTHROPIC_API_KEY');
    const scripted = containerEnv('scripted/demo-slugify-tidy', 'fake');
    expect(Object.keys(scripted).filter((k) => k.endsWith('_API_KEY'))).toEqual([]);
  });

  it("counts Claude Code's bearer and subscription tokens as anthropic keys: listed in sandbox.env they reach anthropic entrants only", async () => {
    const cfg = await config(`${twoProviders}sandbox:\n  env: [CLAUDE_CODE_OAUTH_TOKEN, ANTHROPIC_AUTH_TOKEN]\n`);
    const host = { CLAUDE_CODE_OAUTH_TOKEN: 'oat', ANTHROPIC_AUTH_TOKEN: 'bearer', OPENAI_API_KEY: 'sk-oai' };
    const plan = await preflight(input(cfg, host));
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'careful')).toMatchObject({ CLAUDE_CODE_OAUTH_TOKEN: 'oat', ANTHROPIC_AUTH_TOKEN: 'bearer' });
    const openai = credentialEnv(plan, 'openai/gpt-5', 'other');
    expect(openai).not.toHaveProperty('CLAUDE_CODE_OAUTH_TOKEN');
    expect(openai).not.toHaveProperty('ANTHROPIC_AUTH_TOKEN');
    expect(credentialEnv(plan, 'scripted/demo-slugify-tidy', 'fake')).not.toHaveProperty('CLAUDE_CODE_OAUTH_TOKEN');
  });
});

describe('preflight: provider gateways (providers.<id>)', () => {
  const gateway = (providers: string, entrants = '  - { name: a, model: anthropic/claude-sonnet-4-5 }\n') => config(`entrants:\n${entrants}providers:\n${providers}`);

  it('takes the key from apiKeyEnv only: the conventional variable stays out of that entrant', async () => {
    const cfg = await gateway('  anthropic: { baseURL: "https://gw.example.com/v1", apiKeyEnv: CORP_KEY }\n');
    const plan = await preflight(input(cfg, { CORP_KEY: 'c', ANTHROPIC_API_KEY: 'public' }));
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'a')).toEqual({ CORP_KEY: 'c' });
    expect(gatewayFor(plan, 'anthropic/claude-sonnet-4-5', 'a')).toEqual({ settings: { baseURL: 'https://gw.example.com/v1', apiKeyEnv: 'CORP_KEY' }, keyless: false });
    const opencode = entrantOpencodeConfig('anthropic/claude-sonnet-4-5', null, gatewayFor(plan, 'anthropic/claude-sonnet-4-5', 'a'));
    expect(opencode.provider?.anthropic).toEqual({ env: ['CORP_KEY'], options: { baseURL: 'https://gw.example.com/v1' } });
    expect(opencode.enabled_providers).toEqual(['anthropic']);
  });

  it('stops with exit 2 when apiKeyEnv names an unset variable, naming the key and the variable', async () => {
    const cfg = await gateway('  anthropic: { baseURL: "https://gw.example.com/v1", apiKeyEnv: CORP_KEY }\n');
    const err = await failure(preflight(input(cfg, { ANTHROPIC_API_KEY: 'public' })));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('anthropic (used by entrant "a"): providers.anthropic.apiKeyEnv names CORP_KEY, which is unset or empty; export CORP_KEY');
  });

  it('lets a gateway without a key variable through, keyless, and says so', async () => {
    const cfg = await gateway('  anthropic: { baseURL: "http://litellm:4000/v1" }\n');
    const plan = await preflight(input(cfg, {}));
    expect(plan.notes).toEqual(['anthropic goes through http://litellm:4000/v1 without a key (no ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN or CLAUDE_CODE_OAUTH_TOKEN set and no providers.anthropic.apiKeyEnv)']);
    const gw = gatewayFor(plan, 'anthropic/claude-sonnet-4-5', 'a');
    expect(gw?.keyless).toBe(true);
    expect(entrantOpencodeConfig('anthropic/claude-sonnet-4-5', null, gw).provider?.anthropic?.options).toMatchObject({ apiKey: 'tourney-no-key' });
    // With the conventional variable set, that key goes to the gateway instead.
    const keyed = await preflight(input(cfg, { ANTHROPIC_API_KEY: 'k' }));
    expect(keyed.notes).toEqual([]);
    expect(credentialEnv(keyed, 'anthropic/claude-sonnet-4-5', 'a')).toEqual({ ANTHROPIC_API_KEY: 'k' });
  });

  it('passes variables named by {env:NAME} header values to that entrant, and requires them set', async () => {
    const cfg = await gateway('  anthropic: { baseURL: "https://gw/v1", headers: { X-Team: agents, X-Token: "{env:GW_TOKEN}" } }\n');
    const err = await failure(preflight(input(cfg, { ANTHROPIC_API_KEY: 'k' })));
    expect(err.message).toContain('providers.anthropic.headers reads GW_TOKEN, which is unset or empty; export GW_TOKEN');
    const plan = await preflight(input(cfg, { ANTHROPIC_API_KEY: 'k', GW_TOKEN: 't' }));
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'a')).toEqual({ ANTHROPIC_API_KEY: 'k', GW_TOKEN: 't' });
  });

  it('never counts a header variable as the key: apiKeyEnv unset still stops, a keyless gateway stays keyless', async () => {
    const keyed = await gateway('  anthropic: { baseURL: "https://gw/v1", apiKeyEnv: CORP_KEY, headers: { X-Token: "{env:GW_TOKEN}" } }\n');
    expect((await failure(preflight(input(keyed, { GW_TOKEN: 't' })))).message).toContain('providers.anthropic.apiKeyEnv names CORP_KEY, which is unset or empty');
    const keyless = await gateway('  anthropic: { baseURL: "https://gw/v1", headers: { X-Token: "{env:GW_TOKEN}" } }\n');
    const plan = await preflight(input(keyless, { GW_TOKEN: 't' }));
    expect(gatewayFor(plan, 'anthropic/claude-sonnet-4-5', 'a')?.keyless).toBe(true);
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'a')).toEqual({ GW_TOKEN: 't' });
  });

  it('finds {env:NAME} anywhere in a header value ("Bearer {env:GW_TOKEN}"), and keeps it from other providers', async () => {
    const cfg = await gateway('  anthropic: { baseURL: "https://gw/v1", headers: { Authorization: "Bearer {env:GW_TOKEN}", X-Both: "{env:A_PART}-{env:B_PART}" } }\n', '  - { name: a, model: anthropic/claude-sonnet-4-5 }\n  - { name: o, model: openai/gpt-5 }\n');
    const err = await failure(preflight(input(cfg, { ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'o', A_PART: 'x' })));
    expect(err.message).toContain('reads GW_TOKEN, which is unset');
    expect(err.message).toContain('reads B_PART, which is unset');
    const withList = await config(`entrants:\n  - { name: a, model: anthropic/claude-sonnet-4-5 }\n  - { name: o, model: openai/gpt-5 }\nproviders:\n  anthropic: { baseURL: "https://gw/v1", headers: { Authorization: "Bearer {env:GW_TOKEN}" } }\nsandbox:\n  env: [GW_TOKEN]\n`);
    const plan = await preflight(input(withList, { ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'o', GW_TOKEN: 't' }));
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'a')).toEqual({ ANTHROPIC_API_KEY: 'k', GW_TOKEN: 't' });
    expect(credentialEnv(plan, 'openai/gpt-5', 'o')).toEqual({ OPENAI_API_KEY: 'o' });
  });

  it('an entrant pointed at another endpoint does not take the top level\'s key or headers there', async () => {
    const entrants = '  - { name: a, model: anthropic/claude-sonnet-4-5 }\n  - { name: elsewhere, model: anthropic/claude-sonnet-4-5, providers: { anthropic: { baseURL: "https://api.anthropic.com/v1" } } }\n';
    const cfg = await gateway('  anthropic: { baseURL: "https://corp-gw/v1", apiKeyEnv: CORP_KEY, headers: { X-Corp: "{env:CORP_TOKEN}" } }\n', entrants);
    const plan = await preflight(input(cfg, { CORP_KEY: 'c', CORP_TOKEN: 't', ANTHROPIC_API_KEY: 'public' }));
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'a')).toEqual({ CORP_KEY: 'c', CORP_TOKEN: 't' });
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'elsewhere')).toEqual({ ANTHROPIC_API_KEY: 'public' });
    expect(gatewayFor(plan, 'anthropic/claude-sonnet-4-5', 'elsewhere')?.settings).toEqual({ baseURL: 'https://api.anthropic.com/v1' });
  });

  it('accepts a gateway\'s own model for a built-in provider, and suggests from both lists', async () => {
    const cfg = await gateway('  anthropic: { baseURL: "https://gw/v1", models: [claude-internal-7] }\n', '  - { name: a, model: anthropic/claude-internal-7 }\n  - { name: b, model: anthropic/claude-internl-7 }\n');
    const err = await failure(preflight(input(cfg, { ANTHROPIC_API_KEY: 'k' })));
    expect(err.message).toContain('entrant "b": opencode 0.0.0-test has no model "claude-internl-7" for anthropic; did you mean anthropic/claude-internal-7');
    expect(err.message).not.toContain('entrant "a"');
  });

  it('a custom provider needs npm, baseURL and models; its models are the only ones it has', async () => {
    const incomplete = await gateway('  corp: { baseURL: "https://gw/v1", apiKeyEnv: CORP_KEY }\n', '  - { name: a, model: corp/coder }\n');
    expect((await failure(preflight(input(incomplete, { CORP_KEY: 'c' })))).message).toContain('does not know provider "corp"; a custom provider needs npm (e.g. "@ai-sdk/openai-compatible"), baseURL and models under providers.corp');
    const custom = await gateway('  corp: { npm: "@ai-sdk/openai-compatible", baseURL: "https://gw/v1", apiKeyEnv: CORP_KEY, models: { coder: { context: 64000 } } }\n', '  - { name: a, model: corp/coder }\n  - { name: b, model: corp/codr }\n');
    expect((await failure(preflight(input(custom, { CORP_KEY: "c" })))).message).toMatch(/entrant "b": providers.corp.models in \S*tourney.config.yaml has no model "codr"; did you mean corp\/coder\?/);
  });

  it('per-entrant providers override the top level key by key: own key, own stop scope, nobody else\'s key', async () => {
    const entrants = [
      '  - { name: shared, model: anthropic/claude-sonnet-4-5 }',
      '  - { name: own, model: anthropic/claude-sonnet-4-5, providers: { anthropic: { apiKeyEnv: TEAM_B_KEY, headers: { X-Team: b } } } }',
      '  - { name: plain, model: openai/gpt-5 }',
      '',
    ].join('\n');
    const cfg = await config(`entrants:\n${entrants}providers:\n  anthropic: { baseURL: "https://gw/v1", apiKeyEnv: TEAM_A_KEY, headers: { X-Team: a, X-Env: prod } }\nsandbox:\n  env: [TEAM_A_KEY, TEAM_B_KEY, EXTRA]\n`);
    const plan = await preflight(input(cfg, { TEAM_A_KEY: 'ka', TEAM_B_KEY: 'kb', OPENAI_API_KEY: 'o', EXTRA: 'e' }));
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'shared')).toEqual({ TEAM_A_KEY: 'ka', EXTRA: 'e' });
    expect(credentialEnv(plan, 'anthropic/claude-sonnet-4-5', 'own')).toEqual({ TEAM_B_KEY: 'kb', EXTRA: 'e' });
    // Listing a gateway key under sandbox.env does not hand it to everyone.
    expect(credentialEnv(plan, 'openai/gpt-5', 'plain')).toEqual({ OPENAI_API_KEY: 'o', EXTRA: 'e' });
    expect(gatewayFor(plan, 'anthropic/claude-sonnet-4-5', 'own')?.settings).toEqual({ baseURL: 'https://gw/v1', apiKeyEnv: 'TEAM_B_KEY', headers: { 'X-Team': 'b', 'X-Env': 'prod' } });
    expect(credentialScope(plan, 'anthropic/claude-sonnet-4-5', 'shared')).not.toBe(credentialScope(plan, 'anthropic/claude-sonnet-4-5', 'own'));
  });

  it('rejects malformed gateway settings with the key and what was expected', async () => {
    const cases: [string, RegExp][] = [
      ['  anthropic: { baseURL: "ftp://x" }\n', /providers\.anthropic\.baseURL.*expected an http\(s\) URL/],
      ['  anthropic: { baseURL: "not a url" }\n', /providers\.anthropic\.baseURL.*expected an http\(s\) URL/],
      ['  scripted: { baseURL: "http://x/v1" }\n', /expected a provider id other than "scripted"/],
      ['  Anthropic: { baseURL: "http://x/v1" }\n', /expected a provider id like "anthropic"/],
      ['  anthropic: { apiKeyEnv: "lower" }\n', /providers\.anthropic\.apiKeyEnv.*expected an environment variable name/],
      ['  anthropic: { headers: { "Bad Header": x } }\n', /expected an HTTP header name/],
      ['  anthropic: { headers: { X-A: 3 } }\n', /expected a header value/],
      ['  anthropic: { models: [] }\n', /providers\.anthropic\.models/],
      ['  anthropic: { basURL: "http://x/v1" }\n', /basURL/],
      ['  anthropic: { npm: "not a package!" }\n', /expected an npm package name/],
    ];
    for (const [yaml, expected] of cases) {
      const err = await config(`providers:\n${yaml}`).then(() => null, (e: unknown) => e as TourneyError);
      expect(err, yaml).toBeInstanceOf(TourneyError);
      expect(err?.message, yaml).toMatch(expected);
    }
  });
});

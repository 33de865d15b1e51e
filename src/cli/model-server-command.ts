import { resolve } from 'node:path';
import { builtinScriptsDir } from '../config/defaults.js';
import { TourneyError } from '../errors.js';
import { listScripts } from '../scripted/script.js';
import { startScriptedModelServer } from '../scripted/server.js';

/** Runs the scripted model server in the foreground until Ctrl-C. */
export async function serveScriptedModel(options: { scripts?: string[]; host: string; port: number; apiKeyEnv?: string[] }): Promise<void> {
  const scriptDirs = [...(options.scripts ?? []).map((dir) => resolve(dir)), builtinScriptsDir()];
  // Keys come from variables, not flags: a flag's value shows in every process listing.
  const apiKeys = options.apiKeyEnv?.map((name) => {
    const value = process.env[name];
    if (!value?.trim()) throw new TourneyError(`--api-key-env: the variable ${name} is unset or empty; export it with the key clients must send`);
    return value;
  });
  const server = await startScriptedModelServer({ host: options.host, port: options.port, scriptDirs, ...(apiKeys && { apiKeys }) });
  const names = await listScripts(scriptDirs);
  process.stderr.write(
    `scripted model server listening at ${server.url} (POST /chat/completions, /responses, /messages)\n` +
      `${apiKeys ? `requires the key in ${options.apiKeyEnv?.join(' or ')}\n` : ''}scripts: ${names.join(', ')}\n(Ctrl-C to stop)\n`,
  );
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
}

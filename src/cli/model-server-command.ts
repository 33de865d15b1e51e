import { resolve } from 'node:path';
import { builtinScriptsDir } from '../config/defaults.js';
import { listScripts } from '../scripted/script.js';
import { startScriptedModelServer } from '../scripted/server.js';

/** Runs the scripted model server in the foreground until Ctrl-C. */
export async function serveScriptedModel(options: { scripts?: string[]; host: string; port: number }): Promise<void> {
  const scriptDirs = [...(options.scripts ?? []).map((dir) => resolve(dir)), builtinScriptsDir()];
  const server = await startScriptedModelServer({ host: options.host, port: options.port, scriptDirs });
  const names = await listScripts(scriptDirs);
  process.stderr.write(`scripted model server listening at ${server.url}\nscripts: ${names.join(', ')}\n(Ctrl-C to stop)\n`);
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

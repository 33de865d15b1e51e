import type { AgentSandbox } from '../agents/kind.js';
import type { Sandbox } from './container.js';
import { SANDBOX_USER } from './workspace.js';

/** The narrow handle an agent kind drives its container through; execs run as the sandbox user unless told. */
export function agentSandbox(box: Sandbox, serverUrl: (box: Sandbox, port: number) => Promise<string>): AgentSandbox {
  return {
    execStream: (cmd, options = {}) => box.execStream(cmd, { user: SANDBOX_USER, ...options }),
    writeFile: (path, content, options) => box.writeFile(path, content, options),
    serverUrl: (port) => serverUrl(box, port),
    logs: () => box.logs(),
  };
}

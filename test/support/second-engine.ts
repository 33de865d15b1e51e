import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * A second, independent Docker engine on this machine, for the engine-pool suites (see ../shared/FIELD-NOTES.md):
 * its own socket, data root, exec root and pidfile, and a bridge of its own made first. Not `--bridge none`, which
 * deletes the first engine's docker0. `--iptables=false` keeps it from rewriting the first engine's rules; its own
 * address pool keeps its networks' subnets apart from the first engine's (both would otherwise take 172.18.0.0/16...).
 */
export interface SecondEngine {
  /** DOCKER_HOST form, for `engines: [{ host }]`. */
  host: string;
  /** Kills the engine and everything it ran outright (SIGKILL: a box that lost power), mid-run. */
  crash(): Promise<void>;
  /** Stops it (if still up) and removes its processes, bridge and directories. */
  remove(): Promise<void>;
}

const BRIDGE = 'tbr2';

export async function startSecondEngine(): Promise<SecondEngine> {
  // Short: a unix socket path is at most 107 bytes.
  const dir = await mkdtemp('/tmp/te2-');
  const host = `unix://${join(dir, 'docker.sock')}`;
  await execa('ip', ['link', 'del', BRIDGE], { reject: false });
  await execa('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  await execa('ip', ['addr', 'add', '10.213.0.1/24', 'dev', BRIDGE]);
  await execa('ip', ['link', 'set', BRIDGE, 'up']);
  const daemon: ChildProcess = spawn('dockerd', [
    '--host', host,
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'),
    '--bridge', BRIDGE,
    '--iptables=false',
    '--default-address-pool', 'base=10.214.0.0/16,size=24',
  ], { stdio: 'ignore', detached: true });
  let exited = false;
  daemon.once('exit', () => (exited = true));
  const started = Date.now();
  for (;;) {
    const probe = await execa('docker', ['-H', host, 'version', '--format', '{{.Server.Version}}'], { reject: false });
    if (probe.exitCode === 0) break;
    if (exited || Date.now() - started > 60_000) throw new Error(`the second dockerd did not come up: ${probe.stderr}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  const killAll = async () => {
    // Its containers' processes outlive dockerd, containerd and the shims: found by their cgroups, named by container id.
    const ids = exited ? [] : (await execa('docker', ['-H', host, 'ps', '-q', '--no-trunc'], { reject: false })).stdout.split('\n').filter(Boolean);
    if (!exited) daemon.kill('SIGKILL');
    // Its containerd and the shims of its containers carry its exec root in their arguments.
    await execa('pkill', ['-KILL', '-f', dir], { reject: false });
    for (const id of ids) await execa('bash', ['-c', `grep -l ${id} /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3 | xargs -r kill -KILL`], { reject: false });
  };
  return {
    host,
    crash: async () => {
      await killAll();
      await new Promise((r) => setTimeout(r, 200));
    },
    remove: async () => {
      if (!exited) {
        daemon.kill('SIGTERM');
        await Promise.race([new Promise((r) => daemon.once('exit', r)), new Promise((r) => setTimeout(r, 20_000))]);
      }
      await killAll();
      await execa('umount', ['-R', join(dir, 'exec')], { reject: false });
      await execa('bash', ['-c', `grep -o " ${dir}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l`], { reject: false });
      await execa('ip', ['link', 'del', BRIDGE], { reject: false });
      // The bridges of its networks, left behind when it crashed: its address pool names them.
      await execa('bash', ['-c', "ip -o -4 addr show | awk '$4 ~ /^10\\.214\\./ {print $2}' | xargs -r -n1 ip link del"], { reject: false });
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

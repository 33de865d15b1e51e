import { afterEach, describe, expect, it } from 'vitest';
import { connectEngine, DockerEngine, dockerOf } from '../../src/sandbox/docker.js';
import type { Engine } from '../../src/sandbox/engine.js';
import { TourneyError } from '../../src/errors.js';
import { DEFAULT_IMAGE } from '../../src/config/defaults.js';
import { LABELS } from '../../src/sandbox/labels.js';
import { ensureTestImage } from '../support/docker.js';

const SOCKET = 'unix:///var/run/docker.sock';

async function failure(p: Promise<unknown> | (() => unknown)): Promise<TourneyError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(TourneyError);
    return err as TourneyError;
  }
  throw new Error('expected a failure');
}

describe('DockerEngine', () => {
  const saved = process.env.DOCKER_HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  it('refuses a host it cannot parse, naming the engine, the host and the forms it takes (exit code 3)', async () => {
    for (const host of ['ftp://example.com', 'tcp://', 'tcp://[bad']) {
      const err = await failure(() => new DockerEngine(host, 'far'));
      expect(err.exitCode).toBe(3);
      expect(err.message).toContain(`engine "far" host ${JSON.stringify(host)}`);
      expect(err.message).toContain('expected unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host');
    }
  });

  it('says DOCKER_HOST when the variable is what it cannot parse', async () => {
    process.env.DOCKER_HOST = 'tcp://[bad';
    const err = await failure(() => new DockerEngine());
    expect(err.message).toMatch(/^DOCKER_HOST="tcp:\/\/\[bad": .*; expected unix:/);
    expect(err.exitCode).toBe(3);
  });

  it('keeps the host and id it was given; without a host, DOCKER_HOST or the local socket', () => {
    expect(new DockerEngine('tcp://10.0.0.5:2375', 'b')).toMatchObject({ id: 'b', host: 'tcp://10.0.0.5:2375' });
    expect(new DockerEngine('ssh://me@box', 'c')).toMatchObject({ id: 'c', host: 'ssh://me@box' });
    delete process.env.DOCKER_HOST;
    expect(new DockerEngine()).toMatchObject({ id: 'local', host: SOCKET });
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    expect(new DockerEngine()).toMatchObject({ id: 'local', host: 'tcp://127.0.0.1:1' });
  });

  it('dockerOf refuses an engine that is not a DockerEngine', () => {
    const fake: Engine = {
      id: 'pod',
      host: 'k8s://cluster',
      reach: 'tunnel',
      ping: async () => undefined,
      createSandbox: async () => { throw new Error('no'); },
      listByLabel: async () => ({ containers: [], networks: [] }),
      imageSize: async () => undefined,
      engineVersion: async () => ({ version: '0', apiVersion: '0' }),
    };
    expect(() => dockerOf(fake)).toThrow('engine "pod" (k8s://cluster) is not a Docker engine');
  });

  it('an explicit host wins over DOCKER_HOST: the socket answers though the variable names a dead port', async () => {
    await ensureTestImage();
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    const engine = await connectEngine(SOCKET, 'sock');
    expect((await engine.engineVersion()).apiVersion).toMatch(/^\d+\.\d+$/);
    const err = await failure(connectEngine());
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/^cannot reach the Docker engine \(/);
  });

  it('an engine at a dead address fails its ping with exit code 3, naming it', async () => {
    const err = await failure(connectEngine('tcp://127.0.0.1:1', 'dead'));
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain('cannot reach the Docker engine "dead" at tcp://127.0.0.1:1');
  });

  it('imageSize, createSandbox and listByLabel work through the Engine interface alone', async () => {
    const engine: Engine = await ensureTestImage();
    const size = await engine.imageSize(DEFAULT_IMAGE);
    expect(size).toBeGreaterThan(1_000_000);
    expect(await engine.imageSize('tourney-no-such-image:0')).toBeUndefined();
    const runId = `engine-${process.pid}`;
    const sandbox = await engine.createSandbox({ image: DEFAULT_IMAGE, runId, role: 'probe', name: `tourney-${runId}-probe`, limits: { cpus: 1, memoryMb: 128, pids: 64 }, network: 'none' });
    try {
      expect((await sandbox.exec(['echo', 'hi'])).stdout.trim()).toBe('hi');
      expect(await engine.listByLabel(LABELS.run, runId)).toEqual({ containers: [`/tourney-${runId}-probe`], networks: [] });
    } finally {
      await sandbox.remove();
    }
    expect((await engine.listByLabel(LABELS.run, runId)).containers).toEqual([]);
  });
});

import type Docker from 'dockerode';
import { TourneyError, errorMessage } from '../errors.js';

/** A Docker client that has answered a ping, or an error that says how to get one. */
export async function connectDocker(): Promise<Docker> {
  // Imported here, not at the top: dockerode (with ssh2 and protobufjs) takes a while to load, and the
  // preflight that runs before this should answer at once.
  const { default: DockerClient } = await import('dockerode');
  let docker: Docker;
  try {
    docker = new DockerClient();
  } catch (err) {
    // docker-modem throws on a DOCKER_HOST it cannot parse, before any connection.
    throw new TourneyError(
      `DOCKER_HOST=${JSON.stringify(process.env.DOCKER_HOST ?? '')}: ${errorMessage(err)}; expected unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host`,
      { exitCode: 3 },
    );
  }
  try {
    await docker.ping();
  } catch (err) {
    throw new TourneyError(
      `cannot reach the Docker engine (${errorMessage(err)}). Start Docker (or dockerd), or set DOCKER_HOST; "tourney doctor" checks everything tourney needs`,
      { exitCode: 3 },
    );
  }
  return docker;
}

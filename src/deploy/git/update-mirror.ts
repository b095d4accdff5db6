// One bare mirror per project under `<dataDir>/mirrors/`, fetched before each resolve
// instead of cloning afresh. A first clone goes to a temporary name and is renamed into
// place, so a killed worker never leaves a half-made mirror behind.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DeploybotError, errorMessage } from '../../core/errors.ts';
import { redactUrlCredentials } from '../../core/redact-url-credentials.ts';
import { gitClient } from './git-client.ts';
import { gitRemote } from './remote-credentials.ts';

const inFlight = new Map<string, Promise<string>>();

export function mirrorDirectory(dataDir: string, project: string): string {
  return join(dataDir, 'mirrors', `${project}.git`);
}

/** Brings the project's mirror up to date with `repo` and returns its path. Concurrent calls for one mirror share the fetch. */
export function updateMirror(dataDir: string, project: string, repo: string): Promise<string> {
  const dir = mirrorDirectory(dataDir, project);
  const running = inFlight.get(dir);
  if (running) return running;
  const work = fetchMirror(dir, repo).finally(() => inFlight.delete(dir));
  inFlight.set(dir, work);
  return work;
}

async function fetchMirror(dir: string, repo: string): Promise<string> {
  const remote = gitRemote(repo);
  try {
    if (existsSync(join(dir, 'HEAD'))) {
      const git = gitClient(dir, undefined, remote.env);
      await git.remote(['set-url', 'origin', remote.url]);
      await git.fetch(['--prune', '--force', '--quiet', 'origin']);
      return dir;
    }
    const parent = join(dir, '..');
    await mkdir(parent, { recursive: true });
    const temp = `${dir}.tmp-${process.pid}-${randomUUID()}`;
    await gitClient(parent, undefined, remote.env).clone(remote.url, temp, ['--mirror', '--quiet']);
    try {
      await rename(temp, dir);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      if (!existsSync(join(dir, 'HEAD'))) throw error;
    }
    return dir;
  } catch (error) {
    // git often echoes the URL: its credentials are never shown, in the error itself too (it is
    // also a value callers get, not only text crossing a redacting boundary; docs/operations.md)
    const shown = redactUrlCredentials(repo);
    throw new DeploybotError('git_fetch_failed', `cannot fetch ${shown}: ${redactUrlCredentials(firstLine(errorMessage(error)))}`, { repo: shown });
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n').find((line) => line.trim() !== '')?.trim() ?? text;
}

// Keeps the artifacts directory bounded (docs/configuration.md `keepBuilds`): the builds
// (`<artifacts>/builds/<project>/<build-id>/`) and packages (`<artifacts>/packages/<project>/<build-id>/`)
// of all but the newest `keepBuilds` commits are removed, never those of a commit an
// unfinished deploy of the project needs. Builds still being made (`*.tmp-*`) are left alone.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactsDirectory } from '../deploy/build/artifacts-directory.ts';
import { isTerminal } from '../domain/deploy-record.ts';
import { buildsToPrune, type StoredBuild } from '../domain/builds-to-prune.ts';
import type { JobRuntime } from './job-runtime.ts';

/** The commits unfinished deploys of `project` need (their resolved or approved commit). */
async function neededCommits(rt: JobRuntime, project: string): Promise<Set<string>> {
  const needed = new Set<string>();
  for (const market of rt.config.projects[project]?.markets ?? []) {
    for (const record of await rt.records.history(project, market, 500)) {
      if (isTerminal(record.state)) continue;
      for (const commit of [record.commit, record.plan?.commit]) if (commit) needed.add(commit);
    }
  }
  return needed;
}

/** Removes what `keepBuilds` no longer keeps; the ids removed. */
export async function pruneBuilds(rt: JobRuntime, project: string): Promise<string[]> {
  const keep = rt.config.projects[project]?.keepBuilds;
  if (keep === undefined) return [];
  const artifacts = artifactsDirectory(rt.config, rt.dataDir);
  const dir = join(artifacts, 'builds', project);
  const builds: StoredBuild[] = [];
  for (const id of await readdir(dir).catch(() => [] as string[])) {
    if (id.includes('.tmp-')) continue;
    const record = await readFile(join(dir, id, 'build.json'), 'utf8').then((text) => JSON.parse(text) as { commit: string; builtAt: string }, () => undefined);
    if (record) builds.push({ id, commit: record.commit, builtAt: Date.parse(record.builtAt) || 0 });
  }
  // asked only now, after the listing: a deploy that needs a build listed above is counted
  const removed = buildsToPrune(builds, keep, await neededCommits(rt, project));
  for (const id of removed) {
    await rm(join(artifacts, 'packages', project, id), { recursive: true, force: true });
    await rm(join(dir, id), { recursive: true, force: true });
  }
  if (removed.length > 0) rt.logger.info('old builds removed', { project, removed: removed.length, keepBuilds: keep });
  return removed;
}

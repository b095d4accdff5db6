// Which builds a worker's data directory drops (docs/configuration.md `keepBuilds`): it keeps
// every build of the newest `keep` commits (newest by when a build of the commit was made)
// and every build of a commit an unfinished deploy needs; the rest go. Pure.

export interface StoredBuild {
  /** The build directory's name (`<sha12>-<settings hash>`). */
  id: string;
  commit: string;
  /** When it was built (ms). */
  builtAt: number;
}

export function buildsToPrune(builds: readonly StoredBuild[], keep: number, needed: ReadonlySet<string>): string[] {
  const newest = new Map<string, number>();
  for (const build of builds) newest.set(build.commit, Math.max(newest.get(build.commit) ?? -Infinity, build.builtAt));
  const kept = new Set([...newest.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, Math.max(0, keep)).map(([commit]) => commit));
  return builds.filter((build) => !kept.has(build.commit) && !needed.has(build.commit)).map((build) => build.id);
}

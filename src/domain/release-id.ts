// Release ids name the release directories on every host: `<version>-<yyyymmddHHMMSS>-<sha7>`
// (docs/reference/deploy-lifecycle.md), the timestamp in UTC. Versions may contain characters a directory name must not
// (`feature/x`): every character outside [A-Za-z0-9._-] becomes `_`, so `feature/x` → `feature_x`.

const RELEASE_ID = /^(.+)-(\d{14})-([0-9a-f]{7})$/;

/** The version as it appears in a release id or package name: `/` and any other unsafe character → `_`. */
export function safeVersion(version: string): string {
  const safe = version.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]/, '_');
  return safe === '' ? '_' : safe;
}

/** `20261121093005` for 2026-11-21T09:30:05Z. */
export function formatUtcStamp(at: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(at.getUTCFullYear(), 4)}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
}

export function formatReleaseId(version: string, at: Date, commit: string): string {
  if (!/^[0-9a-f]{7,}$/.test(commit)) throw new Error(`not a commit SHA: ${JSON.stringify(commit)}`);
  if (Number.isNaN(at.getTime())) throw new Error('invalid release time');
  return `${safeVersion(version)}-${formatUtcStamp(at)}-${commit.slice(0, 7)}`;
}

export interface ParsedReleaseId {
  version: string;
  stamp: string;
  sha7: string;
}

export function parseReleaseId(id: string): ParsedReleaseId | undefined {
  if (id.includes('/')) return undefined;
  const match = RELEASE_ID.exec(id);
  if (!match) return undefined;
  return { version: match[1]!, stamp: match[2]!, sha7: match[3]! };
}

export function isReleaseId(name: string): boolean {
  return parseReleaseId(name) !== undefined;
}

/** Oldest first: by timestamp, then by name (stable for two releases made in the same second). */
export function compareReleaseIds(a: string, b: string): number {
  const pa = parseReleaseId(a);
  const pb = parseReleaseId(b);
  const sa = pa?.stamp ?? '';
  const sb = pb?.stamp ?? '';
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `mala-core-v1.3-abc1234.tar.gz` (docs/reference/deploy-lifecycle.md). */
export function packageFileName(project: string, version: string, commit: string): string {
  return `${project}-${safeVersion(version)}-${commit.slice(0, 7)}.tar.gz`;
}

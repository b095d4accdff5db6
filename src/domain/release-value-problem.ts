// Values read back from the release store (ZooKeeper or the embedded file) are checked before
// anything uses them: a version reaches git and directory names, a commit reaches `git log`,
// ids reach messages and Redis keys. Anyone who can write the store could plant a value that
// a later command would trust (docs/operations.md, "Corrupt release state"). Pure: each
// function takes a parsed value and says what is wrong with it, or undefined when it is fine.
import { isConfigName } from './config-name.ts';
import { isDeployId } from './deploy-id.ts';
import { isReleaseId, parseReleaseId, safeVersion } from './release-id.ts';

/** The ref charset of the command grammar; a value must also not start with `-`. */
const VERSION = /^[A-Za-z0-9._/-]{1,200}$/;
const COMMIT = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
/** Release names and default_release: a config name (`production`, `gray`, `review-<channel>`), at most a ZooKeeper-friendly 255 characters. */
const MAX_RELEASE_NAME = 255;

/** The children of a release whose values the bot interprets. */
export type ReleaseValueNode = 'versions' | 'servers' | 'current';

export function versionProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  if (!VERSION.test(value)) return 'is not a version (1–200 of letters, digits, ".", "_", "/", "-")';
  if (value.startsWith('-')) return 'starts with "-"';
  return undefined;
}

export function isCommitSha(value: unknown): value is string {
  return typeof value === 'string' && COMMIT.test(value);
}

/** A release name as found under `releases/` or in `default_release`. */
export function releaseNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  return isConfigName(value) && value.length <= MAX_RELEASE_NAME ? undefined : `${JSON.stringify(value.slice(0, 80))} is not a release name`;
}

function versionsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'is not a JSON array of versions';
  for (const [i, version] of value.entries()) {
    const problem = versionProblem(version);
    if (problem) return `entry ${i} ${problem}`;
  }
  return undefined;
}

function serversProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'is not a JSON array of host addresses';
  const bad = value.findIndex((server) => typeof server !== 'string');
  return bad === -1 ? undefined : `entry ${bad} is not a string`;
}

function currentProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object {version, commit, deployId, at, by}';
  const current = value as Record<string, unknown>;
  const version = versionProblem(current.version);
  if (version) return `version ${version}`;
  if (!isCommitSha(current.commit)) return 'commit is not 40 hex';
  if (typeof current.deployId !== 'string' || !isDeployId(current.deployId)) return 'deployId is not a deploy id (d-YYYYMMDD-NNNN)';
  if (typeof current.at !== 'string' || !ISO_UTC.test(current.at) || Number.isNaN(Date.parse(current.at))) return 'at is not an ISO 8601 UTC time';
  if (typeof current.by !== 'string') return 'by is not a string';
  if ('releaseId' in current && !isValidReleaseId(current.releaseId)) return 'releaseId is not a release id (<version>-<yyyymmddHHMMSS>-<sha7>)';
  if ('sha256' in current && !(typeof current.sha256 === 'string' && SHA256.test(current.sha256))) return 'sha256 is not 64 hex';
  return undefined;
}

/** A release id as formatReleaseId makes it: its version part already safe for a directory name. */
function isValidReleaseId(value: unknown): boolean {
  if (typeof value !== 'string' || !isReleaseId(value)) return false;
  const version = parseReleaseId(value)!.version;
  return safeVersion(version) === version;
}

/** What is wrong with the parsed value of a release's `versions`, `servers` or `current`. */
export function releaseValueProblem(node: ReleaseValueNode, value: unknown): string | undefined {
  if (node === 'versions') return versionsProblem(value);
  if (node === 'servers') return serversProblem(value);
  return currentProblem(value);
}

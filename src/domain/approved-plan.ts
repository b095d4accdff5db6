// What an approval covers and how to tell whether a run still matches it
// (docs/operations.md "What an approval covers"). Pure.
import type { ApprovedPlan } from './deploy-record.ts';

export type PlanParts = Omit<ApprovedPlan, 'fingerprint'>;

/** A canonical text of the parts (sorted hosts, hooks and releases), equal exactly when the plans are. */
export function planFingerprint(parts: PlanParts): string {
  const sortedEntries = (o: Record<string, unknown> | undefined) => (o ? Object.keys(o).sort().map((k) => [k, o[k]]) : null);
  return JSON.stringify({
    commit: parts.commit ?? null,
    packageSha256: parts.packageSha256 ?? null,
    releaseId: parts.releaseId ?? null,
    hosts: [...parts.hosts].sort(),
    hooks: sortedEntries(parts.hooks),
    build: parts.build ? [parts.build.command, parts.build.output] : null,
    path: parts.path ?? null,
    releasesDir: parts.releasesDir ?? null,
    rollbackTo: parts.rollbackTo ?? null,
    versions: parts.versions ?? null,
    promoted: parts.promoted ? [parts.promoted.release, parts.promoted.deployId, parts.promoted.version, parts.promoted.commit, parts.promoted.versions] : null,
    startsFrom: sortedEntries(parts.startsFrom),
  });
}

/**
 * Two plans make the same change: equal but for the build's artefact (package checksum and
 * release id differ between two builds of one commit). One card is enough for both.
 */
export function sameChange(a: PlanParts, b: PlanParts): boolean {
  const change = (parts: PlanParts) => planFingerprint({ ...parts, packageSha256: undefined, releaseId: undefined } as PlanParts);
  return change(a) === change(b);
}

export function approvedPlan(parts: PlanParts): ApprovedPlan {
  return { ...parts, fingerprint: planFingerprint(parts) };
}

const shown = (value: string | null | undefined) => (value === null || value === undefined ? 'none' : JSON.stringify(value));
const list = (values: readonly string[]) => (values.length > 0 ? values.join(', ') : 'none');

/**
 * What differs between the approved plan and the plan as it would run now (empty when
 * nothing). Only the parts the approved plan has are compared; the state it starts from is
 * compared by basisChanges (plan-basis.ts).
 */
export function planDifferences(approved: PlanParts, now: PlanParts): string[] {
  const differences: string[] = [];
  const scalar = (name: string, a: string | undefined, b: string | undefined) => {
    if (a !== undefined && a !== b) differences.push(`${name} is now ${shown(b)} (approved: ${shown(a)})`);
  };
  scalar('the commit', approved.commit, now.commit);
  scalar('the package sha256', approved.packageSha256, now.packageSha256);
  scalar('the release id', approved.releaseId, now.releaseId);
  if ([...approved.hosts].sort().join(',') !== [...now.hosts].sort().join(',')) {
    differences.push(`hosts are now ${list(now.hosts)} (approved: ${list(approved.hosts)})`);
  }
  for (const point of [...new Set([...Object.keys(approved.hooks), ...Object.keys(now.hooks)])].sort()) {
    if (approved.hooks[point] !== now.hooks[point]) differences.push(`the ${point} hook changed`);
  }
  if (approved.build) {
    if (approved.build.command !== now.build?.command) differences.push(`the build command is now ${shown(now.build?.command)} (approved: ${shown(approved.build.command)})`);
    if (approved.build.output !== now.build?.output) differences.push(`the build output is now ${shown(now.build?.output)} (approved: ${shown(approved.build.output)})`);
  }
  scalar('path', approved.path, now.path);
  scalar('releasesDir', approved.releasesDir, now.releasesDir);
  scalar('the rollback target', approved.rollbackTo, now.rollbackTo);
  if (approved.versions && approved.versions.join(',') !== (now.versions ?? []).join(',')) {
    differences.push(`the versions to promote are now ${list(now.versions ?? [])} (approved: ${list(approved.versions)})`);
  }
  const a = approved.promoted;
  const b = now.promoted;
  // another deploy id is a change of the starting state (basisChanges names it); the same
  // deploy id with other content means the release was edited behind deploybot's back
  if (a && b && a.deployId === b.deployId && (a.commit !== b.commit || a.version !== b.version || a.versions.join(',') !== b.versions.join(','))) {
    differences.push(`${a.release} of ${a.deployId ?? 'no deploy'} now serves ${list(b.versions)} at commit ${shown(b.commit)} (approved: ${list(a.versions)} at ${shown(a.commit)})`);
  }
  return differences;
}

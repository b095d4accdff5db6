// What an approval covers (SPEC §7) and how to tell whether a run still matches it. Pure.
import type { ApprovedPlan } from './deploy-record.ts';

export type PlanParts = Omit<ApprovedPlan, 'fingerprint'>;

/** A canonical text of the parts (sorted hosts and hooks), equal exactly when the plans are. */
export function planFingerprint(parts: PlanParts): string {
  return JSON.stringify({
    commit: parts.commit ?? null,
    packageSha256: parts.packageSha256 ?? null,
    releaseId: parts.releaseId ?? null,
    hosts: [...parts.hosts].sort(),
    hooks: Object.keys(parts.hooks).sort().map((k) => [k, parts.hooks[k]]),
    rollbackTo: parts.rollbackTo ?? null,
    versions: parts.versions ?? null,
  });
}

export function approvedPlan(parts: PlanParts): ApprovedPlan {
  return { ...parts, fingerprint: planFingerprint(parts) };
}

/** What differs between the approved plan and the plan as it would run now (empty when nothing). */
export function planDifferences(approved: ApprovedPlan, now: Pick<PlanParts, 'hosts' | 'hooks'>): string[] {
  const differences: string[] = [];
  if ([...approved.hosts].sort().join(',') !== [...now.hosts].sort().join(',')) {
    differences.push(`hosts are now ${now.hosts.join(', ') || 'none'} (approved: ${approved.hosts.join(', ')})`);
  }
  for (const point of new Set([...Object.keys(approved.hooks), ...Object.keys(now.hooks)])) {
    if (approved.hooks[point] !== now.hooks[point]) differences.push(`the ${point} hook changed`);
  }
  return differences;
}

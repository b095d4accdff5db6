// `people` and the approver entries of every market, checked against each other
// (docs/configuration.md#people): an id claimed by two people, a qualified entry of an
// unknown platform, or more approvals required than there are approvers is a problem; a bare
// id, and a market whose approvers cannot reach `required` without the requester, are
// warnings (`config check` still exits 0). Pure.
import { distinctApproverCount, parseApproverEntry } from '../src/domain/approval-rule.ts';
import type { People } from '../src/domain/people.ts';
import { guessPlatformOf, PLATFORMS, type Platform } from '../src/domain/user-id.ts';
import type { ConfigProblem } from './format-issues.ts';
import type { RawConfig } from './schema.ts';

export interface ApproverFindings {
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
}

export function checkApprovers(config: Pick<RawConfig, 'people' | 'markets'>): ApproverFindings {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const people: People = config.people;
  checkClaims(people, problems);

  for (const [marketName, market] of Object.entries(config.markets)) {
    if (typeof market.approval !== 'object') continue;
    const { approvers, required } = market.approval;
    const base = `markets.${marketName}.approval`;
    let valid = true;
    approvers.forEach((entry, i) => {
      const at = `${base}.approvers.${i}`;
      const colon = entry.indexOf(':');
      if (colon >= 0 && parseApproverEntry(people, entry).kind !== 'qualified') {
        problems.push({ path: at, message: `"${entry}" is neither a person nor a qualified id; write slack:<id>, dingtalk:<staffId> or console:<name>` });
        valid = false;
        return;
      }
      const parsed = parseApproverEntry(people, entry);
      if (parsed.kind !== 'bare') return;
      const claims = claimsOf(people, parsed.id);
      if (new Set(claims.map((c) => c.person)).size > 1) {
        problems.push({ path: at, message: `"${entry}" is ${claims.map((c) => `${c.person}'s ${c.platform} id`).join(' and ')}; write the person's name or a qualified id` });
        valid = false;
        return;
      }
      warnings.push({ path: at, message: `"${entry}" matches on every platform; write ${claims[0]?.platform ?? guessPlatformOf(entry)}:${entry}` });
    });
    if (!valid) continue;
    const distinct = distinctApproverCount({ approvers, people });
    if (distinct < required && required <= approvers.length) {
      problems.push({ path: `${base}.required`, message: `needs ${required} approvals but the approvers are only ${distinct} distinct people` });
    } else if (distinct <= required && required <= approvers.length) {
      warnings.push({ path: `${base}.required`, message: `needs ${required} approval(s) from ${distinct} distinct approver(s): a deploy requested by one of them can never be approved` });
    }
  }
  return { problems, warnings };
}

/** Every id on every platform belongs to one person at most. */
function checkClaims(people: People, problems: ConfigProblem[]): void {
  const owner = new Map<string, string>();
  for (const [name, person] of Object.entries(people)) {
    for (const platform of PLATFORMS) {
      const id = person[platform];
      if (id === undefined) continue;
      const key = `${platform}:${id}`;
      const earlier = owner.get(key);
      if (earlier !== undefined) problems.push({ path: `people.${name}.${platform}`, message: `"${id}" is already ${earlier}'s ${platform} id` });
      else owner.set(key, name);
    }
  }
}

function claimsOf(people: People, nativeId: string): Array<{ person: string; platform: Platform }> {
  return Object.entries(people).flatMap(([person, ids]) => PLATFORMS.filter((platform) => ids[platform] === nativeId).map((platform) => ({ person, platform })));
}

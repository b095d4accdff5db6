// `retry` finishes an earlier deploy's plan (docs/operations.md "What an approval covers"):
// it inherits that plan, so it may run only while the location is as the retried deploy
// left it, and in a market with approval only its requester or an approver may ask.
import type { Config } from '../../config/load-config.ts';
import { planDifferences } from '../domain/approved-plan.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { basisChanges } from '../domain/plan-basis.ts';
import { displayUser } from '../domain/people.ts';
import type { MarketReleases } from '../domain/release-state.ts';
import { requesterOrApprover } from './cancel-deploy.ts';
import type { JobRuntime } from './job-runtime.ts';
import { planPartsNow } from './plan-parts.ts';

/** `record`, the deploy it retries, and so on back to the first deploy that was not a retry. */
export async function retryLineage(rt: JobRuntime, record: DeployRecord): Promise<DeployRecord[]> {
  const chain = [record];
  let at = record;
  while (at.verb === 'retry' && at.relatedDeployId && chain.length < 50) {
    at = await rt.records.require(at.relatedDeployId);
    chain.push(at);
  }
  return chain;
}

/** Why `user` may not retry the deploy whose lineage (retried deploy first) this is; undefined when they may. */
export function whyNotRetry(config: Config, lineage: readonly DeployRecord[], user: string): string | undefined {
  const root = lineage.at(-1)!;
  if (requesterOrApprover(config, root, user)) return undefined;
  const approval = config.markets[root.market]?.approval;
  const approvers = approval && approval !== 'none' ? approval.approvers.join(', ') : '';
  return `Only the requester (${displayUser(config.people, root.requestedBy)}) or an approver of ${root.market} (${approvers}) may retry ${lineage[0]!.id}; nothing was queued.`;
}

/**
 * What changed since the retried deploy (`lineage[0]`) ended, and, when the plan was
 * approved, what differs from it in the config now. Empty: the retry may run.
 */
export function retryChanges(rt: JobRuntime, lineage: readonly DeployRecord[], state: MarketReleases): string[] {
  const retried = lineage[0]!;
  const root = lineage.at(-1)!;
  const ids = lineage.map((r) => r.id);
  const basis = retried.endState ?? root.plan?.startsFrom ?? {};
  const changes = basisChanges(basis, state, ids, `${retried.id} ended`);
  if (root.approval && root.plan) {
    const now = planPartsNow(rt, root, state, root.plan.hosts, root.verb);
    // the release a promote promoted is gone once it landed: only the config is compared here
    changes.push(...planDifferences(root.plan, { ...root.plan, ...now, hosts: root.plan.hosts, ...(root.plan.promoted ? { promoted: root.plan.promoted } : {}), ...(root.plan.versions ? { versions: root.plan.versions } : {}) }));
  }
  return changes;
}

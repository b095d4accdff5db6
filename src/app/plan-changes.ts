// The last check before a queued deploy runs (docs/operations.md "What an approval covers"):
// an approved plan must still be what the approver saw and start from the state they saw;
// a retry must find the location as the deploy it finishes left it.
import { planDifferences } from '../domain/approved-plan.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { basisChanges } from '../domain/plan-basis.ts';
import type { MarketReleases } from '../domain/release-state.ts';
import type { JobRuntime } from './job-runtime.ts';
import { planPartsNow } from './plan-parts.ts';
import { retryChanges, retryLineage } from './retry-plan.ts';

/** What differs now, for the void message; empty when the deploy may run. `hosts`: its target hosts as the rules give them now. */
export async function planChanges(rt: JobRuntime, record: DeployRecord, state: MarketReleases, hosts: readonly string[]): Promise<string[]> {
  if (record.verb === 'retry') return retryChanges(rt, (await retryLineage(rt, record)).slice(1), state);
  if (!record.approval || !record.plan) return [];
  const now = planPartsNow(rt, record, state, hosts);
  // commit, checksum and release id are the engine's to enforce: it deploys the approved ones
  return [...planDifferences(record.plan, { ...record.plan, ...now }), ...basisChanges(record.plan.startsFrom ?? {}, state)];
}

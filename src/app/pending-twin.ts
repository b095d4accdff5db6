// One card per change (docs/operations.md "What an approval covers"): a deploy whose plan
// makes the same change as one already waiting for approval in its market is refused,
// naming that one, instead of posting a second card for the same thing.
import { sameChange } from '../domain/approved-plan.ts';
import type { ApprovedPlan, DeployRecord } from '../domain/deploy-record.ts';
import type { JobRuntime } from './job-runtime.ts';

const LOOK_BACK = 50;

export async function pendingTwin(rt: JobRuntime, record: DeployRecord, plan: ApprovedPlan): Promise<DeployRecord | undefined> {
  const recent = await rt.records.history(record.project, record.market, LOOK_BACK);
  return recent.find((other) => other.id !== record.id && other.state === 'awaiting-approval' && other.verb === record.verb && other.release === record.release && other.plan !== undefined && sameChange(other.plan, plan));
}

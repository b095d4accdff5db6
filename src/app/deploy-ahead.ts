// Which deploy this one waits behind, read from the location lease and the market's recent
// deploys; the rule is src/domain/queue-order.ts.
import type { DeployRecord } from '../domain/deploy-record.ts';
import { earliestAhead, holderAhead } from '../domain/queue-order.ts';
import type { JobRuntime } from './job-runtime.ts';

/**
 * `<deploy id>/<execution>`: the location lease names the execution of a deploy that holds
 * it (run-deploy-job.ts); this is the deploy.
 */
export function leaseHolder(lease: string): string {
  return lease.split('/')[0]!;
}

/** The deploy this one waits behind: the one holding the location, else the oldest earlier one still active there. */
export async function deployAhead(rt: JobRuntime, record: DeployRecord): Promise<string | undefined> {
  const lease = await rt.locationLock.holder(record.project, record.market, record.location);
  const ahead = holderAhead(record, lease ? leaseHolder(lease) : undefined);
  if (ahead) return ahead;
  return earliestAhead(record, await rt.records.history(record.project, record.market, 50));
}

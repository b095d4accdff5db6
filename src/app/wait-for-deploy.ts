// Waits for a deploy to reach a state, by following its announcements (no polling loop
// with sleeps): used by `TrackedJob.idle()` where no notifier runs, and by tests.
import type { Redis } from 'ioredis';
import type { DeployRecord, DeployState } from '../domain/deploy-record.ts';
import { isParked } from '../domain/deploy-record.ts';
import type { JobRuntime } from './job-runtime.ts';

export async function waitForDeploy(rt: JobRuntime, deployId: string, until: (record: DeployRecord) => boolean = (r) => isParked(r, rt.now().getTime()), timeoutMs = 120_000): Promise<DeployRecord> {
  const reader: Redis = rt.newConnection();
  const deadline = Date.now() + timeoutMs;
  try {
    let after = await rt.bus.latestId();
    for (;;) {
      const record = await rt.records.require(deployId);
      if (until(record)) return record;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${deployId} is still ${record.state} after ${timeoutMs} ms`);
      ({ lastId: after } = await rt.bus.readAnnouncements(reader, after, Math.min(left, 1000)));
    }
  } finally {
    reader.disconnect();
  }
}

export function inState(...states: DeployState[]): (record: DeployRecord) => boolean {
  return (record) => states.includes(record.state);
}

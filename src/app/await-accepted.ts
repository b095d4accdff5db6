// Before a job phase touches a deploy: was the command that made it accepted? Its job is
// queued a moment before the accept commits (pending-accepts.ts), so a worker that picks it
// up at once waits for the commit; a job that reached Redis after the accept ran out of time
// finds the record dropped and does nothing.
import { waitUntil } from '../services/wait-until.ts';
import type { JobRuntime } from './job-runtime.ts';

export async function awaitAccepted(rt: JobRuntime, deployId: string): Promise<boolean> {
  const history = async () => {
    const record = await rt.records.get(deployId);
    return record ? rt.keys.history(record.project, record.market) : undefined;
  };
  const settled = await waitUntil(
    async () => {
      const outcome = await rt.pendingAccepts.settle(rt.redis, deployId, history);
      return outcome === 'pending' ? undefined : outcome;
    },
    // the deadline is at most acceptTimeoutMs after the record was written, by Redis' clock
    { what: `the accept of ${deployId} to complete`, timeoutMs: 2 * rt.acceptTimeoutMs + 1000, intervalMs: 10 },
  );
  if (settled === 'accepted') return true;
  rt.logger.warn('a job whose command was never accepted (Redis did not answer in time) was dropped; nothing ran', { deployId });
  return false;
}

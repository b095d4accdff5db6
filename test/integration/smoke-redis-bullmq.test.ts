// Smoke test: BullMQ round trip with progress events on the run's real Redis.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker, type JobProgress } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

describe('BullMQ on the real Redis', () => {
  it('when a worker reports progress, then QueueEvents sees every value in order and the result comes back', async () => {
    const connection = { url: inject('redisUrl') };
    const name = `smoke-${randomUUID()}`;
    const queue = new Queue(name, { connection });
    closers.push(async () => {
      await queue.obliterate({ force: true });
      await queue.close();
    });
    const events = new QueueEvents(name, { connection });
    closers.push(() => events.close());
    await events.waitUntilReady();
    const worker = new Worker<{ hosts: string[] }, { deployed: string[] }>(
      name,
      async (job) => {
        for (const step of [10, 50, 100]) await job.updateProgress(step);
        return { deployed: job.data.hosts };
      },
      { connection },
    );
    closers.push(() => worker.close());

    // listen before adding, so no event can pass unseen
    const progressByJob = new Map<string, JobProgress[]>();
    events.on('progress', ({ jobId, data }) => {
      progressByJob.set(jobId, [...(progressByJob.get(jobId) ?? []), data]);
    });
    const job = await queue.add('deploy', { hosts: ['h1', 'h2'] });

    const result = await job.waitUntilFinished(events, 20_000);

    expect(result).toEqual({ deployed: ['h1', 'h2'] });
    expect(progressByJob.get(job.id ?? '')).toEqual([10, 50, 100]);
  });
});

// The notifier renders a deploy that is still preparing or running again after `refreshMs`
// without a new notice (so a long hook's elapsed time moves in chat), and stops once it ends.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.ts';
import type { DeployState } from '../../src/domain/deploy-record.ts';
import { nextRender, RenderScheduler } from '../../src/notify/render-scheduler.ts';
import { within } from '../fakes/deferred.ts';

describe('render refresh', () => {
  it('when a deploy is running, then it is rendered again without news; once it has ended, not any more', async () => {
    let state: DeployState = 'running';
    const rendered: DeployState[] = [];
    let stopped = false;
    const scheduler = new RenderScheduler({
      render: async (_id, track) => {
        rendered.push(state);
        track.attempt = { count: rendered.length, state };
      },
      stopped: () => stopped,
      maxRenderFailures: 3,
      logger: createLogger({ level: 'silent' }),
      refreshMs: 50,
    });
    const track = scheduler.track('d-1');
    scheduler.schedule('d-1');
    for (let i = 0; i < 3; i += 1) await within(nextRender(track).promise, 5000, 'a refresh render');
    expect(rendered.length).toBeGreaterThanOrEqual(3);
    expect(rendered.every((s) => s === 'running')).toBe(true);

    state = 'success';
    await within(nextRender(track).promise, 5000, 'the render that sees the end');
    const count = rendered.length;
    expect(track.refresh).toBeUndefined();
    stopped = true;
    await scheduler.drain();
    expect(rendered.length).toBe(count);
  });
});

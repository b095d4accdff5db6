// The progress message of a progressive rollout: wave, health and bake on one line, each
// unhealthy host with its check and output, and Resume / Roll back buttons while paused.
import { describe, expect, it } from 'vitest';
import { reduceNotices } from '../../src/notify/deploy-view.ts';
import { renderProgress, rolloutLines } from '../../src/notify/render-progress.ts';
import type { DeployNotice } from '../../src/deploy/deploy-notice.ts';

const at = '2026-11-21T09:30:00.000Z';
const deployId = 'd-20261121-0001';
const hosts = Array.from({ length: 16 }, (_, i) => `br-${i + 1}`);
const notice = (body: Record<string, unknown>) => ({ deployId, at, ...body }) as unknown as DeployNotice;

describe('rollout progress', () => {
  it('when wave 2 of 3 is baking, then one line shows the wave, the hosts switched, their health and the bake left', () => {
    const view = reduceNotices([
      notice({ type: 'deploy.started', kind: 'deploy', project: 'mala-core', market: 'brazil', release: 'production', version: 'v1.3', hosts }),
      notice({ type: 'wave.started', wave: 1, waves: 3, hosts: ['br-1'] }),
      notice({ type: 'health.passed', wave: 1, host: 'br-1' }),
      notice({ type: 'wave.started', wave: 2, waves: 3, hosts: ['br-2', 'br-3', 'br-4'] }),
      ...['br-2', 'br-3', 'br-4'].map((host) => notice({ type: 'health.passed', wave: 2, host })),
      notice({ type: 'wave.baking', wave: 2, bakeMs: 60_000, remainingMs: 34_200, healthy: 4, switched: 4 }),
    ]);
    expect(rolloutLines(view.rollout!)).toEqual(['🌊 wave 2/3 · 4/16 ✓ · health 4/4 ✓ · bake 35 s left']);
  });

  it('when a host fails and the rollout pauses, then it is named with its check and output, and the message has Resume and Roll back buttons', () => {
    const view = reduceNotices([
      notice({ type: 'deploy.started', kind: 'deploy', project: 'mala-core', market: 'brazil', release: 'production', version: 'v1.3', hosts }),
      notice({ type: 'wave.started', wave: 1, waves: 3, hosts: ['br-1'] }),
      notice({ type: 'health.failed', wave: 1, host: 'br-1', check: 'http http://{address}:8080/healthz', outputTail: ['GET http://10.0.0.1:8080/healthz: HTTP 503 (expected 2xx)', 'down'] }),
      notice({ type: 'rollout.paused', wave: 1, waves: 3, reason: '1 unhealthy host, more than maxUnhealthy 0' }),
      notice({ type: 'job.state', state: 'paused', reason: '1 unhealthy host, more than maxUnhealthy 0', record: { id: deployId, verb: 'deploy', command: 'deploy mala-core brazil v1.3', project: 'mala-core', market: 'brazil', location: 'main', release: 'production', version: 'v1.3', hosts, requestedBy: 'console:alice', platform: 'console', channel: 'C0', createdAt: at, state: 'paused', rev: 3 } }),
    ]);
    const message = renderProgress(view);
    expect(message.lines).toContain('🌊 wave 1/3 · 1/16 ✓ · health 0/1 ✗ 1');
    expect(message.lines).toContain('✗ br-1 unhealthy: http http://{address}:8080/healthz — GET http://10.0.0.1:8080/healthz: HTTP 503 (expected 2xx) / down');
    expect(message.buttons?.map((b) => [b.label, b.command])).toEqual([['Resume', `resume ${deployId}`], ['Roll back', `abort ${deployId}`]]);
  });
});

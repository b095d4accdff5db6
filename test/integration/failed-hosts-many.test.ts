// 1 000 real `{ local: dir }` hosts whose beforeDeploy hook fails the same way: the engine's
// notices render to a progress message with one grouped line for all of them (count, cause, a
// few names), within Block Kit's limits, and no host was switched.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSlackMessage } from '../../src/adapters/slack/render-slack-message.ts';
import { MemoryCheckpoint } from '../../src/deploy/deploy-checkpoint.ts';
import type { DeployEvent } from '../../src/deploy/deploy-events.ts';
import { runDeploy } from '../../src/deploy/run-deploy.ts';
import { reduceNotices } from '../../src/notify/deploy-view.ts';
import { renderProgress } from '../../src/notify/render-progress.ts';
import { blockKitProblems } from '../support/block-kit-limits.ts';
import { deployPlan, deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';

const COUNT = 1000;
const names = Array.from({ length: COUNT }, (_, i) => `h${String(i + 1).padStart(4, '0')}`);
let base: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-many-'));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('1 000 hosts failing alike', () => {
  it('when every host fails its beforeDeploy hook the same way, then the message has one grouped line within Block Kit limits and no host is switched', async () => {
    const repo = makeGitRepo(join(base, 'repo'));
    const config = deployTestConfig({
      dir: base,
      repo: repo.dir,
      hosts: Object.fromEntries(names.map((name) => [name, { local: `hosts/${name}` }])),
      project: { parallel: 50, hooks: { beforeDeploy: 'echo "migration lock held" >&2; exit 3' } },
    });
    const events: DeployEvent[] = [];
    const result = await runDeploy(deployPlan({ ref: 'v1', hosts: names }), { config, dataDir: join(base, 'var'), checkpoint: new MemoryCheckpoint(), onEvent: (e) => events.push(e) });

    expect(result.outcome).toBe('failed');
    expect(result.failedHosts).toHaveLength(COUNT);
    expect(names.filter((name) => existsSync(join(base, 'hosts', name, 'data/prod/mala-core')))).toEqual([]);

    const message = renderProgress(reduceNotices(events));
    const grouped = (message.lines ?? []).filter((line) => line.startsWith('• '));
    expect(grouped).toHaveLength(1);
    expect(grouped[0]).toMatch(/^• 1000 hosts \(beforeDeploy\) h0\d{3}, h0\d{3}, h0\d{3} and 997 more: /);
    expect(grouped[0]).toContain('exit');
    expect(blockKitProblems(renderSlackMessage(message))).toEqual([]);
  }, 240_000);
});

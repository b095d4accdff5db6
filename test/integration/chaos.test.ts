// The chaos test of issue 11 (docs/operations.md, "Host steps outlive their worker"): a
// seeded sequence of deploys to 3 real sshd hosts with hooks, the `deploybot worker` process
// SIGKILLed at seeded moments (during distribute, inside beforeDeploy, between switches,
// inside afterDeploy) and replaced, plus one Redis and one ZooKeeper restart
// (test/support/chaos-deploys.ts). The seed is printed; `CHAOS_SEED=<n>` replays a run.
// The longer version: bench/chaos.ts.
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chaosProblems, chaosSummary, describeDisruption, runChaos } from '../support/chaos-deploys.ts';

const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : randomInt(2 ** 31);

describe('chaos: deploys through worker kills and service restarts', () => {
  it('when the worker is SIGKILLed at seeded moments of 4 deploys and Redis and ZooKeeper restart once each, then every deploy ends success, every host serves the last release complete, each hook ran once per host per deploy and ZooKeeper records what the hosts serve', async () => {
    console.log(`chaos: seed ${seed} (CHAOS_SEED=${seed} replays it)`);
    const outcome = await runChaos({ seed, deploys: 4, log: (line) => console.log(line) });
    console.log(chaosSummary(outcome));
    expect(outcome.plan.filter((d) => d.action === 'kill worker').map(describeDisruption)).toHaveLength(4);
    expect(chaosProblems(outcome)).toEqual([]);
    expect(outcome.deploys.map((d) => d.state)).toEqual(['success', 'success', 'success', 'success']);
  }, 240_000);
});

// Benchmark (not a CI gate): the longer chaos run (test/support/chaos-deploys.ts; the suite's
// version is test/integration/chaos.test.ts) — more deploys and more worker SIGKILLs at seeded
// moments, plus one Redis and one ZooKeeper restart, on 3 real sshd hosts (needs root).
//
//   node --import tsx bench/chaos.ts [--deploys 12] [--kills 18] [--seed N]
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { chaosProblems, chaosSummary, runChaos } from '../test/support/chaos-deploys.ts';

const { values } = parseArgs({ options: { deploys: { type: 'string', default: '12' }, kills: { type: 'string' }, seed: { type: 'string' } } });
const deploys = Number(values.deploys);
const kills = values.kills === undefined ? Math.round(deploys * 1.5) : Number(values.kills);
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);

console.log(`chaos: seed ${seed}, ${deploys} deploys, ${kills} worker kills (--seed ${seed} replays it)`);
const started = performance.now();
const outcome = await runChaos({ seed, deploys, kills, log: (line) => console.log(line) });
const problems = chaosProblems(outcome);
for (const problem of problems) console.log(`problem: ${problem}`);
console.log(chaosSummary(outcome));
console.log(`took ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(problems.length === 0 ? 0 : 1);

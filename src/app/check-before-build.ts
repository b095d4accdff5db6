// The policy that needs the resolved commit and must pass before any repository code runs
// (docs/operations.md, "Repository code is sandboxed"): `requiresPassIn`, and the freezes and
// windows at the deploy's time (docs/scheduling.md) — a freeze set while it was accepted.
import type { DeployRecord } from '../domain/deploy-record.ts';
import type { JobRuntime } from './job-runtime.ts';
import type { CheckBeforeBuild } from './prepare-build.ts';
import { timeRefusal } from './time-rules.ts';

export function checkBeforeBuild(rt: JobRuntime, record: DeployRecord): CheckBeforeBuild {
  return async (commit) => {
    if (rt.commands.find(record.verb).checksPassIn) {
      for (const market of rt.config.markets[record.market]!.requiresPassIn) {
        if (!(await rt.history.hasPassed(record.project, market, commit))) {
          return `commit ${commit.slice(0, 7)} (${record.version}) has not deployed successfully on ${market} yet (requiresPassIn: ${market}); deploy it there first`;
        }
      }
    }
    const atMs = record.scheduledAt ? Date.parse(record.scheduledAt) : rt.now().getTime();
    const time = await timeRefusal(rt, record.market, rt.commands.find(record.verb), Math.max(atMs, rt.now().getTime()), record.command);
    return time?.message;
  };
}

// The policy that needs the resolved commit and must pass before any repository code runs
// (docs/operations.md, "Repository code is sandboxed"): `requiresPassIn` today; time
// windows and freezes belong here as well.
import type { DeployRecord } from '../domain/deploy-record.ts';
import type { JobRuntime } from './job-runtime.ts';
import type { CheckBeforeBuild } from './prepare-build.ts';

export function checkBeforeBuild(rt: JobRuntime, record: DeployRecord): CheckBeforeBuild {
  return async (commit) => {
    if (rt.commands.find(record.verb).checksPassIn) {
      for (const market of rt.config.markets[record.market]!.requiresPassIn) {
        if (!(await rt.history.hasPassed(record.project, market, commit))) {
          return `commit ${commit.slice(0, 7)} (${record.version}) has not deployed successfully on ${market} yet (requiresPassIn: ${market}); deploy it there first`;
        }
      }
    }
    // windows and freezes: checked here too once they exist
    return undefined;
  };
}

// The parts of a deploy's plan that the config and the release state decide, as they are
// now (docs/operations.md "What an approval covers"). Prepare binds them (with the build's
// commit and checksum) when the card is posted; the run computes them again and compares.
import type { PlanParts } from '../domain/approved-plan.ts';
import type { DeployRecord, DeployVerb, PromotedRelease } from '../domain/deploy-record.ts';
import { basisReleases, planBasis } from '../domain/plan-basis.ts';
import { GRAY_RELEASE } from '../domain/release-names.ts';
import type { MarketReleases } from '../domain/release-state.ts';
import { hookScripts } from './hook-scripts.ts';
import type { JobRuntime } from './job-runtime.ts';

/** `record` as the verb it plans: a retry plans as the deploy it finishes (`verb`). */
export function planPartsNow(rt: JobRuntime, record: DeployRecord, state: MarketReleases, hosts: readonly string[], verb: DeployVerb = record.verb): PlanParts {
  const project = rt.config.projects[record.project]!;
  const startsFrom = planBasis(basisReleases(verb, record.release), state);
  switch (verb) {
    case 'review promote':
      return { hosts: [], hooks: {}, versions: state.releases[record.release]?.versions ?? [], promoted: promotedRelease(state, record.release), startsFrom };
    case 'gray promote':
      return { hosts: [...hosts], hooks: hookScripts(project, rt.config.hookTemplates), promoted: promotedRelease(state, GRAY_RELEASE), startsFrom };
    case 'rollback':
      return { hosts: [...hosts], hooks: hookScripts(project, rt.config.hookTemplates), ...(record.rollbackTo ? { rollbackTo: record.rollbackTo } : {}), startsFrom };
    default:
      return {
        hosts: [...hosts],
        hooks: hookScripts(project, rt.config.hookTemplates),
        build: { command: project.build.command ?? null, output: project.build.output ?? null },
        path: project.path,
        releasesDir: project.releasesDir,
        startsFrom,
      };
  }
}

function promotedRelease(state: MarketReleases, release: string): PromotedRelease {
  const record = state.releases[release];
  return {
    release,
    deployId: record?.current?.deployId ?? null,
    version: record?.current?.version ?? record?.versions.at(-1) ?? null,
    commit: record?.current?.commit ?? null,
    versions: [...(record?.versions ?? [])],
  };
}

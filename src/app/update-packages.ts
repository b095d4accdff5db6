// Update packages and their size spans (docs/reference/release-rules.md, docs/reference/messages.md): after a production or review
// release, the project's packager runs for each planned pair; the sizes are reported with
// anomaly flags and a note when a gray release was active (docs/reference/messages.md#package-size-spans).
import { join } from 'node:path';
import { errorMessage } from '../core/errors.ts';
import { repositorySandbox } from '../deploy/repository-sandbox.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { GRAY_RELEASE } from '../domain/release-names.ts';
import { productionRelease, type MarketReleases } from '../domain/release-state.ts';
import { sizeSpanReport } from '../domain/size-span-report.ts';
import { planUpdatePackages } from '../domain/update-package-plan.ts';
import { runPackager } from '../store/run-packager.ts';
import type { JobRuntime } from './job-runtime.ts';
import { checkoutCommit } from './read-commit-file.ts';

export async function buildUpdatePackages(rt: JobRuntime, record: DeployRecord, input: { release: 'production' | 'review'; version: string; commit: string; before: MarketReleases }): Promise<void> {
  const project = rt.config.projects[record.project];
  if (!project?.packager) return;
  const productionVersions = (productionRelease(input.before)?.versions ?? []).filter((v) => v !== input.version);
  const reviewVersions = await rt.history.reviewVersions(record.project, record.market);
  const pairs = planUpdatePackages({ release: input.release, version: input.version }, { productionVersions, reviewVersions });
  if (pairs.length === 0) return;
  // the packager is repository code: it runs in the project's sandbox, or not at all
  const sandbox = repositorySandbox(record.project, project.build, rt.sandbox);
  try {
    await sandbox.ready();
  } catch (error) {
    await rt.notify(record.id, { type: 'job.note', text: `update packages were not built: ${errorMessage(error)}` });
    return;
  }
  const cwd = await checkoutCommit(rt.dataDir, record.project, input.commit);
  const result = await runPackager({
    project: record.project,
    template: project.packager,
    pairs,
    cwd,
    outDir: join(rt.dataDir, 'update-packages', record.project, record.market, record.id),
    vars: { market: record.market },
    sandbox,
  });
  const gray = input.before.releases[GRAY_RELEASE]?.current;
  const report = sizeSpanReport({
    project: record.project,
    market: record.market,
    spans: result.spans,
    recentSizes: await rt.history.recentSpanSizes(record.project),
    ...(project.packageSizeCeiling ? { ceiling: project.packageSizeCeiling } : {}),
    ...(gray ? { grayActive: { version: gray.version, deployId: gray.deployId } } : {}),
  });
  await rt.history.addSpanSizes(record.project, result.spans.map((s) => s.size));
  await rt.notify(record.id, { type: 'job.size-spans', report, release: record.release, version: input.version });
  for (const failed of result.packages.filter((p) => !p.ok)) {
    await rt.notify(record.id, { type: 'job.note', text: `update package ${failed.from} → ${failed.to} failed: ${'error' in failed ? failed.error : ''}` });
  }
}

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
import { planPlatformUpdatePackages, planUpdatePackages, type UpdatePackagePair } from '../domain/update-package-plan.ts';
import { runPackager } from '../store/run-packager.ts';
import type { JobRuntime } from './job-runtime.ts';
import { checkoutCommit } from './read-commit-file.ts';

export async function buildUpdatePackages(rt: JobRuntime, record: DeployRecord, input: { release: 'production' | 'review'; version: string; commit: string; before: MarketReleases }): Promise<void> {
  const project = rt.config.projects[record.project];
  if (!project?.packager) return;
  const pairs = await plannedPairs(rt, record, input);
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
  const platforms = [...new Set(pairs.flatMap((p) => (p.platform === undefined ? [] : [p.platform])))];
  const report = sizeSpanReport({
    project: record.project,
    market: record.market,
    spans: result.spans,
    recentSizes: await rt.history.recentSpanSizes(record.project),
    ...(platforms.length > 0 ? { recentSizesByPlatform: Object.fromEntries(await Promise.all(platforms.map(async (p) => [p, await rt.history.recentSpanSizes(record.project, p)] as const))) } : {}),
    ...(project.packageSizeCeiling ? { ceiling: project.packageSizeCeiling } : {}),
    ...(gray ? { grayActive: { version: gray.version, deployId: gray.deployId } } : {}),
  });
  await rt.history.addSpanSizes(record.project, result.spans.map((s) => s.size));
  for (const platform of platforms) await rt.history.addSpanSizes(record.project, result.spans.filter((s) => s.platform === platform).map((s) => s.size), platform);
  await rt.notify(record.id, { type: 'job.size-spans', report, release: record.release, version: input.version });
  for (const failed of result.packages.filter((p) => !p.ok)) {
    await rt.notify(record.id, { type: 'job.note', text: `update package ${failed.platform === undefined ? '' : `${failed.platform} `}${failed.from} → ${failed.to} failed: ${'error' in failed ? failed.error : ''}` });
  }
}

type PackagesInput = { release: 'production' | 'review'; version: string; before: MarketReleases };

/**
 * The pairs to package: on the market's lists, or — for a deploy of some platforms
 * (docs/platforms.md) — on each of its platforms' own lists, each pair naming its platform.
 */
async function plannedPairs(rt: JobRuntime, record: DeployRecord, input: PackagesInput): Promise<UpdatePackagePair[]> {
  const production = productionRelease(input.before);
  const target = { release: input.release, version: input.version };
  const earlier = (versions: readonly string[] | undefined) => (versions ?? []).filter((v) => v !== input.version);
  // a gray promote applies to the platforms gray served
  const platforms = record.platforms ?? (record.verb === 'gray promote' ? Object.keys(input.before.releases[GRAY_RELEASE]?.platforms ?? {}) : undefined);
  if (!platforms || platforms.length === 0) {
    return planUpdatePackages(target, { productionVersions: earlier(production?.versions), reviewVersions: await rt.history.reviewVersions(record.project, record.market) });
  }
  const histories = await Promise.all(platforms.map(async (platform) => ({
    platform,
    productionVersions: earlier(production?.platforms ? (production.platforms[platform] ?? []) : production?.versions),
    reviewVersions: await rt.history.reviewVersions(record.project, record.market, platform),
  })));
  return planPlatformUpdatePackages(target, histories);
}

// While a gray release is active, its hosts' health checks run every `warnings.grayHealthEvery`
// (docs/configuration.md, "warnings"): a failing host is warned about once per failure streak —
// the warning is posted when it starts failing, and a pass ends the streak, so the next
// failure warns again. Called by the periodic gray watch (gray-watch.ts).
import type { ReleaseCurrent } from '../domain/release-state.ts';
import { grayUnhealthyWarning, type GrayWarning } from '../domain/gray-warnings.ts';
import { GRAY_RELEASE } from '../domain/release-names.ts';
import { isLocalHost } from '../../config/schema.ts';
import { runHealthCheck } from '../deploy/health/run-health-check.ts';
import { runPool } from '../deploy/run-pool.ts';
import { transportForHost } from '../deploy/transports/transport-for-host.ts';
import { repositorySandbox } from '../deploy/repository-sandbox.ts';
import type { JobRuntime } from './job-runtime.ts';

export async function checkGrayHealth(rt: JobRuntime, project: string, market: string, gray: ReleaseCurrent, hosts: readonly string[]): Promise<GrayWarning[]> {
  const settings = rt.config.projects[project]!;
  if (settings.health.length === 0 || hosts.length === 0) return [];
  // one round per grayHealthEvery for this gray deploy, by the runtime's clock (two watches
  // racing may both run one: the streak keys below still warn once)
  const roundKey = rt.keys.warned(gray.deployId, 'gray_health_round');
  const last = Number(await rt.redis.get(roundKey));
  const at = rt.now().getTime();
  if (Number.isFinite(last) && last > 0 && at - last < rt.config.warnings.grayHealthEvery) return [];
  await rt.redis.set(roundKey, String(at), 'EX', 30 * 24 * 3600);
  const warnings: GrayWarning[] = [];
  await runPool(hosts, settings.parallel, async (host) => {
    const transport = rt.transport ? rt.transport(host) : transportForHost(rt.config, host, { connectTimeoutMs: 10_000 });
    const config = rt.config.hosts[host];
    let failure: { check: string; outputTail: string[] } | undefined;
    try {
      for (const check of settings.health) {
        const outcome = await runHealthCheck(check, {
          transport,
          vars: { deployId: gray.deployId, releaseId: '', version: gray.version, commit: gray.commit, project, market, release: GRAY_RELEASE, host },
          address: !config || isLocalHost(config) ? '127.0.0.1' : config.address,
          path: settings.path,
          releaseDir: settings.path,
          redactor: rt.redactor,
          sandbox: repositorySandbox(project, settings.build, rt.sandbox),
        });
        if (!outcome.ok) {
          failure = { check: outcome.check, outputTail: outcome.outputTail };
          break;
        }
      }
    } finally {
      await transport.close().catch(() => undefined);
    }
    const streak = rt.keys.warned(gray.deployId, `gray_unhealthy:${host}`);
    if (!failure) {
      await rt.redis.del(streak);
      return;
    }
    const fresh = await rt.redis.set(streak, '1', 'EX', 30 * 24 * 3600, 'NX');
    if (fresh === 'OK') warnings.push(grayUnhealthyWarning({ project, market, version: gray.version, deployId: gray.deployId, host, ...failure }));
  });
  return warnings;
}

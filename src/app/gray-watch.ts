// The periodic gray-test check (docs/reference/messages.md): a gray release older than
// `warnings.grayMaxAge`, or gray hosts drifting from the gray version, is posted as a
// warning — once per gray deploy and kind (and host, for drift), not at every check; gray
// hosts failing their health checks are warned about once per failure streak (check-gray-health.ts).
import { GRAY_RELEASE } from '../domain/release-names.ts';
import { releaseStatus } from '../domain/release-status.ts';
import { grayWarnings, type GrayWarning } from '../domain/gray-warnings.ts';
import type { JobRuntime } from './job-runtime.ts';
import { marketLocations } from './market-locations.ts';
import { readHostReleases } from './read-host-releases.ts';
import { readReleaseState } from './read-release-state.ts';
import { checkGrayHealth } from './check-gray-health.ts';

export const GRAY_WATCH_EVERY_MS = 10 * 60_000;

/** Checks every (project, market) with an active gray; returns the warnings posted now. */
export async function watchGrayReleases(rt: JobRuntime): Promise<GrayWarning[]> {
  const posted: GrayWarning[] = [];
  for (const [project, settings] of Object.entries(rt.config.projects)) {
    for (const market of settings.markets) {
      // a market with corrupt state is skipped (its status and deploys name the problem)
      const read = await readReleaseState(rt, project, market);
      if (!read.ok) {
        rt.logger.warn('gray watch skipped a market', { project, market, reason: read.reason });
        continue;
      }
      const state = read.state;
      const gray = state.releases[GRAY_RELEASE]?.current;
      if (!gray) continue;
      const locations = marketLocations(rt.config, market);
      const grayHosts = locations.flatMap((l) => l.grayHosts);
      const readings = await readHostReleases(rt.config, project, grayHosts, rt.transport ? { transport: rt.transport } : {});
      const status = releaseStatus({ state, locations, readings });
      for (const warning of grayWarnings({ state, now: rt.now(), maxAgeMs: rt.config.warnings.grayMaxAge, hosts: status.hosts })) {
        const host = typeof warning.details.host === 'string' ? `:${warning.details.host}` : '';
        const fresh = await rt.redis.set(rt.keys.warned(gray.deployId, `${warning.kind}${host}`), '1', 'EX', 30 * 24 * 3600, 'NX');
        if (fresh !== 'OK') continue;
        // the gray deploy's own thread of notices: the notifier posts it to that deploy's channel
        await rt.notify(gray.deployId, { type: 'job.warning', warning });
        posted.push(warning);
      }
      for (const warning of await checkGrayHealth(rt, project, market, gray, grayHosts)) {
        await rt.notify(gray.deployId, { type: 'job.warning', warning });
        posted.push(warning);
      }
    }
  }
  return posted;
}

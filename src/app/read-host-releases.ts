// Reads which release each host serves, through the deploy engine's transports, with a
// timeout per host so one dead host never holds up `status`, and at most the project's
// `parallel` hosts at a time — each connection is closed before the next host is opened
// (docs/configuration.md, `parallel`).
import { posix } from 'node:path';
import { readCurrentRelease } from '../deploy/read-current-release.ts';
import { runPool } from '../deploy/run-pool.ts';
import { withTimeout } from '../services/with-timeout.ts';
import { transportForHost } from '../deploy/transports/transport-for-host.ts';
import type { TransportFactory } from '../deploy/transports/host-transport.ts';
import type { HostReading } from '../domain/release-status.ts';
import type { Config } from '../../config/load-config.ts';

export async function readHostReleases(config: Config, project: string, hosts: readonly string[], options: { transport?: TransportFactory; timeoutMs?: number } = {}): Promise<HostReading[]> {
  const paths = config.projects[project]!;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const factory = options.transport ?? ((host: string) => transportForHost(config, host, { connectTimeoutMs: timeoutMs }));
  const { results } = await runPool(hosts, paths.parallel, async (host): Promise<HostReading> => {
    const transport = factory(host);
    try {
      const read = async () => {
        const reading = await readCurrentRelease(transport, paths);
        // a link into releasesDir whose directory is gone (sync puts the release back)
        const present = reading.releaseId === undefined ? undefined : await transport.exists(posix.join(paths.releasesDir, reading.releaseId));
        return { ...reading, ...(present === undefined ? {} : { present }) };
      };
      const reading = await withTimeout(read(), timeoutMs, 'reading the current release');
      return { host, ...(reading.releaseId ? { releaseId: reading.releaseId } : {}), ...(reading.indicator ? { indicator: reading.indicator } : {}), ...(reading.present === undefined ? {} : { present: reading.present }) };
    } catch (error) {
      transport.destroy();
      return { host, error: (error as Error).message };
    } finally {
      await transport.close().catch(() => undefined);
    }
  });
  return hosts.map((host) => results.get(host)!);
}

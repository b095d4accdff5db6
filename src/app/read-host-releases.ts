// Reads which release each host serves, through the deploy engine's transports, with a
// timeout per host so one dead host never holds up `status`, and at most the project's
// `parallel` hosts at a time — each connection is closed before the next host is opened
// (docs/configuration.md, `parallel`).
import { readCurrentRelease } from '../deploy/read-current-release.ts';
import { runPool } from '../deploy/run-pool.ts';
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
    let timer: NodeJS.Timeout | undefined;
    try {
      const reading = await Promise.race([
        readCurrentRelease(transport, paths),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs); }),
      ]);
      return { host, ...(reading.releaseId ? { releaseId: reading.releaseId } : {}), ...(reading.indicator ? { indicator: reading.indicator } : {}) };
    } catch (error) {
      transport.destroy();
      return { host, error: (error as Error).message };
    } finally {
      clearTimeout(timer);
      await transport.close().catch(() => undefined);
    }
  });
  return hosts.map((host) => results.get(host)!);
}

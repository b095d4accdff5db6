// Admin relay (docs/reference/deploy-lifecycle.md, distribute): when the location has an `admin` host, the bot uploads the package
// once, to the admin (`<releasesDir>/packages/<release-id>/<package>`; the admin keeps the
// packages of its newest `keepReleases` releases), and the admin copies it to each cluster
// host with its own SSH access — `scp` with strict host-key checking, run as an argv of quoted words. The bot's
// upload volume is one package whatever the host count.
import { posix } from 'node:path';
import { isLocalHost } from '../../../config/schema.ts';
import { DeploybotError } from '../../core/errors.ts';
import type { DeployContext } from '../deploy-context.ts';
import { limitConcurrency } from '../limit-concurrency.ts';
import { planPrune } from '../../domain/plan-prune.ts';
import type { HostTransport } from '../transports/host-transport.ts';
import { withTimeout } from '../../services/with-timeout.ts';
import { progressReporter } from './progress-reporter.ts';

export interface RelaySource {
  admin: string;
  transport: HostTransport;
  /** The package on the admin. */
  path: string;
  /** At most this many copies at once through the admin (sshd's MaxSessions is 10 by default). */
  limit: <T>(work: () => Promise<T>) => Promise<T>;
}

/** Uploads the package to the location's admin host; undefined when there is no (SSH) admin. */
export async function prepareRelay(ctx: DeployContext): Promise<RelaySource | undefined> {
  const admin = ctx.location.admin;
  if (admin === undefined) return undefined;
  const adminHost = ctx.config.hosts[admin];
  if (adminHost === undefined || isLocalHost(adminHost)) return undefined;
  const pkg = ctx.package!;
  const transport = ctx.pool.get(admin);
  const dir = posix.join(ctx.project.releasesDir, 'packages', ctx.releaseId!);
  const path = posix.join(dir, pkg.file);
  const upload = async () => {
    if ((await transport.sha256(path)) === pkg.sha256) return;
    await transport.makeDirectory(dir);
    const temp = `${path}.part`;
    await transport.upload(pkg.path, temp, progressReporter(ctx, admin));
    ctx.bytesUploaded += pkg.bytes;
    const remote = await transport.sha256(temp);
    if (remote !== pkg.sha256) throw new DeploybotError('checksum_mismatch', `${admin}: the uploaded package's sha256 is ${remote ?? 'missing'}, expected ${pkg.sha256}`, { host: admin });
    await transport.remove(path);
    await transport.rename(temp, path);
  };
  try {
    await withTimeout(upload(), ctx.project.hostTimeout, `upload to the admin host ${admin}`, () => transport.destroy());
  } catch (error) {
    throw new DeploybotError('relay_failed', `the package could not be relayed through ${admin}: ${(error as Error).message}`, { host: admin });
  }
  ctx.relayedVia = admin;
  await pruneRelayedPackages(ctx, transport);
  return { admin, transport, path, limit: limitConcurrency(Math.min(ctx.project.parallel, 8)) };
}

/**
 * The admin keeps the packages of its newest `keepReleases` release ids, like a host keeps its
 * releases (prune.ts); this deploy's is always kept. Best effort: never fails the deploy.
 */
async function pruneRelayedPackages(ctx: DeployContext, transport: HostTransport): Promise<void> {
  const dir = posix.join(ctx.project.releasesDir, 'packages');
  try {
    const removed = planPrune(await transport.list(dir), ctx.project.keepReleases, [ctx.releaseId]);
    for (const id of removed) await transport.remove(posix.join(dir, id));
  } catch {
    // left for the next deploy's prune: the admin's disk is not this deploy's concern
  }
}

/** Whether `host` receives the package through the relay (SSH cluster hosts only). */
export function relaysTo(ctx: DeployContext, relay: RelaySource | undefined, host: string): relay is RelaySource {
  const config = ctx.config.hosts[host];
  return relay !== undefined && config !== undefined && !isLocalHost(config);
}

/** The admin copies its package to `remotePath` on `host`. */
export async function relayToHost(ctx: DeployContext, relay: RelaySource, host: string, remotePath: string): Promise<void> {
  const target = ctx.config.hosts[host];
  if (target === undefined || isLocalHost(target)) throw new Error(`${host} is not an SSH host`);
  const options = ctx.deps.relay ?? {};
  const address = target.address.includes(':') ? `[${target.address}]` : target.address;
  const seconds = Math.max(1, Math.ceil(ctx.project.hostTimeout / 1000));
  const argv = [
    'timeout', '-k', '5', String(seconds),
    'scp',
    ...(options.sshConfigFile ? ['-F', options.sshConfigFile] : []),
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ConnectTimeout=15',
    ...(options.knownHostsFile ? ['-o', `UserKnownHostsFile=${options.knownHostsFile}`] : []),
    ...(options.identityFile ? ['-o', 'IdentitiesOnly=yes', '-i', options.identityFile] : []),
    '-P', String(target.port),
    '--', relay.path, `${target.user}@${address}:${remotePath}`,
  ];
  const result = await relay.limit(() => relay.transport.run(argv, { timeoutMs: ctx.project.hostTimeout + 10_000 }));
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n').slice(-3).join(' / ') || `exit ${result.exitCode}`;
    throw new DeploybotError('relay_failed', `${relay.admin} could not copy the package to ${host}: ${why}`, { host, admin: relay.admin });
  }
}

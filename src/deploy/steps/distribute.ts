// Step 5, distribute: per host, `parallel` at a time, each within `hostTimeout`: stream the
// package to the host, hashed and unpacked aside under `<releasesDir>/.incoming/` in one pass
// (through the admin relay: upload there, then sha256 checked before the unpack), check the
// release indicator, and rename it to `<releasesDir>/<release-id>/` — so a release directory
// under that name is always complete and verified.
// A host that already holds the release is only re-checked.
import { posix } from 'node:path';
import { DeploybotError } from '../../core/errors.ts';
import type { DistributeTally } from '../../domain/decide-switch.ts';
import { type DeployContext, recordHostStep, releaseDirectory, toErrorInfo } from '../deploy-context.ts';
import { indicatorMismatch } from '../../domain/release-indicator.ts';
import { readIndicator } from '../read-current-release.ts';
import { runPool } from '../run-pool.ts';
import type { HostTransport } from '../transports/host-transport.ts';
import { withTimeout } from '../../services/with-timeout.ts';
import { progressReporter } from './progress-reporter.ts';
import { prepareRelay, type RelaySource, relaysTo, relayToHost } from './relay-package.ts';

export async function distributeStep(ctx: DeployContext, hosts: readonly string[]): Promise<DistributeTally[]> {
  const pending: string[] = [];
  const tally: DistributeTally[] = [];
  for (const host of hosts) {
    if (await ctx.deps.checkpoint.get(`distribute:${host}`)) {
      recordHostStep(ctx, host, 'distribute', { status: 'done', durationMs: 0 });
      ctx.emit({ type: 'host.finished', step: 'distribute', host, durationMs: 0, skipped: true });
    } else {
      pending.push(host);
    }
  }
  const relay = pending.length > 0 ? await prepareRelay(ctx) : undefined;
  const { results, notStarted } = await runPool(pending, ctx.project.parallel, (host) => distributeToHost(ctx, host, relay), () => !ctx.stopRequested());
  for (const host of hosts) {
    if (notStarted.includes(host)) {
      recordHostStep(ctx, host, 'distribute', { status: 'skipped' });
      continue;
    }
    tally.push({ host, ok: results.get(host) ?? true });
  }
  return tally;
}

async function distributeToHost(ctx: DeployContext, host: string, relay: RelaySource | undefined): Promise<boolean> {
  const started = ctx.now();
  ctx.emit({ type: 'host.started', step: 'distribute', host });
  const transport = ctx.pool.get(host);
  try {
    const bytes = await withTimeout(installRelease(ctx, transport, relay), ctx.project.hostTimeout, `${host}: distribute`, () => transport.destroy());
    const durationMs = ctx.now() - started;
    await ctx.deps.checkpoint.set(`distribute:${host}`, { durationMs, bytes });
    recordHostStep(ctx, host, 'distribute', { status: 'done', durationMs, bytes });
    ctx.emit({ type: 'host.finished', step: 'distribute', host, durationMs });
    return true;
  } catch (error) {
    const durationMs = ctx.now() - started;
    const info = toErrorInfo(error, ctx.redactor);
    recordHostStep(ctx, host, 'distribute', { status: 'failed', durationMs, error: info });
    ctx.emit({ type: 'host.failed', step: 'distribute', host, durationMs, error: info });
    return false;
  }
}

/** Makes `<releasesDir>/<release-id>/` exist, complete and verified on the host; returns the bytes the bot uploaded to it. */
async function installRelease(ctx: DeployContext, transport: HostTransport, relay: RelaySource | undefined): Promise<number> {
  const pkg = ctx.package!;
  const { releasesDir } = ctx.project;
  const target = releaseDirectory(ctx);
  if (await transport.exists(target)) {
    await assertIndicator(ctx, transport, target);
    return 0;
  }
  const incoming = posix.join(releasesDir, '.incoming');
  const staging = posix.join(incoming, `${ctx.releaseId}.unpacking`);
  let bytes = 0;
  if (relaysTo(ctx, relay, transport.host)) {
    await transport.makeDirectory(incoming);
    await transport.makeDirectory(posix.join(releasesDir, 'shared'));
    const archive = posix.join(incoming, `${ctx.releaseId}.tar.gz`);
    // a complete archive left by a killed run is not relayed again
    if ((await transport.sha256(archive)) !== pkg.sha256) await relayToHost(ctx, relay, transport.host, archive);
    // checksum verified on the host, then unpacked aside (one remote command)
    await transport.unpack(archive, staging, pkg.sha256);
    await transport.remove(archive);
  } else {
    // one pass: streamed, hashed and unpacked aside as the bytes arrive; kept only if the sha256 matches
    await Promise.all([
      transport.receivePackage(pkg.path, staging, pkg.sha256, progressReporter(ctx, transport.host)),
      transport.makeDirectory(posix.join(releasesDir, 'shared')),
    ]);
    bytes = pkg.bytes;
    ctx.bytesUploaded += bytes;
  }
  await assertIndicator(ctx, transport, staging);
  await transport.rename(staging, target);
  return bytes;
}

/** Before any switch, the unpacked release must carry the indicator of the release being deployed (docs/reference/deploy-lifecycle.md). */
export async function assertIndicator(ctx: DeployContext, transport: HostTransport, dir: string): Promise<void> {
  const name = await readIndicator(transport, dir);
  const mismatch = indicatorMismatch(name, ctx.plan.release);
  if (mismatch) {
    throw new DeploybotError('release_mismatch', `${transport.host}: ${dir} ${mismatch}, not "${ctx.plan.release}"`, { host: transport.host, indicator: name ?? null });
  }
}

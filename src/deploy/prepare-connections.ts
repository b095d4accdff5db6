// While resolve and build run on the worker, the first `parallel` hosts' connections (SSH
// handshake, host key check, SFTP session) are opened, so distribute starts sending at once
// (docs/reference/deploy-lifecycle.md, "Distribute"). A failure here is not reported: the
// first real operation on that host reconnects and reports it within `hostTimeout`.
import type { DeployContext } from './deploy-context.ts';

export function prepareConnections(ctx: DeployContext, hosts: readonly string[]): void {
  for (const host of hosts.slice(0, ctx.project.parallel)) {
    void ctx.pool.get(host).prepare().catch(() => undefined);
  }
}

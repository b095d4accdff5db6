// Upload progress as `host.bytes` events, at most four a second per host plus the last one.
import type { DeployContext } from '../deploy-context.ts';

export function progressReporter(ctx: DeployContext, host: string, intervalMs = 250): (sent: number, total: number) => void {
  let last = 0;
  return (sent, total) => {
    const now = ctx.now();
    if (sent < total && now - last < intervalMs) return;
    last = now;
    ctx.emit({ type: 'host.bytes', host, sent, total });
  };
}

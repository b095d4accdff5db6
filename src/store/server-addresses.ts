// What goes into `releases/<release>/servers` (docs/reference/zookeeper-layout.md): each host's `address`. A local
// host (`{ local: dir }`, the demo's transport) has no address, so its config name stands
// in for it — stable, readable in `status`, and never a path on the bot's machine.
import type { Config } from '../../config/load-config.ts';
import { DeploybotError } from '../core/errors.ts';

export function serverAddresses(config: Pick<Config, 'hosts'>, hostNames: readonly string[]): string[] {
  return hostNames.map((name) => {
    const host = config.hosts[name];
    if (!host) throw new DeploybotError('unknown_host', `no host ${JSON.stringify(name)} in the config`);
    return 'local' in host ? name : host.address;
  });
}

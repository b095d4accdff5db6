// Picks the transport a config host needs: `{ local: dir }` → LocalTransport, anything
// else → SshTransport with its key from `config.keys` (held in memory only).
import type { Config } from '../../../config/load-config.ts';
import { isLocalHost } from '../../../config/schema.ts';
import { DeploybotError } from '../../core/errors.ts';
import type { HostTransport } from './host-transport.ts';
import { LocalTransport } from './local-transport.ts';
import { SshTransport } from './ssh-transport.ts';

export function transportForHost(config: Pick<Config, 'hosts' | 'keys'>, name: string, options: { connectTimeoutMs?: number } = {}): HostTransport {
  const host = config.hosts[name];
  if (host === undefined) throw new DeploybotError('unknown_host', `unknown host "${name}"`);
  if (isLocalHost(host)) return new LocalTransport(name, host.local);
  const key = config.keys[host.key];
  if (key === undefined) throw new DeploybotError('unknown_key', `host ${name} uses key "${host.key}", which is not configured`);
  return new SshTransport({ host: name, address: host.address, port: host.port, user: host.user, privateKey: key, hostKey: host.hostKey, connectTimeoutMs: options.connectTimeoutMs });
}

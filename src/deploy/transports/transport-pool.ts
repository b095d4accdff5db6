// One transport (so one SSH connection) per host for the length of a deploy, shared by
// every step; all closed at the end.
import type { HostTransport, TransportFactory } from './host-transport.ts';

export class TransportPool {
  readonly #open = new Map<string, HostTransport>();

  constructor(private readonly factory: TransportFactory) {}

  get(host: string): HostTransport {
    let transport = this.#open.get(host);
    if (!transport) {
      transport = this.factory(host);
      this.#open.set(host, transport);
    }
    return transport;
  }

  /** Closes one host's transport now (a read that is done with that host); `get` opens a new one. */
  async close(host: string): Promise<void> {
    const transport = this.#open.get(host);
    this.#open.delete(host);
    await transport?.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    await Promise.allSettled(all.map((t) => t.close()));
  }
}

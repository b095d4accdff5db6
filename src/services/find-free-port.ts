import { createServer } from 'node:net';

/**
 * A TCP port that is free on `host` right now: bind port 0, read the port the kernel chose,
 * close. Another process may still take it before the caller binds it, so callers that can
 * retry on "address in use" should.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

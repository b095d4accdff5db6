// The HTTP surface (docs/reference/http-surface.md): `POST /slack/events` (handed untouched to the Slack adapter,
// which verifies Slack's signature over the raw body), `POST /hooks/upload`, `POST /hooks/git` (git-hook-route.ts), `GET /healthz`,
// `GET /metrics` (with `Authorization: Bearer <METRICS_TOKEN>` when a token is set), and the
// deploy pages under `/deploys` (docs/deploy-page.md). Plain node:http with a small route table; `startHttpServer` /
// `stop()` so tests run a real server on port 0.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { DeploybotError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Redactor } from '../core/redactor.ts';
import type { Secret } from '../core/secret.ts';
import { createGitHookRoute, type GitHookOptions } from './git-hook-route.ts';
import { createHealthRoute, type HealthChecks } from './health-route.ts';
import type { DeployPagesRoute } from './deploy-pages-route.ts';
import { createMetricsRoute } from './metrics-route.ts';
import { sendJson } from './send-json.ts';
import { createUploadHookRoute, type UploadHookOptions } from './upload-hook-route.ts';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface HttpServerOptions {
  /** `PORT`; 0 picks a free one. */
  port: number;
  /** @defaultValue '0.0.0.0' (Slack must reach /slack/events in HTTP mode) */
  host?: string;
  logger: Logger;
  /** The Slack adapter's `requestListener` (HTTP mode); without it /slack/events answers 404. */
  slackEvents?: RouteHandler | undefined;
  /** Without it /hooks/upload answers 404. */
  uploadHook?: UploadHookOptions | undefined;
  /** Push events that queue builds ahead (git-hook-route.ts); without it /hooks/git answers 404. */
  gitHook?: GitHookOptions | undefined;
  health: HealthChecks;
  /** The registry of `createMetrics()`; without it /metrics answers 404. */
  metricsRegistry?: Registry | undefined;
  /** Redacts health errors (the process's redactor). */
  redactor?: Redactor;
  /** `METRICS_TOKEN`: when set, /metrics answers only `Authorization: Bearer <token>` (else 401). */
  metricsToken?: Secret | undefined;
  /** `/deploys…` (createDeployPagesRoute); without it they answer 404 (DEPLOYBOT_WEB_SECRET is not set). */
  deployPages?: DeployPagesRoute | undefined;
}

export interface RunningHttpServer {
  /** `http://<host>:<port>` (127.0.0.1 when listening on all interfaces). */
  url: string;
  /** The address listened on (`HOST`): '0.0.0.0' for all interfaces. */
  host: string;
  port: number;
  server: Server;
  stop(): Promise<void>;
}

interface Route {
  method: string;
  path: string;
  handler: RouteHandler | undefined;
  /** Why it answers 404 when there is no handler. */
  off: string;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const logger = options.logger.child({ component: 'http' });
  const routes: Route[] = [
    { method: 'POST', path: '/slack/events', handler: options.slackEvents, off: 'Slack HTTP mode is not configured' },
    { method: 'POST', path: '/hooks/upload', handler: options.uploadHook ? createUploadHookRoute(options.uploadHook) : undefined, off: 'the upload hook is not configured' },
    { method: 'POST', path: '/hooks/git', handler: options.gitHook ? createGitHookRoute(options.gitHook) : undefined, off: 'push events are not configured: set GIT_HOOK_SECRET' },
    { method: 'GET', path: '/healthz', handler: createHealthRoute(options.health, options.redactor), off: '' },
    { method: 'GET', path: '/metrics', handler: options.metricsRegistry ? createMetricsRoute(options.metricsRegistry, options.metricsToken) : undefined, off: 'metrics are not configured' },
  ];

  const fail = (req: IncomingMessage, res: ServerResponse, path: string, error: unknown) => {
    const ref = randomBytes(4).toString('hex');
    logger.error('request failed', { ref, method: req.method, path, error });
    if (!res.headersSent) sendJson(res, 500, { error: `internal error, ref ${ref}` });
    else res.end();
  };
  const servePages = (req: IncomingMessage, res: ServerResponse, path: string) => {
    const pages = options.deployPages;
    if (!pages) return sendJson(res, 404, { error: 'deploy pages are off: DEPLOYBOT_WEB_SECRET is not set' });
    pages.handle(req, res, path).catch((error: unknown) => fail(req, res, path, error));
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/deploys' || path.startsWith('/deploys/')) return void servePages(req, res, path);
    const route = routes.find((candidate) => candidate.path === path);
    if (!route) return sendJson(res, 404, { error: `no route for ${path}` });
    if (!route.handler) return sendJson(res, 404, { error: route.off });
    // Bolt answers other methods on /slack/events itself; ours accept only theirs.
    if (req.method !== route.method && route.path !== '/slack/events') {
      res.setHeader('allow', route.method);
      return sendJson(res, 405, { error: `use ${route.method} ${route.path}` });
    }
    Promise.resolve()
      .then(() => route.handler?.(req, res))
      .catch((error: unknown) => fail(req, res, path, error));
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  const listenHost = options.host ?? '0.0.0.0';
  server.listen(options.port, listenHost);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new DeploybotError('http_listen_failed', `cannot listen on ${listenHost}:${options.port} (${code}); check HOST and PORT`);
    }),
  ]);
  const address = server.address() as AddressInfo;
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  logger.info('http surface listening', { port: address.port, slack: Boolean(options.slackEvents), uploadHook: Boolean(options.uploadHook) });
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    host: address.address,
    port: address.port,
    server,
    async stop() {
      options.deployPages?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // In-flight requests get a moment to finish; anything still open after that is cut.
      const timer = setTimeout(() => server.closeAllConnections(), 2000);
      await closed;
      clearTimeout(timer);
    },
  };
}

// `deploybot console --http` (docs/deploy-page.md): the console also serves the HTTP surface —
// /healthz and the deploy pages — on `HOST` (default 127.0.0.1: the console is a trial tool on
// one machine) and `PORT` (default 3000). Without DEPLOYBOT_WEB_SECRET it makes one up for
// this run, so the links it prints work until it stops.
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/load-config.ts';
import type { RunningBot } from '../app/start-bot.ts';
import { DeploybotError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Redactor } from '../core/redactor.ts';
import { redisHealthCheck } from '../http/health-route.ts';
import { type RunningHttpServer, startHttpServer } from '../http/start-http-server.ts';
import { type DeployPages, deployPagesFromEnv } from './deploy-pages.ts';

/** The environment the console's pages read: DEPLOYBOT_WEB_SECRET made up when unset. */
export function consolePagesEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.DEPLOYBOT_WEB_SECRET ? env : { ...env, DEPLOYBOT_WEB_SECRET: randomBytes(24).toString('hex') };
}

export function consolePages(config: Config, env: NodeJS.ProcessEnv): DeployPages {
  return deployPagesFromEnv(config, consolePagesEnv(env));
}

export async function startConsoleHttp(options: { bot: RunningBot; config: Config; env: NodeJS.ProcessEnv; pages: DeployPages; redactor: Redactor; logger: Logger }): Promise<RunningHttpServer> {
  const { bot, env } = options;
  const rt = bot.jobs.rt;
  const usesZooKeeper = Object.values(options.config.markets).some((market) => market.zookeeper);
  const raw = env.PORT;
  const port = raw === undefined || raw === '' ? 3000 : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new DeploybotError('invalid_port', `PORT must be a port number (0–65535), not ${JSON.stringify(raw)}`);
  const http = await startHttpServer({
    port,
    host: env.HOST || '127.0.0.1',
    logger: options.logger,
    health: {
      redis: redisHealthCheck(rt.redis),
      zookeeper: usesZooKeeper
        ? async () => {
          const store = await rt.releases.checkHealth();
          if (!store.ok) throw new Error(store.error ?? 'unavailable');
        }
        : 'embedded',
    },
    redactor: options.redactor,
    deployPages: options.pages.route(bot, options.redactor, options.logger),
  });
  options.pages.listening(http.url);
  return http;
}

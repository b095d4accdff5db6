// The deploy pages' wiring (docs/deploy-page.md): on when DEPLOYBOT_WEB_SECRET is set; links
// use DEPLOYBOT_WEB_URL, else the HTTP surface's own address once it listens. The notifier
// and the command handlers get links through `links()`, which is undefined while pages are
// off or the address is not known yet.
import type { Config } from '../../config/load-config.ts';
import type { RunningBot } from '../app/start-bot.ts';
import type { Logger } from '../core/logger.ts';
import { type PageLinks, pageLinks } from '../core/page-link.ts';
import type { Redactor } from '../core/redactor.ts';
import { Secret } from '../core/secret.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { createDeployPagesRoute, type DeployPagesRoute } from '../http/deploy-pages-route.ts';
import type { DetailsUrl } from '../notify/deploy-renderer.ts';
import { DeployWatch } from '../notify/page/deploy-watch.ts';

/** A shorter secret would make the links guessable. */
const MIN_SECRET_LENGTH = 16;
/** Per project × market, the newest this many deploys feed the list and its figures. */
const HISTORY_READ = 300;

export interface DeployPages {
  /** `pages: on (…)` / `pages: off — why`. */
  status: string;
  links(): PageLinks | undefined;
  /** For the notifier: the Details link of a deploy's progress message. */
  detailsUrl: DetailsUrl;
  /** The route for the HTTP surface (undefined when pages are off). */
  route(bot: RunningBot, redactor: Redactor, logger: Logger): DeployPagesRoute | undefined;
  /** The HTTP surface listens at `url`: links use it unless DEPLOYBOT_WEB_URL says otherwise. */
  listening(url: string): void;
  stop(): Promise<void>;
}

export function deployPagesFromEnv(config: Config, env: NodeJS.ProcessEnv): DeployPages {
  const raw = env.DEPLOYBOT_WEB_SECRET ?? '';
  const off = raw === '' ? 'DEPLOYBOT_WEB_SECRET is not set' : raw.length < MIN_SECRET_LENGTH ? `DEPLOYBOT_WEB_SECRET is shorter than ${MIN_SECRET_LENGTH} characters` : undefined;
  const secret = off ? undefined : new Secret(raw, 'DEPLOYBOT_WEB_SECRET');
  const configuredUrl = env.DEPLOYBOT_WEB_URL || undefined;
  let links: PageLinks | undefined = secret && configuredUrl ? pageLinks(configuredUrl, secret) : undefined;
  let watch: DeployWatch | undefined;
  return {
    get status() {
      if (!secret) return `pages: off — ${off}`;
      return `pages: on (GET /deploys${configuredUrl ? `, links to ${configuredUrl}` : ', links to this HTTP address; set DEPLOYBOT_WEB_URL for a public one'})`;
    },
    links: () => links,
    detailsUrl: (record) => links?.deploy(record.id, new Date(record.createdAt)),
    route(bot, redactor, logger) {
      if (!secret) return undefined;
      const { rt } = bot.jobs;
      watch = new DeployWatch({ bus: rt.bus, redis: rt.redis, logger: logger.child({ component: 'deploy-pages' }) });
      return createDeployPagesRoute({
        secret,
        source: rt.bus,
        record: (id) => rt.records.get(id),
        recentDeploys: () => recentDeploys(config, (project, market) => rt.records.history(project, market, HISTORY_READ)),
        watch,
        redactor,
        people: config.people,
        logger,
      });
    },
    listening(url) {
      if (secret && !configuredUrl) links = pageLinks(url, secret);
    },
    async stop() {
      await watch?.stop();
    },
  };
}

async function recentDeploys(config: Config, history: (project: string, market: string) => Promise<DeployRecord[]>): Promise<DeployRecord[]> {
  const reads = Object.entries(config.projects).flatMap(([project, p]) => p.markets.map((market) => history(project, market)));
  return (await Promise.all(reads)).flat();
}

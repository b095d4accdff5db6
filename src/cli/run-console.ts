import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configFileFromEnv, DEFAULT_CONFIG_FILE } from '../../config/load-config.ts';
import { ConsoleAdapter } from '../adapters/console/console-adapter.ts';
import { consoleEditor } from '../adapters/console/console-editor.ts';
import { createDeployWorker } from '../../jobs/deploy-worker.ts';
import { startBot } from '../app/start-bot.ts';
import { DeploybotError } from '../core/errors.ts';
import { createLogger, parseLogLevel } from '../core/logger.ts';
import { processRedactor, warnAboutShortSecrets } from '../core/process-redactor.ts';
import { dataDirFromEnv } from '../store/open-release-store.ts';
import type { RunningHttpServer } from '../http/start-http-server.ts';
import { consolePages, startConsoleHttp } from './console-http.ts';
import { loadConfigOrReport } from './load-config-or-exit.ts';
import { projectCommands } from './project-commands.ts';

export const EXAMPLE_CONFIG_FILE = fileURLToPath(new URL('../../config/deploybot.example.yaml', import.meta.url));

/**
 * `deploybot console`: the console chat on stdin/stdout with workers in-process; with `http`
 * also the HTTP surface and the deploy pages (console-http.ts). Returns the exit code.
 */
export async function runConsole(options: { configFile?: string; user?: string; http?: boolean }): Promise<number> {
  const config = loadConfigOrReport(chooseConfigFile(options.configFile));
  if (!config) return 1;
  const redactor = processRedactor(config);
  const logger = createLogger({ level: parseLogLevel(process.env.LOG_LEVEL, 'warn'), redactor });
  warnAboutShortSecrets(redactor, logger);
  let adapter: ConsoleAdapter;
  try {
    adapter = new ConsoleAdapter({
      input: process.stdin,
      output: process.stdout,
      user: options.user ?? process.env.DEPLOYBOT_USER ?? 'console',
      echo: !process.stdin.isTTY,
      prompt: process.stdin.isTTY === true,
    });
  } catch (error) {
    process.stderr.write(`deploybot console: ${(error as Error).message}\n`);
    return 2;
  }
  const pages = options.http ? consolePages(config, process.env) : undefined;
  let bot;
  try {
    bot = await startBot({
      config,
      commands: projectCommands(),
      dataDir: dataDirFromEnv(),
      logger,
      messengers: { console: adapter.messenger },
      editorFor: consoleEditor,
      workers: (rt) => createDeployWorker(rt),
      redactor,
      ...(pages ? { notifier: { detailsUrl: pages.detailsUrl }, pageLinks: pages.links } : {}),
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
      ...(process.env.DEPLOYBOT_REDIS_PREFIX ? { prefix: process.env.DEPLOYBOT_REDIS_PREFIX } : {}),
    });
  } catch (error) {
    if (!(error instanceof DeploybotError)) throw error;
    process.stderr.write(`deploybot console: ${error.message}\n`);
    return 1;
  }
  let http: RunningHttpServer | undefined;
  try {
    if (pages) {
      http = await startConsoleHttp({ bot, config, env: process.env, pages, redactor, logger });
      process.stderr.write(`deploybot console: http on ${http.url} (/healthz); deploy pages: ${pages.links()?.index() ?? 'off'}\n`);
    }
    await adapter.start(bot.router);
    await adapter.finished;
  } catch (error) {
    if (!(error instanceof DeploybotError)) throw error;
    process.stderr.write(`deploybot console: ${error.message}\n`);
    return 1;
  } finally {
    await http?.stop();
    await pages?.stop();
    await bot.stop();
  }
  return 0;
}

/**
 * The console is a trial tool: with no config of one's own (no --config, no
 * DEPLOYBOT_CONFIG, no config/deploybot.yaml) it runs on the example config and says so.
 * `serve` and `worker` never fall back.
 */
function chooseConfigFile(explicit: string | undefined): string {
  if (explicit) return explicit;
  const file = configFileFromEnv();
  if (file === DEFAULT_CONFIG_FILE && !existsSync(file) && existsSync(EXAMPLE_CONFIG_FILE)) {
    process.stderr.write(`deploybot: no ${DEFAULT_CONFIG_FILE}; using ${EXAMPLE_CONFIG_FILE}\n`);
    return EXAMPLE_CONFIG_FILE;
  }
  return file;
}

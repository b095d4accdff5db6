import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG_FILE, configFileFromEnv, loadConfig } from '../../config/load-config.ts';
import { ConsoleAdapter } from '../adapters/console/console-adapter.ts';
import { createCommandRouter } from '../core/command-router.ts';
import { createLogger, parseLogLevel } from '../core/logger.ts';

export const EXAMPLE_CONFIG_FILE = fileURLToPath(new URL('../../config/deploybot.example.yaml', import.meta.url));

/** `deploybot console`: the console chat on stdin/stdout. Returns the exit code. */
export async function runConsole(options: { configFile?: string; user?: string }): Promise<number> {
  const file = chooseConfigFile(options.configFile);
  const loaded = loadConfig(file);
  if (!loaded.ok) {
    process.stderr.write(`deploybot: ${file} is not valid:\n${loaded.problems.join('\n')}\n`);
    return 1;
  }
  const config = loaded.config;
  const logger = createLogger({ level: parseLogLevel(process.env.LOG_LEVEL, 'warn'), secrets: () => Object.values(config.keys) });
  const adapter = new ConsoleAdapter({
    input: process.stdin,
    output: process.stdout,
    user: options.user ?? process.env.DEPLOYBOT_USER ?? 'console',
    echo: !process.stdin.isTTY,
  });
  await adapter.start(createCommandRouter({ config, handlers: {}, logger }));
  await adapter.finished;
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

import { loadConfig, type Config } from '../../config/load-config.ts';

/** Loads the config (its warnings go to stderr), or prints every problem and returns undefined (the bot never starts half-configured). */
export function loadConfigOrReport(file: string): Config | undefined {
  const loaded = loadConfig(file);
  if (loaded.ok) {
    for (const warning of loaded.warnings) process.stderr.write(`deploybot: warning: ${warning}\n`);
    return loaded.config;
  }
  process.stderr.write(`deploybot: ${file} is not valid:\n${loaded.problems.join('\n')}\n`);
  return undefined;
}

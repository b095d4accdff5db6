import { configFileFromEnv, loadConfig, summarizeConfig } from '../../config/load-config.ts';

/**
 * `deploybot config check [file]`: exit 0 with a one-line summary (then, if any, `N warning(s):`
 * and one line per warning), or 1 with every problem.
 */
export function runConfigCheck(file: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const result = loadConfig(file ?? configFileFromEnv(env), env);
  if (result.ok) {
    process.stdout.write(`${summarizeConfig(result.config)}\n`);
    if (result.warnings.length > 0) {
      process.stdout.write(`${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}:\n`);
      for (const warning of result.warnings) process.stdout.write(`${warning}\n`);
    }
    return 0;
  }
  process.stdout.write(`${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${file ?? configFileFromEnv(env)}:\n`);
  for (const problem of result.problems) process.stdout.write(`${problem}\n`);
  return 1;
}

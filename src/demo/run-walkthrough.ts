// Plays the walkthrough through a real ConsoleAdapter and the running bot, printing the
// transcript as it goes; returns the exit code (0 only if every step behaved).
import { projectCommands } from '../cli/project-commands.ts';
import { PassThrough, Writable } from 'node:stream';
import { ConsoleAdapter } from '../adapters/console/console-adapter.ts';
import { consoleEditor } from '../adapters/console/console-editor.ts';
import { createDeployWorker } from '../../jobs/deploy-worker.ts';
import { startBot } from '../app/start-bot.ts';
import { type Config } from '../../config/load-config.ts';
import { createLogger, parseLogLevel } from '../core/logger.ts';
import { processRedactor } from '../core/process-redactor.ts';
import type { WalkthroughStep } from './walkthrough.ts';

export async function runWalkthrough(config: Config, dataDir: string, steps: readonly WalkthroughStep[]): Promise<number> {
  let transcript = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      transcript += chunk.toString();
      process.stdout.write(chunk);
      done();
    },
  });
  const adapter = new ConsoleAdapter({ input: new PassThrough(), output, user: 'alice', echo: true });
  const redactor = processRedactor(config);
  const logger = createLogger({ level: parseLogLevel(process.env.LOG_LEVEL, 'warn'), redactor });
  const bot = await startBot({ config, commands: projectCommands(), dataDir, logger, redactor, messengers: { console: adapter.messenger }, editorFor: consoleEditor, workers: (rt) => createDeployWorker(rt), ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}), ...(process.env.DEPLOYBOT_REDIS_PREFIX ? { prefix: process.env.DEPLOYBOT_REDIS_PREFIX } : {}) });
  const captured: Record<string, string> = {};
  let failed: string | undefined;
  try {
    await adapter.start(bot.router, { readInput: false });
    for (const [index, step] of steps.entries()) {
      process.stdout.write(`\n── step ${index + 1}/${steps.length}: ${step.title}\n`);
      step.before?.();
      const from = transcript.length;
      if (adapter.userName !== step.user) await adapter.submit(`as ${step.user}`);
      await adapter.submit(step.line.replace(/\{(\w+)\}/g, (_, name: string) => captured[name] ?? `{${name}}`));
      if (step.wait) await adapter.submit('wait');
      const seen = transcript.slice(from);
      const missing = (step.expect ?? []).filter((pattern) => !pattern.test(seen));
      if (step.capture) {
        const match = step.capture.pattern.exec(seen);
        if (match?.[1]) captured[step.capture.name] = match[1];
        else missing.push(step.capture.pattern);
      }
      if (missing.length > 0) {
        failed = `step ${index + 1} (${step.title}) did not show ${missing.map(String).join(', ')}`;
        break;
      }
    }
  } finally {
    await adapter.waitForJobs();
    await bot.stop();
  }
  process.stdout.write(failed ? `\n✗ walkthrough failed: ${failed}\n` : `\n✓ walkthrough: all ${steps.length} steps behaved\n`);
  return failed ? 1 : 0;
}

// `deploybot` command line (docs/reference/command-line.md): wiring only; each subcommand lives in its own file.
import { runConfigCheck } from './config-check.ts';
import { runConsole } from './run-console.ts';
import { runServe } from './run-serve.ts';
import { runWorker } from './run-worker.ts';
import { parseCliArgs } from './parse-cli-args.ts';
import { readFileSync } from 'node:fs';

const USAGE = `usage: deploybot <command>

  serve [--no-workers]       chat adapters, HTTP surface and workers
  worker                     workers only
  console [--user ID]        the console chat on stdin/stdout, with workers in-process
          [--http]           … and the HTTP surface with the deploy pages on PORT
  config check [file]        validate a config file

Options: --config FILE (default: $DEPLOYBOT_CONFIG or config/deploybot.yaml)
         -h, --help   this text      --version   the version
Docs: docs/getting-started.md, docs/operations.md, docs/commands.md`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    process.stderr.write(`deploybot: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.options.version) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`deploybot ${pkg.version}\n`);
    return 0;
  }
  if (args.options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, sub] = args.positionals;
  switch (command) {
    case 'config':
      if (sub === 'check' && args.positionals.length <= 3) return runConfigCheck(args.positionals[2] ?? args.options.config);
      break;
    case 'console':
      if (args.positionals.length === 1) return runConsole({ configFile: args.options.config, user: args.options.user, ...(args.options.http ? { http: true } : {}) });
      break;
    case 'worker':
      // a worker ends when told to; nothing it leaves open (ssh, ZooKeeper sessions) may keep it alive
      if (args.positionals.length === 1) process.exit(await runWorker({ configFile: args.options.config }));
      break;
    case 'serve':
      // like worker: once stopped, nothing left open (ssh, ZooKeeper sessions, sockets) may keep it alive
      if (args.positionals.length === 1) process.exit(await runServe({ configFile: args.options.config, workers: !args.options['no-workers'] }));
      break;
    case undefined:
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
  }
  process.stderr.write(`deploybot: unknown command "${args.positionals.join(' ')}"\n${USAGE}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));

// `npm run demo`: the console chat on the example config (SPEC §10). Later it also starts
// a local Redis, the embedded release store and a sample service to deploy.
import { runConsole, EXAMPLE_CONFIG_FILE } from './run-console.ts';

process.exitCode = await runConsole({ configFile: process.env.DEPLOYBOT_CONFIG ?? EXAMPLE_CONFIG_FILE, user: process.env.DEPLOYBOT_USER ?? 'alice' });

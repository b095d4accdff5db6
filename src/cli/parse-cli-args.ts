import { parseArgs } from 'node:util';

export interface CliArgs {
  positionals: string[];
  options: { config?: string; user?: string; 'no-workers'?: boolean; script?: boolean; help?: boolean; version?: boolean; http?: boolean };
}

/** Parses the bin's arguments; unknown options are an error (thrown as a message for main). */
export function parseCliArgs(argv: string[]): CliArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      user: { type: 'string' },
      'no-workers': { type: 'boolean' },
      script: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      http: { type: 'boolean' },
    },
  });
  return { positionals, options: values };
}

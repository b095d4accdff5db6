// Quoting for POSIX shells. Every remote command the engine sends is built from an argv with
// `shellCommand`, so a value (a version, a path, a ref) is always one literal word and never
// shell syntax. Fixed scripts take their values as positional parameters ("$1") instead of
// having them spliced in.

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word that the shell turns back into exactly `value`. */
export function quoteShellArg(value: string): string {
  if (value !== '' && PLAIN.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A command line whose words are exactly `argv`. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(quoteShellArg).join(' ');
}

/** argv for `sh -c <script>` with positional parameters: `$1`… are `args`. */
export function shScript(script: string, ...args: string[]): string[] {
  return ['sh', '-c', script, 'sh', ...args];
}

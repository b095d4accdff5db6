// The value of `--hosts h1,h2`: host names of the target location (docs/reference/command-grammar.md: a host
// outside it is refused at once, by name). Names are exact; a repeated name is refused.
import type { Config } from '../../config/load-config.ts';
import { listNames, quoteWord } from './quote-word.ts';
import type { TargetLocation } from './target-location.ts';

export type HostsCheck = { ok: true; hosts: string[] } | { ok: false; error: string };

export function validateHosts(raw: string, location: TargetLocation, market: string, config: Config): HostsCheck {
  const names = raw.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) return { ok: false, error: `--hosts ${quoteWord(raw)} has an empty host name; write --hosts h1,h2` };
  const where = `${location.role} location of ${quoteWord(market)} (${quoteWord(location.name)}: ${listNames(location.hosts)})`;
  const isNot = (name: string) =>
    Object.hasOwn(config.hosts, name) ? `host ${quoteWord(name)} is not in the ${where}` : `unknown host ${quoteWord(name)}; hosts of the ${where}`;
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return { ok: false, error: `host ${quoteWord(name)} is named twice in --hosts` };
    seen.add(name);
    if (location.hosts.includes(name)) continue;
    return { ok: false, error: isNot(name) };
  }
  return { ok: true, hosts: names };
}

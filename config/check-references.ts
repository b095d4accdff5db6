// Cross-reference checks the schema cannot express: names used in one section must be
// declared in another; an unknown name gets the nearest declared one as a suggestion. Names
// the schema check took out (parse-what-can.ts) still count as declared. Pure: takes the
// parsed config, returns every problem found.
import { didYouMean } from '../src/domain/closest-names.ts';
import type { ConfigProblem } from './format-issues.ts';
import type { EntitySection, RemovedNames } from './parse-what-can.ts';
import type { HookSpec, RawConfig } from './schema.ts';

export function checkReferences(config: RawConfig, removed: RemovedNames = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const hostNames = new Set(Object.keys(config.hosts));
  const marketNames = new Set(Object.keys(config.markets));
  const projectNames = new Set(Object.keys(config.projects));
  const declared = (section: EntitySection, names: Set<string>, name: string) => {
    const gone = removed[section];
    return names.has(name) || gone === 'all' || (gone !== undefined && gone.has(name));
  };
  const unknown = (what: string, name: string, names: Iterable<string>, section: EntitySection) => {
    const gone = removed[section];
    return `unknown ${what} "${name}"${didYouMean(name, [...names, ...(gone === 'all' || gone === undefined ? [] : gone)])}`;
  };
  const keyNames = new Set(Object.keys(config.keys));
  const templateNames = new Set(Object.keys(config.hookTemplates));

  for (const [hostName, host] of Object.entries(config.hosts)) {
    if ('key' in host && !declared('keys', keyNames, host.key)) add(`hosts.${hostName}.key`, unknown('key', host.key, keyNames, 'keys'));
  }

  for (const [marketName, market] of Object.entries(config.markets)) {
    const base = `markets.${marketName}`;
    if (typeof market.approval === 'object') {
      reportDuplicates(market.approval.approvers, `${base}.approval.approvers`, 'approver', add);
      if (market.approval.required > market.approval.approvers.length) {
        add(`${base}.approval.required`, `needs ${market.approval.required} approvals but only ${market.approval.approvers.length} approver(s) are listed`);
      }
    }
    market.requiresPassIn.forEach((other, i) => {
      if (!declared('markets', marketNames, other)) add(`${base}.requiresPassIn.${i}`, unknown('market', other, marketNames, 'markets'));
      else if (other === marketName) add(`${base}.requiresPassIn.${i}`, 'a market cannot require a pass in itself');
    });
    reportDuplicates(market.requiresPassIn, `${base}.requiresPassIn`, 'market', add);
    if (market.platforms) reportDuplicates(market.platforms, `${base}.platforms`, 'platform', add);

    const locations = Object.entries(market.locations);
    const production = locations.filter(([, location]) => location.role === 'production');
    if (production.length !== 1) {
      add(`${base}.locations`, `needs exactly one location with role production, found ${production.length}${production.length ? ` (${production.map(([n]) => n).join(', ')})` : ''}`);
    }
    for (const [locationName, location] of locations) {
      const at = `${base}.locations.${locationName}`;
      location.hosts.forEach((host, i) => {
        if (!declared('hosts', hostNames, host)) add(`${at}.hosts.${i}`, unknown('host', host, hostNames, 'hosts'));
      });
      reportDuplicates(location.hosts, `${at}.hosts`, 'host', add);
      location.grayHosts.forEach((host, i) => {
        if (!declared('hosts', hostNames, host)) add(`${at}.grayHosts.${i}`, unknown('host', host, hostNames, 'hosts'));
        else if (!location.hosts.includes(host)) add(`${at}.grayHosts.${i}`, `"${host}" is not one of this location's hosts`);
      });
      reportDuplicates(location.grayHosts, `${at}.grayHosts`, 'host', add);
      if (location.role === 'review' && location.grayHosts.length > 0) add(`${at}.grayHosts`, 'a review location cannot have gray hosts');
      if (location.platforms && location.role !== 'review') add(`${at}.platforms`, 'only a review location names platforms; deploys name them with --platforms');
      else location.platforms?.forEach((platform, i) => {
        if (!market.platforms) add(`${at}.platforms.${i}`, `the market has no platforms; "${platform}" needs markets.${marketName}.platforms`);
        else if (!market.platforms.includes(platform)) add(`${at}.platforms.${i}`, `unknown platform "${platform}" (the market's: ${market.platforms.join(', ')})`);
      });
      if (location.platforms) reportDuplicates(location.platforms, `${at}.platforms`, 'platform', add);
      if (location.relay !== undefined && location.admin === undefined) add(`${at}.relay`, 'relay settings need an admin host');
      if (location.admin !== undefined) {
        if (!declared('hosts', hostNames, location.admin)) add(`${at}.admin`, unknown('host', location.admin, hostNames, 'hosts'));
        else if (location.hosts.includes(location.admin)) add(`${at}.admin`, `"${location.admin}" relays to the cluster and cannot also be one of its hosts`);
      }
    }
  }

  for (const [projectName, project] of Object.entries(config.projects)) {
    const base = `projects.${projectName}`;
    project.markets.forEach((market, i) => {
      if (!declared('markets', marketNames, market)) add(`${base}.markets.${i}`, unknown('market', market, marketNames, 'markets'));
    });
    reportDuplicates(project.markets, `${base}.markets`, 'market', add);
    for (const [point, hook] of Object.entries(project.hooks) as [string, HookSpec | undefined][]) {
      if (hook && typeof hook === 'object' && !declared('hookTemplates', templateNames, hook.template)) {
        add(`${base}.hooks.${point}.template`, unknown('hook template', hook.template, templateNames, 'hookTemplates'));
      }
    }
    if (project.build.output !== undefined && (project.build.output.startsWith('/') || project.build.output.split('/').includes('..'))) {
      add(`${base}.build.output`, 'must be a path inside the repository');
    }
    const releasesDir = project.releasesDir.replace(/\/+$/, '');
    const path = project.path.replace(/\/+$/, '');
    if (path === releasesDir) add(`${base}.path`, 'must not be releasesDir itself (the symlink would replace the releases; write e.g. path: /data/prod/<project>)');
    else if (path.startsWith(`${releasesDir}/`)) add(`${base}.path`, 'must not be inside releasesDir (prune would treat it as a release)');
  }

  for (const [projectName, perMarket] of Object.entries(config.chat.channels)) {
    if (!declared('projects', projectNames, projectName)) {
      add(`chat.channels.${projectName}`, unknown('project', projectName, projectNames, 'projects'));
      continue;
    }
    for (const marketName of Object.keys(perMarket)) {
      if (!declared('markets', marketNames, marketName)) add(`chat.channels.${projectName}.${marketName}`, unknown('market', marketName, marketNames, 'markets'));
    }
  }
  return problems;
}

function reportDuplicates(items: readonly string[], path: string, what: string, add: (path: string, message: string) => void): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item)) add(`${path}.${i}`, `duplicate ${what} "${item}"`);
    seen.add(item);
  });
}

// The registry this project's machines reach has no darwin/win32/linux-arm builds of
// @msgpackr-extract (an optional dependency of bullmq's msgpackr), so `npm install` leaves
// them out of package-lock.json and `npm ci` then refuses the lock as out of sync. This adds
// the missing optional entries (npm ci skips them on other platforms). Run it after any
// `npm install` that rewrites the lock: `node scripts/lockfile-platform-entries.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const parent = lock.packages['node_modules/msgpackr-extract'];
let added = 0;
for (const [name, version] of Object.entries(parent?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const [, os, cpu] = /msgpackr-extract-(\w+)-(\w+)$/.exec(name) ?? [];
  lock.packages[key] = { version, cpu: [cpu], os: [os], license: 'MIT', optional: true };
  added += 1;
}
if (added > 0) writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entr${added === 1 ? 'y' : 'ies'} added`);

// scripts/install-services.sh as the demo uses it: given packages, it considers only those
// (the demo, run as root without Redis, installs Redis alone — not ZooKeeper, a JRE, OpenSSH);
// `--dry-run` says what it would install and changes nothing.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_PACKAGES } from '../../src/demo/ensure-redis-installed.ts';

const SCRIPT = join(import.meta.dirname, '../../scripts/install-services.sh');
const dryRun = (...packages: string[]) => spawnSync('bash', [SCRIPT, '--dry-run', ...packages], { encoding: 'utf8' });

describe('install-services.sh', () => {
  it('when the demo asks for what it needs, then that is Redis alone', () => {
    expect(DEMO_PACKAGES).toEqual(['redis-server']);
    const result = dryRun(...DEMO_PACKAGES);
    expect({ status: result.status, stdout: result.stdout.trim() }).toEqual({ status: 0, stdout: 'install-services: all present (redis-server)' });
  });

  it('when packages are named, then only the missing ones among them would be installed', () => {
    const result = dryRun('redis-server', 'deploybot-no-such-package');
    expect({ status: result.status, stdout: result.stdout.trim() }).toEqual({ status: 0, stdout: 'install-services: would install deploybot-no-such-package' });
  });

  it('when no package is named, then it covers every service the tests use', () => {
    expect(dryRun().stdout).toMatch(/redis-server zookeeper openssh-server openssh-client bubblewrap chromium systemd/);
  });
});

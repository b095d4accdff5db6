// The shipped systemd units (deploy/systemd/*.service) as an operator installs them:
// `systemd-analyze verify` accepts them without a warning, no value carries a trailing comment
// (systemd reads `EnvironmentFile=/x  # note` as the path "/x  # note"), and TimeoutStopSec
// leaves a deploy time for its longest hook (the default hookTimeout of the example config)
// plus a margin. docs/operations.md ("systemd") explains the lines.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { parseDuration } from '../../config/parse-duration.ts';

const UNITS = join(import.meta.dirname, '../../deploy/systemd');
const files = readdirSync(UNITS).filter((name) => name.endsWith('.service')).sort();
/** Time for the switch, the release record and the last chat edits after the last hook. */
const MARGIN_MS = 60_000;

function directives(file: string): Array<{ key: string; value: string; line: number }> {
  return readFileSync(join(UNITS, file), 'utf8').split('\n').flatMap((text, index) => {
    const match = /^([A-Za-z]+)=(.*)$/.exec(text);
    return match ? [{ key: match[1]!, value: match[2]!, line: index + 1 }] : [];
  });
}

describe('deploy/systemd units', () => {
  it('ships a unit for serve and one for more workers', () => {
    expect(files).toEqual(['deploybot-worker@.service', 'deploybot.service']);
    expect(directives('deploybot.service').find((d) => d.key === 'ExecStart')?.value).toMatch(/ serve$/);
    expect(directives('deploybot-worker@.service').find((d) => d.key === 'ExecStart')?.value).toMatch(/ worker$/);
  });

  it('when systemd-analyze verifies them, then it accepts them without a warning', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'deploybot-units-'));
    try {
      const result = spawnSync('systemd-analyze', ['verify', ...files.map((file) => join(UNITS, file))], { cwd, encoding: 'utf8' });
      expect(result.error, 'systemd-analyze (package systemd; scripts/install-services.sh installs it)').toBeUndefined();
      expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: '' });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('no value has a trailing comment: systemd would read it as part of the value', () => {
    for (const file of files) {
      for (const d of directives(file)) expect(`${file}:${d.line} ${d.key}=${d.value}`).not.toMatch(/[#;]/);
    }
  });

  it('TimeoutStopSec covers the longest hook timeout of the example config (defaults included) plus a margin', () => {
    const example = loadConfig(join(import.meta.dirname, '../../config/deploybot.example.yaml'), { ...process.env });
    if (!example.ok) throw new Error(example.problems.join('\n'));
    const longestHook = Math.max(...Object.values(example.config.projects).map((project) => project.hookTimeout));
    expect(longestHook).toBeGreaterThanOrEqual(300_000);
    for (const file of files) {
      const stop = directives(file).find((d) => d.key === 'TimeoutStopSec');
      expect(stop, `${file} sets TimeoutStopSec`).toBeDefined();
      expect(parseDuration(stop!.value)).toBeGreaterThanOrEqual(longestHook + MARGIN_MS);
    }
  });
});

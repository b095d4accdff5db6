import { spawn } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUploadNotice } from '../../src/http/upload-notice.ts';
import { checkHealth } from '../../src/http/health-route.ts';
import { formatDuration } from '../../src/domain/format-duration.ts';
import { formatDecimalSize } from '../../src/domain/format-size.ts';
import { minimalEnvironment } from '../../src/services/minimal-environment.ts';
import { isProcessAlive } from '../../src/services/process-alive.ts';
import { withTimeout } from '../../src/services/with-timeout.ts';
import { waitUntil } from '../../src/services/wait-until.ts';

describe('one duration formatter', () => {
  it.each([
    [0, '0 ms'], [200, '200 ms'], [1000, '1 s'], [1500, '1.5 s'], [2000, '2 s'], [9_950, '9.9 s'],
    [12_345, '12 s'], [65_000, '1 min 5 s'], [3_723_000, '1 h 2 min'],
  ])('when %i ms is shown, then it reads %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('when a duration under a minute is shown, then it reads in ms or s within half a second of it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 59_499 }), (ms) => {
      const text = formatDuration(ms);
      expect(text).toMatch(/^\d+(\.\d)? (ms|s)$/);
      const value = Number(text.split(' ')[0]) * (text.endsWith(' ms') ? 1 : 1000);
      expect(Math.abs(value - ms)).toBeLessThanOrEqual(500);
    }));
  });

  it('when a piece of work times out, then withTimeout says so with the same formatter, and the health check uses it', async () => {
    await expect(withTimeout(new Promise(() => undefined), 1500, 'the test work')).rejects.toThrow('the test work timed out after 1.5 s');
    const report = await checkHealth({ redis: async () => 'PONG', zookeeper: () => new Promise(() => undefined), timeoutMs: 50 });
    expect(report).toEqual({ ok: false, redis: 'ok', zookeeper: 'the check timed out after 50 ms' });
  });
});

describe('one size formatter', () => {
  it('when an upload notice names a size, then it reads like every other size', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5_000_000_000 }), (bytes) => {
      const notice = formatUploadNotice({ project: 'p', platform: 'android', file: 'f', size: bytes, fromVersion: 'a', toVersion: 'b' });
      expect(notice).toBe(`p android: a → b, ${formatDecimalSize(bytes)}`);
    }));
    expect(formatDecimalSize(12_000)).toBe('12.0 kB');
  });
});

describe('one minimal environment and one processAlive', () => {
  it('when a program gets the minimal environment, then it holds PATH, HOME and LANG only', () => {
    expect(Object.keys(minimalEnvironment({ PATH: '/bin', HOME: '/h', LANG: 'C', SLACK_TOKEN: 'xoxb-secret' })).sort()).toEqual(['HOME', 'LANG', 'PATH']);
  });

  it('when a child exits, then it is not alive; while it runs, it is', async () => {
    const child = spawn('sleep', ['30']);
    const pid = child.pid!;
    expect(isProcessAlive(pid)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await waitUntil(() => !isProcessAlive(pid), { what: `pid ${pid} to be gone`, timeoutMs: 5000 });
    expect(isProcessAlive(pid)).toBe(false);
  });
});

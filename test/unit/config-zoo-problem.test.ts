// config.zoo from the repository (docs/configuration.md, "Files from the repository"): the pure
// content rules, and the reader that never follows a symlink nor reads past the limit.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfigZooFile } from '../../src/deploy/build/read-config-zoo-file.ts';
import { CONFIG_ZOO_MAX_BYTES, CONFIG_ZOO_MAX_KEYS, parseConfigZoo, zookeeperNodeNameProblem } from '../../src/domain/config-zoo-problem.ts';

/** A name ZooKeeper takes as one node: printable, no "/", not "." or "..". */
const nodeName = fc.string({ unit: fc.constantFrom(...'abcXYZ019._-~:@ é'), minLength: 1, maxLength: 60 }).filter((n) => n !== '.' && n !== '..' && !['versions', 'servers', 'current'].includes(n));

describe('config.zoo content', () => {
  it('when every key is a node name and there are at most 100, then the object is taken as it is', () => {
    fc.assert(fc.property(fc.dictionary(nodeName, fc.jsonValue(), { maxKeys: CONFIG_ZOO_MAX_KEYS }), (object) => {
      const outcome = parseConfigZoo(JSON.stringify(object));
      return outcome.ok && JSON.stringify(outcome.value) === JSON.stringify(object);
    }));
  });

  it('when any key holds "/", NUL, a control character, is "." or "..", empty, or over 255 characters, then that key is named', () => {
    fc.assert(fc.property(nodeName, nodeName, fc.constantFrom('/', '\u0000', '\u0007', '\u007f'), (before, after, bad) => {
      const key = `${before}${bad}${after}`;
      const outcome = parseConfigZoo(JSON.stringify({ ok: 1, [key]: 2 }));
      return !outcome.ok && outcome.problem.includes(JSON.stringify(key).slice(0, 20));
    }));
    for (const key of ['.', '..', '', 'x'.repeat(256), 'current', 'platforms']) {
      const outcome = parseConfigZoo(JSON.stringify({ [key]: 1 }));
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.problem).toContain(`key ${JSON.stringify(key.slice(0, 80))}`);
    }
    expect(zookeeperNodeNameProblem('x'.repeat(255))).toBeUndefined();
    expect(zookeeperNodeNameProblem('a/b')).toBe('contains "/"');
  });

  it('when there are 101 keys, more than 1 MB, or no JSON object, then the limit or the shape is named', () => {
    const many = Object.fromEntries(Array.from({ length: CONFIG_ZOO_MAX_KEYS + 1 }, (_, i) => [`k${i}`, i]));
    expect(parseConfigZoo(JSON.stringify(many))).toEqual({ ok: false, problem: 'has 101 keys, more than the limit of 100' });
    expect(parseConfigZoo('{}', CONFIG_ZOO_MAX_BYTES + 1)).toMatchObject({ ok: false, problem: expect.stringContaining('larger than the limit of 1 MB') });
    expect(parseConfigZoo(JSON.stringify({ a: 'é'.repeat(CONFIG_ZOO_MAX_BYTES / 2) }))).toMatchObject({ ok: false, problem: expect.stringContaining('1 MB') });
    for (const text of ['[1]', '"x"', 'null', '{', '']) expect(parseConfigZoo(text).ok).toBe(false);
  });
});

describe('reading config.zoo from a checkout', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const checkout = () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploybot-zoo-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'deploy'));
    return dir;
  };

  it('when the file is a regular JSON object, then its bytes and value come back; no file is no config', async () => {
    const dir = checkout();
    writeFileSync(join(dir, 'deploy', 'config.zoo'), '{"global_url":"https://x/"}');
    expect(await readConfigZooFile(dir, 'config.zoo')).toEqual({ content: Buffer.from('{"global_url":"https://x/"}'), value: { global_url: 'https://x/' } });
    expect(await readConfigZooFile(dir, 'production.config.zoo')).toBeUndefined();
    expect(await readConfigZooFile(mkdtempSync(join(tmpdir(), 'deploybot-zoo-none-')), 'config.zoo')).toBeUndefined();
  });

  it('when the file is a symlink — even to a good file — or deploy/ is one, then it is refused naming it', async () => {
    const outside = checkout();
    writeFileSync(join(outside, 'deploy', 'config.zoo'), '{"a":1}');
    const linked = checkout();
    symlinkSync(join(outside, 'deploy', 'config.zoo'), join(linked, 'deploy', 'config.zoo'));
    await expect(readConfigZooFile(linked, 'config.zoo')).rejects.toThrow(/^deploy\/config\.zoo is a symlink/);
    const dirLinked = mkdtempSync(join(tmpdir(), 'deploybot-zoo-'));
    dirs.push(dirLinked);
    symlinkSync(join(outside, 'deploy'), join(dirLinked, 'deploy'));
    await expect(readConfigZooFile(dirLinked, 'config.zoo')).rejects.toThrow(/^deploy\/ is a symlink/);
  });

  it('when the file is a fifo or a directory, then it is refused at once', async () => {
    const dir = checkout();
    execFileSync('mkfifo', [join(dir, 'deploy', 'config.zoo')]);
    await expect(readConfigZooFile(dir, 'config.zoo')).rejects.toThrow(/not a regular file/);
    mkdirSync(join(dir, 'deploy', 'gray.config.zoo'));
    await expect(readConfigZooFile(dir, 'gray.config.zoo')).rejects.toThrow(/not a regular file/);
  });

  it('when the file is over 1 MB, then it is refused by its size', async () => {
    const dir = checkout();
    writeFileSync(join(dir, 'deploy', 'config.zoo'), `{"a":"${'x'.repeat(CONFIG_ZOO_MAX_BYTES)}"}`);
    await expect(readConfigZooFile(dir, 'config.zoo')).rejects.toThrow(/larger than the limit of 1 MB/);
  });
});

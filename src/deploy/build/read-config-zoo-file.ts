// Reads `deploy/<name>` of a checkout the repository (and its build command) controlled:
// never through a symlink (neither `deploy/` nor the file may be one), never a device or
// fifo, never more than the limit. The content rules are src/domain/config-zoo-problem.ts.
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { DeploybotError } from '../../core/errors.ts';
import { CONFIG_ZOO_MAX_BYTES, parseConfigZoo } from '../../domain/config-zoo-problem.ts';

export interface ConfigZooFile {
  /** The bytes as read (what the package carries). */
  content: Buffer;
  value: Record<string, unknown>;
}

function badConfigZoo(file: string, problem: string): DeploybotError {
  return new DeploybotError('bad_config_zoo', `${file} ${problem}; nothing was distributed (docs/configuration.md, "Files from the repository")`, { file });
}

/** The file `deploy/<name>` under `checkout`, checked; undefined when there is none. */
export async function readConfigZooFile(checkout: string, name: string): Promise<ConfigZooFile | undefined> {
  const file = `deploy/${name}`;
  const dir = await lstat(join(checkout, 'deploy')).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (!dir) return undefined;
  if (dir.isSymbolicLink()) throw badConfigZoo('deploy/', 'is a symlink; config.zoo files must be regular files in the repository');
  if (!dir.isDirectory()) return undefined;

  let handle;
  try {
    // O_NONBLOCK: opening a fifo must not wait for a writer; fstat below refuses it
    handle = await open(join(checkout, file), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw badConfigZoo(file, 'is a symlink; it must be a regular file');
    throw badConfigZoo(file, `cannot be opened (${code ?? 'error'})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw badConfigZoo(file, 'is not a regular file (a device, fifo, socket or directory)');
    if (info.size > CONFIG_ZOO_MAX_BYTES) throw badConfigZoo(file, `is larger than the limit of 1 MB (${CONFIG_ZOO_MAX_BYTES} bytes)`);
    // read at most one byte past the limit, whatever the size said (the file may grow meanwhile)
    const buffer = Buffer.alloc(CONFIG_ZOO_MAX_BYTES + 1);
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, bytes, buffer.length - bytes, bytes);
      if (bytesRead === 0 || bytes + bytesRead >= buffer.length) {
        bytes += bytesRead;
        break;
      }
      bytes += bytesRead;
    }
    const content = buffer.subarray(0, bytes);
    const parsed = parseConfigZoo(content.toString('utf8'), bytes);
    if (!parsed.ok) throw badConfigZoo(file, parsed.problem);
    return { content, value: parsed.value };
  } finally {
    await handle.close();
  }
}

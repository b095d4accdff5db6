// A checkpoint kept in one JSON file, replaced atomically on every write: survives a killed
// process on the same machine (the demo, and the engine's own kill tests). The jobs layer
// uses Redis instead.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DeployCheckpoint } from './deploy-checkpoint.ts';

export class FileCheckpoint implements DeployCheckpoint {
  constructor(readonly file: string) {}

  async get(key: string): Promise<unknown | undefined> {
    return this.#read()[key];
  }

  async set(key: string, value: unknown): Promise<void> {
    const all = this.#read();
    all[key] = value;
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(all));
    renameSync(temp, this.file);
  }

  #read(): Record<string, unknown> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }
}

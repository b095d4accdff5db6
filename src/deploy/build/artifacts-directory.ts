// Where builds and packages live (docs/configuration.md `artifacts`): `artifacts.dir` when
// set — a directory several workers may share, e.g. over NFS — else the data directory.
import type { Config } from '../../../config/load-config.ts';

export function artifactsDirectory(config: Pick<Config, 'artifacts'>, dataDir: string): string {
  return config.artifacts?.dir ?? dataDir;
}

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DeploybotError } from '../core/errors.ts';

const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * The absolute path of an executable (searched in PATH and the usual system dirs), or a
 * `service_missing` error that names the Debian package and how to install it.
 */
export function requireBinary(name: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw missing(name, debianPackage);
}

/** Like requireBinary for a plain file (a jar, a config dir). */
export function requireFile(path: string, debianPackage: string): string {
  try {
    accessSync(path, constants.R_OK);
    return path;
  } catch {
    throw missing(path, debianPackage);
  }
}

function missing(what: string, debianPackage: string): DeploybotError {
  return new DeploybotError(
    'service_missing',
    `${what} is not installed (Debian package ${debianPackage}); install it with: sudo bash scripts/install-services.sh`,
  );
}

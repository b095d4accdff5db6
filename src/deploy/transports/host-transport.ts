// What the engine needs from a host, in terms of remote (absolute, POSIX) paths. Two
// implementations: SSH (ssh2) and local directories (`{ local: dir }` hosts, which map
// `/data/x` to `<dir>/data/x`). Operations are deliberately high-level — the SSH one builds
// each command from a fixed script plus quoted arguments, the local one uses the filesystem.
import type { Redactor } from '../../core/redactor.ts';
import type { CommandResult, ScriptResult } from '../command-result.ts';
import type { RepositorySandbox } from '../repository-sandbox.ts';
import type { DetachedStepState } from './detached-step-script.ts';

export interface ScriptOptions {
  /** Remote directory the script runs in. */
  cwd: string;
  /** Variables added to the environment (DEPLOY_ID …). */
  env: Record<string, string>;
  timeoutMs: number;
  /** Applied to the captured output as it arrives. */
  redactor: Redactor;
  /**
   * Hosts on this machine (`{ local: dir }`) run the script in this sandbox, with only the
   * host's directory bound (default: sandboxed, the network shared). SSH hosts ignore it.
   */
  sandbox?: RepositorySandbox;
}

export interface HostTransport {
  /** The host's config name. */
  readonly host: string;
  readonly kind: 'ssh' | 'local';
  /** Copies a local file to the host; `onBytes` reports cumulative progress. */
  upload(localFile: string, remotePath: string, onBytes?: (sent: number, total: number) => void): Promise<void>;
  /**
   * Streams a local .tar.gz to the host and unpacks it into `intoDir` (replaced if it exists)
   * in the same pass, hashing what arrives. Unless that sha256 is `expectedSha256` and the
   * unpack succeeded, it throws (`checksum_mismatch`, `unpack_failed`, `upload_failed`) and
   * leaves no `intoDir`. No archive is kept on the host.
   */
  receivePackage(localFile: string, intoDir: string, expectedSha256: string, onBytes?: (sent: number, total: number) => void): Promise<void>;
  /** Hex SHA-256 of a file on the host, undefined when it does not exist. */
  sha256(remotePath: string): Promise<string | undefined>;
  makeDirectory(remotePath: string): Promise<void>;
  /**
   * Extracts a .tar.gz into `intoDir` (replaced if it exists). With `expectedSha256`, the
   * archive's checksum is verified on the host first (in the same remote command), and a
   * mismatch throws `checksum_mismatch` without unpacking anything.
   */
  unpack(archive: string, intoDir: string, expectedSha256?: string): Promise<void>;
  /** Renames a file or directory (no replacing of an existing directory). */
  rename(from: string, to: string): Promise<void>;
  /** rm -rf */
  remove(remotePath: string): Promise<void>;
  /** The target of a symlink as stored, undefined when `remotePath` is not a symlink. */
  readLink(remotePath: string): Promise<string | undefined>;
  /** A small text file's content, undefined when it does not exist. */
  readText(remotePath: string): Promise<string | undefined>;
  /** Entry names of a directory, [] when it does not exist. */
  list(remotePath: string): Promise<string[]>;
  exists(remotePath: string): Promise<boolean>;
  /**
   * Points the symlink `linkPath` at `targetDir` atomically: a new link is made aside and
   * renamed over the old one, so `linkPath` is never missing or half-written.
   */
  replaceSymlink(linkPath: string, targetDir: string): Promise<void>;
  /** Free bytes on the filesystem holding `remotePath` (or its nearest existing parent). */
  freeBytes(remotePath: string): Promise<number | undefined>;
  /** Runs a hook script with `/bin/sh -c` on the host. */
  runScript(script: string, options: ScriptOptions): Promise<ScriptResult>;
  /**
   * Starts a hook script detached from this connection, its pid, output and exit status kept
   * in `stateDir` on the host (docs/operations.md, "Host steps outlive their worker").
   * 'already-started' when that directory exists: a step is started at most once.
   */
  startStep(stateDir: string, script: string, options: ScriptOptions): Promise<'started' | 'already-started'>;
  /** The state of a step started with startStep, waiting up to `waitMs` for it to end; output redacted with `redactor`. */
  watchStep(stateDir: string, waitMs: number, redactor: Redactor): Promise<DetachedStepState>;
  /** Runs a program with arguments (each passed as one word, never through a shell). */
  run(argv: readonly string[], options?: { timeoutMs?: number }): Promise<CommandResult>;
  /** Opens the connection (SSH: handshake, host key check, SFTP session) before the first operation needs it. */
  prepare(): Promise<void>;
  /** Drops the connection at once (a hung host); later calls reconnect. */
  destroy(): void;
  close(): Promise<void>;
}

export type TransportFactory = (host: string) => HostTransport;

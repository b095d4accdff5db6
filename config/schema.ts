// The shape of config/deploybot.yaml (docs/configuration.md). Structure and defaults only:
// cross-references between sections are checked in check-references.ts, secrets are
// resolved in load-config.ts.
import { z } from 'zod';
import { CONFIG_NAME_PATTERN, CONFIG_NAME_RULE } from '../src/domain/config-name.ts';
import { windowProblem } from '../src/domain/deploy-calendar.ts';
import { isTimeZone } from '../src/domain/zoned-time.ts';
import { peopleSchema } from './people-schema.ts';
import { parseDuration } from './parse-duration.ts';
import { parseRolloutSize } from '../src/domain/rollout-size.ts';

const name = z.string().regex(CONFIG_NAME_PATTERN, CONFIG_NAME_RULE);

/** A duration written `90s`, `2m`, `1h` or as a number of seconds; parsed to milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid duration ${JSON.stringify(value)}: use 90s, 2m, 1h or a number of seconds` });
    return z.NEVER;
  }
  return ms;
});

export const secretRefSchema = z.union([
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }),
], { error: 'must be { file: path } or { env: NAME }; secrets are never written inline' });

const sshHostSchema = z.strictObject({
  address: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1),
  key: z.string().min(1),
  /** Pinned host key, `ssh-ed25519 AAAA...` as in known_hosts (without the host name). */
  hostKey: z.string().regex(/^(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+ [A-Za-z0-9+/=]+$/, 'must be a public key line like "ssh-ed25519 AAAA..."'),
});

const localHostSchema = z.strictObject({
  /** A directory on the bot's own machine (local transport). */
  local: z.string().min(1),
});

export const hostSchema = z.union([localHostSchema, sshHostSchema], {
  error: 'must be { address, user, key, hostKey, port? } or { local: dir }',
});

const approvalSchema = z.union([
  z.literal('none'),
  z.strictObject({
    approvers: z.array(z.string().min(1)).min(1, 'needs at least one approver'),
    required: z.number().int().min(1).default(1),
    expiresAfter: durationSchema.prefault('30m'),
  }),
]);

const locationSchema = z.strictObject({
  role: z.enum(['production', 'review']),
  hosts: z.array(z.string()).min(1, 'needs at least one host'),
  grayHosts: z.array(z.string()).default([]),
  admin: z.string().optional(),
  /** How the admin host reaches its cluster when it relays (paths on the admin host). */
  relay: z.strictObject({
    identityFile: z.string().regex(/^\//, 'must be an absolute path on the admin host').optional(),
    knownHostsFile: z.string().regex(/^\//, 'must be an absolute path on the admin host').optional(),
    /** An ssh_config for the admin's scp (`/dev/null` ignores the admin user's own). */
    sshConfigFile: z.string().regex(/^\//, 'must be an absolute path on the admin host').optional(),
  }).optional(),
  /** A review location: the platforms it reviews, some of the market's (docs/platforms.md). Default: all of them. */
  platforms: z.array(name).min(1, 'lists at least one platform (leave it out to review all of the market\'s)').optional(),
});

const zookeeperSchema = z.strictObject({
  connect: z.string().min(1),
  root: z.string().regex(/^\/([A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*)?$/, 'must be an absolute ZooKeeper path like /deploybot').default('/deploybot'),
  sessionTimeout: durationSchema.prefault('30s'),
  /** `user:password` for the digest scheme, from the environment; without it nodes are world-writable (trials only). */
  auth: z.strictObject({
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
  }, { error: 'must be { env: NAME } (NAME holds user:password); secrets are never written inline' }).optional(),
});

/** A wave or maxUnhealthy size: a count of hosts (`1`) or a percentage of the targeted hosts (`25%`). */
const rolloutSizeSchema = (allowZero: boolean) => z.union([z.number(), z.string()]).transform((value, ctx) => {
  const size = parseRolloutSize(value, { allowZero });
  if (size === undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid size ${JSON.stringify(value)}: use a whole number of hosts${allowZero ? '' : ' (at least 1)'} or a percentage like 25%` });
    return z.NEVER;
  }
  return size;
});

/** Progressive rollout (docs/configuration.md, "rollout"); every field optional so a market can override some. */
const rolloutFields = {
  waves: z.array(rolloutSizeSchema(false)).min(1, 'lists at least one wave').optional(),
  bake: durationSchema.optional(),
  interval: durationSchema.optional(),
  healthTimeout: durationSchema.optional(),
  maxUnhealthy: rolloutSizeSchema(true).optional(),
  onFailure: z.enum(['rollback', 'pause'], { error: 'must be "rollback" or "pause"' }).optional(),
};
const rolloutSchema = z.strictObject(rolloutFields);

const checkFields = {
  /** Per attempt. */
  timeout: durationSchema.prefault('10s'),
  /** Failures in a row that are still tolerated: a host is unhealthy at failureLimit + 1. */
  failureLimit: z.number().int().min(0).default(0),
};
const healthCheckSchema = z.union([
  z.strictObject({ command: z.string().min(1), ...checkFields }),
  z.strictObject({
    http: z.string().regex(/^https?:\/\//, 'must be an http:// or https:// URL template'),
    expect: z.union([z.number().int().min(100).max(599), z.literal('2xx')]).default('2xx'),
    /** A regular expression the response body must match. */
    body: z.string().min(1).refine((text) => { try { new RegExp(text); return true; } catch { return false; } }, 'must be a valid regular expression').optional(),
    ...checkFields,
  }),
], { error: 'must be { command, timeout?, failureLimit? } or { http, expect?, body?, timeout?, failureLimit? }' });
/** A deploy window in market time (docs/scheduling.md). */
const windowSchema = z.strictObject({
  days: z.string().min(1),
  from: z.string(),
  to: z.string(),
}).superRefine((window, ctx) => {
  const problem = windowProblem(window);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const isoWithOffset = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/, 'must be an ISO time with an offset, like 2026-12-24T00:00+08:00').refine((text) => !Number.isNaN(Date.parse(text)), 'is not a real date and time');

/** A planned freeze (docs/scheduling.md): `except` names verbs it still allows. */
const freezeSchema = z.strictObject({
  from: isoWithOffset,
  to: isoWithOffset,
  reason: z.string().min(1),
  except: z.array(z.enum(['deploy', 'gray start', 'gray promote', 'review promote', 'retry'])).default([]),
}).refine((freeze) => Date.parse(freeze.from) < Date.parse(freeze.to), 'from must be before to');

const marketSchema = z.strictObject({
  approval: approvalSchema.default('none'),
  requiresPassIn: z.array(z.string()).default([]),
  /** Globs over the ref as typed (`v*`, `release/*`); `sha` allows a bare commit SHA. Default: any ref. */
  allowedRefs: z.array(z.string().regex(/^[A-Za-z0-9._/*?-]+$/, 'must be a glob of letters, digits, . _ / - and * or ?, or "sha"')).min(1, 'lists at least one pattern (leave it out to allow any ref)').optional(),
  zookeeper: zookeeperSchema.optional(),
  /** How long the record step retries an unavailable release store; overrides the project's. */
  recordTimeout: durationSchema.optional(),
  /** How often the production hosts are compared with their recorded releases (docs/operations.md, "Hosts that join or drift"); off without it. */
  driftCheck: durationSchema.optional(),
  /** The drift watch queues `sync` itself when an episode begins. @defaultValue false */
  autoSync: z.boolean().optional(),
  /** Overrides the fields of every project's `rollout` in this market. */
  rollout: rolloutSchema.optional(),
  locations: z.record(name, locationSchema).refine((l) => Object.keys(l).length > 0, 'needs at least one location'),
  /** The market's clocks: windows, `--at HH:MM` and answers use it (IANA name). Absent: UTC. */
  timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai or America/Sao_Paulo').optional(),
  /** Absent: always open. */
  windows: z.array(windowSchema).optional(),
  freezes: z.array(freezeSchema).optional(),
  /** Store/platform variants whose clients each accept their own list of versions (docs/platforms.md). */
  platforms: z.array(name).min(1, 'lists at least one platform (leave it out for a market without platforms)').optional(),
});

const hookSchema = z.union([z.string().min(1), z.strictObject({ template: z.string().min(1) })]);

const hooksSchema = z.strictObject({
  beforeDownload: hookSchema.optional(),
  afterDownload: hookSchema.optional(),
  beforeDeploy: hookSchema.optional(),
  afterDeploy: hookSchema.optional(),
});

const projectSchema = z.strictObject({
  repo: z.string().min(1),
  build: z.strictObject({
    command: z.string().min(1).optional(),
    output: z.string().min(1).optional(),
    /** Repository code may use the network (`npm ci`); false: none at all. */
    network: z.boolean().default(true),
    /** `off` runs repository code unsandboxed, with access to the bot's files: unsafe (docs/operations.md). */
    sandbox: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('on'),
  }).prefault({}),
  path: z.string().regex(/^\//, 'must be an absolute path'),
  releasesDir: z.string().regex(/^\//, 'must be an absolute path'),
  keepReleases: z.number().int().min(1).default(5),
  /** Builds and packages of this many newest commits are kept in the data directory. */
  keepBuilds: z.number().int().min(1).default(10),
  /** How long the record step retries an unavailable release store (docs/operations.md). */
  recordTimeout: durationSchema.prefault('5m'),
  parallel: z.number().int().min(1).default(10),
  hostTimeout: durationSchema.prefault('120s'),
  hookTimeout: durationSchema.prefault('300s'),
  maxFailedHosts: z.number().int().min(0).default(0),
  hooks: hooksSchema.default({}),
  packager: z.string().min(1).optional(),
  /** Update packages above this size are flagged (bytes). */
  packageSizeCeiling: z.number().int().positive().optional(),
  markets: z.array(z.string()).min(1, 'needs at least one market'),
  /** Branches and tags built as soon as they are pushed (`POST /hooks/git`), as globs: `["main", "v*"]` (docs/configuration.md). */
  prebuild: z.array(z.string().regex(/^[A-Za-z0-9._/*?-]+$/, 'must be a glob of letters, digits, . _ / - and * or ?')).default([]),
  /** What a healthy host is, checked after it switched (docs/configuration.md, "health"). */
  health: z.array(healthCheckSchema).default([]),
  rollout: rolloutSchema.optional(),
});

const chatSchema = z.strictObject({
  slack: z.strictObject({ defaultChannel: z.string().min(1) }).optional(),
  dingtalk: z.strictObject({
    defaultConversation: z.string().min(1),
    robotCode: z.string().min(1).optional(),
    cardTemplateId: z.string().min(1).optional(),
  }).optional(),
  channels: z.record(z.string(), z.record(z.string(), z.string().min(1))).default({}),
  /** The chat budget every process shares through Redis (docs/reference/chat-limits.md). */
  rateLimits: z.strictObject({
    window: durationSchema.prefault('60s'),
    slackUpdates: z.number().int().min(1).default(40),
    finalReserve: z.number().int().min(0).default(8),
    dingtalkMessages: z.number().int().min(1).default(15),
  }).refine((limits) => limits.finalReserve < limits.slackUpdates, { message: 'finalReserve must be below slackUpdates (progress edits need room too)' }).prefault({}),
}).prefault({});

const warningsSchema = z.strictObject({
  /** A gray release older than this gets a warning. */
  grayMaxAge: durationSchema.prefault('24h'),
  /** While a gray release is active, its hosts' health checks run this often. */
  grayHealthEvery: durationSchema.prefault('5m'),
}).prefault({});

const limitsSchema = z.strictObject({
  /** Commands one user may send per minute (docs/configuration.md). */
  commandsPerMinute: z.number().int().min(1).default(30),
}).prefault({});

const artifactsSchema = z.strictObject({
  /** Where builds and packages live; one directory several workers share (NFS) builds each package once. @defaultValue the data directory */
  dir: z.string().min(1).optional(),
  /** A build claim not refreshed for this long is taken over (its worker died). */
  staleClaimAfter: durationSchema.prefault('30s'),
}).prefault({});

export const configSchema = z.strictObject({
  keys: z.record(name, secretRefSchema).default({}),
  hosts: z.record(name, hostSchema),
  markets: z.record(name, marketSchema),
  projects: z.record(name, projectSchema),
  hookTemplates: z.record(name, z.string().min(1)).default({}),
  people: peopleSchema,
  chat: chatSchema,
  warnings: warningsSchema,
  limits: limitsSchema,
  /** How long Redis keeps deploy records, their events and history. */
  retention: durationSchema.prefault('90d'),
  artifacts: artifactsSchema,
});

export type RawConfig = z.output<typeof configSchema>;
export type HostConfig = z.output<typeof hostSchema>;
export type LocalHostConfig = z.output<typeof localHostSchema>;
export type LocationConfig = z.output<typeof locationSchema>;
export type ProjectConfig = z.output<typeof projectSchema>;
export type HookSpec = z.output<typeof hookSchema>;
export type HookPoint = keyof z.output<typeof hooksSchema>;
export type HealthCheckConfig = z.output<typeof healthCheckSchema>;

export function isLocalHost(host: HostConfig): host is LocalHostConfig {
  return 'local' in host;
}

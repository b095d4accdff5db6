// "The secrets of this process", gathered in one place: every key in `keys`, the chat,
// upload, git-hook, web and metrics credentials from the environment, ZooKeeper auth, and
// the credentials in every project's repo URL. Everything that redacts uses the redactor
// built from this list (docs/operations.md, "What is redacted").
import { type Config, configSecrets } from '../../config/load-config.ts';
import type { Logger } from './logger.ts';
import { createRedactor, MIN_SECRET_LENGTH, type Redactor, type SecretInput } from './redactor.ts';
import { urlCredentials } from './redact-url-credentials.ts';

/** Environment variables whose values are secrets. */
export const SECRET_ENV = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DINGTALK_CLIENT_SECRET',
  'UPLOAD_HOOK_SECRET',
  'GIT_HOOK_SECRET',
  'GITHUB_HOOK_SECRET',
  'GITLAB_HOOK_SECRET',
  'GITEA_HOOK_SECRET',
  'DEPLOYBOT_WEB_SECRET',
  'METRICS_TOKEN',
] as const;

/** Every secret this process knows, labelled by where it came from (never by its value). */
export function processSecrets(config: Config, env: NodeJS.ProcessEnv = process.env): SecretInput[] {
  // key material and the ZooKeeper credentials the config loaded (user:password, and the password alone)
  const secrets: SecretInput[] = [...configSecrets(config)];
  for (const auth of Object.values(config.zookeeperAuth ?? {})) {
    const value = auth.reveal();
    secrets.push({ label: auth.label, value: value.slice(value.indexOf(':') + 1) });
  }
  const fromEnv = (name: string) => {
    const value = env[name];
    if (value) secrets.push({ label: name, value });
  };
  for (const name of SECRET_ENV) fromEnv(name);
  for (const name of zookeeperAuthEnv(config)) fromEnv(name);
  // a password in REDIS_URL (`redis://:pw@host`) is a credential of its own
  const redisPassword = env.REDIS_URL ? urlCredentials(env.REDIS_URL)?.password : undefined;
  if (redisPassword) secrets.push({ label: 'the password in REDIS_URL', value: redisPassword });
  for (const [project, { repo }] of Object.entries(config.projects)) {
    const credentials = urlCredentials(repo);
    if (!credentials) continue;
    const label = `the credentials in projects.${project}.repo`;
    const { scheme, raw, user, password } = credentials;
    // `https://TOKEN@host` carries the token as the user; `ssh://git@host` only a login name,
    // and with a password the user name is no secret either
    if (password === undefined) {
      if (/^https?$/.test(scheme)) secrets.push({ label, value: raw }, { label, value: user });
    } else secrets.push({ label, value: password }, { label, value: raw.slice(raw.indexOf(':') + 1) }, { label, value: raw }, { label, value: `${user}:${password}` });
  }
  return secrets;
}

/** The names of the environment variables holding ZooKeeper auth (`markets.<m>.zookeeper.auth: { env }`). */
export function zookeeperAuthEnv(config: Config): string[] {
  const names = new Set<string>();
  for (const market of Object.values(config.markets)) {
    const auth = (market.zookeeper as { auth?: { env?: unknown } } | undefined)?.auth;
    if (auth && typeof auth.env === 'string') names.add(auth.env);
  }
  return [...names];
}

const built = new WeakMap<Config, Redactor>();

/** The redactor of this process: built once per config from `processSecrets(config, process.env)`. */
export function processRedactor(config: Config, env: NodeJS.ProcessEnv = process.env): Redactor {
  if (env !== process.env) return createRedactor(processSecrets(config, env));
  let redactor = built.get(config);
  if (!redactor) {
    redactor = createRedactor(processSecrets(config, env));
    built.set(config, redactor);
  }
  return redactor;
}

/** Says (by label, never by value) which secrets are too short to be redacted. */
export function warnAboutShortSecrets(redactor: Redactor, logger: Logger): void {
  for (const label of new Set(redactor.tooShort)) {
    logger.warn(`${label} is shorter than ${MIN_SECRET_LENGTH} characters: it is not redacted from output (use a real secret)`);
  }
}

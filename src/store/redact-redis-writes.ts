// The Redis boundary: every string argument of every command sent on a connection passes
// through the process's redactor, so no record, event, audit line, checkpoint or lock the
// bot writes can carry a secret, whichever code path built it (docs/operations.md, "What is
// redacted"). Binary arguments (BullMQ's msgpack) are left alone: they carry no text of ours.
import type { Redis } from 'ioredis';
import type { Redactor } from '../core/redactor.ts';

type SendCommand = Redis['sendCommand'];

/** Makes `redis` redact what it writes; returns it. */
export function redactRedisWrites<R extends Redis>(redis: R, redactor: Redactor): R {
  const send: SendCommand = redis.sendCommand.bind(redis);
  const redacting: SendCommand = (command, ...rest) => {
    command.args = command.args.map((arg) => (typeof arg === 'string' ? redactor.redact(arg) : arg));
    return send(command, ...rest);
  };
  redis.sendCommand = redacting;
  return redis;
}

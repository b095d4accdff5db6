// What arrives from a chat platform is untrusted: the DingTalk robot message parser and the
// @mention stripping never throw, whatever the gateway sends.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { commandTextOf, parseRobotMessage } from '../../src/adapters/dingtalk/robot-message.ts';

const jsonish = fc.oneof(
  fc.string(),
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({
    conversationId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    senderStaffId: fc.oneof(fc.string(), fc.constant(undefined)),
    msgId: fc.oneof(fc.string(), fc.integer()),
    text: fc.oneof(fc.record({ content: fc.oneof(fc.string(), fc.integer()) }), fc.string(), fc.constant(null)),
    sessionWebhook: fc.oneof(fc.webUrl(), fc.string()),
    sessionWebhookExpiredTime: fc.oneof(fc.integer(), fc.string()),
    conversationType: fc.oneof(fc.constantFrom('1', '2'), fc.string()),
  }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
);

it('when the gateway sends anything at all, then parsing a robot message returns a message or nothing, never a throw', () => {
  fc.assert(
    fc.property(jsonish, (data) => {
      const message = parseRobotMessage(data);
      if (message) expect(typeof commandTextOf(message.content)).toBe('string');
    }),
    { numRuns: 5000 },
  );
});

it('when message text has any mentions and spacing, then the command text never throws and has no leading @mention', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant('@deploybot'), fc.constant('@某人'), fc.string(), fc.constant('\u2005'), fc.constant(' ')), { maxLength: 8 }), (parts) => {
      const text = commandTextOf(parts.join(' '));
      expect(text.startsWith('@deploybot')).toBe(false);
    }),
    { numRuns: 3000 },
  );
});

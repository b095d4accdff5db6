// A robot message as DingTalk Stream delivers it on TOPIC_ROBOT (the frame's `data`, a JSON
// string): who sent it, where, and how to answer (the session webhook, valid ~90 minutes).
export interface RobotMessage {
  msgId: string;
  conversationId: string;
  /** '1' one-to-one with the robot, '2' group. */
  conversationType: string;
  senderStaffId: string;
  senderNick: string | undefined;
  msgtype: string;
  /** `text.content` for text messages, else ''. */
  content: string;
  sessionWebhook: string | undefined;
  /** Milliseconds since the epoch. */
  sessionWebhookExpiredTime: number | undefined;
  robotCode: string | undefined;
}

export function parseRobotMessage(data: string): RobotMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const raw = parsed as Record<string, unknown>;
  const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const msgId = str(raw.msgId);
  const conversationId = str(raw.conversationId);
  const senderStaffId = str(raw.senderStaffId);
  if (!msgId || !conversationId || !senderStaffId) return undefined;
  const text = raw.text as { content?: unknown } | undefined;
  const expires = Number(raw.sessionWebhookExpiredTime);
  return {
    msgId,
    conversationId,
    conversationType: str(raw.conversationType) ?? '2',
    senderStaffId,
    senderNick: str(raw.senderNick),
    msgtype: str(raw.msgtype) ?? 'text',
    content: typeof text?.content === 'string' ? text.content : '',
    sessionWebhook: str(raw.sessionWebhook),
    sessionWebhookExpiredTime: Number.isFinite(expires) && expires > 0 ? expires : undefined,
    robotCode: str(raw.robotCode),
  };
}

/**
 * The command typed after the @mention: `@deploybot deploy mala-core brazil v1.3` →
 * `deploy mala-core brazil v1.3`. DingTalk usually removes the robot's own mention but
 * leaves its spacing (often U+2005); any leading `@name` words are dropped here too.
 */
export function commandTextOf(content: string): string {
  let text = content.replace(/[\u2005\u00a0\u3000]/g, ' ').trim();
  while (text.startsWith('@')) text = text.replace(/^@\S*\s*/, '');
  return text.trim();
}

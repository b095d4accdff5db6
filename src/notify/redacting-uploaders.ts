// Failure logs uploaded to chat are chat too: redacted once on their way out.
import type { Platform } from '../core/chat-types.ts';
import type { Redactor } from '../core/redactor.ts';
import type { LogUploader } from './deploy-renderer.ts';

export function redactingUploaders(uploaders: Partial<Record<Platform, LogUploader>>, redactor: Redactor): Partial<Record<Platform, LogUploader>> {
  return Object.fromEntries(
    Object.entries(uploaders).map(([platform, upload]) => [platform, ((ref, filename, content) => upload(ref, redactor.redact(filename), redactor.redact(content))) satisfies LogUploader]),
  );
}

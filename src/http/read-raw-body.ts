// Reads a request body as bytes, refusing more than `limitBytes` (the upload hook needs the
// raw bytes: its signature is over them, before any parsing).
import type { IncomingMessage } from 'node:http';
import { DeploybotError } from '../core/errors.ts';

export async function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw bodyTooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw bodyTooLarge(limitBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function bodyTooLarge(limitBytes: number): DeploybotError {
  return new DeploybotError('body_too_large', `request body is larger than ${limitBytes} bytes`, { status: 413 });
}

// Reads a request body as bytes, refusing more than `limitBytes` (the upload hook needs the
// raw bytes: its signature is over them, before any parsing).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DeploybotError } from '../core/errors.ts';
import { sendJson } from './send-json.ts';

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

/** The body, or undefined once a 413 has been sent for a body over `limitBytes` (the hook routes' way in). */
export async function readBodyOr413(req: IncomingMessage, res: ServerResponse, limitBytes: number): Promise<Buffer | undefined> {
  try {
    return await readRawBody(req, limitBytes);
  } catch (error) {
    if (error instanceof DeploybotError && error.code === 'body_too_large') {
      sendJson(res, 413, { error: error.message });
      return undefined;
    }
    throw error;
  }
}

function bodyTooLarge(limitBytes: number): DeploybotError {
  return new DeploybotError('body_too_large', `request body is larger than ${limitBytes} bytes`, { status: 413 });
}

import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { type ProblemType, problemType } from '@tasks/schemas';
import { PROBLEM_CONTENT_TYPE } from '../filters/send-problem.js';
import { REQUEST_ID_HEADER } from './request-id.js';

// Node's parser refuses these before Fastify sees a request; each gets its problem anyway.
const CLIENT_ERRORS: Record<string, { status: number; detail: string; type?: ProblemType }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    detail: 'The request line and headers are larger than the server accepts (16 KiB).',
    type: problemType('headers-too-large'),
  },
  HPE_INVALID_METHOD: { status: 501, detail: 'The request method is not one this server implements.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request was not received in time.' },
};
const MALFORMED: { status: number; detail: string; type?: ProblemType } = { status: 400, detail: 'The request is not valid HTTP.' };
/** The path of the request line, when the refused bytes hold one (query left out, as elsewhere). */
const REQUEST_LINE = /^[A-Za-z-]{1,20} (\/[!-~]{0,2047}?)(?:\?[!-~]*)? HTTP\//;

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refused (headers too large, unknown
 * method, malformed, too slow) gets an RFC 9457 problem with a request id of its own, written on
 * the raw socket since there is no request object. The connection is closed afterwards.
 */
export function answerClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, detail, type = 'about:blank' } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  const requestId = randomUUID();
  const head = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.subarray(0, 2100).toString('latin1') : '';
  // The path when the refused bytes hold the request line; otherwise this occurrence itself.
  const instance = REQUEST_LINE.exec(head)?.[1] ?? `urn:uuid:${requestId}`;
  const body = JSON.stringify({ type, title: STATUS_CODES[status], status, detail, instance, requestId });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
        'cache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

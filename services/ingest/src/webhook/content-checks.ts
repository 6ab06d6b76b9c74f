import type { RequestHandler } from 'express';
import { sendError } from '../http/send-error';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/**
 * Cheap refusals before anything else: a declared size over the limit (413) and a body that is not JSON
 * (415). A chunked body with no length is held to the same limit while it is read.
 */
export function contentChecks(maxBytes: number): RequestHandler {
  return (req, res, next) => {
    const length = Number(req.get('content-length'));
    if (Number.isFinite(length) && length > maxBytes) {
      return sendError(res, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${maxBytes} bytes`, { max_bytes: maxBytes });
    }
    if (!JSON_TYPE.test(req.get('content-type') ?? '')) {
      return sendError(res, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json', {
        content_type: (req.get('content-type') ?? '').slice(0, 100) || null,
      });
    }
    next();
  };
}

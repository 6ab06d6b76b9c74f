import { z } from 'zod';
import {
  ERROR_STATUS,
  ghlAppointmentPayload,
  ghlContactDndPayload,
  ghlMessagePayload,
  referenceAppointmentConfirmedPayload,
  referenceMessagePayload,
  referenceMessageStatusPayload,
} from '@wab/shared';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details', 'request_id', 'timestamp'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
        message: { type: 'string' },
        details: { type: ['object', 'null'] },
        request_id: { type: 'string' },
        timestamp: { type: 'string', format: 'date-time' },
      },
    },
  },
};

const runAnswer = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['accepted', 'duplicate', 'ignored', 'success'] },
    message: { type: 'string' },
    workflow_run_id: { type: ['string', 'null'] },
    booking_id: { type: ['string', 'null'] },
  },
};

const json = (s: object) => ({ content: { 'application/json': { schema: s } } });
const error = (description: string) => ({ description, ...json({ $ref: '#/components/schemas/Error' }) });

/** The ingest's OpenAPI 3.1 document, built from the same zod schemas that validate requests. */
export function openApiDocument(version: string): object {
  return {
    openapi: '3.1.0',
    info: { title: 'WhatsApp booking ingest', version },
    components: {
      schemas: {
        Error: errorBody,
        ReferenceMessage: schema(referenceMessagePayload),
        ReferenceMessageStatus: schema(referenceMessageStatusPayload),
        ReferenceAppointmentConfirmed: schema(referenceAppointmentConfirmedPayload),
        GhlMessage: schema(ghlMessagePayload),
        GhlAppointment: schema(ghlAppointmentPayload),
        GhlContactDnd: schema(ghlContactDndPayload),
      },
    },
    paths: {
      '/webhook': {
        post: {
          summary: 'Receive a signed GHL webhook (API reference or GHL format)',
          parameters: [
            { name: 'X-GHL-Signature', in: 'header', schema: { type: 'string' }, description: 'hex HMAC-SHA256 or base64 Ed25519 over the raw body' },
            { name: 'X-WH-Signature', in: 'header', schema: { type: 'string' }, description: 'base64 RSA-SHA256 (GHL legacy)' },
            { name: 'wait', in: 'query', schema: { type: 'number', minimum: 0, maximum: 30 }, description: 'seconds to wait for the run' },
          ],
          requestBody: {
            required: true,
            ...json({
              oneOf: ['ReferenceMessage', 'ReferenceMessageStatus', 'ReferenceAppointmentConfirmed', 'GhlMessage', 'GhlAppointment', 'GhlContactDnd'].map(
                (name) => ({ $ref: `#/components/schemas/${name}` }),
              ),
            }),
          },
          responses: {
            '200': { description: 'Duplicate, ignored, or (with ?wait) processed', ...json(runAnswer) },
            '202': { description: 'Queued', ...json(runAnswer) },
            '400': error('VALIDATION_ERROR'),
            '401': error('UNAUTHORIZED'),
            '413': error('PAYLOAD_TOO_LARGE'),
            '415': error('UNSUPPORTED_MEDIA_TYPE'),
            '429': error('RATE_LIMITED'),
            '502': error('GHL_API_ERROR (with ?wait)'),
            '503': error('QUEUE_UNAVAILABLE'),
            '504': error('TIMEOUT (with ?wait)'),
          },
        },
      },
      '/runs/{id}': {
        get: {
          summary: 'A run: the Workflow Response of the API reference',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The run' }, '404': error('NOT_FOUND') },
        },
      },
      '/health': { get: { summary: 'Health (Redis pinged; GHL and OpenAI as the workers last saw them)', responses: { '200': { description: 'healthy' }, '503': { description: 'Redis down' } } } },
      '/status': { get: { summary: 'Cluster-wide counters and queue length', responses: { '200': { description: 'status' } } } },
      '/livez': { get: { summary: 'Liveness', responses: { '200': { description: 'alive' } } } },
      '/readyz': { get: { summary: 'Readiness', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    },
  };
}

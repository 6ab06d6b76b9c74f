import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import express, { Router, type RequestHandler } from 'express';
import type { QueueEvents } from 'bullmq';
import type { Logger } from 'pino';
import {
  boundedLabel,
  IGNORED_REASONS,
  WEBHOOK_EVENT_TYPES,
  AppError,
  contactKeyOf,
  INBOUND_QUEUE,
  inSpan,
  normaliseWebhook,
  traceContextOf,
  toJobData,
  type Config,
  type JobResult,
  type LocationDirectory,
  type OAuthConnections,
  type Normalised,
  type RunStore,
} from '@wab/shared';
import { sendError } from '../http/send-error';
import type { IngestMetrics } from '../metrics/ingest-metrics';
import type { InboundQueue } from '../queue/inbound-queue';
import type { SignatureKeys } from '../signature/keys';
import { verifySignature, type SignatureScheme } from '../signature/verify-signature';
import { contentChecks } from './content-checks';
import { deliveryIds, type DeliveryDedupe } from './dedupe';
import { OncePerLocation, placeEvent } from './served-locations';
import { webhookTokens, type TokenHolder } from './webhook-tokens';
import { reenterWebhookContext, tracer, webhookContext, webhookSpan } from './webhook-span';

export interface WebhookDeps {
  config: Config;
  signatureKeys: SignatureKeys;
  queue: InboundQueue;
  queueEvents: QueueEvents;
  dedupe: DeliveryDedupe;
  locations: LocationDirectory;
  /** The Marketplace app's tokens; null without GHL_CLIENT_ID. */
  connections: OAuthConnections | null;
  runStore: RunStore;
  metrics: IngestMetrics;
  logger: Logger;
  limits: { perIp: RequestHandler; perPhone: RequestHandler };
}

type Event = Extract<Normalised, { outcome: 'event' }>;
type AppEvent = Extract<Normalised, { outcome: 'app' }>;

/** A claim younger than this whose job is not stored yet is an original still being queued. */
const CLAIM_IN_FLIGHT_MS = 10_000;

/**
 * POST /webhook, in the documented order of checks: size and content type, per-IP limit, signature,
 * JSON and schema, per-phone limit, dedupe; then the answer, only once the queue holds the job.
 */
export function webhookRouter(deps: WebhookDeps): Router {
  const { config, metrics, logger } = deps;
  const router = Router();

  const countOutcome: RequestHandler = (_req, res, next) => {
    res.on('finish', () => {
      const outcome = String(res.locals.outcome ?? res.statusCode);
      metrics.webhookRequests.inc({ status: res.statusCode < 400 ? 'success' : 'error', outcome });
      const line = { requestId: res.locals.requestId, status: res.statusCode, outcome, runId: res.locals.runId };
      if (res.statusCode >= 500) logger.warn(line, 'webhook not accepted');
      else if (res.statusCode >= 400) logger.info(line, 'webhook refused');
      else logger.debug(line, 'webhook answered');
    });
    next();
  };

  const tokens = webhookTokens(config, deps.locations);

  const checkSignature: RequestHandler = (req, res, next) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    res.locals.rawBody = raw;
    const signatures = { ghl: req.get('x-ghl-signature'), wh: req.get('x-wh-signature') };
    // A GHL workflow's Custom Webhook cannot sign: an unsigned body may carry a static token instead.
    const token = signatures.ghl || signatures.wh ? null : tokens.presented({ authorization: req.get('authorization'), webhookToken: req.get('x-webhook-token') });
    if (token !== null) {
      const holder = tokens.check(token);
      if (holder) {
        res.locals.signatureScheme = 'token';
        res.locals.tokenHolder = holder;
        return next();
      }
      metrics.signatureFailures.inc({ reason: 'invalid_token', scheme: 'token' });
      return sendError(res, 'UNAUTHORIZED', 'Invalid webhook token', { reason: 'invalid_token' });
    }
    const result = verifySignature(raw, signatures, deps.signatureKeys);
    if (result.ok) {
      res.locals.signatureScheme = result.scheme;
      return next();
    }
    metrics.signatureFailures.inc({ reason: result.reason, scheme: result.scheme ?? 'unknown' });
    sendError(res, 'UNAUTHORIZED', 'Invalid or missing signature', { reason: result.reason });
  };

  const parseBody: RequestHandler = (req, res, next) => {
    const wait = readWait(req.query.wait, config.MAX_WAIT_SECONDS);
    let body: unknown;
    try {
      body = JSON.parse((res.locals.rawBody as Buffer).toString('utf8'));
    } catch {
      throw new AppError('VALIDATION_ERROR', 'Request body is not valid JSON', { field: '(body)' });
    }
    let normalised = normaliseWebhook(body, { acceptedChannels: config.ACCEPTED_CHANNELS });
    if (res.locals.signatureScheme === 'token') normalised = workflowDelivery(normalised, res.locals.tokenHolder as TokenHolder);
    if (normalised.outcome === 'ignored') return ignore(res, normalised.eventType, normalised.reasonCode, normalised.reason);
    if (normalised.outcome === 'app') return void appEvent(res, normalised).catch(next);
    // GHL's public keys sign GHL's own payloads; the reference format is this product's, signed with its secret.
    if (res.locals.signatureScheme !== 'token' && normalised.format === 'reference' && res.locals.signatureScheme !== 'hmac-sha256') {
      const scheme = res.locals.signatureScheme as SignatureScheme;
      metrics.signatureFailures.inc({ reason: 'scheme_not_for_format', scheme });
      throw new AppError('UNAUTHORIZED', 'The reference format must be signed with HMAC (WEBHOOK_SECRET)', { reason: 'scheme_not_for_format' });
    }
    const place = placeEvent(deps.locations, normalised.locationId);
    if (!place.served) {
      if (normalised.locationId !== null && foreignLocations.first(normalised.locationId)) {
        logger.warn({ requestId: res.locals.requestId, locationId: normalised.locationId, eventType: normalised.eventType }, place.log);
      }
      return ignore(res, normalised.eventType, 'location', place.reason);
    }
    checkDeliveryTime(normalised.deliveredAt, config);
    res.locals.event = { ...normalised, locationId: place.locationId };
    res.locals.wait = wait;
    res.locals.phone = normalised.phone;
    next();
  };

  const foreignLocations = new OncePerLocation();

  /**
   * INSTALL / UNINSTALL change a location's connection here and now (idempotent, so GHL's re-sends are
   * harmless); GHL retries on our 502/503 when it could not be finished. Other apps' events are not ours.
   */
  async function appEvent(res: express.Response, event: AppEvent): Promise<void> {
    const connections = deps.connections;
    if (!connections) return ignore(res, event.eventType, 'event_type', 'the Marketplace app is not configured (GHL_CLIENT_ID)');
    if (event.appId !== connections.client.appId) return ignore(res, event.eventType, 'other_app', 'the event is for another app');
    checkDeliveryTime(event.deliveredAt, config);
    let locations: string[];
    try {
      locations = event.eventType === 'INSTALL' ? await connections.installed(event) : await connections.uninstalled(event);
    } catch (error) {
      logger.warn({ requestId: res.locals.requestId, eventType: event.eventType, err: { name: (error as Error).name, message: (error as Error).message } }, 'app event not handled');
      return sendError(res, 'GHL_API_ERROR', `${event.eventType} could not be handled; retry later`);
    }
    logger.info({ requestId: res.locals.requestId, eventType: event.eventType, companyId: event.companyId, locations }, 'Marketplace app event');
    res.locals.outcome = 'processed';
    res.status(200).json({ status: 'success', message: `${event.eventType}: ${locations.length} location(s)`, workflow_run_id: null, booking_id: null });
  }

  /** Acknowledged and not queued: refusing would count as a failed delivery and can make GHL pause us. */
  function ignore(res: express.Response, eventType: string, reason: string, message: string): void {
    metrics.ignored.inc({ event_type: boundedLabel(eventType, WEBHOOK_EVENT_TYPES), reason: boundedLabel(reason, IGNORED_REASONS) });
    res.locals.outcome = 'ignored';
    res.status(200).json({ status: 'ignored', message, workflow_run_id: null, booking_id: null });
  }

  /** The queue-event reader starts with the first request that waits (see queue/wait-events.ts). */
  let eventsReader: Promise<void> | null = null;
  function startEventsReader(): void {
    eventsReader ??= deps.queueEvents.run().catch((error: Error) => {
      if (!/already running/i.test(error.message)) eventsReader = null;
    });
  }

  const accept: RequestHandler = async (req, res) => {
    const event = res.locals.event as Event;
    if (res.locals.wait) startEventsReader();
    const runId = `run_${randomUUID()}`;
    let ids: string[];
    try {
      const byWorkflowRule = res.locals.signatureScheme === 'token' && event.dedupeIds.length === 0;
      ids = byWorkflowRule ? [await deps.dedupe.workflowDeliveryId(event)] : deliveryIds(event.dedupeIds, res.locals.rawBody as Buffer);
      const holder = await deps.dedupe.claim(ids, runId, byWorkflowRule ? config.WORKFLOW_DEDUPE_SECONDS : undefined);
      if (holder && (await originalLanded(holder))) {
        metrics.duplicates.inc();
        res.locals.outcome = 'duplicate';
        res.locals.runId = holder.runId;
        res.status(200).json({ status: 'duplicate', message: 'Already received', workflow_run_id: holder.runId, booking_id: null });
        return;
      }
      if (holder) await deps.dedupe.takeOver(ids, runId);
    } catch (error) {
      return queueUnavailable(res, error);
    }

    let job;
    try {
      const webhook = webhookContext(res);
      const data = toJobData(event, { runId, requestId: res.locals.requestId, traceContext: traceContextOf(webhook) });
      job = await inSpan(
        tracer(),
        `send ${INBOUND_QUEUE}`,
        { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'bullmq', 'messaging.operation.type': 'send', 'messaging.destination.name': INBOUND_QUEUE, 'wab.run_id': runId } },
        () => deps.queue.enqueue(data),
        webhook,
      );
    } catch (error) {
      deps.dedupe.release(ids, runId).catch(() => undefined);
      return queueUnavailable(res, error);
    }
    res.locals.runId = runId;

    const wait = res.locals.wait as number;
    if (!wait) {
      res.locals.outcome = 'accepted';
      res.status(202).json({ status: 'accepted', message: 'Message queued for processing', workflow_run_id: runId, booking_id: null });
      return;
    }
    try {
      const result = (await job.waitUntilFinished(deps.queueEvents, wait * 1000)) as JobResult;
      res.locals.outcome = 'processed';
      res.status(200).json({
        status: 'success',
        message: 'Message processed successfully',
        booking_id: result?.booking_id ?? null,
        workflow_run_id: runId,
        final_state: result?.final_state ?? null,
      });
    } catch (error) {
      if (/timed out/i.test((error as Error).message)) {
        return sendError(res, 'TIMEOUT', `The run did not finish within ${wait} s; it goes on and can be read at /runs/${runId}`, {
          workflow_run_id: runId,
        });
      }
      const record = await deps.runStore.get(runId).catch(() => null);
      const code = record?.error?.code === 'GHL_API_ERROR' ? 'GHL_API_ERROR' : 'WORKFLOW_ERROR';
      sendError(res, code, record?.error?.message ?? 'The run failed', { workflow_run_id: runId });
    }
  };

  /** A holder whose job or run record exists, or whose claim is still fresh, is a real original. */
  async function originalLanded(holder: { runId: string; claimedAt: number }): Promise<boolean> {
    if (Date.now() - holder.claimedAt < CLAIM_IN_FLIGHT_MS) return true;
    const [job, record] = await Promise.all([deps.queue.job(holder.runId), deps.runStore.get(holder.runId)]);
    return Boolean(job || record);
  }

  function queueUnavailable(res: express.Response, error: unknown): void {
    logger.warn({ requestId: res.locals.requestId, err: { message: (error as Error).message } }, 'queue unavailable');
    res.setHeader('Retry-After', '5');
    sendError(res, 'QUEUE_UNAVAILABLE', 'The queue is unavailable; retry later');
  }

  router.post(
    '/webhook',
    webhookSpan,
    countOutcome,
    contentChecks(config.MAX_BODY_BYTES),
    deps.limits.perIp,
    express.raw({ type: () => true, limit: config.MAX_BODY_BYTES }),
    reenterWebhookContext,
    checkSignature,
    parseBody,
    deps.limits.perPhone,
    accept,
  );
  return router;
}

/** `?wait=N`: seconds to wait for the run, 0 (or absent) for the asynchronous answer. */
function readWait(value: unknown, max: number): number {
  if (value === undefined) return 0;
  const seconds = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= 0 && seconds <= max)) {
    throw new AppError('VALIDATION_ERROR', `wait must be a number of seconds from 0 to ${max}`, {
      field: 'wait',
      value: typeof value === 'string' ? value.slice(0, 50) : null,
    });
  }
  return seconds;
}

/**
 * GHL asks receivers to refuse stale or future deliveries; a replay must not outlive its dedupe marker.
 * Any format's top-level `timestamp` counts; the reference's `message.timestamp` is the message's own time.
 */
function checkDeliveryTime(deliveredAt: string | null, config: Config): void {
  if (deliveredAt === null) return;
  const at = Date.parse(deliveredAt);
  if (Number.isNaN(at)) {
    throw new AppError('VALIDATION_ERROR', 'Invalid field timestamp: must be an ISO-8601 date', { field: 'timestamp', value: deliveredAt.slice(0, 50) });
  }
  const now = Date.now();
  if (at > now + config.WEBHOOK_MAX_FUTURE_SKEW_SECONDS * 1000) {
    throw new AppError('UNAUTHORIZED', 'Delivery timestamp is in the future', { reason: 'timestamp_in_future' });
  }
  if (at < now - config.DEDUPE_TTL_SECONDS * 1000) {
    throw new AppError('UNAUTHORIZED', 'Delivery timestamp is too old', { reason: 'timestamp_too_old' });
  }
}

/**
 * A body a workflow's Custom Webhook sent with a static token: only the API reference's message format, and
 * with a location-bound token, only for that location (the body may leave it out).
 */
function workflowDelivery(normalised: Normalised, holder: TokenHolder): Normalised {
  if (normalised.outcome === 'ignored') return normalised;
  if (normalised.outcome !== 'event' || normalised.format !== 'reference' || normalised.event.kind !== 'customer_message') {
    throw new AppError('UNAUTHORIZED', 'A webhook token authenticates only the message format of the API reference', { reason: 'scheme_not_for_format' });
  }
  if (holder.locationId === null) return normalised;
  if (normalised.locationId !== null && normalised.locationId !== holder.locationId) {
    throw new AppError('UNAUTHORIZED', 'This webhook token is bound to another location', { reason: 'token_not_for_location' });
  }
  const event = normalised.event;
  // Without a contact id the conversation is the phone's at this location, as the body would have said.
  const contactKey = contactKeyOf(event.contactId, holder.locationId, event.phone);
  return { ...normalised, locationId: holder.locationId, contactKey };
}

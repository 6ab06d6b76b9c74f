import type { Request, Router } from 'express';
import { z } from 'zod';
import type { SandboxContext } from '../context';
import { isFaultResponse } from '../faults';
import { caseSensitiveRouter, GhlHttpError, parseInput } from '../http';
import { pathGlobProblem } from '../path-glob';
import { sandboxOAuthRoutes } from './oauth';

/**
 * Test and demo controls. NOT part of GHL's API: a client for the real GHL must never call these.
 * - POST   /_sandbox/contacts        seed a contact `{id?, locationId?, name?, firstName?, lastName?, phone?, email?, timezone?, dnd?, tags?}`
 *                                    -> 201 `{contact}` (in the primary location unless `locationId` says otherwise)
 * - GET    /_sandbox/contacts?locationId=                 `{contacts}`
 * - GET    /_sandbox/messages?contactId=&locationId=      every message sent, oldest first -> `{messages}`
 * - GET    /_sandbox/appointments?contactId=&locationId=  every appointment, in creation order -> `{appointments}`
 * - GET    /_sandbox/workflow-enrolments?contactId=&locationId=  every contact enrolled in a workflow, oldest first -> `{enrolments}`
 * - POST   /_sandbox/faults          `{endpoint? | path?, responses: [...]}` -> 201 `{id}`; `path` is a glob such as
 *                                    `GET /contacts/*` (see faults.ts, path-glob.ts)
 * - DELETE /_sandbox/faults          drop every planned fault
 * - POST   /_sandbox/reset           forget everything (contacts, appointments, messages, faults, rate counters)
 * - GET    /_sandbox/health          `{ok: true}` once Redis answers
 * - /_sandbox/oauth/...              the Marketplace app's install controls (routes/oauth.ts)
 * - GET    /_sandbox/webhook-public-key   the SPKI PEM the INSTALL webhooks are signed for (not behind the token)
 * The chat page's endpoints, /_sandbox/chat/..., are in chat.ts (and not behind the token).
 */
const seedBody = z.object({
  id: z.string().min(1).optional(),
  locationId: z.string().min(1).optional(),
  name: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  timezone: z.string().optional(),
  dnd: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
});

const faultBody = z.object({
  endpoint: z.string().min(1).optional(),
  path: z
    .string()
    .superRefine((glob, check) => {
      const problem = pathGlobProblem(glob);
      if (problem) check.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  responses: z.array(z.unknown().refine(isFaultResponse, 'must be a status code 400-599, {status, retryAfterSeconds?}, {delayMs}, "timeout", "drop", "drop-after-effect" or "timeout-after-effect"')).min(1),
});

export function sandboxRoutes(ctx: SandboxContext): Router {
  const router = caseSensitiveRouter();

  router.use((req, _res, next) => {
    if (ctx.token && req.get('authorization') !== `Bearer ${ctx.token}`) throw new GhlHttpError(401, 'Invalid token: access token is invalid');
    next();
  });

  router.get('/health', async (_req, res) => {
    await ctx.redis.ping();
    res.json({ ok: true });
  });

  router.post('/contacts', async (req, res) => {
    const { id, locationId, ...fields } = parseInput(seedBody, req.body, 400);
    const location = locationId === undefined ? ctx.locations.primary : ctx.locations.get(locationId);
    if (!location) throw new GhlHttpError(400, `locationId: the sandbox has no location ${locationId}`);
    const { contact } = await ctx.contacts.upsert(location.id, fields, id);
    res.status(201).json({ contact });
  });

  const filter = <T extends { contactId: string; locationId: string }>(req: Request, items: T[]) => {
    const contactId = typeof req.query.contactId === 'string' ? req.query.contactId : undefined;
    const locationId = typeof req.query.locationId === 'string' ? req.query.locationId : undefined;
    return items.filter((i) => (contactId === undefined || i.contactId === contactId) && (locationId === undefined || i.locationId === locationId));
  };

  router.get('/contacts', async (req, res) => {
    const locationId = typeof req.query.locationId === 'string' ? req.query.locationId : undefined;
    res.json({ contacts: (await ctx.contacts.all()).filter((c) => locationId === undefined || c.locationId === locationId) });
  });

  router.get('/messages', async (req, res) => {
    res.json({ messages: filter(req, await ctx.conversations.all()) });
  });

  router.get('/appointments', async (req, res) => {
    res.json({ appointments: filter(req, await ctx.appointments.all()) });
  });

  router.get('/workflow-enrolments', async (req, res) => {
    const raw = await ctx.redis.lrange(ctx.keys.workflowEnrolments, 0, -1);
    res.json({ enrolments: filter(req, raw.map((r) => JSON.parse(r) as { contactId: string; locationId: string; workflowId: string })) });
  });

  router.use('/oauth', sandboxOAuthRoutes(ctx));

  router.post('/faults', async (req, res) => {
    const body = parseInput(faultBody, req.body, 400);
    res.status(201).json({ id: await ctx.faults.add(body as Parameters<typeof ctx.faults.add>[0]) });
  });

  router.delete('/faults', async (_req, res) => {
    await ctx.faults.clear();
    res.status(204).end();
  });

  router.post('/reset', async (_req, res) => {
    await deleteUnder(ctx, `${ctx.keys.prefix}:*`);
    res.status(204).end();
  });

  return router;
}

/** GET /_sandbox/webhook-public-key: the Ed25519 public key (SPKI PEM) to configure as the ingest's GHL_WEBHOOK_PUBLIC_KEY. */
export function webhookKeyRoutes(ctx: SandboxContext): Router {
  const router = caseSensitiveRouter();
  router.get('/webhook-public-key', (_req, res) => {
    if (!ctx.installWebhooks) throw new GhlHttpError(404, 'The sandbox signs no webhooks with Ed25519: it was started without installWebhooks');
    res.type('application/x-pem-file').send(ctx.installWebhooks.publicKeyPem);
  });
  return router;
}

/** SCAN, not KEYS: the sandbox may share a Redis with the product. */
async function deleteUnder(ctx: SandboxContext, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await ctx.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length) await ctx.redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

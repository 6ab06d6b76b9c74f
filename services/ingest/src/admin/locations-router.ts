import express, { Router } from 'express';
import { AppError, locationSettingsSchema, type LocationDirectory, type LocationView } from '@wab/shared';
import { sendError } from '../http/send-error';

/**
 * /admin/locations: each location's settings and connection, and overrides stored in Redis over the file's.
 * Tokens are write-only: answers say whether one is set, never what it is.
 */
export function locationsRouter(locations: LocationDirectory): Router {
  const router = Router();
  router.get('/admin/locations', (_req, res) => void res.json({ locations: locations.all().map((l) => shown(locations, l)) }));

  router.get('/admin/locations/:id', (req, res) => {
    const location = locations.get(req.params.id);
    if (!location) return sendError(res, 'NOT_FOUND', 'No such location');
    res.json(shown(locations, location));
  });

  router.put('/admin/locations/:id', express.json({ limit: '64kb' }), async (req, res) => {
    const parsed = locationSettingsSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.') || '(body)';
      throw new AppError('VALIDATION_ERROR', `Invalid field ${field}: ${issue.message}`, { field });
    }
    const id = req.params.id.trim();
    if (!id || id.length > 100) throw new AppError('VALIDATION_ERROR', 'Invalid location id', { field: 'id' });
    res.json(shown(locations, await locations.override(id, parsed.data)));
  });

  router.delete('/admin/locations/:id', async (req, res) => {
    if (!locations.get(req.params.id)?.overridden) return sendError(res, 'NOT_FOUND', 'No admin settings for this location');
    await locations.clearOverride(req.params.id);
    const location = locations.get(req.params.id);
    res.json(location ? shown(locations, location) : { id: req.params.id, removed: true });
  });
  return router;
}

function shown(locations: LocationDirectory, location: LocationView) {
  const { token, webhookToken, ...rest } = location;
  return { ...rest, token: token ? 'set' : null, webhookToken: webhookToken ? 'set' : null, connectionReason: locations.connectionOf(location.id)?.reason ?? null };
}

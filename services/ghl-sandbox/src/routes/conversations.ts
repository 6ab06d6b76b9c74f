import type { Router } from 'express';
import { z } from 'zod';
import type { SandboxContext } from '../context';
import { endpoint } from '../endpoint';
import { caseSensitiveRouter, GhlHttpError, parseInput } from '../http';
import { requireAccess, requireLocation } from '../locations';
import { MESSAGE_TYPES } from '../store/conversations';

const sendBody = z.object({
  type: z.enum(Object.keys(MESSAGE_TYPES) as [string, ...string[]]),
  contactId: z.string().min(1),
  message: z.string().optional(),
  html: z.string().optional(),
  attachments: z.array(z.string()).optional(),
});

const searchQuery = z.object({
  locationId: z.string().min(1),
  contactId: z.string().optional(),
  limit: z.coerce.number().int().positive().max(100).optional(),
});

const messagesQuery = z.object({
  limit: z.coerce.number().int().positive().max(100).default(20),
  lastMessageId: z.string().optional(),
});

export function conversationRoutes(ctx: SandboxContext): Router {
  const router = caseSensitiveRouter();

  router.post(
    '/conversations/messages',
    endpoint(ctx, 'sendMessage', async (req, res) => {
      const body = parseInput(sendBody, req.body, 400);
      const text = body.message ?? body.html ?? '';
      if (!text.trim() && !body.attachments?.length) throw new GhlHttpError(400, 'message should not be empty');
      const contact = await ctx.contacts.get(body.contactId);
      if (!contact) throw new GhlHttpError(400, 'Contact not found');
      requireAccess(res, contact.locationId);
      const sent = await ctx.conversations.send(contact, body.type, text);
      res.json({ conversationId: sent.conversationId, messageId: sent.id, msg: 'Message queued successfully.', status: sent.status });
    }),
  );

  router.get(
    '/conversations/search',
    endpoint(ctx, 'searchConversations', async (req, res) => {
      const query = parseInput(searchQuery, req.query, 400);
      requireLocation(res, ctx.locations, query.locationId);
      const conversations = await ctx.conversations.search(query);
      res.json({ conversations: conversations.slice(0, query.limit ?? 20), total: conversations.length });
    }),
  );

  router.get(
    '/conversations/:conversationId/messages',
    endpoint(ctx, 'conversationMessages', async (req, res) => {
      const query = parseInput(messagesQuery, req.query, 400);
      const conversationId = String(req.params.conversationId);
      const conversation = await ctx.conversations.get(conversationId);
      if (!conversation) throw new GhlHttpError(404, 'Conversation not found');
      requireAccess(res, conversation.locationId);
      const page = await ctx.conversations.page(conversationId, query.limit, query.lastMessageId);
      // GetMessagesByConversationResponseDto, as the OpenAPI file gives it (flat).
      res.json({ lastMessageId: page.messages.at(-1)?.id ?? '', nextPage: page.nextPage, messages: page.messages });
    }),
  );

  return router;
}

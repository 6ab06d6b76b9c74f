import type { Redis } from 'ioredis';
import { ghlId } from '../ids';
import type { SandboxKeys } from './keys';

/** GHL's GetMessageResponseDto fields. */
export interface SandboxMessage {
  id: string;
  /** GHL's numeric type code; the WhatsApp value is not documented, so this one is the sandbox's own. */
  type: number;
  messageType: string;
  locationId: string;
  contactId: string;
  conversationId: string;
  dateAdded: string;
  body: string;
  direction: 'inbound' | 'outbound';
  status: string;
  contentType: string;
  source: string;
  attachments: string[];
}

/** GHL's ConversationSchema fields. */
export interface SandboxConversation {
  id: string;
  contactId: string;
  locationId: string;
  lastMessageBody: string;
  lastMessageType: string;
  lastMessageDate: number;
  type: string;
  unreadCount: number;
  fullName: string;
  contactName: string;
  email: string;
  phone: string;
  dateAdded: number;
  dateUpdated: number;
}

/** Send types (SendMessageBodyDto.type) and the message type they show up as. */
export const MESSAGE_TYPES: Record<string, { code: number; messageType: string }> = {
  SMS: { code: 2, messageType: 'TYPE_SMS' },
  RCS: { code: 2, messageType: 'TYPE_RCS' },
  Email: { code: 3, messageType: 'TYPE_EMAIL' },
  WhatsApp: { code: 19, messageType: 'TYPE_WHATSAPP' },
  IG: { code: 18, messageType: 'TYPE_INSTAGRAM' },
  FB: { code: 11, messageType: 'TYPE_FACEBOOK' },
  Custom: { code: 20, messageType: 'TYPE_CUSTOM_SMS' },
  Live_Chat: { code: 29, messageType: 'TYPE_LIVE_CHAT' },
  TIKTOK: { code: 40, messageType: 'TYPE_TIKTOK' },
};

/** Blank fields are '' (as GHL leaves them). */
export interface ContactSummary {
  id: string;
  locationId: string;
  name: string;
  email: string;
  phone: string;
}

export class ConversationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: SandboxKeys,
  ) {}

  /** Records an outbound message in the contact's conversation (made on first use, one per contact). */
  async send(contact: ContactSummary, type: string, body: string): Promise<SandboxMessage> {
    return this.record(contact, type, body, 'outbound');
  }

  /**
   * Records a message the customer wrote (the sandbox's chat page), as GHL keeps inbound messages in the
   * conversation. Not in the list of sent messages (`all`), which stays what the API was asked to send.
   */
  async receive(contact: ContactSummary, type: string, body: string): Promise<SandboxMessage> {
    return this.record(contact, type, body, 'inbound');
  }

  private async record(contact: ContactSummary, type: string, body: string, direction: SandboxMessage['direction']): Promise<SandboxMessage> {
    const conversationId = await this.conversationFor(contact);
    const kind = MESSAGE_TYPES[type] ?? MESSAGE_TYPES.SMS;
    const now = Date.now();
    const message: SandboxMessage = {
      id: ghlId(),
      type: kind.code,
      messageType: kind.messageType,
      locationId: contact.locationId,
      contactId: contact.id,
      conversationId,
      dateAdded: new Date(now).toISOString(),
      body,
      direction,
      status: 'delivered',
      contentType: 'text/plain',
      source: direction === 'outbound' ? 'api' : 'sandbox-chat',
      attachments: [],
    };
    const tx = this.redis
      .multi()
      .set(this.keys.message(message.id), JSON.stringify(message))
      .rpush(this.keys.conversationMessages(conversationId), message.id);
    if (direction === 'outbound') tx.rpush(this.keys.messagesAll, message.id);
    await tx
      .hset(this.keys.conversation(conversationId), {
        lastMessageBody: body,
        lastMessageType: kind.messageType,
        lastMessageDate: now,
        dateUpdated: now,
      })
      .exec();
    return message;
  }

  /** Changes a recorded message's status (a chat message the ingest did not take becomes `failed`). */
  async setStatus(messageId: string, status: string): Promise<void> {
    const json = await this.redis.get(this.keys.message(messageId));
    if (json) await this.redis.set(this.keys.message(messageId), JSON.stringify({ ...(JSON.parse(json) as SandboxMessage), status }));
  }

  /**
   * The contact's conversation, both directions, oldest first, from position `from` on (positions only
   * grow: a reader that keeps `next` sees each message once).
   */
  async history(contactId: string, from = 0): Promise<{ conversationId: string | null; messages: SandboxMessage[]; next: number }> {
    const conversationId = await this.redis.hget(this.keys.conversationByContact, contactId);
    if (!conversationId) return { conversationId: null, messages: [], next: from };
    const ids = await this.redis.lrange(this.keys.conversationMessages(conversationId), from, -1);
    return { conversationId, messages: await this.load(ids), next: from + ids.length };
  }

  /** HSETNX, so concurrent first messages to one contact share one conversation. */
  private async conversationFor(contact: ContactSummary): Promise<string> {
    const existing = await this.redis.hget(this.keys.conversationByContact, contact.id);
    if (existing) return existing;
    const id = ghlId();
    if (!(await this.redis.hsetnx(this.keys.conversationByContact, contact.id, id))) {
      return (await this.redis.hget(this.keys.conversationByContact, contact.id)) as string;
    }
    const now = Date.now();
    await this.redis
      .multi()
      .hset(this.keys.conversation(id), {
        id,
        contactId: contact.id,
        locationId: contact.locationId,
        fullName: contact.name,
        contactName: contact.name,
        email: contact.email,
        phone: contact.phone,
        dateAdded: now,
        dateUpdated: now,
      })
      .rpush(this.keys.conversationsAll, id)
      .exec();
    return id;
  }

  async get(id: string): Promise<SandboxConversation | null> {
    const h = await this.redis.hgetall(this.keys.conversation(id));
    if (!h.id) return null;
    return {
      id: h.id,
      contactId: h.contactId,
      locationId: h.locationId,
      lastMessageBody: h.lastMessageBody ?? '',
      lastMessageType: h.lastMessageType ?? '',
      lastMessageDate: Number(h.lastMessageDate ?? h.dateAdded),
      type: 'TYPE_PHONE',
      unreadCount: 0,
      fullName: h.fullName,
      contactName: h.contactName,
      email: h.email,
      phone: h.phone,
      dateAdded: Number(h.dateAdded),
      dateUpdated: Number(h.dateUpdated),
    };
  }

  async search(filter: { locationId: string; contactId?: string }): Promise<SandboxConversation[]> {
    const ids = filter.contactId
      ? [await this.redis.hget(this.keys.conversationByContact, filter.contactId)].filter((id): id is string => !!id)
      : await this.redis.lrange(this.keys.conversationsAll, 0, -1);
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter((c): c is SandboxConversation => c !== null && c.locationId === filter.locationId);
  }

  /** Newest first, `limit` at a time, continuing below `lastMessageId` (GHL's paging). */
  async page(conversationId: string, limit: number, lastMessageId?: string): Promise<{ messages: SandboxMessage[]; nextPage: boolean }> {
    const ids = (await this.redis.lrange(this.keys.conversationMessages(conversationId), 0, -1)).reverse();
    const from = lastMessageId ? ids.indexOf(lastMessageId) + 1 : 0;
    const slice = from > 0 || !lastMessageId ? ids.slice(from, from + limit) : [];
    return { messages: await this.load(slice), nextPage: from + limit < ids.length && slice.length > 0 };
  }

  /** Every message, oldest first. */
  async all(contactId?: string): Promise<SandboxMessage[]> {
    const messages = await this.load(await this.redis.lrange(this.keys.messagesAll, 0, -1));
    return contactId ? messages.filter((m) => m.contactId === contactId) : messages;
  }

  private async load(ids: string[]): Promise<SandboxMessage[]> {
    if (!ids.length) return [];
    const jsons = await this.redis.mget(...ids.map((id) => this.keys.message(id)));
    return jsons.filter((j): j is string => j !== null).map((j) => JSON.parse(j) as SandboxMessage);
  }
}

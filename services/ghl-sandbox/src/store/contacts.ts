import type { Redis } from 'ioredis';
import { ghlId } from '../ids';
import type { SandboxKeys } from './keys';

/**
 * A contact as GHL answers it (GetContectByIdSchema, in GET /contacts/{id}, the duplicate search and
 * upserts). Unset text fields are empty strings, never null or missing (`"timezone": ""`, `"email": ""`),
 * as GHL sends them: clients must treat blank as absent. Keys the worker does not use are there too, as
 * at GHL, so its parsers meet them.
 */
export interface SandboxContact {
  id: string;
  locationId: string;
  name: string;
  /** GHL's older spelling of the full name, still sent beside `name`. */
  contactName: string;
  firstName: string;
  lastName: string;
  firstNameLowerCase: string;
  lastNameLowerCase: string;
  fullNameLowerCase: string;
  email: string;
  emailLowerCase: string;
  phone: string;
  timezone: string;
  companyName: string;
  address1: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
  website: string;
  assignedTo: string;
  dnd: boolean;
  dndSettings: Record<string, { status: string; message?: string; code?: string }>;
  tags: string[];
  type: string;
  source: string;
  dateAdded: string;
  dateUpdated: string;
  customFields: { id: string; value: unknown }[];
  additionalEmails: string[];
  attachments: string[];
}

export interface ContactFields {
  name?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  email?: string | null;
  timezone?: string | null;
  dnd?: boolean;
  tags?: string[];
}

/** Phones are matched on `+` and digits only (GHL stores E.164); an unencoded `+` in a query becomes a space and no longer matches, as at GHL. */
export function normalisePhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const trimmed = phone.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/\D/g, '');
}

/** GHL keeps tags lower-case. */
export const normaliseTag = (tag: string) => tag.trim().toLowerCase();

/**
 * Find-or-create by phone, then email, and write the given fields, in one step: two upserts for one phone
 * never make two contacts.
 * KEYS: by-phone, by-email, all-contacts. ARGV: contact key prefix, new id, phone, email, n create-only
 * pairs, then those pairs, then pairs written on every upsert.
 */
const UPSERT_LUA = `
local id = false
if ARGV[3] ~= '' then id = redis.call('HGET', KEYS[1], ARGV[3]) end
if not id and ARGV[4] ~= '' then id = redis.call('HGET', KEYS[2], ARGV[4]) end
local isNew = 0
if not id then
  id = ARGV[2]
  isNew = 1
  redis.call('RPUSH', KEYS[3], id)
end
local key = ARGV[1] .. id
local createPairs = tonumber(ARGV[5])
local first = 6
if isNew == 1 and createPairs > 0 then
  redis.call('HSET', key, unpack(ARGV, first, first + createPairs * 2 - 1))
end
first = first + createPairs * 2
if #ARGV >= first then redis.call('HSET', key, unpack(ARGV, first, #ARGV)) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], ARGV[3], id) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[4], id) end
return {id, isNew}
`;

export class ContactStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: SandboxKeys,
  ) {}

  async get(id: string): Promise<SandboxContact | null> {
    const [hash, tags] = await Promise.all([
      this.redis.hgetall(this.keys.contact(id)),
      this.redis.smembers(this.keys.contactTags(id)),
    ]);
    if (!hash.id) return null;
    const text = (v: string | undefined) => v ?? '';
    const name = text(hash.name);
    const email = text(hash.email);
    return {
      id: hash.id,
      locationId: hash.locationId,
      name,
      contactName: name,
      firstName: text(hash.firstName),
      lastName: text(hash.lastName),
      firstNameLowerCase: text(hash.firstName).toLowerCase(),
      lastNameLowerCase: text(hash.lastName).toLowerCase(),
      fullNameLowerCase: name.toLowerCase(),
      email,
      emailLowerCase: email.toLowerCase(),
      phone: text(hash.phone),
      timezone: text(hash.timezone),
      companyName: '',
      address1: '',
      city: '',
      state: '',
      postalCode: '',
      country: '',
      website: '',
      assignedTo: '',
      dnd: hash.dnd === '1',
      dndSettings: {},
      tags: tags.sort(),
      type: 'lead',
      source: hash.source ?? 'public api',
      dateAdded: hash.dateAdded,
      dateUpdated: hash.dateUpdated,
      customFields: hash.customFields ? (JSON.parse(hash.customFields) as { id: string; value: unknown }[]) : [],
      additionalEmails: [],
      attachments: [],
    };
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.contact(id))) === 1;
  }

  async all(): Promise<SandboxContact[]> {
    const ids = await this.redis.lrange(this.keys.contactsAll, 0, -1);
    const contacts = await Promise.all(ids.map((id) => this.get(id)));
    return contacts.filter((c): c is SandboxContact => c !== null);
  }

  /** `id` is only for seeding: a new contact gets it instead of a random one. */
  async upsert(locationId: string, fields: ContactFields, id: string = ghlId()): Promise<{ contact: SandboxContact; isNew: boolean }> {
    const phone = normalisePhone(fields.phone);
    const email = fields.email?.trim().toLowerCase() ?? '';
    const now = new Date().toISOString();
    const names = splitName(fields);
    const always: Record<string, string> = { dateUpdated: now };
    for (const [k, v] of Object.entries({ ...names, phone, email, timezone: fields.timezone })) {
      if (v !== undefined && v !== null && v !== '') always[k] = v;
    }
    if (fields.dnd !== undefined) always.dnd = fields.dnd ? '1' : '0';
    const createOnly = { id, locationId, dateAdded: now, source: 'public api' };
    const reply = (await this.redis.eval(
      UPSERT_LUA,
      3,
      this.keys.contactsByPhone(locationId),
      this.keys.contactsByEmail(locationId),
      this.keys.contactsAll,
      this.keys.contactKeyPrefix,
      id,
      phone,
      email,
      Object.keys(createOnly).length,
      ...Object.entries(createOnly).flat(),
      ...Object.entries(always).flat(),
    )) as [string, number];
    const [contactId, isNew] = reply;
    if (fields.tags?.length) await this.addTags(contactId, fields.tags);
    const contact = await this.get(contactId);
    if (!contact) throw new Error(`contact ${contactId} vanished during upsert`);
    return { contact, isNew: isNew === 1 };
  }

  async findByPhone(locationId: string, phone: string): Promise<SandboxContact | null> {
    const key = normalisePhone(phone);
    const id = key ? await this.redis.hget(this.keys.contactsByPhone(locationId), key) : null;
    return id ? this.get(id) : null;
  }

  async findByEmail(locationId: string, email: string): Promise<SandboxContact | null> {
    const id = await this.redis.hget(this.keys.contactsByEmail(locationId), email.trim().toLowerCase());
    return id ? this.get(id) : null;
  }

  /** The location a contact belongs to, or null when there is no such contact. */
  async locationOf(id: string): Promise<string | null> {
    return this.redis.hget(this.keys.contact(id), 'locationId');
  }

  /**
   * `PUT /contacts/{id}`: sets the given fields (names, email, timezone) and custom field values, written as
   * GHL's `[{ id, field_value }]` and read back as `[{ id, value }]`. Null when the contact does not exist.
   */
  async update(id: string, fields: ContactFields & { customFields?: { id: string; field_value: unknown }[] }): Promise<SandboxContact | null> {
    const current = await this.get(id);
    if (!current) return null;
    const names = splitName({
      name: fields.name ?? (fields.firstName || fields.lastName ? undefined : current.name),
      firstName: fields.firstName ?? (fields.name ? undefined : current.firstName),
      lastName: fields.lastName ?? (fields.name || fields.firstName ? undefined : current.lastName),
    });
    const set: Record<string, string> = { dateUpdated: new Date().toISOString() };
    for (const [k, v] of Object.entries({ ...names, timezone: fields.timezone })) if (v !== undefined && v !== null) set[k] = v;
    if (fields.email !== undefined && fields.email !== null) {
      set.email = fields.email.trim().toLowerCase();
      if (set.email) await this.redis.hset(this.keys.contactsByEmail(current.locationId), set.email, id);
    }
    if (fields.customFields?.length) {
      const values = new Map(current.customFields.map((f) => [f.id, f.value]));
      for (const f of fields.customFields) values.set(f.id, f.field_value);
      set.customFields = JSON.stringify([...values].map(([fieldId, value]) => ({ id: fieldId, value })));
    }
    await this.redis.hset(this.keys.contact(id), set);
    return this.get(id);
  }

  /** Returns all tags after the change. */
  async addTags(id: string, tags: string[]): Promise<string[]> {
    const clean = tags.map(normaliseTag).filter(Boolean);
    if (clean.length) await this.redis.sadd(this.keys.contactTags(id), ...clean);
    await this.redis.hset(this.keys.contact(id), 'dateUpdated', new Date().toISOString());
    return (await this.redis.smembers(this.keys.contactTags(id))).sort();
  }

  async removeTags(id: string, tags: string[]): Promise<string[]> {
    const clean = tags.map(normaliseTag).filter(Boolean);
    if (clean.length) await this.redis.srem(this.keys.contactTags(id), ...clean);
    await this.redis.hset(this.keys.contact(id), 'dateUpdated', new Date().toISOString());
    return (await this.redis.smembers(this.keys.contactTags(id))).sort();
  }
}

/** GHL fills `name` from first/last names and the other way round. */
function splitName(fields: ContactFields): { name?: string; firstName?: string; lastName?: string } {
  const first = fields.firstName?.trim() || undefined;
  const last = fields.lastName?.trim() || undefined;
  const name = fields.name?.trim() || undefined;
  if (name && !first && !last) {
    const [head, ...rest] = name.split(/\s+/);
    return { name, firstName: head, lastName: rest.join(' ') || undefined };
  }
  if (!name && (first || last)) return { name: [first, last].filter(Boolean).join(' '), firstName: first, lastName: last };
  return { name, firstName: first, lastName: last };
}

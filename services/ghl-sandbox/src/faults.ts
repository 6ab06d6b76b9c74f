import type { Redis } from 'ioredis';
import { ghlId } from './ids';
import { pathGlobMatches, pathGlobProblem } from './path-glob';
import { sandboxKeys, type SandboxKeys } from './store/keys';

/**
 * What a faulty request gets instead of a normal answer:
 * - a status code (429, 500, 503...): a GHL error body with that status; nothing is done;
 * - `{status, retryAfterSeconds?, message?}`: the same with a `Retry-After` header or another message;
 * - `'timeout'`: the request is held open without an answer (longer than any client timeout), nothing done;
 * - `'drop'`: the connection is cut before anything is done (a network error);
 * - `'drop-after-effect'`: the request is carried out (appointment made, message sent), then the connection
 *   is cut instead of answering: the lost answer a client must not blindly retry;
 * - `'timeout-after-effect'`: carried out, then held open without an answer;
 * - `{delayMs}`: a slow GHL: the request waits that long (at most a minute), then is carried out and answered.
 */
export type FaultResponse =
  | number
  | { status: number; retryAfterSeconds?: number; message?: string }
  | { delayMs: number }
  | 'timeout'
  | 'drop'
  | 'drop-after-effect'
  | 'timeout-after-effect';

/**
 * The next `responses.length` requests matching the rule fail, one response each, in order. Match by
 * `endpoint` (the sandbox's name for a route: see ENDPOINTS) or by `path`, a glob over `METHOD /path`
 * where `*` is any run of characters (e.g. `"POST /conversations/messages"`, `"GET /contacts/*"`; see
 * path-glob.ts). Without either, every API request matches.
 */
export interface FaultRule {
  endpoint?: string;
  path?: string;
  responses: FaultResponse[];
}

/** Route names, for fault rules and for the client's metrics (the worker's client uses the same names). */
export const ENDPOINTS = [
  'getCalendar',
  'freeSlots',
  'createAppointment',
  'getAppointment',
  'updateAppointment',
  'contactAppointments',
  'getContact',
  'updateContact',
  'upsertContact',
  'searchDuplicate',
  'addTags',
  'removeTags',
  'addContactToWorkflow',
  'sendMessage',
  'searchConversations',
  'conversationMessages',
  'oauthToken',
  'locationToken',
  'installedLocations',
] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

interface StoredRule {
  id: string;
  endpoint?: string;
  path?: string;
}

/**
 * Fault rules live in Redis, so a rule posted to one sandbox process applies to all of them and each
 * planned failure is used exactly once (LPOP) even when requests race.
 */
export class FaultInjector {
  private readonly keys: SandboxKeys;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.keys = sandboxKeys(keyPrefix);
  }

  async add(rule: FaultRule): Promise<string> {
    const problem = rule.path === undefined ? null : pathGlobProblem(rule.path);
    if (problem) throw new Error(`fault rule path ${problem}`); // now, not at match time
    const stored: StoredRule = { id: ghlId(), endpoint: rule.endpoint, path: rule.path };
    await this.redis
      .multi()
      .rpush(this.keys.faultResponses(stored.id), ...rule.responses.map((r) => JSON.stringify(r)))
      .rpush(this.keys.faultRules, JSON.stringify(stored))
      .exec();
    return stored.id;
  }

  /** Takes the next planned failure for this request, if a rule matches and still has one. */
  async take(request: { endpoint: string; method: string; path: string }): Promise<FaultResponse | null> {
    const rules = await this.redis.lrange(this.keys.faultRules, 0, -1);
    for (const raw of rules) {
      const rule = JSON.parse(raw) as StoredRule;
      if (rule.endpoint !== undefined && rule.endpoint !== request.endpoint) continue;
      if (rule.path !== undefined && !pathGlobMatches(rule.path, `${request.method} ${request.path}`)) continue;
      const next = await this.redis.lpop(this.keys.faultResponses(rule.id));
      if (next !== null) return JSON.parse(next) as FaultResponse;
      await this.redis.lrem(this.keys.faultRules, 1, raw); // used up
    }
    return null;
  }

  async clear(): Promise<void> {
    const rules = await this.redis.lrange(this.keys.faultRules, 0, -1);
    const ids = rules.map((r) => (JSON.parse(r) as StoredRule).id);
    await this.redis.del(this.keys.faultRules, ...ids.map((id) => this.keys.faultResponses(id)));
  }
}

export function isFaultResponse(value: unknown): value is FaultResponse {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 400 && value <= 599;
  if (typeof value === 'string') return ['timeout', 'drop', 'drop-after-effect', 'timeout-after-effect'].includes(value);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.delayMs === 'number') return Number.isInteger(v.delayMs) && v.delayMs >= 0 && v.delayMs <= 60_000;
    return typeof v.status === 'number' && v.status >= 400 && v.status <= 599;
  }
  return false;
}

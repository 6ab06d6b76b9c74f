/** Metric names both services and the deployment files (alerts, autoscaling) agree on. */
export const METRICS = {
  webhookRequests: 'webhook_requests_total',
  httpRequestDuration: 'http_request_duration_seconds',
  signatureFailures: 'webhook_signature_failures_total',
  rateLimited: 'webhook_rate_limited_total',
  duplicates: 'webhook_duplicates_total',
  ignored: 'webhook_ignored_total',
  queueJobs: 'queue_jobs',
  queueOldestWaitingAge: 'queue_oldest_waiting_age_seconds',
  queueWorkers: 'queue_workers',
  bookingDuration: 'booking_duration_seconds',
  activeWorkflows: 'active_workflows',
  runs: 'workflow_runs_total',
  nodeDuration: 'workflow_node_duration_seconds',
  llmCalls: 'llm_calls_total',
  llmTokens: 'llm_tokens_total',
  ghlCalls: 'ghl_api_calls_total',
  ghlRateBudgetWait: 'ghl_rate_budget_wait_seconds',
  retries: 'job_retries_total',
  messageStatuses: 'message_status_events_total',
  ignoredTimeZones: 'ignored_time_zones_total',
  handedToTeam: 'turns_handed_to_team_total',
  windowClosed: 'whatsapp_window_closed_total',
  nudges: 'follow_up_nudges_total',
  oauthRenewals: 'ghl_oauth_renewals_total',
  turnsDeferred: 'turns_deferred_total',
  locationConnections: 'ghl_location_connections',
} as const;

/**
 * Label values that come from outside (GHL, webhooks) are bounded: anything not listed is `other`, so a
 * hostile sender cannot create unbounded series.
 */
export function boundedLabel<T extends string>(value: string | null | undefined, allowed: readonly T[]): T | 'other' {
  const v = value ?? '';
  return (allowed as readonly string[]).includes(v) ? (v as T) : 'other';
}

/** Message statuses GHL and the API reference use (lower case); other values are counted as `other`. */
export const MESSAGE_STATUSES = ['pending', 'scheduled', 'sent', 'delivered', 'read', 'undelivered', 'failed', 'opened', 'clicked'] as const;

/** The API reference's histogram buckets, plus finer and longer ones. */
export const BOOKING_DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

/** Webhook event types worth a label of their own (GHL's documented ones and the API reference's); others are `other`. */
export const WEBHOOK_EVENT_TYPES = [
  'message', 'message_status', 'appointment_confirmed',
  'InboundMessage', 'OutboundMessage', 'AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete', 'ContactDndUpdate',
  'ContactCreate', 'ContactUpdate', 'ContactDelete', 'ContactTagUpdate', 'ConversationUnreadUpdate', 'NoteCreate',
  'TaskCreate', 'OpportunityCreate', 'OpportunityUpdate', 'INSTALL', 'UNINSTALL', 'LocationCreate', 'LocationUpdate',
] as const;

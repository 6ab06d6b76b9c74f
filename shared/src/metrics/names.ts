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
  retries: 'job_retries_total',
} as const;

/** The API reference's histogram buckets, plus finer and longer ones. */
export const BOOKING_DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

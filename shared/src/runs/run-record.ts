import type { ErrorCode } from '../errors/codes';

/** How a run ended (`queued` and `running` are read from the queue before the worker has written a record). */
export type FinalState = 'completed' | 'waiting_for_customer' | 'rejected' | 'ignored' | 'failed';
export type RunState = FinalState | 'queued' | 'running';

/** The API reference's "Workflow Response", plus what on-call needs to understand a failure. */
export interface RunRecord {
  workflow_run_id: string;
  final_state: RunState;
  nodes_executed: string[];
  result: {
    booking_created: boolean;
    appointment_id: string | null;
    scheduled_time: string | null;
    /** What the turn did: booked, rescheduled, cancelled, offered, asked, nudged, window_closed (null: none of these). */
    action?: string | null;
    /** The appointment before the turn (null: there was none); appointment_id and scheduled_time are the one after. */
    appointment_before?: { appointment_id: string; scheduled_time: string } | null;
    /** When a follow-up will go out if the customer does not answer (null: none is pending). */
    follow_up_at?: string | null;
    customer: {
      name: string | null;
      goal: string | null;
      budget: number | null;
      /** What the customer asked for, when they named a time (ISO window start). */
      preferred_time?: string | null;
      /** The language the bot answers in (`en`, `es`). */
      language?: string | null;
    };
  } | null;
  /** Seconds from the worker's start to the end of the run. */
  execution_time: number | null;
  event_type?: string;
  error?: { code: ErrorCode; message: string } | null;
  /**
   * What the customer wrote in this turn, whole (understanding reads a capped, tidied copy). Kept as long as
   * the record, for on-call and replays.
   */
  message?: string;
  /** What the customer was answered, when something was sent. */
  reply?: string | null;
  attempts?: number;
  finished_at?: string;
}

/** What a finished job returns to BullMQ (read by `?wait=N` callers through QueueEvents). */
export interface JobResult {
  final_state: FinalState;
  booking_id: string | null;
  reply: string | null;
}

/**
 * WhatsApp's customer-service window: free-form text may be sent only within WHATSAPP_WINDOW_HOURS of the
 * customer's last message (Meta refuses it later; only approved templates go out then). Every send checks it.
 */
export const DEFAULT_WINDOW_HOURS = 24;

export function windowOpen(lastInboundMs: number, nowMs: number, windowHours = DEFAULT_WINDOW_HOURS): boolean {
  return nowMs - lastInboundMs < windowHours * 3600_000;
}

/** What is done instead of a send the window no longer allows: the location's workflow, or nothing. */
export type WindowClosedAction = (contactId: string, lastInboundMs: number) => Promise<'enrolled' | 'none'>;

'use strict';
/**
 * What `run.js` and `doubles.js` share: the messages, the calendar the doubles pretend to have, and the
 * model's answer. The calendar is the same for the HTTP double (the worker's path) and for the in-memory
 * ports (the bare graph's path), so both paths do the same conversation work.
 */

const DAY_MS = 24 * 3600_000;
const SLOT_MS = 30 * 60_000;
const OPEN_H = 9;
const CLOSE_H = 17;

/** Slot starts (ISO with offset, UTC business) in [fromMs, toMs]: 09:00-17:00 every day, every 30 min, all free. */
function freeSlots(fromMs, toMs) {
  const out = [];
  const first = new Date(fromMs);
  for (let day = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()); day <= toMs; day += DAY_MS) {
    for (let t = day + OPEN_H * 3600_000; t < day + CLOSE_H * 3600_000; t += SLOT_MS) {
      if (t >= fromMs && t <= toMs) out.push(`${new Date(t).toISOString().slice(0, 19)}+00:00`);
    }
  }
  return out;
}

/** The API reference's example message (POST /webhook body); contact, ids and phone made unique per message. */
function referencePayload(tag, i, body) {
  const contactId = `ct_${tag}_${i}`;
  return {
    type: 'message',
    contactId,
    locationId: 'loc_abc123',
    conversationId: `conv_${tag}_${i}`,
    message: {
      id: `msg_${tag}_${i}`,
      body,
      from: `+1555${String(i).padStart(7, '0')}`,
      to: '+0987654321',
      timestamp: '2024-01-15T10:30:00Z',
    },
    contact: { id: contactId, name: 'John Doe', phone: `+1555${String(i).padStart(7, '0')}`, email: 'john@example.com' },
  };
}

/** Phase A: the API reference's example text (the heuristic is confident: no model call). */
const REFERENCE_BODY = 'Hi, I need help with marketing. My budget is $2000';
/** Phase B: the same facts plus words the heuristic cannot account for, so it is not confident and the model is asked. */
const UNSURE_BODY = 'Hi, I need help with marketing. My budget is $2000. My cousin recommended you guys';

/** What the model double answers (a schema-valid `modelUnderstandingSchema` object). */
const MODEL_ANSWER = {
  intent: 'provide_info',
  language: 'en',
  name: null,
  goal: 'marketing',
  budget: { amount: 2000, currency: 'USD', text: '$2000' },
  email: null,
  preferredTime: null,
  slotChoice: null,
};

module.exports = { freeSlots, referencePayload, REFERENCE_BODY, UNSURE_BODY, MODEL_ANSWER, DAY_MS };

import { z } from 'zod';

/** E.164 form: "+", then 7 to 15 digits, the first not 0. A format check, not a carrier-validity check. */
export const E164 = /^\+[1-9]\d{6,14}$/;

export const e164 = z.string().regex(E164, 'must be a phone number in E.164 form, e.g. +14155550123');

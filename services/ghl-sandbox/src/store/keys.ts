/** Every Redis key the sandbox uses; all start with the prefix so `reset` (and tests) can find them. */
export function sandboxKeys(prefix: string) {
  return {
    prefix,
    contact: (id: string) => `${prefix}:contact:${id}`,
    contactKeyPrefix: `${prefix}:contact:`,
    contactTags: (id: string) => `${prefix}:contact-tags:${id}`,
    /** Phones and emails are unique within a location, not across them (as at GHL). */
    contactsByPhone: (locationId: string) => `${prefix}:contacts:by-phone:${locationId}`,
    contactsByEmail: (locationId: string) => `${prefix}:contacts:by-email:${locationId}`,
    contactsAll: `${prefix}:contacts:all`,

    appointment: (id: string) => `${prefix}:appt:${id}`,
    appointmentsAll: `${prefix}:appts:all`,
    /** ZSET of active (not cancelled) appointment ids of a calendar, scored by start ms. */
    booked: (calendarId: string) => `${prefix}:appts:booked:${calendarId}`,
    /** HASH appointment id -> end ms, beside `booked`. */
    bookedEnds: (calendarId: string) => `${prefix}:appts:booked-ends:${calendarId}`,
    contactAppointments: (contactId: string) => `${prefix}:appts:contact:${contactId}`,

    conversationByContact: `${prefix}:conv:by-contact`,
    conversationsAll: `${prefix}:conv:all`,
    conversation: (id: string) => `${prefix}:conv:${id}`,
    conversationMessages: (id: string) => `${prefix}:conv-msgs:${id}`,
    message: (id: string) => `${prefix}:msg:${id}`,
    messagesAll: `${prefix}:msgs:all`,

    /** LIST of JSON enrolments (POST /contacts/{id}/workflow/{workflowId}), oldest first. */
    workflowEnrolments: `${prefix}:workflow-enrolments`,

    faultRules: `${prefix}:faults`,
    faultResponses: (ruleId: string) => `${prefix}:fault:${ruleId}`,

    rateWindow: (locationId: string) => `${prefix}:rate:${locationId}`,
    rateDaily: (locationId: string, day: string) => `${prefix}:rate-daily:${locationId}:${day}`,

    /** OAuth (store/tokens.ts): tokens are keyed by their SHA-256, so the keys stay short. */
    oauthCode: (hash: string) => `${prefix}:oauth:code:${hash}`,
    oauthAccess: (hash: string) => `${prefix}:oauth:access:${hash}`,
    oauthRefresh: (hash: string) => `${prefix}:oauth:refresh:${hash}`,
    /** A revocation counter per company or location: a token issued under an older value is dead. */
    oauthGeneration: (subject: string) => `${prefix}:oauth:gen:${subject}`,
    /** HASH location id -> ISO time the app was installed there. */
    oauthInstalled: `${prefix}:oauth:installed`,
    oauthStats: `${prefix}:oauth:stats`,
  };
}

export type SandboxKeys = ReturnType<typeof sandboxKeys>;

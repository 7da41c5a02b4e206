// The exchange's per-IP websocket limits (fact sheet), apart from streams.ts so that option
// parsing can check them without loading the SDK.

export const WS_LIMITS = { users: 10, subscriptions: 1000 } as const;

/** Leaders one machine can follow: every streamed user but our own account. */
export const MAX_LEADERS = WS_LIMITS.users - 1;

// What the page needs at run time from the server's side, free of any dependency so the
// page's bundle stays small. Types come from ./view (type-only imports).

/** The header every state-changing request carries (the session's CSRF token). */
export const CSRF_HEADER = "x-console-csrf";

import { describe, expect, it } from "vitest";
import { Sessions } from "../src/sessions.js";

const TOKEN = "a-console-token-of-at-least-32-characters";

describe("Sessions", () => {
  it("opens a session for the right token only, and it ends after its time or at logout", () => {
    let now = 0;
    const sessions = new Sessions({ token: TOKEN, ttlMs: 1_000, maxSessions: 10, now: () => now });
    expect(sessions.login("wrong")).toBeUndefined();
    const session = sessions.login(TOKEN);
    expect(session).toBeDefined();
    expect(sessions.find(session?.id)).toBe(session);
    now = 1_000;
    expect(sessions.find(session?.id)).toBeUndefined();
    const other = sessions.login(TOKEN);
    sessions.logout(other?.id);
    expect(sessions.find(other?.id)).toBeUndefined();
  });

  it("keeps at most maxSessions, dropping the oldest", () => {
    const sessions = new Sessions({ token: TOKEN, ttlMs: 1_000, maxSessions: 2, now: () => 0 });
    const [a, b, c] = [sessions.login(TOKEN), sessions.login(TOKEN), sessions.login(TOKEN)];
    expect(sessions.find(a?.id)).toBeUndefined();
    expect(sessions.find(b?.id)).toBe(b);
    expect(sessions.find(c?.id)).toBe(c);
  });

  it("matches the CSRF header to its own session only", () => {
    const sessions = new Sessions({ token: TOKEN, ttlMs: 1_000, maxSessions: 2, now: () => 0 });
    const a = sessions.login(TOKEN);
    const b = sessions.login(TOKEN);
    if (!a || !b) throw new Error("no session");
    expect(sessions.csrfMatches(a, a.csrf)).toBe(true);
    expect(sessions.csrfMatches(a, b.csrf)).toBe(false);
    expect(sessions.csrfMatches(a, undefined)).toBe(false);
  });
});

import { useEffect, useState } from "preact/hooks";
import { ApiError, api, setCsrf } from "./api.js";
import { useLive } from "./live.js";
import { Banners } from "./views/banners.js";
import { Bulks } from "./views/bulks.js";
import { Failures } from "./views/failures.js";
import { Login } from "./views/login.js";
import { Overview } from "./views/overview.js";
import { RecordView } from "./views/record.js";

const VIEWS = [
  { id: "overview", label: "Overview" },
  { id: "failures", label: "Failures" },
  { id: "bulks", label: "Bulk deletions" },
  { id: "record", label: "A record" },
] as const;
type ViewId = (typeof VIEWS)[number]["id"];

/** The view and record id live in the URL's hash, so a view can be linked to and Back works. */
function readHash(): { view: ViewId; recordId: string } {
  const [view, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const known = VIEWS.find((v) => v.id === view)?.id ?? "overview";
  return { view: known, recordId: decodeURIComponent(rest.join("/")) };
}

export function App() {
  const [auth, setAuth] = useState<"checking" | "in" | "out">("checking");
  const [where, setWhere] = useState(readHash);
  const live = useLive(auth === "in");

  useEffect(() => {
    api.get<{ csrf: string }>("/api/session").then(
      ({ csrf }) => {
        setCsrf(csrf);
        setAuth("in");
      },
      () => setAuth("out"),
    );
    const onHash = () => setWhere(readHash());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  if (auth === "checking") return <p class="login">Loading the console…</p>;
  if (auth === "out")
    return (
      <Login
        onLogin={async (token) => {
          const { csrf } = await api.post<{ csrf: string }>("/api/login", { token });
          setCsrf(csrf);
          setAuth("in");
        }}
      />
    );

  const go = (view: ViewId, recordId = "") => {
    location.hash = recordId ? `#/${view}/${encodeURIComponent(recordId)}` : `#/${view}`;
  };
  const logout = async () => {
    await api.post("/api/logout").catch((e: unknown) => {
      if (!(e instanceof ApiError)) throw e;
    });
    setCsrf(undefined);
    setAuth("out");
  };

  return (
    <>
      <header>
        <h1>Deletion console</h1>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map((v) => (
              <li key={v.id}>
                <button
                  type="button"
                  aria-current={where.view === v.id ? "page" : undefined}
                  onClick={() => go(v.id)}
                >
                  {v.label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <span class="muted" role="status" data-testid="live-state">
          {live.connected ? "live" : "connecting…"}
        </span>
        <button type="button" onClick={logout}>
          Log out
        </button>
      </header>
      <main>
        <Banners live={live} />
        {where.view === "overview" && <Overview snapshot={live.snapshot} />}
        {where.view === "failures" && (
          <Failures snapshot={live.snapshot} openRecord={(id) => go("record", id)} />
        )}
        {where.view === "bulks" && <Bulks snapshot={live.snapshot} />}
        {where.view === "record" && (
          <RecordView key={where.recordId} recordId={where.recordId} open={(id) => go("record", id)} />
        )}
      </main>
    </>
  );
}

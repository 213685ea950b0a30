import { useState } from "preact/hooks";

/** The token form: the console's token (CONSOLE_TOKEN_FILE) opens a session. */
export function Login({ onLogin }: { onLogin: (token: string) => Promise<void> }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onLogin(token);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>Deletion console</h1>
      <form onSubmit={submit}>
        <p>
          <label for="token">Console token</label>
          <br />
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="current-password"
            required
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          />
        </p>
        {error && (
          <p class="banner" role="alert" data-testid="login-error">
            Login refused: {error}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy}>
          Log in
        </button>
      </form>
    </main>
  );
}

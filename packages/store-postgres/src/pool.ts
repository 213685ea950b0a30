import pg from "pg";

export interface PoolOptions {
  connectionString: string;
  /** Connections at most; default 10. */
  max?: number;
  /** Server-side limit on one statement, so a batch stays short; default 30 s. */
  statementTimeoutMs?: number;
  /** How long to wait for a connection; default 10 s. */
  connectTimeoutMs?: number;
  applicationName?: string;
  /** Schemas unqualified table names resolve in (PostgreSQL's search_path); default the server's. */
  searchPath?: string;
  /** An idle connection that fails (server restart) is reported here instead of crashing. */
  onIdleError?: (error: Error) => void;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? "deletion",
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // Without a listener, an idle connection the server ends (a restart, a shutdown, and also a
  // connection pool.end() is still closing: its promise resolves before the sockets are closed)
  // would throw from the pool's "error" event and end the process.
  pool.on("error", (error) => options.onIdleError?.(error));
  return pool;
}

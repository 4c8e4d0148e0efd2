/**
 * @module What the SQL rotators share: a database engine reached through a `SqlDialect`, which does the few
 * things rotation needs (connect, change a password, check and clone a user) with the engine's own quoting
 * rules. The strategies (single user, alternating users, dual password) are written once over this
 * interface; each engine (postgres, mysql, sqlserver) supplies a dialect.
 */

/** TLS to the database server. */
export interface SqlTls {
  /** Require TLS (default true for Azure hosts). */
  enabled: boolean;
  /** Verify the server certificate against `ca` or the system CAs (default true). */
  rejectUnauthorized: boolean;
  /** PEM of a CA to trust, when the server's is private. */
  ca?: string;
  /** Name expected in the server certificate, when it differs from `host`. */
  serverName?: string;
}

/** Where a login lives: everything but the password. */
export interface SqlEndpoint {
  host: string;
  port: number;
  /** The database to connect to (PostgreSQL, SQL Server contained users); optional for MySQL. */
  database?: string;
  tls: SqlTls;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/** A user and its password. */
export interface SqlLogin {
  username: string;
  password: string;
}

/** Why a database step failed, so the history and alerts say what to fix. */
export type SqlFailure =
  | "authentication" // the credential was refused (the message names which one)
  | "unreachable" // host down, refused, DNS, TLS handshake, connect timeout
  | "privilege" // the connected user may not do it
  | "user-not-found"
  | "clone-refused" // creating the alternate user failed
  | "timeout" // a statement ran past the statement timeout
  | "other";

export class SqlRotationError extends Error {
  constructor(
    readonly failure: SqlFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "SqlRotationError";
  }

  /** Worth retrying later: the database may come back; a refused credential or privilege will not. */
  get transient(): boolean {
    return this.failure === "unreachable" || this.failure === "timeout";
  }
}

/** An open connection, as one login. Every method must quote identifiers and never interpolate a password. */
export interface SqlConnection {
  /** Whether a login/user exists. */
  userExists(username: string): Promise<boolean>;
  /** Changes a user's password (the connection's own user, or another when connected as a manager). */
  setPassword(username: string, password: string): Promise<void>;
  /**
   * Creates `clone` with `password` and the same grants, role memberships and TLS requirement as `source`.
   * Must succeed when `clone` already exists with those (a rerun after a crash), updating its password.
   */
  cloneUser(source: string, clone: string, password: string): Promise<void>;
  /** MySQL 8 dual passwords; absent where the server lacks them. */
  dualPassword?: {
    /** `ALTER USER ... IDENTIFIED BY ... RETAIN CURRENT PASSWORD`. */
    retainCurrent(username: string, password: string): Promise<void>;
    /** `ALTER USER ... DISCARD OLD PASSWORD`. */
    discardOld(username: string): Promise<void>;
  };
  close(): Promise<void>;
}

export interface SqlDialect {
  readonly engine: "postgres" | "mysql" | "sqlserver";
  readonly defaultPort: number;
  /** Opens a connection; failures are `SqlRotationError`s whose message names the login (never the password). */
  connect(endpoint: SqlEndpoint, login: SqlLogin): Promise<SqlConnection>;
}

/**
 * @module The small connection layer the sqlserver dialect talks through: open a session from an `mssql`
 * config, run one parameterised batch, close. The real one is `mssql` (tedious); SQL Server cannot run on
 * the development machines, so tests put a fake with SQL Server's documented errors behind the same
 * interface.
 */
import type sql from "mssql";

/** Named nvarchar parameters (`@name` in the batch). */
export type TdsParams = Record<string, string>;

export interface TdsSession {
  /** Runs a batch; resolves to the first result set's rows. Errors are mssql's ConnectionError/RequestError. */
  query(batch: string, params: TdsParams): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export type TdsConnect = (config: sql.config) => Promise<TdsSession>;

/** Opens a one-connection mssql pool. */
export const mssqlConnect: TdsConnect = async (config) => {
  // Loaded on first use: every command loads the registry, few of them talk to SQL Server.
  const { default: mssql } = await import("mssql");
  const pool = new mssql.ConnectionPool({ ...config, pool: { min: 0, max: 1 } });
  await pool.connect();
  return {
    async query(batch, params) {
      const request = pool.request();
      for (const [name, value] of Object.entries(params)) request.input(name, mssql.NVarChar(4000), value);
      const result = await request.query<Record<string, unknown>>(batch);
      return result.recordset ?? [];
    },
    close: () => pool.close(),
  };
};

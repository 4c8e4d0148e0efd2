/** @module `postgres`: PostgreSQL (and Azure Database for PostgreSQL) passwords, the SQL core over the PostgreSQL dialect. */
import { createSqlRotator } from "../sql/rotator.js";
import { postgresDialect } from "./dialect.js";

export const postgresRotator = createSqlRotator(postgresDialect, "postgres");

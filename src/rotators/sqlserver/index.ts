/** @module `sqlserver`: SQL Server and Azure SQL logins and contained users, the shared SQL rotator over mssql. */
import { createSqlRotator } from "../sql/rotator.js";
import { sqlServerDialect } from "./dialect.js";

export const sqlServerRotator = createSqlRotator(sqlServerDialect, "sqlserver");

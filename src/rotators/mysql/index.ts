/** @module `mysql`: MySQL and MariaDB passwords, the shared SQL rotator over the mysql2 dialect. */
import { createSqlRotator } from "../sql/rotator.js";
import { mysqlDialect } from "./dialect.js";

export const mysqlRotator = createSqlRotator(mysqlDialect, "mysql");

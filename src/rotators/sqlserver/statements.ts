/**
 * @module The T-SQL the sqlserver rotator sends, as fixed batches. Every name and password travels as an
 * nvarchar parameter; nothing is pasted into the text on the client. ALTER/CREATE LOGIN and USER do not
 * take variables, so each such batch builds its statement on the server (QUOTENAME brackets names and
 * doubles `]`; QUOTENAME(@x, '''') quotes a literal and doubles `'`) and runs it with sp_executesql: the
 * opposite of Microsoft's sample, which interpolates the password into the statement in C#.
 */

/** QUOTENAME returns NULL for input over 128 characters; a NULL statement would silently do nothing. */
function dynamic(expression: string): string {
  return [
    `DECLARE @sql nvarchar(max) = ${expression};`,
    "IF @sql IS NULL THROW 50000, N'kvguard: QUOTENAME returned NULL (a name or password over 128 characters)', 1;",
    "EXEC sys.sp_executesql @sql;",
  ].join("\n");
}

const PASSWORD = "N' WITH PASSWORD = N' + QUOTENAME(@password, N'''')";
const OLD_PASSWORD = "N' OLD_PASSWORD = N' + QUOTENAME(@oldPassword, N'''')";

export const TSQL = {
  /** 0: logins live on the server; 1: partially contained, users may have their own passwords. */
  probe: "SELECT CAST(containment AS int) AS containment FROM sys.databases WHERE name = DB_NAME();",
  /** Whether @name is a SQL login, a contained user with a password, and the database user mapped to the login. */
  principal: [
    "SELECT",
    "  CAST(CASE WHEN EXISTS (SELECT 1 FROM sys.server_principals WHERE name = @name AND type = 'S') THEN 1 ELSE 0 END AS int) AS login,",
    "  CAST(CASE WHEN EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @name AND type = 'S' AND authentication_type = 2) THEN 1 ELSE 0 END AS int) AS containedUser,",
    "  (SELECT TOP (1) dp.name FROM sys.database_principals AS dp JOIN sys.server_principals AS sp ON sp.sid = dp.sid WHERE sp.name = @name) AS mappedUser;",
  ].join("\n"),
  /** Role memberships of database user @user and (server roles) of login @login, public aside. */
  roles: [
    "SELECT r.name AS role, N'database' AS scope",
    "FROM sys.database_role_members AS m",
    "JOIN sys.database_principals AS r ON r.principal_id = m.role_principal_id",
    "JOIN sys.database_principals AS u ON u.principal_id = m.member_principal_id",
    "WHERE u.name = @user",
    "UNION ALL",
    "SELECT r.name, N'server'",
    "FROM sys.server_role_members AS m",
    "JOIN sys.server_principals AS r ON r.principal_id = m.role_principal_id",
    "JOIN sys.server_principals AS l ON l.principal_id = m.member_principal_id",
    "WHERE l.name = @login AND r.name <> N'public';",
  ].join("\n"),
  alterLogin: dynamic(`N'ALTER LOGIN ' + QUOTENAME(@name) + ${PASSWORD}`),
  /** One's own login without ALTER ANY LOGIN needs the old password. */
  alterOwnLogin: dynamic(`N'ALTER LOGIN ' + QUOTENAME(@name) + ${PASSWORD} + ${OLD_PASSWORD}`),
  alterUser: dynamic(`N'ALTER USER ' + QUOTENAME(@name) + ${PASSWORD}`),
  alterOwnUser: dynamic(`N'ALTER USER ' + QUOTENAME(@name) + ${PASSWORD} + ${OLD_PASSWORD}`),
  createLogin: dynamic(`N'CREATE LOGIN ' + QUOTENAME(@name) + ${PASSWORD}`),
  createContainedUser: dynamic(`N'CREATE USER ' + QUOTENAME(@name) + ${PASSWORD}`),
  createUserForLogin: dynamic("N'CREATE USER ' + QUOTENAME(@name) + N' FOR LOGIN ' + QUOTENAME(@login)"),
  renameLogin: dynamic("N'ALTER LOGIN ' + QUOTENAME(@name) + N' WITH NAME = ' + QUOTENAME(@newName)"),
  renameUser: dynamic("N'ALTER USER ' + QUOTENAME(@name) + N' WITH NAME = ' + QUOTENAME(@newName)"),
  addRoleMember: dynamic("N'ALTER ROLE ' + QUOTENAME(@role) + N' ADD MEMBER ' + QUOTENAME(@name)"),
  addServerRoleMember: dynamic("N'ALTER SERVER ROLE ' + QUOTENAME(@role) + N' ADD MEMBER ' + QUOTENAME(@name)"),
} as const;

export type TsqlBatch = (typeof TSQL)[keyof typeof TSQL];

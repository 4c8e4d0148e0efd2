/**
 * The least-privilege rules of issue 15 as checks over the templates' text, each returning its problems
 * (none when the rule holds), so that a test can run each on the real templates and on a mutated copy:
 * key rotation by a custom role without cryptographic operations, assigned only where keys rotate; state
 * roles on containers, queues and tables, never the account, with the code package out of kvguard's reach;
 * basic-auth publishing off; diagnostic settings of the app and the state account; the optional Entra
 * authentication and access restrictions in front of the HTTP functions.
 */
import { blankComments, blockAfter, entries, infraFiles, literal, params, resources, type Resource, type SourceFile } from "./bicepSource.js";

export type Sources = ReadonlyMap<string, SourceFile>;

export function templates(): Sources {
  return new Map(infraFiles().map((f) => [f.path, f]));
}

/** A copy of the templates with `from` replaced by `to` in one file; throws when `from` is not there. */
export function mutated(sources: Sources, path: string, from: string | RegExp, to: string): Sources {
  const file = sources.get(path);
  if (!file) throw new Error(`no ${path}`);
  const text = file.text.replace(from, to);
  if (text === file.text) throw new Error(`the mutation ${String(from)} does not apply to ${path}`);
  return new Map([...sources, [path, { ...file, text, code: blankComments(text) }]]);
}

const MAIN = "infra/main.bicep";
const APP = "infra/modules/functionApp.bicep";
const VAULT = "infra/modules/managedVault.bicep";
const STATE = "infra/modules/stateStorage.bicep";
const ACCESS = "infra/modules/stateAccess.bicep";
const KEY_ROLE = "infra/modules/keyRotatorRole.bicep";
const CERTIFICATE_ROLE = "infra/modules/certificateRenewerRole.bicep";

/** The data actions the keyvault-key rotator's calls need: list and get keys, get and set rotation policies, rotate. */
export const KEY_ROTATION_ACTIONS = [
  "Microsoft.KeyVault/vaults/keyrotationpolicies/read",
  "Microsoft.KeyVault/vaults/keyrotationpolicies/write",
  "Microsoft.KeyVault/vaults/keys/read",
  "Microsoft.KeyVault/vaults/keys/rotate/action",
];

/** The data actions the keyvault-certificate rotator's calls need: list and get certificates, create a new version. */
export const CERTIFICATE_RENEWAL_ACTIONS = ["Microsoft.KeyVault/vaults/certificates/create/action", "Microsoft.KeyVault/vaults/certificates/read"];

/** Built-in roles that carry key operations kvguard must not hold. */
const KEY_ROLES_TOO_BROAD: Record<string, string> = {
  "14b46e9e-c2b7-41b4-b07b-48a6ebf60603": "Key Vault Crypto Officer",
  "12338af0-0e69-4776-bea7-57ae8d297424": "Key Vault Crypto User",
  "e147488a-f6f5-4113-8e2d-b22465e65bf6": "Key Vault Crypto Service Encryption User",
  "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
};

/** Built-in roles that can import, delete, back up certificates or change their policies and issuers. */
const CERTIFICATE_ROLES_TOO_BROAD: Record<string, string> = {
  "a4417e6f-fecd-4de8-b567-7b0420556985": "Key Vault Certificates Officer",
  "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
};

const ROLE = {
  blobContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  blobReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  queueContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  tableContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
};

function file(sources: Sources, path: string): SourceFile {
  const found = sources.get(path);
  if (!found) throw new Error(`no ${path}`);
  return found;
}

function resourcesOf(sources: Sources, path: string, type: string): Resource[] {
  return resources(file(sources, path)).filter((r) => r.type === type && !r.existing);
}

/** The quoted strings of a `key: [ ... ]` list in a body (comments blanked). */
function listOf(body: string, key: string): string[] | undefined {
  const at = new RegExp(`\\b${key}:\\s*\\[`).exec(body);
  if (!at) return undefined;
  const open = at.index + at[0].length - 1;
  let depth = 0;
  let end = open;
  for (; end < body.length; end++) {
    if (body[end] === "[") depth++;
    else if (body[end] === "]" && --depth === 0) break;
  }
  return [...body.slice(open + 1, end).matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}

/** A `var NAME = [...]` list of literals, or a `var NAME = '...'` literal, of a file. */
function varValues(source: SourceFile, name: string): string[] {
  const line = new RegExp(`^var ${name} = (.+)$`, "m").exec(source.code)?.[1]?.trim() ?? "";
  const single = literal(line);
  if (single !== undefined) return [single];
  return [...line.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}

function roleIdOf(assignment: Resource): string {
  return (
    /roleDefinitionId:\s*subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions',\s*'([^']+)'\)/.exec(assignment.body)?.[1] ?? ""
  ).toLowerCase();
}

const scopeOf = (r: Resource) => /^\s*scope:\s*(.+)$/m.exec(r.body)?.[1]?.trim() ?? "";
const principalOf = (r: Resource) => /^\s*principalId:\s*(.+)$/m.exec(r.body)?.[1]?.trim() ?? "";
const conditionOf = (r: Resource, source: SourceFile) => new RegExp(`^resource ${r.symbol} [^\\n]*= if \\((.+)\\) \\{`, "m").exec(source.code)?.[1]?.trim();

/** A custom vault role kvguard holds: its file, exact data actions, what it is called, and how vaults ask for it. */
interface CustomVaultRole {
  file: string;
  actions: string[];
  what: string;
  /** The managedVault.bicep parameter holding the role definition's id. */
  roleIdParam: string;
  /** The per-vault flag that assigns it (managedVaults[].flag in main.bicep, a parameter of managedVault.bicep). */
  flag: string;
  module: string;
  /** Built-in roles that would hand kvguard more than this role does. */
  tooBroad: Record<string, string>;
}

/** The custom role has exactly its rotator's data actions, and is assigned only where the vault's flag asks for it. */
function customVaultRole(sources: Sources, spec: CustomVaultRole): string[] {
  const problems: string[] = [];
  const definitions = resourcesOf(sources, spec.file, "Microsoft.Authorization/roleDefinitions");
  if (definitions.length !== 1) return [`${spec.file} must define one role, found ${definitions.length}`];
  const role = definitions[0]!;
  const dataActions = (listOf(role.body, "dataActions") ?? []).sort();
  const extra = dataActions.filter((a) => !spec.actions.includes(a));
  const missing = spec.actions.filter((a) => !dataActions.includes(a));
  if (extra.length) problems.push(`the ${spec.what} role grants more than it needs: ${extra.join(", ")}`);
  if (missing.length) problems.push(`the ${spec.what} role lacks ${missing.join(", ")}`);
  if ((listOf(role.body, "actions") ?? ["(none)"]).length) problems.push(`the ${spec.what} role must grant no control-plane action`);
  if (!/type:\s*'CustomRole'/.test(role.body)) problems.push(`the ${spec.what} role must be a CustomRole`);

  const vault = file(sources, VAULT);
  for (const assignment of resources(vault).filter((r) => r.type === "Microsoft.Authorization/roleAssignments")) {
    const broad = spec.tooBroad[roleIdOf(assignment)];
    if (broad) problems.push(`${VAULT} assigns ${broad}, which holds more than the ${spec.what} role`);
  }
  const assigned = resources(vault).find((r) => new RegExp(`roleDefinitionId:\\s*${spec.roleIdParam}\\b`).test(r.body));
  if (!assigned) problems.push(`${VAULT} does not assign the ${spec.what} role (${spec.roleIdParam})`);
  else if (conditionOf(assigned, vault) !== spec.flag)
    problems.push(`${VAULT} must assign the ${spec.what} role only if (${spec.flag}), not ${conditionOf(assigned, vault) ?? "always"}`);

  const main = file(sources, MAIN);
  const vaultArguments = entries(blockAfter(blockAfter(main.code, "module vaults "), "params:"));
  if (vaultArguments.get(spec.flag) !== `vault.?${spec.flag} ?? false`) problems.push(`main.bicep must pass each vault's own ${spec.flag}, false by default`);
  const moduleFile = spec.file.replace(/^infra\//, "");
  if (!new RegExp(`^module ${spec.module} '${moduleFile.replace(/[./]/g, "\\$&")}' = if \\(${spec.flag}\\)`, "m").test(main.code))
    problems.push(`main.bicep must define the ${spec.what} role only when a vault asks for it (${spec.flag})`);
  return problems;
}

/** Key rotation: a custom role without cryptographic operations, assigned only where keys rotate. */
export function keyRotationRole(sources: Sources): string[] {
  return customVaultRole(sources, {
    file: KEY_ROLE,
    actions: KEY_ROTATION_ACTIONS,
    what: "key rotator",
    roleIdParam: "rotatorRoleId",
    flag: "rotatesKeys",
    module: "keyRotatorRole",
    tooBroad: KEY_ROLES_TOO_BROAD,
  });
}

/** Certificate renewal: a custom role that can only read certificates and create versions, assigned only where they renew. */
export function certificateRenewalRole(sources: Sources): string[] {
  return customVaultRole(sources, {
    file: CERTIFICATE_ROLE,
    actions: CERTIFICATE_RENEWAL_ACTIONS,
    what: "certificate renewer",
    roleIdParam: "renewerRoleId",
    flag: "renewsCertificates",
    module: "certificateRenewerRole",
    tooBroad: CERTIFICATE_ROLES_TOO_BROAD,
  });
}

/** The state account: roles on containers, queues and tables, never the account; the package out of kvguard's reach. */
export function stateScopes(sources: Sources): string[] {
  const problems: string[] = [];
  const state = file(sources, STATE);
  const access = file(sources, ACCESS);
  const appContainers = varValues(state, "appContainers");
  const [config] = varValues(state, "configContainer");
  const [pkg] = varValues(state, "packageContainer");
  const [deadLetter] = varValues(state, "deadLetterContainer");
  for (const name of [config, pkg, deadLetter]) {
    if (name && appContainers.includes(name)) problems.push(`kvguard's identity may write ${name} (it is in appContainers)`);
  }
  if (!appContainers.includes("kvguard-locks")) problems.push("appContainers must hold kvguard-locks (rotation locks)");

  for (const [path, source] of sources) {
    if (!path.endsWith(".bicep")) continue;
    for (const a of resources(source).filter((r) => r.type === "Microsoft.Authorization/roleAssignments" && !r.existing)) {
      if ((path === ACCESS && scopeOf(a) === "account") || path === APP) problems.push(`${path} ${a.symbol} grants on the whole state account`);
    }
  }
  const assignments = resources(access).filter((r) => r.type === "Microsoft.Authorization/roleAssignments");
  const grant = (role: string, scope: string, principal: string) =>
    assignments.some((a) => roleIdOf(a) === role && scopeOf(a) === scope && principalOf(a) === principal);
  const loopsOver = (symbol: string, list: string) =>
    new RegExp(`^resource ${symbol} [^\\n]*= \\[\\s*for (?:\\(name, i\\)|name) in ${list}:`, "m").test(access.code);
  const each = (assignment: string, scopes: string, list: string) => loopsOver(assignment, list) && loopsOver(scopes, list);
  if (!grant(ROLE.blobContributor, "written[i]", "principalId") || !each("blobWriter", "written", "appContainers"))
    problems.push("Storage Blob Data Contributor must go to kvguard on each of appContainers");
  if (!grant(ROLE.blobReader, "config", "principalId")) problems.push("Storage Blob Data Reader (only) must go to kvguard on the policy file's container");
  if (!grant(ROLE.queueContributor, "jobQueues[i]", "principalId") || !each("queueContributor", "jobQueues", "queues"))
    problems.push("Storage Queue Data Contributor must go to kvguard on each queue");
  if (!grant(ROLE.tableContributor, "stateTables[i]", "principalId") || !each("tableContributor", "stateTables", "tables"))
    problems.push("Storage Table Data Contributor must go to kvguard on each table");
  for (const a of assignments) {
    if (principalOf(a) === "principalId" && ["config", "written[i]", "jobQueues[i]", "stateTables[i]"].indexOf(scopeOf(a)) < 0)
      problems.push(`${ACCESS} ${a.symbol} gives kvguard's identity a grant on ${scopeOf(a)}`);
    if (scopeOf(a) === "config" && roleIdOf(a) !== ROLE.blobReader) problems.push("kvguard's identity may only read the policy file's container");
  }
  if (!grant(ROLE.blobContributor, "package", "deploymentPrincipalId")) problems.push("the deployment identity must write the code package container");
  if (!/^resource package [^\n]*existing = \{\s*parent: account::blobService\s*name: packageContainer/m.test(access.code))
    problems.push(`${ACCESS}: package must be the packageContainer`);

  const main = file(sources, MAIN);
  const args = entries(blockAfter(blockAfter(main.code, "module stateAccess "), "params:"));
  const expected: Record<string, string> = {
    principalId: "app.outputs.principalId",
    deploymentPrincipalId: "deploymentIdentity.outputs.principalId",
    appContainers: "state.outputs.appContainers",
    configContainer: "state.outputs.configContainer",
    packageContainer: "state.outputs.packageContainer",
    queues: "state.outputs.queues",
    tables: "state.outputs.tables",
  };
  for (const [name, value] of Object.entries(expected)) if (args.get(name) !== value) problems.push(`main.bicep must pass ${name}: ${value} to stateAccess`);

  const app = file(sources, APP);
  if (!/authentication:\s*\{\s*type:\s*'UserAssignedIdentity',\s*userAssignedIdentityResourceId:\s*deploymentIdentityId\s*\}/.test(app.code)) {
    problems.push("the code package must be written and read with the deployment identity, not kvguard's");
  }
  const appArgs = entries(blockAfter(blockAfter(main.code, "module app "), "params:"));
  if (appArgs.get("deploymentIdentityId") !== "deploymentIdentity.outputs.id") problems.push("main.bicep must give the app the deployment identity");
  if (/deploymentIdentity/.test(entries(blockAfter(app.code, "var allSettings =")).get("AZURE_CLIENT_ID") ?? ""))
    problems.push("kvguard must not run as the deployment identity");
  return problems;
}

/** SCM and FTP basic-auth publishing are off. */
export function basicAuthOff(sources: Sources): string[] {
  const app = file(sources, APP);
  const policies = resources(app).filter((r) => r.type === "Microsoft.Web/sites/basicPublishingCredentialsPolicies");
  const problems: string[] = [];
  for (const name of ["scm", "ftp"]) {
    const policy = policies.find((p) => new RegExp(`name:\\s*'${name}'`).test(p.body));
    if (!policy) problems.push(`no basicPublishingCredentialsPolicies ${name}`);
    else {
      if (!/properties:\s*\{\s*allow:\s*false\s*\}/.test(policy.body)) problems.push(`${name} basic-auth publishing is not off`);
      if (conditionOf(policy, app) !== undefined) problems.push(`${name} basic-auth publishing is off only conditionally`);
      if (!/parent:\s*site\b/.test(policy.body)) problems.push(`${name} policy is not the app's`);
    }
  }
  return problems;
}

/** Diagnostic settings: the app's logs and metrics, and the state account's writes and deletes, to the workspace. */
export function diagnostics(sources: Sources): string[] {
  const problems: string[] = [];
  const type = "Microsoft.Insights/diagnosticSettings";
  const app = resourcesOf(sources, APP, type).find((r) => scopeOf(r) === "site");
  if (!app) problems.push("no diagnostic setting on the Function App");
  else {
    if (!/workspaceId:\s*workspaceId\b/.test(app.body)) problems.push("the app's diagnostic setting does not go to the workspace");
    if (!/\{\s*categoryGroup:\s*'allLogs',\s*enabled:\s*true\s*\}/.test(app.body)) problems.push("the app's diagnostic setting does not send all its logs");
    if (conditionOf(app, file(sources, APP)) !== undefined) problems.push("the app's diagnostic setting is conditional");
  }
  const state = resourcesOf(sources, STATE, type);
  for (const service of ["blobService", "queueService", "tableService"]) {
    const setting = state.find((r) => scopeOf(r) === service);
    if (!setting) problems.push(`no diagnostic setting on the state account's ${service}`);
    else {
      if (!/workspaceId:\s*workspaceId\b/.test(setting.body)) problems.push(`the ${service} diagnostic setting does not go to the workspace`);
      for (const category of ["StorageWrite", "StorageDelete"]) {
        if (!new RegExp(`\\{\\s*category:\\s*'${category}',\\s*enabled:\\s*true\\s*\\}`).test(setting.body))
          problems.push(`the ${service} diagnostic setting does not log ${category}`);
      }
    }
  }
  const main = file(sources, MAIN);
  for (const module of ["app", "state"]) {
    const args = entries(blockAfter(blockAfter(main.code, `module ${module} `), "params:"));
    if (args.get("workspaceId") !== "monitoring.outputs.workspaceId") problems.push(`main.bicep must give module ${module} the workspace`);
  }
  return problems;
}

/** The optional Entra authentication (Easy Auth v2) and access restrictions in front of the HTTP functions. */
export function httpFront(sources: Sources): string[] {
  const problems: string[] = [];
  const main = file(sources, MAIN);
  const app = file(sources, APP);
  const mainParams = params(main);
  for (const [name, empty] of [
    ["httpAuthClientId", "''"],
    ["httpAuthAllowedClientIds", "[]"],
    ["httpAllowedIpRanges", "[]"],
  ] as const) {
    if (mainParams.get(name)?.default !== empty) problems.push(`main.bicep needs param ${name}, default ${empty} (off unless the operator asks)`);
  }
  const appArgs = entries(blockAfter(blockAfter(main.code, "module app "), "params:"));
  for (const name of ["httpAuthClientId", "httpAuthAllowedClientIds", "httpAllowedIpRanges"]) {
    if (appArgs.get(name) !== name) problems.push(`main.bicep must pass ${name} to the app`);
  }

  const auth = resources(app).find((r) => r.type === "Microsoft.Web/sites/config" && /name:\s*'authsettingsV2'/.test(r.body));
  if (!auth) problems.push("no authsettingsV2 (App Service authentication)");
  else {
    if (conditionOf(auth, app) !== "!empty(httpAuthClientId)") problems.push("authentication must be on exactly when httpAuthClientId is set");
    const must: [RegExp, string][] = [
      [/platform:\s*\{\s*enabled:\s*true\s*\}/, "the platform is not enabled"],
      [/requireAuthentication:\s*true\b/, "authentication is not required"],
      [/unauthenticatedClientAction:\s*'Return401'/, "unauthenticated callers are not refused with 401"],
      [/azureActiveDirectory:\s*\{\s*enabled:\s*true\b/, "the Entra ID provider is not enabled"],
      [/clientId:\s*httpAuthClientId\b/, "the provider is not the operator's app registration"],
      [
        /openIdIssuer:\s*'\$\{environment\(\)\.authentication\.loginEndpoint\}\$\{tenant\(\)\.tenantId\}\/v2\.0'/,
        "tokens are not pinned to the deployment's tenant",
      ],
      [/allowedAudiences:\s*\[httpAuthClientId,/, "the audience is not the app registration"],
      [/allowedApplications:\s*httpAuthAllowedClientIds\b/, "the allowed client applications are not applied"],
    ];
    for (const [pattern, problem] of must) if (!pattern.test(auth.body)) problems.push(problem);
    const excluded = listOf(auth.body, "excludedPaths");
    if (JSON.stringify(excluded) !== JSON.stringify(["/runtime/webhooks/eventgrid"]))
      problems.push(`only Event Grid's webhook may skip authentication, not ${JSON.stringify(excluded)}`);
  }

  const site = resources(app).find((r) => r.symbol === "site")!;
  if (!/^var restricted = !empty\(httpAllowedIpRanges\)$/m.test(app.code)) problems.push("restrictions must apply exactly when httpAllowedIpRanges is set");
  if (!/ipSecurityRestrictionsDefaultAction:\s*restricted \? 'Deny' : 'Allow'/.test(site.body))
    problems.push("with allowed ranges, everything else must be denied");
  if (!/ipSecurityRestrictions:\s*restricted \? concat\(allowedRanges, \[eventGridRule\]\) : \[\]/.test(site.body))
    problems.push("the allowed ranges and Event Grid must be the only rules");
  if (!/ipAddress:\s*httpAllowedIpRanges\[i\]/.test(app.code) || !/action:\s*'Allow'/.test(blockAfter(app.code, "var allowedRanges = map(")))
    problems.push("each allowed range must be an Allow rule");
  if (!/^var eventGridRule = \{ name: 'event-grid', action: 'Allow', priority: \d+, tag: 'ServiceTag', ipAddress: 'AzureEventGrid' \}$/m.test(app.code))
    problems.push("Event Grid must be allowed by its service tag (vault events)");
  return problems;
}

const EXPORT_ACCESS = "infra/modules/exportAccess.bicep";
const EXPORT_EVENTS = "infra/modules/exportEvents.bicep";

/**
 * The export (issue 20): EventGrid Data Sender on kvguard's topic (custom or namespace topic) alone and Monitoring Metrics Publisher on
 * its data collection rule alone, each only when that destination is deployed (off by default); the topic
 * takes CloudEvents and Entra ID only.
 */
export function exportAccess(sources: Sources): string[] {
  const problems: string[] = [];
  const access = file(sources, EXPORT_ACCESS);
  const assignments = resources(access).filter((r) => r.type === "Microsoft.Authorization/roleAssignments" && !r.existing);
  const expected = [
    { role: "d5a91429-5739-47e2-a06b-3470a27159e7", name: "EventGrid Data Sender", scope: "topic", condition: "exportsEvents && eventsKind == 'topic'" },
    {
      role: "d5a91429-5739-47e2-a06b-3470a27159e7",
      name: "EventGrid Data Sender",
      scope: "namespace::namespaceTopic",
      condition: "exportsEvents && eventsKind == 'namespace'",
    },
    { role: "3913510d-42f4-4e42-8a64-420c390055eb", name: "Monitoring Metrics Publisher", scope: "rule", condition: "exportsLogs" },
  ];
  for (const e of expected) {
    const found = assignments.filter((a) => roleIdOf(a) === e.role && (scopeOf(a) === e.scope || expected.filter((x) => x.role === e.role).length === 1));
    if (found.length !== 1) problems.push(`${EXPORT_ACCESS} must assign ${e.name} on the ${e.scope} once, found ${found.length}`);
    for (const a of found) {
      if (scopeOf(a) !== e.scope) problems.push(`${e.name} must be scoped to the ${e.scope} alone, not ${scopeOf(a) || "the resource group"}`);
      if (principalOf(a) !== "principalId") problems.push(`${e.name} must go to kvguard's identity`);
      if (conditionOf(a, access) !== e.condition)
        problems.push(`${e.name} must be assigned only if (${e.condition}), not ${conditionOf(a, access) ?? "always"}`);
    }
  }
  const others = assignments.filter((a) => !expected.some((e) => e.role === roleIdOf(a)));
  if (others.length) problems.push(`${EXPORT_ACCESS} assigns more: ${others.map((a) => a.symbol).join(", ")}`);
  for (const [symbol, type] of [
    ["topic", "Microsoft.EventGrid/topics"],
    ["rule", "Microsoft.Insights/dataCollectionRules"],
  ] as const) {
    const existing = resources(access).find((r) => r.symbol === symbol);
    if (!existing?.existing || existing.type !== type) problems.push(`${EXPORT_ACCESS}: ${symbol} must be the existing ${type}`);
  }

  const topic = resourcesOf(sources, EXPORT_EVENTS, "Microsoft.EventGrid/topics")[0];
  if (!topic) problems.push(`${EXPORT_EVENTS} defines no topic`);
  else {
    if (!/inputSchema:\s*'CloudEventSchemaV1_0'/.test(topic.body)) problems.push("the topic must take CloudEvents 1.0");
    if (!/disableLocalAuth:\s*true\b/.test(topic.body)) problems.push("the topic's keys and SAS tokens must be off (Entra ID only)");
  }

  const main = file(sources, MAIN);
  const mainParams = params(main);
  for (const name of ["exportEvents", "exportLogs"])
    if (mainParams.get(name)?.default !== "false") problems.push(`main.bicep needs param ${name}, default false`);
  if (!/^module exportTopic 'modules\/exportEvents\.bicep' = if \(exportEvents\)/m.test(main.code))
    problems.push("main.bicep must create the topic only if (exportEvents)");
  if (!/^module exportRule 'modules\/exportLogs\.bicep' = if \(exportLogs\)/m.test(main.code))
    problems.push("main.bicep must create the rule only if (exportLogs)");
  const args = entries(blockAfter(blockAfter(main.code, "module exportAccess "), "params:"));
  const wanted: Record<string, string> = { principalId: "app.outputs.principalId", exportsEvents: "exportEvents", exportsLogs: "exportLogs" };
  for (const [name, value] of Object.entries(wanted)) if (args.get(name) !== value) problems.push(`main.bicep must pass ${name}: ${value} to exportAccess`);
  return problems;
}

export const CHECKS = { keyRotationRole, certificateRenewalRole, stateScopes, basicAuthOff, diagnostics, httpFront, exportAccess };

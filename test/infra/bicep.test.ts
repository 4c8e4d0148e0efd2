/**
 * The Bicep templates checked against the code they deploy, without a Bicep compiler or Azure (neither can
 * run here): app settings against the settings schema read now (others add settings), role assignments
 * against Azure's built-in roles, the Event Grid filter against the event types the function accepts, and
 * the templates against any secret or key. What this cannot show (that Azure accepts the templates) the
 * README says.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSecretName } from "../../src/config/redact.js";
import { SETTING_NAMES, settingsSchema, settingsTable } from "../../src/config/schema.js";
import { functionTable } from "../../src/functions/table.js";
import { ROTATION_EVENT_TYPES } from "../../src/rotation/vaultEvents.js";
import { blockAfter, entries, infraFiles, literal, params, readSource, resources, ROOT, type Resource } from "./bicepSource.js";

const main = readSource("infra/main.bicep");
const appModule = readSource("infra/modules/functionApp.bicep");
const vaultModule = readSource("infra/modules/managedVault.bicep");
const files = infraFiles();
const bicepFiles = files.filter((f) => f.path.endsWith(".bicep"));
const allResources = bicepFiles.flatMap(resources);

/** The app settings the template writes: `var allSettings = {...}` of the Function App module. */
const appSettings = entries(blockAfter(appModule.code, "var allSettings ="));
/** The arguments main.bicep passes to the Function App module. */
const appArguments = entries(blockAfter(blockAfter(main.code, "module app "), "params:"));
const mainParams = params(main);
const appParams = params(appModule);

/** Settings of the Functions host itself, which the schema does not hold. */
const HOST_SETTINGS = [
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  "AzureWebJobsStorage__credential",
  "AzureWebJobsStorage__clientId",
];

/** A setting's value when it comes down to a literal: in the module, or as the default of main's parameter. */
function literalValue(setting: string): string | undefined {
  const expression = appSettings.get(setting)!;
  const direct = literal(expression);
  if (direct !== undefined) return direct;
  if (!appParams.has(expression)) return undefined;
  const argument = appArguments.get(expression);
  if (argument === undefined) return undefined;
  const fromMain = literal(argument);
  if (fromMain !== undefined) return fromMain;
  const param = mainParams.get(argument);
  return param?.default !== undefined ? literal(param.default) : undefined;
}

/** Whether an expression may come out empty (an optional setting's `cond ? x : ''`). */
const mayBeEmpty = (expression: string) => /''/.test(expression);

describe("app settings against the settings schema", () => {
  it("sets every required setting of the schema, each required-unless pair exactly once", () => {
    const required = settingsTable.filter((row) => row.required);
    expect(required.length).toBeGreaterThan(0);
    for (const row of required) {
      if (row.requiredUnless) {
        const set = [row.name, row.requiredUnless].filter((n) => appSettings.has(n) && !mayBeEmpty(appSettings.get(n)!));
        expect(set, `${row.name} / ${row.requiredUnless}: the template must set exactly one`).toHaveLength(1);
      } else {
        expect(appSettings.has(row.name), `${row.name} is required but the template does not set it`).toBe(true);
        expect(mayBeEmpty(appSettings.get(row.name)!), `${row.name} is required but may be set empty`).toBe(false);
      }
    }
  });

  it("sets no KVGUARD_ setting the schema does not know, and no other setting than the schema's or the host's", () => {
    for (const name of appSettings.keys()) {
      if (/^KVGUARD_/i.test(name)) expect(SETTING_NAMES, `${name} is not a setting of the schema`).toContain(name);
      else expect([...SETTING_NAMES, ...HOST_SETTINGS], `${name} is neither a schema setting nor a host setting`).toContain(name);
    }
  });

  it("reaches storage with the identity only, and leaves the runtime to Flex Consumption", () => {
    expect(appSettings.has("AzureWebJobsStorage"), "a connection string would hold the account key").toBe(false);
    expect(appSettings.get("AzureWebJobsStorage__accountName")).toBeDefined();
    // Flex Consumption takes the runtime from functionAppConfig and rejects this setting.
    expect(appSettings.has("FUNCTIONS_WORKER_RUNTIME")).toBe(false);
    expect(appModule.code).toMatch(/runtime:\s*\{\s*name:\s*'node',\s*version:\s*'22'\s*\}/);
    expect(appModule.code).toMatch(/sku:\s*\{\s*name:\s*'FC1',\s*tier:\s*'FlexConsumption'\s*\}/);
  });

  it("sets every setting a trigger names as %NAME% (the host resolves them from app settings, without defaults)", () => {
    const named = new Set<string>();
    for (const fn of functionTable) {
      const bindings = [fn.kind === "timer" ? fn.schedule : "", fn.kind === "storageQueue" ? fn.queueName : ""];
      for (const text of bindings) for (const m of text.matchAll(/%([A-Za-z0-9_]+)%/g)) named.add(m[1]!);
    }
    expect(named.size).toBeGreaterThan(0);
    for (const name of named) {
      expect(appSettings.has(name), `${name} (used by a trigger) is not set`).toBe(true);
      expect(mayBeEmpty(appSettings.get(name)!), `${name} (used by a trigger) may be empty`).toBe(false);
    }
  });

  it("gives literal values (and parameter defaults) the schema accepts; empty ones are left out", () => {
    // Empty values are dropped before they reach the app (an optional setting is set or absent).
    expect(appModule.code).toMatch(/properties:\s*toObject\(filter\(items\(allSettings\),\s*s => !empty\(s\.value\)\)/);
    const shape = settingsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; error?: { message: string } } }>;
    const checked: string[] = [];
    for (const name of appSettings.keys()) {
      const value = literalValue(name);
      if (value === undefined || value === "" || !(name in shape)) continue;
      const parsed = shape[name]!.safeParse(value);
      expect(parsed.success, `${name} = ${JSON.stringify(value)}: ${parsed.error?.message}`).toBe(true);
      checked.push(name);
    }
    expect(checked).toEqual(expect.arrayContaining(["KVGUARD_ROTATION_QUEUE", "KVGUARD_ROTATION_SCHEDULE", "KVGUARD_LOG_LEVEL"]));
  });

  it("names outputs and azd variables so that `azd env get-values` holds no unknown KVGUARD_ setting", () => {
    const outputs = [...main.code.matchAll(/^output\s+(\w+)/gm)].map((m) => m[1]!);
    const variables = files.flatMap((f) => [...f.text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!)).filter((n) => !n.startsWith("AZURE_"));
    for (const name of [...outputs, ...variables].filter((n) => /^KVGUARD_/i.test(n))) expect(SETTING_NAMES).toContain(name);
    expect(outputs).toEqual(expect.arrayContaining(["KVGUARD_VAULT_URLS", "AzureWebJobsStorage__accountName", "AZURE_FUNCTION_APP_NAME"]));
  });
});

/** Azure's built-in roles the templates may use: role definition id → name. */
const BUILT_IN_ROLES: Record<string, string> = {
  "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
  "14b46e9e-c2b7-41b4-b07b-48a6ebf60603": "Key Vault Crypto Officer",
  "21090545-7ca7-4776-b22c-e363652d74d2": "Key Vault Reader",
  "81a9662b-bebf-436f-a333-f67b29880f12": "Storage Account Key Operator Service Role",
  "73c42c96-874c-492b-b04d-ab87d138a893": "Log Analytics Reader",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
  "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
  "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
  "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
  "43d0d8ad-25c7-4714-9337-8ba259a9fe05": "Monitoring Reader",
  "d5a91429-5739-47e2-a06b-3470a27159e7": "EventGrid Data Sender",
};

/** Broad built-in roles kvguard never needs: named so that a test failure says what was granted. */
const BROAD_ROLES: Record<string, string> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
  "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
  "f25e0fa2-a7c8-4377-a976-54943a77a395": "Key Vault Contributor",
  "17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
};

/** Roles the templates define themselves: the parameter that carries the definition's id → its name. */
const CUSTOM_ROLES: Record<string, string> = { rotatorRoleId: "kvguard Key Rotator", renewerRoleId: "kvguard Certificate Renewer" };

/** What a role assignment's comment must name: one of kvguard's features. */
const FEATURES = ["rotation", "renewal", "compliance", "audit", "state", "dead-letter", "telemetry", "storage-account key rotation", "deployment", "export"];

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

interface Assignment {
  resource: Resource;
  roleId: string;
  role: string;
  scope: string;
}

const assignments: Assignment[] = allResources
  .filter((r) => r.type === "Microsoft.Authorization/roleAssignments" && !r.existing)
  .map((resource) => {
    const definition = /roleDefinitionId:\s*subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions',\s*'([^']+)'\)/.exec(resource.body);
    const custom = /roleDefinitionId:\s*(\w+)\s*$/m.exec(resource.body)?.[1];
    const roleId = custom && CUSTOM_ROLES[custom] ? custom : (definition?.[1] ?? "").toLowerCase();
    const role = BUILT_IN_ROLES[roleId] ?? BROAD_ROLES[roleId] ?? CUSTOM_ROLES[roleId] ?? "(unknown)";
    return { resource, roleId, role, scope: /^\s*scope:\s*(.+)$/m.exec(resource.body)?.[1]?.trim() ?? "" };
  });

const where = (a: Assignment) => `${a.resource.file}:${a.resource.line} ${a.resource.symbol}`;

describe("role assignments", () => {
  it("finds the role assignments of every module", () => {
    expect(assignments.length).toBeGreaterThanOrEqual(10);
    expect(new Set(assignments.map((a) => a.resource.file)).size).toBeGreaterThanOrEqual(5);
  });

  it("uses only known, narrow built-in roles and its own custom roles, each named in a comment on its line", () => {
    for (const a of assignments) {
      if (CUSTOM_ROLES[a.roleId]) {
        expect(a.resource.source, `${where(a)}: the custom role's name must follow as a comment`).toMatch(
          new RegExp(`roleDefinitionId: ${a.roleId} // ${a.role}$`, "m"),
        );
        continue;
      }
      expect(a.roleId, `${where(a)}: roleDefinitionId must be subscriptionResourceId(... '<built-in role id>')`).toMatch(GUID);
      expect(BROAD_ROLES[a.roleId], `${where(a)} grants ${BROAD_ROLES[a.roleId]}: too broad for kvguard`).toBeUndefined();
      expect(BUILT_IN_ROLES[a.roleId], `${where(a)}: ${a.roleId} is not a known built-in role`).toBeDefined();
      const line = a.resource.source.split("\n").find((l) => l.includes("roleDefinitionId"))!;
      expect(line, `${where(a)}: the role's name must follow as a comment`).toMatch(new RegExp(`// ${a.role}$`));
    }
  });

  it("says above each assignment which feature needs it", () => {
    for (const a of assignments) {
      const feature = a.resource.comments.find((c) => c.startsWith("Feature: "));
      expect(feature, `${where(a)}: no "// Feature: ..." comment above it`).toBeDefined();
      expect(
        FEATURES.some((f) => feature!.toLowerCase().includes(f)),
        `${where(a)}: "${feature}" names none of ${FEATURES.join(", ")}`,
      ).toBe(true);
    }
  });

  it("names each assignment after its scope, principal and role, and assigns to a service principal", () => {
    for (const a of assignments) {
      const name = /^\s*name:\s*guid\((.+)\)\s*$/m.exec(a.resource.body)?.[1] ?? "";
      expect(name.toLowerCase(), `${where(a)}: the name's guid() must include the role id`).toContain(
        CUSTOM_ROLES[a.roleId] ? a.roleId.toLowerCase() : `'${a.roleId}'`,
      );
      expect(a.resource.body).toMatch(/principalType:\s*'ServicePrincipal'/);
    }
  });

  it("grants each role the features need on the narrowest scope", () => {
    const expected: [string, string, string][] = [
      ["infra/modules/managedVault.bicep", "Key Vault Secrets Officer", "vault"],
      ["infra/modules/managedVault.bicep", "kvguard Key Rotator", "vault"],
      ["infra/modules/managedVault.bicep", "kvguard Certificate Renewer", "vault"],
      ["infra/modules/managedVault.bicep", "Key Vault Reader", "vault"],
      ["infra/modules/managedVault.bicep", "Monitoring Reader", "vault"],
      ["infra/modules/rotatedStorageAccount.bicep", "Storage Account Key Operator Service Role", "account"],
      ["infra/modules/monitoringAccess.bicep", "Log Analytics Reader", "workspace"],
      // The state account: each container, queue and table, never the account (leastPrivilege.test.ts).
      ["infra/modules/stateAccess.bicep", "Storage Blob Data Contributor", "written[i]"],
      ["infra/modules/stateAccess.bicep", "Storage Blob Data Reader", "config"],
      ["infra/modules/stateAccess.bicep", "Storage Queue Data Contributor", "jobQueues[i]"],
      ["infra/modules/stateAccess.bicep", "Storage Table Data Contributor", "stateTables[i]"],
      ["infra/modules/stateAccess.bicep", "Storage Blob Data Contributor", "package"],
      ["infra/modules/deadLetterWriter.bicep", "Storage Blob Data Contributor", "account::blobService::container"],
      ["infra/modules/exportAccess.bicep", "EventGrid Data Sender", "topic"],
      ["infra/modules/exportAccess.bicep", "EventGrid Data Sender", "namespace::namespaceTopic"],
      ["infra/modules/exportAccess.bicep", "Monitoring Metrics Publisher", "rule"],
    ];
    const granted = assignments.map((a) => [a.resource.file, a.role, a.scope]);
    for (const grant of expected) expect(granted, `missing: ${grant.join(" on ")}`).toContainEqual(grant);
    for (const a of assignments) expect(a.scope, `${where(a)} has no resource scope (it would apply to the resource group)`).not.toBe("");
  });
});

describe("Event Grid subscription", () => {
  const subscription = resources(vaultModule).find((r) => r.type === "Microsoft.EventGrid/systemTopics/eventSubscriptions")!;

  it("subscribes exactly the event types the Event Grid function accepts", () => {
    const filter = /includedEventTypes:\s*\[([^\]]*)\]/.exec(subscription.body)?.[1] ?? "";
    const subscribed = [...filter.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    expect(subscribed.length).toBe(new Set(subscribed).size);
    expect([...subscribed].sort()).toEqual([...ROTATION_EVENT_TYPES].sort());
  });

  it("delivers to the Event Grid function of the function table, with a retry policy and dead letters in the state account", () => {
    const eventGrid = functionTable.filter((f) => f.kind === "eventGrid");
    expect(eventGrid).toHaveLength(1);
    expect(literal(/^var eventGridFunctionName = (.+)$/m.exec(appModule.code)?.[1] ?? "")).toBe(eventGrid[0]!.name);
    expect(subscription.body).toMatch(/endpointType:\s*'AzureFunction'/);
    expect(subscription.body).toMatch(/resourceId:\s*'\$\{functionAppId\}\/functions\/\$\{eventGridFunctionName\}'/);
    expect(subscription.body).toMatch(/maxDeliveryAttempts:\s*\d+/);
    expect(subscription.body).toMatch(/eventTimeToLiveInMinutes:\s*\d+/);
    expect(subscription.body).toMatch(/deadLetterWithResourceIdentity:[\s\S]*endpointType:\s*'StorageBlob'/);
    const state = readSource("infra/modules/stateStorage.bicep");
    expect(state.code).toMatch(/^output deadLetterContainer string = deadLetterContainer$/m);
    expect(state.code).toMatch(/^var deadLetterContainer = 'kvguard-deadletter'$/m);
    expect(/^var containers = concat\((.*)\)$/m.exec(state.code)?.[1]).toContain("deadLetterContainer");
  });

  it("sends each vault's AuditEvent category to the workspace", () => {
    const diagnostic = resources(vaultModule).find((r) => r.type === "Microsoft.Insights/diagnosticSettings")!;
    expect(diagnostic.body).toMatch(/scope:\s*vault/);
    expect(diagnostic.body).toMatch(/category:\s*'AuditEvent',\s*enabled:\s*true/);
    expect(diagnostic.body).toMatch(/workspaceId:\s*workspaceId/);
  });
});

describe("no secret or key in the templates", () => {
  const FORBIDDEN: [RegExp, string][] = [
    [/\blistKeys\b/i, "listKeys() reads account keys"],
    [/\blist(Secrets|ConnectionStrings|AccountSas|ServiceSas|Credentials)\b/i, "a list*() function returns credentials"],
    [/AccountKey\s*=/i, "a storage connection string with its key"],
    [/SharedAccess(Key|Signature)\s*=/i, "a shared access key or signature"],
    [/accesskey\s*=/i, "an access key"],
    [/[?&]sig=/i, "a SAS signature"],
    [/\b(primary|secondary)(Master)?Key\b/i, "an account key property"],
    [/InstrumentationKey\s*=/i, "an instrumentation key written out"],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  ];

  it("holds no key, connection string with a key, or credential-returning function", () => {
    for (const file of files) {
      for (const [pattern, what] of FORBIDDEN) expect(file.code, `${file.path}: ${what}`).not.toMatch(pattern);
    }
  });

  it("marks every parameter that can hold a secret @secure(), without a default beyond empty", () => {
    for (const file of bicepFiles) {
      for (const param of params(file).values()) {
        // A bool or int holds no secret, whatever its name (rotatesKeys).
        if (isSecretName(param.name) && !["bool", "int"].includes(param.type))
          expect(param.secure, `${file.path}: param ${param.name} must be @secure()`).toBe(true);
        if (param.secure) expect(param.default ?? "''", `${file.path}: @secure() param ${param.name} has a default`).toBe("''");
      }
    }
  });

  it("passes every secret setting through @secure() parameters only, from main.bicep to the app settings", () => {
    const secretSettings = settingsTable.filter((row) => row.secret && appSettings.has(row.name));
    expect(secretSettings.map((r) => r.name)).toEqual(expect.arrayContaining(["KVGUARD_ALERT_SMTP_CONNECTION"]));
    const existing = resources(appModule).filter((r) => r.existing);
    for (const row of secretSettings) {
      // Read from a deployed resource (Application Insights' connection string): never a parameter or literal.
      const read = /^(\w+)\.properties\.\w+$/.exec(appSettings.get(row.name)!);
      if (read && existing.some((r) => r.symbol === read[1])) continue;
      const moduleParam = appParams.get(appSettings.get(row.name)!);
      expect(moduleParam?.secure, `${row.name} must come from a @secure() param of the module`).toBe(true);
      const mainParam = mainParams.get(appArguments.get(moduleParam!.name) ?? "");
      expect(mainParam?.secure, `${row.name} must come from a @secure() param of main.bicep`).toBe(true);
    }
  });

  it("outputs no secure parameter and gives none a value in the parameters files", () => {
    for (const file of bicepFiles) {
      const secure = [...params(file).values()].filter((p) => p.secure).map((p) => p.name);
      for (const m of file.code.matchAll(/^output\s+\w+\s+\w+\s*=\s*(.+)$/gm)) {
        for (const name of secure) expect(m[1], `${file.path} outputs ${name}`).not.toMatch(new RegExp(`\\b${name}\\b`));
      }
    }
    const secureMain = [...mainParams.values()].filter((p) => p.secure).map((p) => p.name);
    const json = JSON.parse(readFileSync(join(ROOT, "infra/main.parameters.json"), "utf8")) as { parameters: Record<string, { value: unknown }> };
    for (const name of secureMain) expect(json.parameters[name]?.value ?? "", `main.parameters.json gives ${name} a value`).toBe("");
    const example = readSource("infra/main.example.bicepparam");
    for (const name of secureMain) {
      const value = new RegExp(`^param ${name}\\s*=\\s*(.+)$`, "m").exec(example.code)?.[1];
      if (value !== undefined) expect(value, `main.example.bicepparam writes ${name} out`).toMatch(/^readEnvironmentVariable\(|^''$/);
    }
  });

  it("turns off key-based access where Azure allows it", () => {
    const state = readSource("infra/modules/stateStorage.bicep");
    expect(state.code).toMatch(/allowSharedKeyAccess:\s*false/);
    const monitoring = readSource("infra/modules/monitoring.bicep");
    expect(monitoring.code).toMatch(/DisableLocalAuth:\s*true/);
  });
});

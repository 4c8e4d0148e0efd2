/** @module The health function, called from the function table with real `@azure/functions` request and context. */
import { HttpRequest, HttpResponse, InvocationContext } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import { createApp, useApp } from "../../src/app/index.js";
import { functionTable, type HttpFunctionDefinition } from "../../src/functions/table.js";

const ACCOUNT_KEY = "c3VwZXItc2VjcmV0LWFjY291bnQta2V5LXZhbHVlLTEyMzQ1Njc4OTA=";

function healthDefinition(): HttpFunctionDefinition {
  const definition = functionTable.find((d) => d.name === "health");
  if (definition?.kind !== "http") throw new Error("health is not an HTTP function in the table");
  return definition;
}

/** Invokes the table's handler as the host would, returning the response and what it logged. */
async function invokeHealth(env: Record<string, string | undefined>) {
  // The app settings as the host hands them to the worker: its environment.
  useApp(createApp({ ...process.env, ...env }));
  const logs: string[] = [];
  const request = new HttpRequest({ method: "GET", url: "http://localhost:7071/api/health" });
  const context = new InvocationContext({
    functionName: "health",
    invocationId: "test-invocation",
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(" ")}`),
  });
  const result = await healthDefinition().handler(request, context);
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  return { response, body: (await response.json()) as Record<string, unknown>, logs };
}

const UNSET = {
  KVGUARD_VAULT_URLS: undefined,
  KVGUARD_LOCAL_CA_FILE: undefined,
  KVGUARD_LOCAL_IDENTITY: undefined,
  AZURE_CLIENT_ID: undefined,
  AzureWebJobsStorage: undefined,
  AzureWebJobsStorage__accountName: undefined,
  KVGUARD_LOG_LEVEL: undefined,
};

afterEach(() => {
  useApp(undefined);
});

describe("health", () => {
  it("is a GET of /api/health behind a function key", () => {
    expect(healthDefinition()).toMatchObject({ kind: "http", methods: ["GET"], authLevel: "function", route: "health" });
  });

  it("answers 200 with how many vaults kvguard guards, never their names", async () => {
    const { response, body } = await invokeHealth({
      ...UNSET,
      KVGUARD_VAULT_URLS: "https://myvault.vault.azure.net,https://othervault.vault.azure.net",
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
    });
    expect(response.status).toBe(200);
    expect(body).toEqual({ status: "ok", vaults: 2, discovery: false, local: false });
  });

  it("answers 503 with the settings to fix and an error id; the problems are in the log lines with that id, no secret anywhere", async () => {
    const { response, body, logs } = await invokeHealth({
      ...UNSET,
      KVGUARD_VAULT_URLS: "https://payments-prod.vault.azure.net,not-a-url",
      AzureWebJobsStorage: `DefaultEndpointsProtocol=https;AccountKey=${ACCOUNT_KEY}`,
    });
    expect(response.status).toBe(503);
    expect(body).toEqual({ status: "misconfigured", settings: ["KVGUARD_VAULT_URLS", "AzureWebJobsStorage"], errorId: expect.any(String) as unknown });
    const id = body.errorId as string;
    expect(logs).toEqual([
      expect.stringMatching(new RegExp(`^warning: kvguard is misconfigured \\(error id ${id}\\): KVGUARD_VAULT_URLS: "not-a-url" is not an https URL`)),
      expect.stringMatching(new RegExp(`^warning: kvguard is misconfigured \\(error id ${id}\\): AzureWebJobsStorage: the value \\(set, \\d+ chars\\)`)),
    ]);
    // The caller learns which settings, not their values: no vault name, no URL, no key.
    expect(JSON.stringify(body)).not.toMatch(/payments-prod|not-a-url|https?:/);
    expect(JSON.stringify(body) + logs.join("\n")).not.toContain(ACCOUNT_KEY);
  });
});

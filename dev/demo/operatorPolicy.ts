/**
 * @module The demo's operator policy file: what the person running `npm start` allows kvguard to reach, as an
 * operator would declare it in production (loopback is bound like any host). The demo's PostgreSQL on
 * 127.0.0.1 (any port: it takes a free one) without TLS, the demo storage account, the demo Entra
 * application, the App Service site refreshed after api-token rotates; and a minimum rotation period short enough for the two-minute demo rotations.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localStorageAccountId } from "../../emulator/cloud/storageArm.js";
import { appServiceDemoPolicy } from "./appServiceDemo.js";
import { ENTRA_DEMO } from "./entraDemo.js";
import { STORAGE_DEMO_ACCOUNT } from "./storageDemo.js";

export const DEMO_POLICY = {
  // The partner's certificate cannot be renewed by Key Vault or kvguard: its notices come with a CSR ready.
  certificates: [{ match: { name: "partner-*" }, prepareCsr: true }],
  bindings: {
    postgres: [{ hosts: ["127.0.0.1:*"], tls: "disable" }],
    "storage-account": [{ accounts: [localStorageAccountId(STORAGE_DEMO_ACCOUNT)] }],
    "entra-app-secret": [{ applications: [ENTRA_DEMO.objectId, ENTRA_DEMO.appId] }],
  },
  // The App Service site kvguard refreshes after each rotation of api-token.
  appService: appServiceDemoPolicy("demo"),
};

/** Writes the policy file into the state folder; returns the settings that point kvguard at it. */
export function demoOperatorSettings(stateDir: string): Record<string, string> {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, "policy.json");
  writeFileSync(file, `${JSON.stringify(DEMO_POLICY, null, 2)}\n`);
  return { KVGUARD_POLICY_FILE: file, KVGUARD_MIN_ROTATION_PERIOD: "PT1M" };
}

/** @module The rotation engine's settings: when the sweep runs, where jobs queue, policies and limits. */
import { z } from "zod";
import { docs } from "./docs.js";
import { positiveDuration } from "./positiveDuration.js";
import { ncrontab } from "./ncrontab.js";
import { positiveInt } from "./positiveInt.js";

export const rotationShape = {
  KVGUARD_ROTATION_SCHEDULE: ncrontab("0 */15 * * * *").default("0 */15 * * * *").register(docs, {
    description: "When the rotation sweep looks for due secrets and keys (NCRONTAB, UTC).",
  }),
  KVGUARD_POLICY_FILE: z.string().optional().register(docs, {
    description: "A rotation policy file (JSON or YAML) for what does not fit in tags: a path, or blob:CONTAINER/NAME in the state storage account.",
    example: "blob:kvguard-config/policy.yaml",
  }),
  KVGUARD_ROTATION_QUEUE: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, {
      error: () => "is not a queue name (3-63 lower-case letters, digits and single hyphens). Set it to something like kvguard-rotations",
    })
    .default("kvguard-rotations")
    .register(docs, { description: "The storage queue rotation jobs go through (its poison queue is NAME-poison)." }),
  KVGUARD_ROTATION_CONCURRENCY: positiveInt(8).default(8).register(docs, {
    description: "How many rotations one worker runs at once (the CLI sweep and the local runner).",
  }),
  KVGUARD_ROTATION_MAX_ATTEMPTS: positiveInt(5).default(5).register(docs, {
    description: "Failed attempts of one rotation before it waits for the next due time and is reported as failed.",
  }),
  KVGUARD_HISTORY_HMAC_NAME: z
    .string()
    .regex(/^[0-9a-zA-Z-]{1,127}$/, { error: () => "is not a Key Vault secret name. Set it to something like kvguard-history-hmac-key" })
    .default("kvguard-history-hmac-key")
    .register(docs, {
      description: "The secret, in each vault, whose value keys the HMAC kept in history instead of a rotated value (created when missing).",
    }),
  KVGUARD_MIN_ROTATION_PERIOD: positiveDuration("P1D or PT1H").default(86_400).register(docs, {
    description:
      "The shortest rotation period a tag or policy-file entry may ask for (kvguard-rotate-every, rotateEvery); scheduled and event rotations of one target (a database login, a storage account, an Entra application) are at most this often.",
    default: "P1D",
    example: "PT12H",
  }),
  KVGUARD_ENTRA_TENANT_ID: z
    .string()
    .regex(/^[0-9a-zA-Z.-]{1,128}$/, { error: () => "is not a tenant id (GUID) or domain" })
    .optional()
    .register(docs, {
      description:
        "The Entra tenant the entra-app-secret rotator works in: a rotator option tenantId naming another is refused. Default: the tenant of kvguard's own identity.",
      example: "00000000-0000-0000-0000-000000000000",
    }),
};

export type RotationSettings = z.output<z.ZodObject<typeof rotationShape>>;

export interface RotationConfig {
  schedule: string;
  policyFile?: string;
  queue: string;
  concurrency: number;
  maxAttempts: number;
  hmacSecretName: string;
  /** KVGUARD_MIN_ROTATION_PERIOD in seconds. */
  minRotationSeconds: number;
  entraTenantId?: string;
}

export function rotationConfig(settings: RotationSettings): RotationConfig {
  return {
    schedule: settings.KVGUARD_ROTATION_SCHEDULE,
    ...(settings.KVGUARD_POLICY_FILE ? { policyFile: settings.KVGUARD_POLICY_FILE } : {}),
    queue: settings.KVGUARD_ROTATION_QUEUE,
    concurrency: settings.KVGUARD_ROTATION_CONCURRENCY,
    maxAttempts: settings.KVGUARD_ROTATION_MAX_ATTEMPTS,
    hmacSecretName: settings.KVGUARD_HISTORY_HMAC_NAME,
    minRotationSeconds: settings.KVGUARD_MIN_ROTATION_PERIOD,
    ...(settings.KVGUARD_ENTRA_TENANT_ID ? { entraTenantId: settings.KVGUARD_ENTRA_TENANT_ID } : {}),
  };
}

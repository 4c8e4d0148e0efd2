/**
 * @module The audit pipeline's settings: when it scans, where it reads records (Log Analytics workspaces,
 * a storage archive), how long it learns, thresholds and suppressions, and the lists detectors match
 * (threat intel, allowed networks, canaries, kvguard's own identity).
 */
import { z } from "zod";
import { parseCidr } from "../common/network.js";
import { DETECTOR_THRESHOLDS } from "./detectorThresholds.js";
import { docs } from "./docs.js";
import { ncrontab } from "./ncrontab.js";
import { positiveDuration } from "./positiveDuration.js";
import { positiveInt } from "./positiveInt.js";

const list = (raw: string) =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const guidList = (what: string) =>
  z.string().transform((raw, ctx) => {
    const ids = list(raw);
    for (const id of ids) {
      if (!GUID.test(id))
        ctx.addIssue({ code: "custom", message: `"${id}" is not a GUID. Set it to comma-separated ${what} such as 00000000-0000-0000-0000-000000000000` });
    }
    return ids.map((id) => id.toLowerCase());
  });

/** `detector.threshold=value,...` checked against the detectors' thresholds (the CLI reads its flags with it too). */
export const thresholdsSetting = z.string().transform((raw, ctx) => {
  const result: Record<string, Record<string, number>> = {};
  for (const item of list(raw)) {
    const match = /^([a-z_]+)\.([A-Za-z]+)=(\d+(?:\.\d+)?)$/.exec(item);
    const names = match ? DETECTOR_THRESHOLDS[match[1]!] : undefined;
    if (!match) {
      ctx.addIssue({ code: "custom", message: `"${item}" is not detector.threshold=value. Write it like credential_access_mass_retrieval.distinctObjects=20` });
    } else if (!names) {
      ctx.addIssue({ code: "custom", message: `"${match[1]}" is not a detector. Use one of: ${Object.keys(DETECTOR_THRESHOLDS).join(", ")}` });
    } else if (!names.includes(match[2]!)) {
      ctx.addIssue({
        code: "custom",
        message: `detector ${match[1]} has no threshold "${match[2]}"; ${names.length ? `it has ${names.join(", ")}` : "it has none"}`,
      });
    } else (result[match[1]!] ??= {})[match[2]!] = Number(match[3]);
  }
  return result;
});

export const auditShape = {
  KVGUARD_AUDIT_SCHEDULE: ncrontab("0 */15 * * * *").default("0 */15 * * * *").register(docs, {
    description: "When the audit scan reads new audit records and runs the detectors (NCRONTAB, UTC).",
  }),
  KVGUARD_AUDIT_WORKSPACE_IDS: guidList("Log Analytics workspace ids").optional().register(docs, {
    description: "Log Analytics workspaces (ids) the audit scan reads Key Vault records from (AzureDiagnostics and AZKVAuditLogs).",
    example: "63613592-b6f7-4c3d-a390-22ba13102111",
  }),
  KVGUARD_AUDIT_LOGS_ENDPOINT: z
    .url({ protocol: /^https$/, error: () => "is not an https URL. Set it to the Log Analytics query endpoint, such as https://api.loganalytics.io/v1" })
    .default("https://api.loganalytics.io/v1")
    .register(docs, { description: "The Log Analytics query API endpoint (another cloud's, such as https://api.loganalytics.us/v1)." }),
  KVGUARD_AUDIT_ARCHIVE_ACCOUNT: z
    .string()
    .regex(/^(https:\/\/[a-z0-9]{3,24}\.blob\.[a-z0-9.]+\/?|AzureWebJobsStorage)$/, {
      error: () => "is not a blob endpoint. Set it to https://<account>.blob.core.windows.net, or to AzureWebJobsStorage to use the app's own storage",
    })
    .optional()
    .register(docs, {
      description:
        "The storage account diagnostic settings archive Key Vault logs to: its blob endpoint (read with the app's identity), or AzureWebJobsStorage.",
      example: "https://kvauditlogs.blob.core.windows.net",
    }),
  KVGUARD_AUDIT_ARCHIVE_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, { error: () => "is not a container name. Set it to insights-logs-auditevent" })
    .default("insights-logs-auditevent")
    .register(docs, { description: "The archive container (diagnostic settings write insights-logs-auditevent)." }),
  KVGUARD_AUDIT_FOLDER: z
    .string()
    .trim()
    .min(1, { error: () => "is empty. Set it to a folder of audit logs in the archive layout, such as .kvguard/audit" })
    .optional()
    .register(docs, {
      description: "A local folder of audit logs in the archive layout (the local Key Vault's audit folder), read incrementally by file and offset.",
      example: ".kvguard/audit",
    }),
  KVGUARD_AUDIT_BASELINE_DAYS: positiveInt(14).default(14).register(docs, {
    description: "Days of history baselines learn over; no unusual-access finding is made until this much history exists.",
  }),
  KVGUARD_AUDIT_UNUSED_DAYS: positiveInt(90).default(90).register(docs, {
    description: "Days without a read after which a secret, key or certificate is reported unused (where the audit records cover those days).",
  }),
  KVGUARD_AUDIT_THRESHOLDS: thresholdsSetting.optional().register(docs, {
    description: "Detector thresholds to override: comma-separated detector.threshold=value.",
    example: "credential_access_mass_retrieval.distinctObjects=20,discovery_denied_access.burst=30",
  }),
  KVGUARD_AUDIT_SUPPRESSIONS_FILE: z.string().optional().register(docs, {
    description: "A YAML or JSON file of suppression rules (detector, principal, ip, object, reason).",
    example: "config/suppressions.yaml",
  }),
  KVGUARD_AUDIT_THREAT_INTEL_FILE: z.string().optional().register(docs, {
    description: "A file of threat-intel addresses (TOR exits, IOCs): one IP or CIDR a line, # comments.",
    example: "config/threat-intel.txt",
  }),
  KVGUARD_AUDIT_ALLOWED_NETWORKS: z
    .string()
    .transform((raw, ctx) => {
      const ranges = list(raw);
      for (const range of ranges) {
        try {
          parseCidr(range);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: `${(error as Error).message}. Set it to comma-separated CIDR ranges` });
        }
      }
      return ranges;
    })
    .optional()
    .register(docs, {
      description: "Networks callers may come from (comma-separated CIDRs); a request from elsewhere is a finding.",
      example: "10.0.0.0/8,203.0.113.0/24",
    }),
  KVGUARD_AUDIT_CANARIES: z
    .string()
    .transform((raw, ctx) => {
      const names = list(raw).map((n) => n.toLowerCase());
      for (const name of names) {
        if (!/^([0-9a-z-]{3,24}\/)?[0-9a-z-]{1,127}$/.test(name))
          ctx.addIssue({ code: "custom", message: `"${name}" is not NAME or VAULT/NAME. Set it to decoy secret names such as payments/db-admin-old` });
      }
      return names;
    })
    .optional()
    .register(docs, { description: "Canary (decoy) secrets no one should touch: comma-separated NAME or VAULT/NAME.", example: "payments/db-admin-old" }),
  KVGUARD_AUDIT_SELF_IDS: guidList("object or app ids").optional().register(docs, {
    description: "kvguard's own object and app ids, whose rotations and reads are not findings.",
    default: "AZURE_CLIENT_ID when set",
    example: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
  }),
  KVGUARD_AUDIT_QUERY_SLICE_MINUTES: positiveInt(60).default(60).register(docs, {
    description: "Minutes of logs one Log Analytics query reads (a query returns at most 500,000 rows; truncated slices are split again).",
  }),
  KVGUARD_AUDIT_INGESTION_DELAY_MINUTES: positiveInt(10).default(10).register(docs, {
    description: "How far behind now Log Analytics reads stop, for records ingested but not yet queryable.",
  }),
  KVGUARD_AUDIT_LATE_ARRIVAL_HOURS: positiveInt(48).default(48).register(docs, {
    description: "How long after its own time a record may reach Log Analytics and still be read (scans follow ingestion time; a later record is not read).",
  }),
  KVGUARD_CONSUMER_WINDOW: positiveDuration("P14D")
    .default(14 * 86_400)
    .register(docs, {
      description: "How far back `kvguard consumers` reads the audit log for the principals that read a secret or key.",
      default: "P14D",
      example: "P30D",
    }),
};

export type AuditSettings = z.output<z.ZodObject<typeof auditShape>>;

export interface AuditConfig {
  schedule: string;
  workspaceIds: string[];
  logsEndpoint: string;
  archive?: { account: string; container: string };
  /** A local folder in the archive layout. */
  folder?: string;
  baselineDays: number;
  thresholds: Record<string, Record<string, number>>;
  suppressionsFile?: string;
  threatIntelFile?: string;
  allowedNetworks: string[];
  canaries: string[];
  selfIds: string[];
  querySliceMinutes: number;
  ingestionDelayMinutes: number;
  lateArrivalHours: number;
  /** How far back consumers are read (KVGUARD_CONSUMER_WINDOW). */
  consumerWindowMs: number;
}

/** Whether the settings name any audit log to read: a folder, a storage archive or a Log Analytics workspace. */
export function hasAuditSource(audit: AuditConfig): boolean {
  return audit.folder !== undefined || audit.archive !== undefined || audit.workspaceIds.length > 0;
}

function withUnusedDays(thresholds: Record<string, Record<string, number>>, days: number): Record<string, Record<string, number>> {
  return { ...thresholds, persistence_unused_secret: { unusedDays: days, ...thresholds.persistence_unused_secret } };
}

/**
 * The audit config from parsed settings.
 * @param settings - the audit settings
 * @param clientId - AZURE_CLIENT_ID, kvguard's identity when KVGUARD_AUDIT_SELF_IDS is not set
 */
export function auditConfig(settings: AuditSettings, clientId?: string): AuditConfig {
  return {
    schedule: settings.KVGUARD_AUDIT_SCHEDULE,
    workspaceIds: settings.KVGUARD_AUDIT_WORKSPACE_IDS ?? [],
    logsEndpoint: settings.KVGUARD_AUDIT_LOGS_ENDPOINT,
    ...(settings.KVGUARD_AUDIT_ARCHIVE_ACCOUNT
      ? { archive: { account: settings.KVGUARD_AUDIT_ARCHIVE_ACCOUNT, container: settings.KVGUARD_AUDIT_ARCHIVE_CONTAINER } }
      : {}),
    ...(settings.KVGUARD_AUDIT_FOLDER ? { folder: settings.KVGUARD_AUDIT_FOLDER } : {}),
    baselineDays: settings.KVGUARD_AUDIT_BASELINE_DAYS,
    // The unused-object detector's threshold is its own setting; an explicit threshold still wins.
    thresholds: withUnusedDays(settings.KVGUARD_AUDIT_THRESHOLDS ?? {}, settings.KVGUARD_AUDIT_UNUSED_DAYS),
    ...(settings.KVGUARD_AUDIT_SUPPRESSIONS_FILE ? { suppressionsFile: settings.KVGUARD_AUDIT_SUPPRESSIONS_FILE } : {}),
    ...(settings.KVGUARD_AUDIT_THREAT_INTEL_FILE ? { threatIntelFile: settings.KVGUARD_AUDIT_THREAT_INTEL_FILE } : {}),
    allowedNetworks: settings.KVGUARD_AUDIT_ALLOWED_NETWORKS ?? [],
    canaries: settings.KVGUARD_AUDIT_CANARIES ?? [],
    selfIds: settings.KVGUARD_AUDIT_SELF_IDS ?? (clientId ? [clientId.toLowerCase()] : []),
    querySliceMinutes: settings.KVGUARD_AUDIT_QUERY_SLICE_MINUTES,
    ingestionDelayMinutes: settings.KVGUARD_AUDIT_INGESTION_DELAY_MINUTES,
    lateArrivalHours: settings.KVGUARD_AUDIT_LATE_ARRIVAL_HOURS,
    consumerWindowMs: settings.KVGUARD_CONSUMER_WINDOW * 1000,
  };
}

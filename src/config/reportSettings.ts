/**
 * @module The compliance reports' settings: when the timer makes one, the blob container reports and
 * snapshots go to, the formats, the frameworks a scheduled report covers, and how many earlier snapshots
 * its trend shows.
 */
import { z } from "zod";
import { FRAMEWORKS, type Framework } from "./frameworks.js";
import { parseFormats, REPORT_FORMATS, type ReportFormat } from "./reportFormats.js";
import { docs } from "./docs.js";
import { ncrontab } from "./ncrontab.js";

/** 06:00 UTC on the first of each month. */
const MONTHLY = "0 0 6 1 * *";

const formatsSetting = z.string().transform((raw, ctx): ReportFormat[] => {
  try {
    return parseFormats(raw);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

/** "cis,pci": each checked against the frameworks checks map to. */
export const frameworksSetting = z.string().transform((raw, ctx): Framework[] => {
  const items = raw
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const item of items) {
    if (!(FRAMEWORKS as readonly string[]).includes(item))
      ctx.addIssue({ code: "custom", message: `"${item}" is not a framework. Use one or more of ${FRAMEWORKS.join(", ")}, comma-separated` });
  }
  return [...new Set(items)] as Framework[];
});

export const reportShape = {
  KVGUARD_REPORT_SCHEDULE: ncrontab(MONTHLY).default(MONTHLY).register(docs, {
    description: "When the complianceReport timer makes a report of every vault (NCRONTAB, UTC); monthly by default.",
  }),
  KVGUARD_REPORT_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, {
      error: () => "is not a blob container name (3 to 63 lower-case letters, digits and single hyphens). Set it to something like kvguard-reports",
    })
    .default("kvguard-reports")
    .register(docs, {
      description: "The blob container (in the app's storage account) reports go to, under reports/<time>/, with their snapshots under snapshots/.",
    }),
  KVGUARD_REPORT_FORMATS: formatsSetting.default(["html", "csv", "json", "pdf"]).register(docs, {
    description: `Formats the functions write, comma-separated: ${REPORT_FORMATS.join(", ")}.`,
    default: REPORT_FORMATS.join(","),
  }),
  KVGUARD_REPORT_FRAMEWORKS: frameworksSetting.optional().register(docs, {
    description: `Frameworks the scheduled report covers, comma-separated (${FRAMEWORKS.join(", ")}); every framework when not set.`,
    example: "cis,pci",
  }),
  KVGUARD_REPORT_HISTORY: z.coerce
    .number({ error: () => "is not a number. Set it to a whole number such as 12" })
    .int({ error: () => "is not a whole number. Set it to a whole number such as 12" })
    .min(0, { error: () => "must be 0 or more. Set it to a whole number such as 12" })
    .default(12)
    .register(docs, { description: "Earlier snapshots a report compares with in its change-over-time section (0: none)." }),
};

export type ReportSettings = z.output<z.ZodObject<typeof reportShape>>;

export interface ReportConfig {
  container: string;
  formats: ReportFormat[];
  /** Empty: every framework. */
  frameworks: Framework[];
  history: number;
}

export function reportConfig(settings: ReportSettings): ReportConfig {
  return {
    container: settings.KVGUARD_REPORT_CONTAINER,
    formats: settings.KVGUARD_REPORT_FORMATS,
    frameworks: settings.KVGUARD_REPORT_FRAMEWORKS ?? [],
    history: settings.KVGUARD_REPORT_HISTORY,
  };
}

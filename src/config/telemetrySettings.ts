/**
 * @module Telemetry's settings: whether kvguard sends its metrics and traces to Azure Monitor (Application
 * Insights), and where. Off unless the standard connection string is set or KVGUARD_TELEMETRY asks for it.
 */
import { z } from "zod";
import { docs } from "./docs.js";

export const TELEMETRY_MODES = ["off", "azure-monitor"] as const;
export type TelemetryMode = (typeof TELEMETRY_MODES)[number];

/** The connection string stays in the environment (the app reads it there), as other credentials do. */
export interface TelemetryConfig {
  mode: TelemetryMode;
}

export const telemetryShape = {
  KVGUARD_TELEMETRY: z
    .enum(TELEMETRY_MODES, { error: () => `is not a telemetry mode. Set it to ${TELEMETRY_MODES.join(" or ")}` })
    .optional()
    .register(docs, {
      description:
        "Metrics and traces (docs/telemetry.md): `azure-monitor` sends them to Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING), `off` sends nothing.",
      default: "azure-monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is set, else off",
    }),
  // The Functions host reads it too (its own logs): kvguard does not refuse to start over its shape.
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional().register(docs, {
    description: "The Application Insights resource kvguard's metrics and traces go to (its connection string, the standard setting).",
    example: "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
  }),
};

export type TelemetrySettings = z.output<z.ZodObject<typeof telemetryShape>>;

export function telemetryConfig(settings: TelemetrySettings): TelemetryConfig {
  return { mode: settings.KVGUARD_TELEMETRY ?? (settings.APPLICATIONINSIGHTS_CONNECTION_STRING ? "azure-monitor" : "off") };
}

/** azure-monitor without a connection string has nowhere to send. */
export function telemetryCrossCheck(value: Partial<Record<keyof TelemetrySettings, unknown>>, ctx: z.RefinementCtx): void {
  if (value.KVGUARD_TELEMETRY === "azure-monitor" && value.APPLICATIONINSIGHTS_CONNECTION_STRING === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["KVGUARD_TELEMETRY"],
      message:
        "is azure-monitor but APPLICATIONINSIGHTS_CONNECTION_STRING is not set. Set it to the Application Insights resource's connection string, or set KVGUARD_TELEMETRY=off",
    });
  }
}

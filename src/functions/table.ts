/**
 * @module The function table: every function of the app as data (name, trigger, handler). `index.ts`
 * registers each entry with the Functions host, and the local runner reads the same list.
 */
import type { EventGridHandler, HttpHandler, HttpMethod, HttpTriggerOptions, RetryOptions, StorageQueueHandler, TimerHandler } from "@azure/functions";
import { alertOutbox } from "./alertOutbox.js";
import { auditScan } from "./auditScan.js";
import { complianceReport } from "./complianceReport.js";
import { complianceReportNow } from "./complianceReportNow.js";
import { exportOut } from "./exportOut.js";
import { health } from "./health.js";
import { onVaultEvent } from "./onVaultEvent.js";
import { rotateNow } from "./rotateNow.js";
import { rotationPoison } from "./rotationPoison.js";
import { rotationSweep } from "./rotationSweep.js";
import { rotationWorker } from "./rotationWorker.js";
import { statusPage } from "./statusPage.js";

interface FunctionDefinitionBase {
  /** Unique in the app; also the HTTP route when an HTTP function has none. */
  name: string;
}

/**
 * A function run on a schedule. Only this kind takes `retry`: among these triggers the host runs retry
 * policies for timers alone; queue messages are retried by `maxDequeueCount` in host.json, Event Grid
 * events by their subscription's policy, and HTTP requests by their caller.
 */
export interface TimerFunctionDefinition extends FunctionDefinitionBase {
  kind: "timer";
  /** NCRONTAB with seconds: `{second} {minute} {hour} {day} {month} {day-of-week}`. */
  schedule: string;
  runOnStartup?: boolean;
  retry?: RetryOptions;
  handler: TimerHandler;
}

/** A function run for each message of a storage queue; the handler parses the message. */
export interface StorageQueueFunctionDefinition extends FunctionDefinitionBase {
  kind: "storageQueue";
  queueName: string;
  /** The app setting (or `__` prefix) of the storage connection, such as "AzureWebJobsStorage". */
  connection: string;
  handler: StorageQueueHandler<unknown>;
}

/** A function run for each Event Grid event delivered to it (Key Vault raises these). */
export interface EventGridFunctionDefinition extends FunctionDefinitionBase {
  kind: "eventGrid";
  handler: EventGridHandler;
}

/** A function answering HTTP requests at `/api/<route>`. */
export interface HttpFunctionDefinition extends FunctionDefinitionBase {
  kind: "http";
  methods: HttpMethod[];
  authLevel: NonNullable<HttpTriggerOptions["authLevel"]>;
  route?: string;
  handler: HttpHandler;
}

export type FunctionDefinition = TimerFunctionDefinition | StorageQueueFunctionDefinition | EventGridFunctionDefinition | HttpFunctionDefinition;

export type FunctionKind = FunctionDefinition["kind"];

/** Every function of the app. */
export const functionTable: readonly FunctionDefinition[] = [
  health,
  rotationSweep,
  rotationWorker,
  rotationPoison,
  onVaultEvent,
  rotateNow,
  auditScan,
  alertOutbox,
  complianceReport,
  complianceReportNow,
  exportOut,
  statusPage,
];

/**
 * @module The export's destinations in the local stack: a topic `kvguard-events` on the local cloud's Event
 * Grid (CloudEvents, Entra only) with a local webhook that saves each event under `<outDir>/events/` and
 * prints a line, and a data collection endpoint and rule whose tables the local cloud keeps. Returns the
 * settings that turn the export on.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import type { StartedLocalCloud } from "../emulator/cloud/index.js";
import { stamp } from "./alerts/teamsCatcher.js";
import { ruleProperties } from "../src/export/tables.js";
import { postAdmin } from "./adminApi.js";

const TOPIC = "kvguard-events";
const WORKSPACE = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.OperationalInsights/workspaces/local";

export interface LocalExport {
  settings: Record<string, string>;
  close(): Promise<void>;
}

/** A CloudEvents webhook: answers the validation handshake, saves each delivered event. */
async function startEventsCatcher(outDir: string, print: (line: string) => void): Promise<{ url: string; server: Server }> {
  const dir = join(outDir, "events");
  await mkdir(dir, { recursive: true });
  let count = 0;
  const server = createServer((req, res) => {
    if (req.method === "OPTIONS") {
      res.writeHead(200, { "WebHook-Allowed-Origin": String(req.headers["webhook-request-origin"] ?? "*"), Allow: "POST" }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let events: { type?: unknown; subject?: unknown }[];
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
        events = (Array.isArray(body) ? body : [body]) as typeof events;
      } catch {
        res.writeHead(400).end("the body is not JSON");
        return;
      }
      Promise.all(
        events.map(async (event) => {
          const file = join(dir, `${stamp(++count)}.json`);
          await writeFile(file, `${JSON.stringify(event, null, 2)}\n`);
          print(`event: ${String(event.type)} ${typeof event.subject === "string" ? event.subject : ""} → ${relative(process.cwd(), file)}`);
        }),
      )
        .then(() => res.writeHead(200).end())
        .catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, server };
}

export async function startLocalExport(cloud: StartedLocalCloud, ca: string, outDir: string, print: (line: string) => void): Promise<LocalExport> {
  const { url, server } = await startEventsCatcher(outDir, print);
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  try {
    const eventGrid = cloud.providers.eventGrid;
    const topic = eventGrid.get(TOPIC) ?? (await eventGrid.create({ name: TOPIC, inputSchema: "CloudEventSchemaV1_0", disableLocalAuth: true }));
    // The catcher's port changes with each start: the subscription follows it.
    await eventGrid.subscribe(topic, { name: "local-catcher", endpoint: url });
    await postAdmin(cloud.url, ca, "/management/monitor/dataCollectionEndpoints", { name: "kvguard-dce" });
    const rule = (await postAdmin(cloud.url, ca, "/management/monitor/dataCollectionRules", {
      name: "kvguard-export",
      dataCollectionEndpoint: "kvguard-dce",
      properties: ruleProperties(WORKSPACE),
    })) as { immutableId: string; ingestionEndpoint: string };
    return {
      settings: {
        KVGUARD_EXPORT_TOPIC_ENDPOINT: eventGrid.endpointOf(topic),
        KVGUARD_EXPORT_DCE_ENDPOINT: rule.ingestionEndpoint,
        KVGUARD_EXPORT_DCR_ID: rule.immutableId,
        KVGUARD_EXPORT_SCHEDULE: "*/10 * * * * *",
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

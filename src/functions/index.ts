/**
 * @module The app's entry point (`main` in package.json): registers every entry of the function table with
 * the Functions host, each handler behind the log boundary (`withEscapedLogs`). Without the host (tests),
 * `@azure/functions` is in test mode and skips registration.
 */
import { app } from "@azure/functions";
import { withEscapedLogs } from "./logging.js";
import { functionTable, type FunctionDefinition } from "./table.js";

/**
 * Registers one function through the library's public `app.*` call for its trigger.
 * @param definition - an entry of the function table
 */
export function registerFunction(definition: FunctionDefinition): void {
  switch (definition.kind) {
    case "timer": {
      const { name, schedule, runOnStartup, retry } = definition;
      app.timer(name, { schedule, handler: withEscapedLogs(definition.handler), ...(runOnStartup !== undefined && { runOnStartup }), ...(retry && { retry }) });
      return;
    }
    case "storageQueue": {
      const { name, queueName, connection } = definition;
      app.storageQueue(name, { queueName, connection, handler: withEscapedLogs(definition.handler) });
      return;
    }
    case "eventGrid":
      app.eventGrid(definition.name, { handler: withEscapedLogs(definition.handler) });
      return;
    case "http": {
      const { name, methods, authLevel, route } = definition;
      app.http(name, { methods, authLevel, handler: withEscapedLogs(definition.handler), ...(route !== undefined && { route }) });
      return;
    }
    default: {
      const unknown: never = definition;
      throw new Error(`unknown trigger kind in ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Registers every definition; names must be unique, as the host requires.
 * @param definitions - the function table (default: the app's)
 */
export function registerFunctions(definitions: readonly FunctionDefinition[] = functionTable): void {
  const seen = new Set<string>();
  for (const definition of definitions) {
    if (seen.has(definition.name.toLowerCase())) throw new Error(`function ${definition.name} is in the table twice`);
    seen.add(definition.name.toLowerCase());
    registerFunction(definition);
  }
}

registerFunctions();

/**
 * @module The app the function handlers use: one per process, built from the app settings on first use. The
 * local stack and tests put their own in its place (`useApp`): their settings, the vault's clock, their logs.
 */
import { createApp, type App } from "./app.js";

let current: App | undefined;

export function currentApp(): App {
  current ??= createApp(process.env);
  return current;
}

/** Puts `app` in place of the process's app (the local stack, tests); undefined goes back to the app settings. */
export function useApp(app: App | undefined): void {
  current = app;
}

export { createApp, type App, type AppOptions, type Env } from "./app.js";
export type { ReportRequest } from "./reports.js";

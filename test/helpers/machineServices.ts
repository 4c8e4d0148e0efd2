/**
 * @module The machine services some tests need: servers and programs of the machine that npm cannot install
 * (a MariaDB, a Chromium, a redis-server). vitest's global setup (this file's default export, named in vitest.config.ts) looks
 * for each once per run. Where one is missing, the tests that need it are skipped, loudly: each such file
 * prints a warning, its tests count as skipped, and the run's last lines say it again. Where the service's
 * REQUIRE_ variable is 1 (`.ci/run` sets them all), a missing service fails instead: its tests run and say
 * what is missing.
 */
import { access, constants, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { REDIS_SERVER } from "../../emulator/cloud/keyPairs/redisServer.js";
import mysql from "mysql2/promise";
import { chromium } from "playwright-core";
import { describe, inject } from "vitest";
import type { TestProject } from "vitest/node";

/** The machine's MariaDB: root with an empty password, on loopback. */
export const MARIADB = { host: "127.0.0.1", port: 3306, user: "root", password: "" };

/** Where a service was found, or (without `at`) what was looked at. */
interface Found {
  at?: string;
  looked: string;
}

interface MachineService {
  name: string;
  /** The variable that turns a missing service from a skip into a failure. */
  requireVariable: string;
  /** The tests that need it. */
  tests: string;
  install: string;
  find(): Promise<Found>;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];

const SERVICES = {
  mariadb: {
    name: "MariaDB",
    requireVariable: "REQUIRE_MARIADB",
    tests: "the mysql rotator's tests (test/rotators/mysql*.test.ts)",
    install: "install and start MariaDB (Debian: apt-get install mariadb-server) with root on an empty password",
    async find() {
      const at = `${MARIADB.host}:${MARIADB.port}`;
      try {
        const conn = await mysql.createConnection({ ...MARIADB, connectTimeout: 10_000 });
        await conn.end();
        return { at, looked: at };
      } catch (error) {
        return { looked: `${at} (root, empty password): ${(error as Error).message}` };
      }
    },
  },
  chromium: {
    name: "Chromium",
    requireVariable: "REQUIRE_CHROMIUM",
    tests: "the HTML report in a browser (test/compliance/reportBrowser.test.ts)",
    install: "install one (Debian: apt-get install chromium) or point CHROMIUM_PATH at a Chromium or Chrome",
    async find() {
      const configured = process.env.CHROMIUM_PATH;
      if (configured) {
        return (await isExecutableFile(configured))
          ? { at: configured, looked: configured }
          : { looked: `CHROMIUM_PATH=${configured}, not an executable file` };
      }
      for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
        for (const name of CHROMIUM_NAMES) {
          if (await isExecutableFile(join(dir, name))) return { at: join(dir, name), looked: join(dir, name) };
        }
      }
      // A Chromium that `npx playwright install chromium` downloaded.
      const downloaded = chromium.executablePath();
      if (await isExecutableFile(downloaded)) return { at: downloaded, looked: downloaded };
      return { looked: `${CHROMIUM_NAMES.join(", ")} on PATH, CHROMIUM_PATH (unset) and Playwright's download (${downloaded})` };
    },
  },
  redis: {
    name: "redis-server",
    requireVariable: "REQUIRE_REDIS",
    tests: "the key-pair rotator's Azure Cache for Redis tests (test/rotators/keyPair*.test.ts), whose local cache is a real redis-server",
    install: "install Redis (Debian: apt-get install redis-server) or point REDIS_SERVER at a redis-server built with TLS",
    async find() {
      return (await isExecutableFile(REDIS_SERVER)) ? { at: REDIS_SERVER, looked: REDIS_SERVER } : { looked: `${REDIS_SERVER}, not an executable file` };
    },
  },
} satisfies Record<string, MachineService>;

export type MachineServiceName = keyof typeof SERVICES;

declare module "vitest" {
  interface ProvidedContext {
    machineServices: Record<MachineServiceName, Found>;
  }
}

function required(service: MachineService): boolean {
  return process.env[service.requireVariable] === "1";
}

function skipWarning(service: MachineService, found: Found): string {
  return `SKIPPED: ${service.tests}: no ${service.name} (looked at ${found.looked}). To run them: ${service.install}. ${service.requireVariable}=1 makes a missing ${service.name} a failure (CI sets it).`;
}

/** vitest's global setup: looks for every service once, hands the answers to the test files, and repeats the skips last. */
export default async function setup(project: TestProject): Promise<() => void> {
  const names = Object.keys(SERVICES) as MachineServiceName[];
  const found = await Promise.all(names.map((name) => SERVICES[name].find()));
  project.provide("machineServices", Object.fromEntries(names.map((name, i) => [name, found[i]!])) as Record<MachineServiceName, Found>);
  const skipped = names.flatMap((name, i) => (found[i]!.at || required(SERVICES[name]) ? [] : [skipWarning(SERVICES[name], found[i]!)]));
  return () => {
    for (const line of skipped) console.warn(`\n${line}`);
  };
}

export interface NeededService {
  /** `describe`, skipped (with a warning printed once per file) when the service is missing and not required. */
  describe: ReturnType<typeof describe.skipIf>;
  /** Where the service is; throws, saying what is missing and how to get it, when it is not there. */
  at(): string;
}

/** What a test file needs from the machine, called once at the file's top level. */
export function needs(name: MachineServiceName): NeededService {
  const service: MachineService = SERVICES[name];
  const found = inject("machineServices")[name];
  const skip = !found.at && !required(service);
  if (skip) console.warn(skipWarning(service, found));
  return {
    describe: describe.skipIf(skip),
    at() {
      if (found.at) return found.at;
      throw new Error(
        `${service.name} is required (${service.requireVariable}=1) but not found (looked at ${found.looked}). To run these tests: ${service.install}.`,
      );
    },
  };
}

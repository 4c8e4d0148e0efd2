import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Looks once for what some tests need from the machine (MariaDB, Chromium); those are skipped loudly without it.
    globalSetup: ["test/helpers/machineServices.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most test time is waiting (servers starting, a killed run's lock lapsing), not CPU: more files at once
    // than cores took the suite from about 450 s to 345 s on a 2-core machine, with no test slower to pass.
    maxWorkers: 4,
  },
});

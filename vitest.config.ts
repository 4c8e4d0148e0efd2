import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Looks once for what some tests need from the machine (MariaDB, Chromium); those are skipped loudly without it.
    globalSetup: ["test/helpers/machineServices.ts"],
    // Hang guards, not deadlines: far above any test's time on a busy 2-core machine (the slowest, `npm start
    // --once`, took 31 s on a quiet one and up to 152 s beside two CPU-bound loops). No test sets its own.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Most test time is waiting (servers starting, a killed run's lock lapsing), not CPU: more files at once
    // than cores took the suite from about 450 s to 345 s on a 2-core machine, with no test slower to pass.
    maxWorkers: 4,
  },
});

import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Files that take minutes: started first. On a fresh clone (CI) vitest knows no durations and starts larger
 * files first, so the rotator contract's parts (three-line files, two to three minutes each) started last and
 * set the suite's tail.
 */
const STARTS_FIRST = [/\/test\/rotators\/contract\.\d+\.test\.ts$/, /\/test\/trust\/attacks\.test\.ts$/];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = (spec: TestSpecification) => STARTS_FIRST.some((pattern) => pattern.test(spec.moduleId));
    return [...sorted.filter(first), ...sorted.filter((spec) => !first(spec))];
  }
}

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
    sequence: { sequencer: LongestFirst },
  },
});

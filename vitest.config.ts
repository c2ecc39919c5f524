import { defineConfig } from "vitest/config";

// Every test starts real rank processes through the launcher; on a 2-core machine two test
// files at once is the most that keeps start-up and message timing realistic.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A user's project that test/package/install.test.ts installs and tests on its own.
    exclude: ["test/package/project/**", "**/node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // A machine-readable summary that .ci/run turns into "N passed, N failed".
    reporters: ["default", ["json", { outputFile: ".vitest-results.json" }]],
  },
});

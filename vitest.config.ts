import { defineConfig } from "vitest/config";

// unit tests are pure and run in parallel; linux and e2e tests touch the real kernel
// as root and run one file at a time (2 cores, shared kernel objects).
export default defineConfig({
  test: {
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        test: {
          name: "linux",
          include: ["test/linux/**/*.test.ts", "test/e2e/**/*.test.ts"],
          fileParallelism: false,
          globalSetup: ["test/helpers/build-once.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

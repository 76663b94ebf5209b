import { defineConfig } from 'vitest/config';

// CI (.ci/run) runs exactly `npm test` and sets EXODUS_TEST_JSON to a file for vitest's JSON
// report, from which it counts passed and failed tests.
const json = process.env.EXODUS_TEST_JSON;

export default defineConfig({
  test: {
    ...(json ? { reporters: ['default', 'json'], outputFile: { json } } : {}),
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: run test files in two processes.
    maxWorkers: 2,
  },
});

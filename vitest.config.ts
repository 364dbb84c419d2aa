import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{protocol,core,lines,machine,bridge,web,guest,tools}/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report lets .ci/run print a one-line summary that CI can read.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});

// End-to-end tests: pages built from pkg/ (see setup.mjs) in headless Chromium, against
// the sockudo and helper server that tests/browser/harness/run.mjs starts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        root: import.meta.dirname,
        include: ['*.test.mjs'],
        globalSetup: ['setup.mjs'],
        environment: 'node',
        fileParallelism: false,
        testTimeout: 60_000,
        hookTimeout: 180_000,
    },
});

// Unit tests of the JS API (js/), in Node, with the release module `make build` made
// (package.json maps `#client` and `#wasm` to it). No server: what needs one is in
// tests/e2e.
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        root: import.meta.dirname,
        include: ['*.test.mjs'],
        environment: 'node',
        // Each file gets its own module graph: whether the module has loaded yet is
        // state of that graph (see queue.test.mjs).
        isolate: true,
    },
});

// Loads the WebAssembly module, which ships inside this file: base64 of its raw-deflate
// form (`#wasm`, made by scripts/inline-wasm.mjs). Inline, it needs no URL, so the
// package works unchanged in any bundler, in Vite's dev server (whose dependency
// pre-bundling moves files away from a sibling `.wasm`), and as a `<script>` served from
// any path. It is smaller too: deflated by Zopfli, its base64 gzips to 22,625 bytes,
// where the `.wasm` served gzipped would be 23,849 (measured).
//
// The module's text first: it then comes first in the bundles, and the JS after it in one
// piece, which gzip compresses better than JS on both sides of it (180 bytes, measured).
import wasm from '#wasm';
import init from '#client';

let loading;

/**
 * Starts loading the module, once; clients constructed before it has loaded start when
 * it has (or fail, if it cannot, and the next call tries again). Nothing is loaded on
 * import: server-side rendering imports this file too.
 * @returns {Promise<unknown>}
 */
export function load() {
    return (loading ??= init({ module_or_path: inflate(wasm) }).catch((error) => {
        loading = undefined;
        throw error;
    }));
}

// A `Response` streaming the module's bytes, typed so that it compiles while it inflates.
async function inflate(base64) {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Response(stream, { headers: { 'Content-Type': 'application/wasm' } });
}

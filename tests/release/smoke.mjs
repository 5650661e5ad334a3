// Smoke test of the release artifact exactly as `make build` leaves it: the module built
// without std (free-list allocator, trapping panic handler), wasm-opt'ed with minified
// import/export names, and the glue renamed and minified to match. The browser suite
// (tests/browser.rs) runs a debug build with std that wasm-pack makes itself, so this is
// what proves the shipped files fit together. Node 20 has WebSocket behind
// --experimental-websocket; run through the harness:
//
//   node tests/browser/harness/run.mjs -- node --experimental-websocket tests/release/smoke.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../../target/wasm-bindgen/', import.meta.url);
const { initSync, Client } = await import(new URL('echo_wasm.js', built));
initSync({ module: readFileSync(fileURLToPath(new URL('echo_wasm_bg.wasm', built))) });

const { ECHO_TEST_WS_PORT: wsPort, ECHO_TEST_HELPER: helper, ECHO_TEST_APP_KEY: key } = process.env;
assert.ok(wsPort && helper, 'run through tests/browser/harness/run.mjs');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(what, condition) {
    for (let waited = 0; !condition(); waited += 25) {
        if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
        await sleep(25);
    }
}
async function trigger(channel, event, data) {
    const response = await fetch(`${helper}/trigger`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel, event, data }),
    });
    assert.equal(response.status, 200);
}

const client = new Client({ key, wsHost: '127.0.0.1', wsPort, forceTLS: false, authEndpoint: `${helper}/broadcasting/auth` });
const states = [];
const received = [];
client.onStateChange(({ current }) => states.push(current));
client.bind('private-smoke', 'Hello', (data) => received.push(['Hello', data]));
client.bind('private-encrypted-smoke', 'Secret', (data) => received.push(['Secret', data]));
client.connect();
client.subscribe('private-smoke');
client.subscribe('private-encrypted-smoke');
await until('both channels subscribed', () =>
    client.channelState('private-smoke') === 'subscribed' && client.channelState('private-encrypted-smoke') === 'subscribed');
assert.match(client.socketId, /^\d+\.\d+$/);

await trigger('private-smoke', 'Hello', { text: 'Grüße', n: 1 });
await trigger('private-encrypted-smoke', 'Secret', { code: '1234' });
await until('two events', () => received.length === 2);
assert.deepEqual(received, [['Hello', { text: 'Grüße', n: 1 }], ['Secret', { code: '1234' }]]);
assert.deepEqual(states, ['connecting', 'connected']);

assert.throws(() => new Client({ key: 'k', wsHost: 'h', wsPort: 'x' }), /invalid option `wsPort`: must be a whole number/);
assert.throws(() => client.trigger('private-smoke', 'not-client', {}), /client-/);

// Thousands of allocations and frees through the free-list allocator.
for (let i = 0; i < 3000; i++) {
    client.subscribe(`churn-${i}`);
    if (i % 3) client.unsubscribe(`churn-${i}`);
}
assert.equal(client.channels().length, 2 + 1000);
client.disconnect();
assert.equal(client.state, 'disconnected');
client.free();
console.log('release smoke: ok');

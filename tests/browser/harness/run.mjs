#!/usr/bin/env node
// Starts a real sockudo server and the helper HTTP server, then runs a command (the
// browser test suite) with their addresses in its environment, and tears both down after.
//
//   node tests/browser/harness/run.mjs -- wasm-pack test --headless --chrome
//   node tests/browser/harness/run.mjs --serve      # start both and wait for Ctrl-C
//
// The browser tests read the addresses at compile time (`option_env!`), which is why the
// servers come first and the command runs as a child with these variables set:
//   ECHO_TEST_WS_HOST, ECHO_TEST_WS_PORT, ECHO_TEST_APP_KEY, ECHO_TEST_HELPER
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import Pusher from 'pusher';
import { startHelper } from './helper.mjs';
import { APP, findSockudo, Sockudo } from './sockudo.mjs';

const HOST = '127.0.0.1';
const CHILD_KILL_AFTER_MS = 5_000;

const log = (message) => console.error(`harness: ${message}`);

function parseArgs(args) {
    if (args.length === 1 && args[0] === '--serve') return { serve: true };
    if (args[0] === '--' && args.length > 1) return { command: args[1], commandArgs: args.slice(2) };
    console.error('usage: node tests/browser/harness/run.mjs -- <command> [args...]\n       node tests/browser/harness/run.mjs --serve');
    process.exit(2);
}

/** A port nothing listens on right now (the OS picks it). */
function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, HOST, () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

const options = parseArgs(process.argv.slice(2));
const startedAt = Date.now();
let bin;
try {
    bin = findSockudo();
} catch (error) {
    log(error.message);
    process.exit(1);
}
const dir = await mkdtemp(join(tmpdir(), 'echo-wasm-harness-'));
const wsPort = await freePort();
const pusher = new Pusher({
    appId: APP.id,
    key: APP.key,
    secret: APP.secret,
    host: HOST,
    port: String(wsPort),
    useTLS: false,
    // Fixed for this run: channel auth derives each encrypted channel's shared secret from
    // it, and /trigger encrypts with it.
    encryptionMasterKeyBase64: randomBytes(32).toString('base64'),
    // A hung request must not stall the readiness check or a test.
    timeout: 5_000,
});
const sockudo = new Sockudo({ bin, dir, port: wsPort, pusher });
let helper = null;
let child = null;
let stopping = null;
// Set when this process was told to stop: the command's exit is then no failure.
let signalled = false;

// Whatever ends this process, sockudo must not outlive it.
process.on('exit', () => sockudo.killNow());

/**
 * Stops everything and exits (the returned promise never settles, so nothing after an
 * `await shutdown()` runs). The temp directory (config and log) stays when something failed.
 */
function shutdown(code) {
    stopping ??= (async () => {
        try {
            await sockudo.stop({ graceful: true });
        } catch (error) {
            log(error.message);
        }
        await helper?.close();
        if (code === 0 || signalled) {
            await rm(dir, { recursive: true, force: true });
        } else {
            log(`sockudo config and log kept in ${dir}`);
        }
        process.exit(code);
    })();
    return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
        signalled = true;
        if (child && child.exitCode === null && child.signalCode === null) {
            // Ctrl-C reaches the whole process group anyway, but a signal sent to this
            // process alone must reach the command too; its exit then runs the shutdown.
            child.kill(signal);
            setTimeout(() => child.kill('SIGKILL'), CHILD_KILL_AFTER_MS).unref();
        } else {
            // Still starting: end sockudo now rather than wait out its readiness check.
            if (!helper) sockudo.killNow();
            shutdown(128 + constants.signals[signal]);
        }
    });
}

try {
    await sockudo.start();
    helper = await startHelper({ pusher, sockudo, host: HOST });
} catch (error) {
    if (!signalled) log(error.message);
    await shutdown(1);
}

const env = {
    ECHO_TEST_WS_HOST: HOST,
    ECHO_TEST_WS_PORT: String(wsPort),
    ECHO_TEST_APP_KEY: APP.key,
    ECHO_TEST_HELPER: helper.url,
};
log(`sockudo ${sockudo.bin} on port ${wsPort}, helper on ${helper.url}, ready in ${Date.now() - startedAt} ms`);

if (options.serve) {
    for (const [name, value] of Object.entries(env)) console.log(`${name}=${value}`);
    log(`sockudo log: ${sockudo.logPath}; Ctrl-C stops`);
} else {
    child = spawn(options.command, options.commandArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('error', (error) => {
        log(`cannot run ${options.command}: ${error.message}`);
        shutdown(127);
    });
    child.once('exit', (code, signal) => shutdown(signal ? 128 + constants.signals[signal] : code));
}

// One sockudo server for the browser tests: writes its config, starts and stops it on a
// fixed port, and knows when it really serves the test app.
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const APP = { id: 'test-app', key: 'test-key', secret: 'test-secret' };

const READY_TIMEOUT_MS = 30_000;
const POLL_MS = 100;
const KILL_AFTER_MS = 3_000;
const PORT_CLOSE_TIMEOUT_MS = 5_000;
const LOG_TAIL_LINES = 40;

/** The sockudo binary: on PATH, else where `cargo install` puts it. */
export function findSockudo() {
    const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
    dirs.push(join(homedir(), '.cargo', 'bin'));
    for (const dir of dirs) {
        const candidate = join(dir, 'sockudo');
        try {
            accessSync(candidate, constants.X_OK);
            return candidate;
        } catch {
            // not in this directory
        }
    }
    throw new Error('sockudo is not on PATH nor in ~/.cargo/bin: run `scripts/setup.sh browser`');
}

function configToml(port) {
    return `host = "127.0.0.1"
port = ${port}
mode = "development"
activity_timeout = 120
# SIGTERM closes every connection (code 4200) at once; the default 10 s of staying up
# for load balancers would only slow a graceful stop down.
shutdown_grace_period = 0
[app_manager]
driver = "memory"
[[app_manager.array.apps]]
id = "${APP.id}"
key = "${APP.key}"
secret = "${APP.secret}"
enabled = true
enable_client_messages = true
enable_user_authentication = true
[adapter]
driver = "local"
[cache]
driver = "memory"
[queue]
driver = "memory"
[rate_limiter]
# On by default: 20 connections a minute per IP would break a test suite.
enabled = false
[metrics]
enabled = false
`;
}

/** Resolves once nothing accepts connections on 127.0.0.1:port. */
async function waitPortClosed(port) {
    const deadline = Date.now() + PORT_CLOSE_TIMEOUT_MS;
    for (;;) {
        const accepted = await new Promise((resolve) => {
            const socket = connect({ host: '127.0.0.1', port });
            socket.once('connect', () => {
                socket.destroy();
                resolve(true);
            });
            socket.once('error', () => resolve(false));
        });
        if (!accepted) return;
        if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections after sockudo exited`);
        await sleep(POLL_MS);
    }
}

export class Sockudo {
    #child = null;
    #exited = null;
    #ready = false;
    #stopRequested = false;
    // start/stop/restart run one at a time, in the order they were asked for.
    #queue = Promise.resolve();

    /**
     * @param {object} options
     * @param {string} options.bin   the sockudo binary (findSockudo)
     * @param {string} options.dir   a private directory: config, log, and sockudo's working directory
     * @param {number} options.port  the port sockudo listens on, the same for every start
     * @param {import('pusher')} options.pusher  a server SDK client for APP on that port
     */
    constructor({ bin, dir, port, pusher }) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.pusher = pusher;
        this.configPath = join(dir, 'sockudo.toml');
        this.logPath = join(dir, 'sockudo.log');
        writeFileSync(this.configPath, configToml(port));
    }

    /** Running and serving the test app. */
    get up() {
        return this.#child !== null && this.#ready;
    }

    /** Starts sockudo (no-op if it runs) and resolves once it serves the test app. */
    start() {
        return this.#serially(() => this.#start());
    }

    /** Stops sockudo (no-op if it is down): SIGKILL, a crash; graceful: SIGTERM, SIGKILL after 3 s. */
    stop({ graceful = false } = {}) {
        return this.#serially(() => this.#stop(graceful));
    }

    restart({ downMs = 0, graceful = false } = {}) {
        return this.#serially(async () => {
            await this.#stop(graceful);
            await sleep(downMs);
            await this.#start();
        });
    }

    /** Last resort when this process exits without a chance to wait: synchronous SIGKILL. */
    killNow() {
        this.#stopRequested = true;
        this.#child?.kill('SIGKILL');
    }

    logTail(lines = LOG_TAIL_LINES) {
        try {
            return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
        } catch {
            return '(no log)';
        }
    }

    #serially(operation) {
        const run = this.#queue.then(operation);
        this.#queue = run.catch(() => {});
        return run;
    }

    async #start() {
        if (this.#child) return;
        const log = openSync(this.logPath, 'a');
        writeSync(log, `--- harness: starting sockudo on port ${this.port} at ${new Date().toISOString()} ---\n`);
        const child = spawn(this.bin, ['--config', this.configPath], {
            // sockudo reads config/config.toml relative to its working directory before --config.
            cwd: this.dir,
            // sockudo applies environment overrides (HOST, PORT, DEBUG, ACTIVITY_TIMEOUT, …) on
            // top of the config file, so it gets none of ours.
            env: { PATH: process.env.PATH ?? '', HOME: homedir(), LOG_COLORS_ENABLED: 'false' },
            stdio: ['ignore', log, log],
        });
        closeSync(log);
        this.#child = child;
        this.#ready = false;
        this.#stopRequested = false;
        this.#exited = new Promise((resolve) => {
            child.once('error', (error) => resolve(`could not run ${this.bin}: ${error.message}`));
            child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
        }).then((how) => {
            if (this.#child === child) {
                // Before it is ready, the readiness check reports the exit.
                if (this.#ready && !this.#stopRequested) {
                    console.error(`harness: sockudo stopped on its own (${how}); log: ${this.logPath}`);
                }
                this.#child = null;
                this.#ready = false;
            }
            return how;
        });
        try {
            await this.#waitReady(this.#exited);
        } catch (error) {
            await this.#stop(false);
            throw error;
        }
        this.#ready = true;
    }

    // An open port is not enough: sockudo ignores a config file it cannot parse and then
    // serves no apps (on its default port). An authenticated API call for the app proves it.
    async #waitReady(exited) {
        const deadline = Date.now() + READY_TIMEOUT_MS;
        let lastProblem = 'no answer yet';
        const died = exited.then((how) => ({ died: how }));
        for (;;) {
            // sockudo caches each /channels answer for 2 s per query; a prefix of its own
            // keeps this probe's (empty) answer out of what the tests then ask for.
            const probe = this.pusher.get({ path: '/channels', params: { filter_by_prefix: 'harness-probe-' } }).then(
                (response) => (response.status === 200 ? { ok: true } : { problem: `status ${response.status}` }),
                (error) => ({
                    problem: error.status ? `status ${error.status}: ${error.body}` : (error.error?.code ?? error.message),
                }),
            );
            const outcome = await Promise.race([probe, died]);
            if (outcome.ok) return;
            if (outcome.died) throw this.#failure(`sockudo ended (${outcome.died}) before it served the app`);
            lastProblem = outcome.problem;
            if (Date.now() > deadline) {
                throw this.#failure(`sockudo did not serve app ${APP.id} on port ${this.port} within ${READY_TIMEOUT_MS / 1000} s (last check: ${lastProblem})`);
            }
            await sleep(POLL_MS);
        }
    }

    #failure(message) {
        const tail = this.logTail();
        // sockudo reads its config before its logging starts: a file it cannot parse leaves
        // no error in the log, only a server with no apps on the default address.
        const hint = tail.includes('apps_count=0')
            ? `\nsockudo registered no apps: it could not parse ${this.configPath}`
            : '';
        return new Error(`${message}${hint}\nlog: ${this.logPath}\n--- last lines of the log ---\n${tail}`);
    }

    async #stop(graceful) {
        const child = this.#child;
        if (!child) return;
        this.#stopRequested = true;
        this.#ready = false;
        child.kill(graceful ? 'SIGTERM' : 'SIGKILL');
        const escalate = graceful ? setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS) : null;
        await this.#exited;
        clearTimeout(escalate);
        await waitPortClosed(this.port);
    }
}

// What the tests share: headless Chromium (playwright-core driving Debian's chromium),
// the built pages, and the servers that tests/browser/harness/run.mjs started.
import { chromium } from 'playwright-core';
import { inject } from 'vitest';

const env = (name) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run through tests/browser/harness/run.mjs`);
    return value;
};

export const server = {
    host: env('ECHO_TEST_WS_HOST'),
    port: env('ECHO_TEST_WS_PORT'),
    key: env('ECHO_TEST_APP_KEY'),
    helper: env('ECHO_TEST_HELPER'),
};

/** laravel-echo options for the test server, as an app passes them. */
export const options = (extra = {}) => ({
    broadcaster: 'reverb',
    key: server.key,
    wsHost: server.host,
    wsPort: server.port,
    wssPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws', 'wss'],
    authEndpoint: `${server.helper}/broadcasting/auth`,
    ...extra,
});

const FLAGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];

export const launch = () => chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });

/**
 * Opens `path` of the built pages in a new context of `browser`. Uncaught errors of the
 * page are collected in `page.errors`: a test that expects none checks it.
 */
export async function open(browser, path, query = {}) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (error) => page.errors.push(error.message));
    const search = new URLSearchParams({ key: server.key, host: server.host, port: server.port, helper: server.helper, ...query });
    await page.goto(`${inject('pages')}${path}?${search}`);
    return page;
}

/** The Vite app's page with `window.echo = new Echo(options(extra))`. */
export async function app(browser, extra = {}) {
    const page = await open(browser, '/');
    await page.waitForFunction(() => window.EchoClass);
    await page.evaluate((options) => (window.echo = new window.EchoClass(options)), options(extra));
    return page;
}

/** Waits until `window.log` in the page has `count` entries; returns them. */
export async function logged(page, count, timeout = 15_000) {
    await page.waitForFunction((count) => window.log.length >= count, count, { timeout });
    return page.evaluate(() => window.log);
}

/** Waits until `predicate(argument)` is true in the page. */
export const until = (page, predicate, argument, timeout = 15_000) => page.waitForFunction(predicate, argument, { timeout });

async function helper(method, path, body) {
    const response = await fetch(`${server.helper}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
}

/** Sends `event` with `data` on `channel` through the server's HTTP API, as Laravel does. */
export const trigger = (channel, event, data) => helper('POST', '/trigger', { channel, event, data });

/** The channels the server has subscribers on. */
export const occupied = async () => Object.keys((await helper('GET', '/channels')).channels ?? {});

/** Stops the server and starts it again after `downMs`. */
export const restartServer = (downMs) => helper('POST', '/server/restart', { downMs });

/** Waits (polling) until `check()` resolves truthy. */
export async function eventually(check, timeout = 10_000) {
    const end = Date.now() + timeout;
    for (;;) {
        const value = await check();
        if (value) return value;
        if (Date.now() > end) throw new Error(`timed out after ${timeout} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

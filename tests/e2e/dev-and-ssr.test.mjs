// The installed package in Vite's dev server (dependency pre-bundling, no plugin, no
// config), and imported during server-side rendering (Node, no window).
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { launch, options, until } from './support/pages.mjs';

const root = resolve(import.meta.dirname, '../..');
let browser;
beforeAll(async () => {
    browser = await launch();
});
afterAll(() => browser?.close());

test('the Vite dev server serves the package, which connects', async () => {
    const dev = spawn(join(root, 'node_modules/.bin/vite'), ['--host', '127.0.0.1', '--port', '0', '--strictPort', 'false'], {
        cwd: inject('app'),
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
        let output = '';
        const url = await new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no dev server URL in: ${output}`)), 30_000);
            const read = (chunk) => {
                output += chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
                const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
                if (found) clearTimeout(timer), resolve(found[0]);
            };
            dev.stdout.on('data', read);
            dev.stderr.on('data', read);
            dev.once('exit', (code) => reject(new Error(`vite exited with ${code}: ${output}`)));
        });
        const page = await browser.newPage();
        const errors = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(url);
        await page.waitForFunction(() => window.EchoClass, null, { timeout: 30_000 });
        await page.evaluate((options) => (window.echo = new EchoClass(options)), options());
        await until(page, () => echo.connectionStatus() == 'connected');
        expect(await page.evaluate(() => echo.socketId())).toMatch(/^\d+\.\d+$/);
        expect(errors).toEqual([]);
    } finally {
        dev.kill();
    }
});

test('importing the package without window or document does not throw', async () => {
    const entry = pathToFileURL(join(inject('app'), 'node_modules/echo-wasm/echo-wasm.js'));
    const module = await import(entry.href);
    expect(typeof module.default).toBe('function');
    expect(module.default).toBe(module.Echo);
    expect(new module.EventFormatter('App.Events').format('Users.Created')).toBe('App\\Events\\Users\\Created');
    expect(typeof globalThis.window).toBe('undefined');
});

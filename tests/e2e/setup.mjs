// Builds the pages the tests open the way a user builds them, from the package `make
// build` left in pkg/: `npm pack`, installed into a Vite app, `vite build`; the IIFE
// copied next to a plain HTML page. Then serves them.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from './support/static.mjs';

const root = resolve(import.meta.dirname, '../..');

export default async function setup(project) {
    if (!existsSync(join(root, 'pkg/package.json'))) throw new Error('pkg/ is missing: run `make build` first');
    const dir = mkdtempSync(join(tmpdir(), 'echo-wasm-e2e-'));
    const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

    const tarball = run('npm', ['pack', join(root, 'pkg'), '--pack-destination', dir, '--silent'], root).trim().split('\n').pop();
    const app = join(dir, 'app');
    cpSync(join(import.meta.dirname, 'app'), app, { recursive: true });
    run('npm', ['install', join(dir, tarball), '--no-audit', '--no-fund', '--loglevel=error'], app);
    run(join(root, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], app);
    const vendor = join(app, 'dist/vendor/echo-wasm');
    mkdirSync(vendor, { recursive: true });
    cpSync(join(app, 'node_modules/echo-wasm/echo-wasm.iife.js'), join(vendor, 'echo-wasm.iife.js'));

    const server = await serve(join(app, 'dist'));
    project.provide('pages', server.url);
    project.provide('app', app);
    return async () => {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
    };
}

// The calls Livewire 3 and 4 make on `window.Echo` for `echo:`, `echo-private:`,
// `echo-presence:` and `echo-notification:` listeners, on a page without a bundler that
// loads the IIFE from a nested path with a query, and makes `window.Echo` with
// `new EchoFactory({...})` in its next script, as Filament does.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { eventually, launch, logged, occupied, open, trigger, until } from './support/pages.mjs';

let browser;
beforeAll(async () => {
    browser = await launch();
});
afterAll(() => browser?.close());

const NOTIFICATION = 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated';

// Waits until the channel of this full name is subscribed.
const subscribed = (page, name) => until(page, (name) => window.Echo.connector.pusher.client.channelState(name) == 'subscribed', name);

test('the script defines EchoFactory and Echo, and the page has its Echo at once', async () => {
    const page = await open(browser, '/iife.html');
    const globals = await page.evaluate(() => [
        typeof EchoFactory,
        window.Echo instanceof EchoFactory,
        // What the script defined before the page replaced it, as laravel-echo's IIFE.
        EchoFactory.default === EchoFactory,
        typeof EchoFactory.EventFormatter,
    ]);
    expect(globals).toEqual(['function', true, true, 'function']);
    await until(page, () => window.Echo.connectionStatus() == 'connected');
    expect(await page.evaluate(() => window.Echo.socketId())).toMatch(/^\d+\.\d+$/);
    expect(page.errors).toEqual([]);
});

test('listen and stopListening on channel, private and encryptedPrivate, two components sharing a channel', async () => {
    const page = await open(browser, '/iife.html');
    await page.evaluate(() => {
        window.handlers = {};
        for (const type of ['channel', 'private', 'encryptedPrivate']) {
            for (const component of ['a', 'b']) {
                const handler = (e) => record(type, component, e.n);
                handlers[type + component] = handler;
                window.Echo[type]('lw.orders').listen('OrderShipped', handler);
            }
        }
    });
    expect(await page.evaluate(() => window.Echo.private('lw.orders') === window.Echo.private('lw.orders'))).toBe(true);
    for (const name of ['lw.orders', 'private-lw.orders', 'private-encrypted-lw.orders']) await subscribed(page, name);
    await trigger('lw.orders', 'App\\Events\\OrderShipped', { n: 1 });
    await trigger('private-lw.orders', 'App\\Events\\OrderShipped', { n: 2 });
    await trigger('private-encrypted-lw.orders', 'App\\Events\\OrderShipped', { n: 3 });
    const first = await logged(page, 6);
    expect(first).toEqual([
        ['channel', 'a', 1],
        ['channel', 'b', 1],
        ['private', 'a', 2],
        ['private', 'b', 2],
        ['encryptedPrivate', 'a', 3],
        ['encryptedPrivate', 'b', 3],
    ]);

    // Component `a` is removed: its cleanup stops its own handler only.
    await page.evaluate(() => {
        for (const type of ['channel', 'private', 'encryptedPrivate']) {
            window.Echo[type]('lw.orders').stopListening('OrderShipped', handlers[type + 'a']);
        }
    });
    await trigger('lw.orders', 'App\\Events\\OrderShipped', { n: 4 });
    await trigger('private-lw.orders', 'App\\Events\\OrderShipped', { n: 5 });
    await trigger('private-encrypted-lw.orders', 'App\\Events\\OrderShipped', { n: 6 });
    expect((await logged(page, 9)).slice(6)).toEqual([
        ['channel', 'b', 4],
        ['private', 'b', 5],
        ['encryptedPrivate', 'b', 6],
    ]);
});

test('presence: join(ch).here/joining/leaving and .listen, then leaveChannel and leave', async () => {
    const first = await open(browser, '/iife.html', { user: '21' });
    await first.evaluate(() => {
        for (const event of ['here', 'joining', 'leaving']) {
            window.Echo.join('lw.room')[event]((e) => record(event, Array.isArray(e) ? e.map((m) => m.name).sort() : e.name));
        }
        window.Echo.join('lw.room').listen('Moved', (e) => record('Moved', e.to));
    });
    expect(await logged(first, 1)).toEqual([['here', ['User 21']]]);

    const second = await open(browser, '/iife.html', { user: '22' });
    await second.evaluate(() => window.Echo.join('lw.room').here((members) => record('here', members.length)));
    expect(await logged(second, 1)).toEqual([['here', 2]]);
    expect((await logged(first, 2))[1]).toEqual(['joining', 'User 22']);

    await trigger('presence-lw.room', 'App\\Events\\Moved', { to: 'kitchen' });
    expect((await logged(first, 3))[2]).toEqual(['Moved', 'kitchen']);

    // Livewire 4 cleans up with `leave(channel)`; Livewire 3 with `leaveChannel(channel)`
    // and the unprefixed name, which (as in laravel-echo) names no channel of `join`.
    await second.evaluate(() => window.Echo.leaveChannel('lw.room'));
    expect(await second.evaluate(() => Object.keys(window.Echo.connector.channels))).toEqual(['presence-lw.room']);
    await second.evaluate(() => window.Echo.leave('lw.room'));
    expect(await second.evaluate(() => Object.keys(window.Echo.connector.channels))).toEqual([]);
    expect((await logged(first, 4))[3]).toEqual(['leaving', 'User 22']);
    await second.context().close();

    await first.evaluate(() => window.Echo.leave('lw.room'));
    await eventually(async () => !(await occupied()).includes('presence-lw.room'));
    await first.context().close();
});

test('private(ch).notification(cb), and the Livewire 4 cleanup by the notification event name', async () => {
    const page = await open(browser, '/iife.html');
    await page.evaluate(() => {
        window.Echo.private('App.Models.User.9').notification((n) => record('notification', n.type));
        window.Echo.private('App.Models.User.9').listen('.marker', () => record('marker'));
    });
    await subscribed(page, 'private-App.Models.User.9');
    await trigger('private-App.Models.User.9', NOTIFICATION, { id: '1', type: 'App\\Notifications\\Invoice' });
    expect(await logged(page, 1)).toEqual([['notification', 'App\\Notifications\\Invoice']]);

    await page.evaluate(() =>
        window.Echo.private('App.Models.User.9').stopListening('.Illuminate\\Notifications\\Events\\BroadcastNotificationCreated'),
    );
    await trigger('private-App.Models.User.9', NOTIFICATION, { id: '2', type: 'App\\Notifications\\Invoice' });
    await trigger('private-App.Models.User.9', 'marker', {});
    expect((await logged(page, 2)).slice(1)).toEqual([['marker']]);
});

test('socketId() for the X-Socket-ID header of every request', async () => {
    const page = await open(browser, '/iife.html');
    expect(await page.evaluate(() => 'initialSocketId' in window && window.initialSocketId === undefined)).toBe(true);
    await until(page, () => window.Echo.socketId() !== undefined);
    const ids = await page.evaluate(() => [window.Echo.socketId(), window.Echo.connector.pusher.connection.socket_id]);
    expect(ids[0]).toMatch(/^\d+\.\d+$/);
    expect(ids[1]).toBe(ids[0]);
});

test("a Content-Security-Policy without 'wasm-unsafe-eval': the page is told, nothing throws", async () => {
    const page = await open(browser, '/csp.html');
    const log = await logged(page, 3);
    expect(log[0]).toEqual(['error', 'LoadError', expect.stringMatching(/WebAssembly|wasm/i)]);
    expect(log).toContainEqual(['status', 'failed']);
    expect(log).toContainEqual(['uncaught', expect.stringMatching(/WebAssembly|wasm/i)]);
    // The page's own calls keep working.
    expect(await page.evaluate(() => [Echo.private('x').listen('E', () => {}) === Echo.private('x'), Echo.connectionStatus(), Echo.socketId()])).toEqual([
        true,
        'failed',
        undefined,
    ]);
});

test("a page written for laravel-echo's echo.iife.js: new Echo.default({...})", async () => {
    const page = await open(browser, '/laravel-echo-iife.html');
    await until(page, () => window.echo.connectionStatus() == 'connected');
    expect(await page.evaluate(() => [window.echo instanceof EchoFactory, new Echo.EventFormatter('App').format('X')])).toEqual([
        true,
        'App\\X',
    ]);
});

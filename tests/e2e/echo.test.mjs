// The laravel-echo API in the Vite-built app, against sockudo.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { app, eventually, launch, logged, occupied, open, options, restartServer, trigger, until } from './support/pages.mjs';

let browser;
beforeAll(async () => {
    browser = await launch();
});
afterAll(() => browser?.close());

// Waits until the channel object `expression` names in the page is subscribed.
const subscribed = (page, expression) =>
    until(page, (expression) => echo.connector.pusher.client.channelState(eval(expression).name) == 'subscribed', expression);

describe('public and private channels', () => {
    test('listen gets events named with the namespace, a leading dot skips it', async () => {
        const page = await app(browser);
        await page.evaluate(() => {
            echo.channel('orders')
                .listen('OrderShipped', (data) => record('shipped', data))
                .listen('.custom.name', (data) => record('custom', data))
                .listen('Nested.Thing', (data) => record('nested', data));
        });
        await subscribed(page, "echo.channel('orders')");
        await trigger('orders', 'App\\Events\\OrderShipped', { id: 1 });
        await trigger('orders', 'custom.name', { id: 2 });
        await trigger('orders', 'App\\Events\\Nested\\Thing', { id: 3 });
        await trigger('orders', 'OrderShipped', { id: 4 });
        expect(await logged(page, 3)).toEqual([
            ['shipped', { id: 1 }],
            ['custom', { id: 2 }],
            ['nested', { id: 3 }],
        ]);
        // The un-namespaced `OrderShipped` was not for the listener of `App\Events\OrderShipped`.
        await trigger('orders', 'App\\Events\\OrderShipped', { id: 5 });
        expect(await logged(page, 4)).toEqual(expect.arrayContaining([['shipped', { id: 5 }]]));
        expect(await page.evaluate(() => window.log.length)).toBe(4);
        expect(page.errors).toEqual([]);
    });

    test('echo.listen, listenToAll, stopListening with and without a callback, stopListeningToAll', async () => {
        const page = await app(browser);
        const channel = await page.evaluate(() => {
            window.first = (data) => record('first', data.n);
            window.second = (data) => record('second', data.n);
            window.all = (event, data) => record('all', event, data.n);
            const channel = echo.listen('feed', 'Tick', first);
            channel.listen('Tick', second).listenToAll(all);
            return channel === echo.channel('feed');
        });
        expect(channel).toBe(true);
        await subscribed(page, "echo.channel('feed')");
        await trigger('feed', 'App\\Events\\Tick', { n: 1 });
        await trigger('feed', 'other.event', { n: 2 });
        expect(await logged(page, 4)).toEqual([
            ['first', 1],
            ['second', 1],
            ['all', 'Tick', 1],
            ['all', '.other.event', 2],
        ]);

        await page.evaluate(() => echo.channel('feed').stopListening('Tick', first));
        await trigger('feed', 'App\\Events\\Tick', { n: 3 });
        expect((await logged(page, 6)).slice(4)).toEqual([
            ['second', 3],
            ['all', 'Tick', 3],
        ]);

        await page.evaluate(() => echo.channel('feed').stopListening('Tick').stopListeningToAll());
        await page.evaluate(() => echo.channel('feed').listen('Done', () => record('done')));
        await trigger('feed', 'App\\Events\\Tick', { n: 4 });
        await trigger('feed', 'App\\Events\\Done', {});
        expect((await logged(page, 7)).slice(6)).toEqual([['done']]);
    });

    test('a private channel is authorized by the endpoint, with the page CSRF token', async () => {
        const page = await app(browser);
        await page.evaluate(() => {
            echo.private('orders.1').listen('OrderShipped', (data) => record('shipped', data));
        });
        await subscribed(page, "echo.private('orders.1')");
        await trigger('private-orders.1', 'App\\Events\\OrderShipped', { id: 7 });
        expect(await logged(page, 1)).toEqual([['shipped', { id: 7 }]]);
        const requests = await (await fetch(`${process.env.ECHO_TEST_HELPER}/auth-requests?channel=private-orders.1`)).json();
        const last = requests.requests.at(-1);
        expect(last.headers['x-csrf-token']).toBe('page-csrf-token');
        expect(last.params.channel_name).toBe('private-orders.1');
        expect(last.params.socket_id).toBe(await page.evaluate(() => echo.socketId()));
    });

    test('error() hears a refused authorization', async () => {
        const page = await app(browser);
        await page.evaluate(() => {
            echo.private('forbidden-room').error((status) => record('error', status.type, status.status));
        });
        expect(await logged(page, 1)).toEqual([['error', 'AuthError', 403]]);
    });

    test('an encrypted private channel decrypts its events', async () => {
        const page = await app(browser);
        await page.evaluate(() => {
            echo.encryptedPrivate('vault').listen('Secret', (data) => record('secret', data));
        });
        await subscribed(page, "echo.encryptedPrivate('vault')");
        await trigger('private-encrypted-vault', 'App\\Events\\Secret', { code: 'Grüße 1234' });
        expect(await logged(page, 1)).toEqual([['secret', { code: 'Grüße 1234' }]]);
    });

    test('notification() and stopListeningForNotification()', async () => {
        const page = await app(browser);
        await page.evaluate(() => {
            window.onNotification = (notification) => record('notification', notification.type, notification.body);
            echo.private('App.Models.User.1').notification(onNotification);
        });
        await subscribed(page, "echo.private('App.Models.User.1')");
        const event = 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated';
        await trigger('private-App.Models.User.1', event, { id: 'n1', type: 'App\\Notifications\\Hello', body: 'hi' });
        expect(await logged(page, 1)).toEqual([['notification', 'App\\Notifications\\Hello', 'hi']]);
        await page.evaluate(() => {
            echo.private('App.Models.User.1').stopListeningForNotification(onNotification).listen('Marker', () => record('marker'));
        });
        await trigger('private-App.Models.User.1', event, { id: 'n2', type: 'App\\Notifications\\Hello', body: 'again' });
        await trigger('private-App.Models.User.1', 'App\\Events\\Marker', {});
        expect((await logged(page, 2)).slice(1)).toEqual([['marker']]);
    });
});

describe('presence channels and whispers', () => {
    test('here, joining, leaving, whisper, listenForWhisper, stopListeningForWhisper', async () => {
        const alice = await app(browser, { auth: { headers: { 'X-User-Id': '1' } } });
        await alice.evaluate(() => {
            window.typing = (data) => record('typing', data.name);
            echo.join('room.1')
                .here((members) => record('here', members.map((m) => m.name).sort()))
                .joining((member) => record('joining', member.name))
                .leaving((member) => record('leaving', member.name))
                .listenForWhisper('typing', typing);
        });
        expect(await logged(alice, 1)).toEqual([['here', ['User 1']]]);

        const bob = await app(browser, { auth: { headers: { 'X-User-Id': '2' } } });
        await bob.evaluate(() => echo.join('room.1').here((members) => record('here', members.map((m) => m.name).sort())));
        expect(await logged(bob, 1)).toEqual([['here', ['User 1', 'User 2']]]);
        expect((await logged(alice, 2))[1]).toEqual(['joining', 'User 2']);

        await bob.evaluate(() => echo.join('room.1').whisper('typing', { name: 'Bob' }));
        expect((await logged(alice, 3))[2]).toEqual(['typing', 'Bob']);

        await alice.evaluate(() => echo.join('room.1').stopListeningForWhisper('typing', typing).listenForWhisper('done', () => record('done')));
        await bob.evaluate(() => echo.join('room.1').whisper('typing', { name: 'Bob' }).whisper('done', {}));
        expect((await logged(alice, 4))[3]).toEqual(['done']);

        await bob.evaluate(() => echo.leave('room.1'));
        expect((await logged(alice, 5))[4]).toEqual(['leaving', 'User 2']);
        await bob.context().close();
        expect(alice.errors).toEqual([]);
        await alice.context().close();
    });

    test('here, joining and leaving can be unbound (stopListening with the raw event name)', async () => {
        const alice = await app(browser, { auth: { headers: { 'X-User-Id': '11' } } });
        await alice.evaluate(() => {
            window.joined = (member) => record('joining', member.name);
            echo.join('room.2').joining(joined).here(() => record('here'));
        });
        await logged(alice, 1);
        await alice.evaluate(() => echo.join('room.2').stopListening('.pusher:member_added', joined).listen('.marker', () => record('marker')));
        const bob = await app(browser, { auth: { headers: { 'X-User-Id': '12' } } });
        await bob.evaluate(() => new Promise((resolve) => echo.join('room.2').here(resolve)));
        await trigger('presence-room.2', 'marker', {});
        expect(await logged(alice, 2)).toEqual([['here'], ['marker']]);
        await bob.context().close();
        await alice.context().close();
    });
});

describe('leaving channels', () => {
    test('leaveChannel, leave and leaveAllChannels unsubscribe on the server', async () => {
        const page = await app(browser);
        await page.evaluate(() => {
            echo.channel('left.a');
            echo.private('left.a');
            echo.channel('left.b');
            echo.private('left.c');
        });
        await subscribed(page, "echo.private('left.c')");
        await subscribed(page, "echo.private('left.a')");
        await eventually(async () => (await occupied()).filter((name) => name.includes('left.')).length == 4);

        await page.evaluate(() => echo.leaveChannel('left.b'));
        await eventually(async () => !(await occupied()).includes('left.b'));
        expect(await page.evaluate(() => Object.keys(echo.connector.channels).sort())).toEqual(['left.a', 'private-left.a', 'private-left.c']);

        await page.evaluate(() => echo.leave('left.a'));
        await eventually(async () => (await occupied()).filter((name) => name.includes('left.a')).length == 0);
        expect(await page.evaluate(() => Object.keys(echo.connector.channels))).toEqual(['private-left.c']);

        await page.evaluate(() => echo.leaveAllChannels());
        await eventually(async () => (await occupied()).filter((name) => name.includes('left.')).length == 0);
        expect(await page.evaluate(() => Object.keys(echo.connector.channels))).toEqual([]);
    });
});

describe('the connection', () => {
    test('socketId, connectionStatus, onConnectionChange, connection.bind, disconnect and connect', async () => {
        const page = await open(browser, '/');
        await page.waitForFunction(() => window.EchoClass);
        await page.evaluate((options) => {
            window.echo = new EchoClass(options);
            window.stop = echo.connector.onConnectionChange((status) => record('status', status));
            echo.connector.pusher.connection.bind('state_change', ({ previous, current }) => record('state', previous, current));
            echo.connector.pusher.connection.bind('connected', () => record('connected'));
        }, options());
        await until(page, () => echo.connectionStatus() == 'connected');
        const ids = await page.evaluate(() => [echo.socketId(), echo.connector.pusher.connection.socket_id, echo.connector.pusher.connection.state]);
        expect(ids[0]).toMatch(/^\d+\.\d+$/);
        expect(ids[1]).toBe(ids[0]);
        expect(ids[2]).toBe('connected');

        await page.evaluate(() => echo.disconnect());
        await until(page, () => echo.connectionStatus() == 'disconnected');
        expect(await page.evaluate(() => echo.socketId())).toBeUndefined();

        await page.evaluate(() => echo.connect());
        await until(page, () => echo.connectionStatus() == 'connected');
        const log = await page.evaluate(() => window.log);
        expect(log.filter(([kind]) => kind == 'status')).toEqual([
            ['status', 'connected'],
            ['status', 'disconnected'],
            ['status', 'connecting'],
            ['status', 'connected'],
        ]);
        expect(log.filter(([kind]) => kind == 'state').map(([, , current]) => current)).toEqual(['connecting', 'connected', 'disconnected', 'connecting', 'connected']);
        expect(log.filter(([kind]) => kind == 'connected')).toHaveLength(2);

        // The unsubscribe function returned by onConnectionChange, and connection.unbind.
        await page.evaluate(() => (stop(), echo.connector.pusher.connection.unbind('state_change'), echo.disconnect()));
        await until(page, () => echo.connectionStatus() == 'disconnected');
        const after = await page.evaluate(() => window.log);
        expect(after.filter(([kind]) => kind == 'status')).toHaveLength(4);
        expect(after.filter(([kind]) => kind == 'state')).toHaveLength(5);
    });

    test('channels come back after the server restarts', async () => {
        const page = await app(browser, { auth: { headers: { 'X-User-Id': '5' } } });
        await page.evaluate(() => {
            echo.private('restart.1').listen('Ping', (data) => record('ping', data.n));
            echo.connector.onConnectionChange((status) => record('status', status));
        });
        await subscribed(page, "echo.private('restart.1')");
        await trigger('private-restart.1', 'App\\Events\\Ping', { n: 1 });
        await logged(page, 1);
        const before = await page.evaluate(() => echo.socketId());

        await restartServer(1000);
        await until(page, (before) => echo.connectionStatus() == 'connected' && echo.socketId() != before, before, 45_000);
        await eventually(async () => (await occupied()).includes('private-restart.1'), 15_000);
        await trigger('private-restart.1', 'App\\Events\\Ping', { n: 2 });
        const log = await logged(page, 1 + 3, 15_000);
        expect(log.filter(([kind]) => kind == 'ping')).toEqual([
            ['ping', 1],
            ['ping', 2],
        ]);
        expect(log.filter(([kind]) => kind == 'status').map(([, status]) => status)).toEqual(
            expect.arrayContaining(['reconnecting', 'connected']),
        );
    });

    test('calls made before the module has loaded take effect, in order', async () => {
        const page = await open(browser, '/');
        await page.waitForFunction(() => window.EchoClass);
        const status = await page.evaluate((options) => {
            window.echo = new EchoClass(options);
            const status = echo.connectionStatus();
            echo.channel('early.a').listen('First', (data) => record('first', data.n));
            echo.private('early.b').listen('Second', (data) => record('second', data.n));
            echo.channel('early.c');
            echo.leaveChannel('early.c');
            return status;
        }, options());
        expect(status).toBe('connecting');
        await subscribed(page, "echo.private('early.b')");
        await eventually(async () => {
            const names = await occupied();
            return names.includes('early.a') && names.includes('private-early.b') && !names.includes('early.c');
        });
        expect(await page.evaluate(() => echo.connector.pusher.client.channels())).toEqual(['early.a', 'private-early.b']);
        await trigger('early.a', 'App\\Events\\First', { n: 1 });
        await trigger('private-early.b', 'App\\Events\\Second', { n: 2 });
        expect(await logged(page, 2)).toEqual([
            ['first', 1],
            ['second', 2],
        ]);
    });

    test('axios, jQuery, Vue and Turbo requests carry the socket id as X-Socket-ID', async () => {
        const page = await open(browser, '/');
        await page.waitForFunction(() => window.EchoClass);
        const headers = await page.evaluate(async (options) => {
            // The HTTP clients a Laravel page has as globals, reduced to their interceptor APIs.
            const axios = Object.assign(() => {}, { interceptors: { request: { use: (f) => (axios.intercept = f) } } });
            const jQuery = Object.assign(() => {}, { ajax() {}, ajaxPrefilter: (f) => (jQuery.intercept = f) });
            const Vue = Object.assign(() => {}, { http: { interceptors: [] } });
            Object.assign(window, { axios, jQuery, Vue, Turbo: {} });
            window.echo = new EchoClass({ ...options, withoutInterceptors: false });
            await new Promise((resolve) => echo.connector.pusher.connection.bind('connected', resolve));
            const xhr = new Map();
            jQuery.intercept({}, {}, { setRequestHeader: (name, value) => xhr.set(name, value) });
            const vue = new Map();
            Vue.http.interceptors[0]({ headers: { set: (name, value) => vue.set(name, value) } }, () => {});
            const turbo = new CustomEvent('turbo:before-fetch-request', { detail: { fetchOptions: { headers: {} } } });
            document.dispatchEvent(turbo);
            return {
                socketId: echo.socketId(),
                axios: axios.intercept({ headers: {} }).headers,
                jquery: Object.fromEntries(xhr),
                vue: Object.fromEntries(vue),
                turbo: turbo.detail.fetchOptions.headers,
            };
        }, options());
        expect(headers.socketId).toMatch(/^\d+\.\d+$/);
        expect(headers.axios).toEqual({ 'X-Socket-Id': headers.socketId });
        expect(headers.jquery).toEqual({ 'X-Socket-Id': headers.socketId });
        expect(headers.vue).toEqual({ 'X-Socket-ID': headers.socketId });
        expect(headers.turbo).toEqual({ 'X-Socket-Id': headers.socketId });
    });
});

// Echo's options as laravel-echo completes them, and what reaches the connection.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import Echo from '../../js/index.js';
import { load } from '../../js/load.js';
import { options, withGlobals } from './support.mjs';

const made = [];
const echo = (extra) => {
    const instance = new Echo(options(extra));
    made.push(instance);
    return instance;
};

beforeAll(() => load());
afterEach(() => {
    for (const instance of made.splice(0)) instance.disconnect();
});

describe('defaults', () => {
    test("laravel-echo's defaults fill in what the app leaves out", () => {
        const { options } = echo().connector;
        expect(options.authEndpoint).toBe('/broadcasting/auth');
        expect(options.userAuthentication).toEqual({ endpoint: '/broadcasting/user-auth', headers: {} });
        expect(options.auth).toEqual({ headers: {} });
        expect(options.namespace).toBe('App.Events');
        expect(options.csrfToken).toBeNull();
        expect(options.bearerToken).toBeNull();
    });

    test("the app's values win", () => {
        const { options } = echo({ authEndpoint: '/api/auth', namespace: 'Domain', userAuthentication: { endpoint: '/api/user' } }).connector;
        expect(options.authEndpoint).toBe('/api/auth');
        expect(options.namespace).toBe('Domain');
        expect(options.userAuthentication.endpoint).toBe('/api/user');
    });

    test("reverb connects with no cluster, pusher keeps the app's", () => {
        expect(echo({ cluster: 'eu' }).connector.options.cluster).toBe('');
        expect(echo({ broadcaster: 'pusher', cluster: 'eu' }).connector.options.cluster).toBe('eu');
    });

    test('namespace false turns off the prefix of listen', () => {
        const instance = echo({ namespace: false });
        const bound = [];
        const client = instance.connector.pusher.client;
        const bind = client.bind.bind(client);
        client.bind = (channel, event, callback) => (bound.push(event), bind(channel, event, callback));
        instance.channel('a').listen('Users.Created', () => {});
        expect(bound).toEqual(['Users\\Created']);
    });
});

describe('CSRF and bearer tokens', () => {
    const headers = (instance) => [instance.connector.options.auth.headers, instance.connector.options.userAuthentication.headers];
    const meta = { querySelector: (selector) => (selector == 'meta[name="csrf-token"]' ? { getAttribute: () => 'meta-token' } : null) };
    // With a document, the connection listens to the page's lifecycle events.
    const page = (window) => ({ window, document: meta, addEventListener() {}, removeEventListener() {} });

    test('window.Laravel.csrfToken comes first, then the option, then the meta tag', async () => {
        await withGlobals(page({ Laravel: { csrfToken: 'page-token' } }), () => {
            for (const h of headers(echo({ csrfToken: 'option-token' }))) expect(h['X-CSRF-TOKEN']).toBe('page-token');
        });
        await withGlobals(page({}), () => {
            for (const h of headers(echo({ csrfToken: 'option-token' }))) expect(h['X-CSRF-TOKEN']).toBe('option-token');
            for (const h of headers(echo())) expect(h['X-CSRF-TOKEN']).toBe('meta-token');
        });
        for (const h of headers(echo())) expect(h).not.toHaveProperty('X-CSRF-TOKEN');
    });

    test('bearerToken becomes an Authorization header for channels and the user', () => {
        for (const h of headers(echo({ bearerToken: 'secret' }))) expect(h.Authorization).toBe('Bearer secret');
    });

    test("the app's header objects are copied, not changed", () => {
        const auth = { headers: { 'X-App': '1' } };
        const instance = echo({ auth, csrfToken: 'token', bearerToken: 'b' });
        expect(auth).toEqual({ headers: { 'X-App': '1' } });
        expect(instance.connector.options.auth.headers).toEqual({ 'X-App': '1', 'X-CSRF-TOKEN': 'token', Authorization: 'Bearer b' });
        // Two instances do not share a default header object either.
        expect(echo().connector.options.auth.headers).toEqual({});
    });
});

describe('pusher-js options', () => {
    test('Pusher and client are accepted and not needed, even when they cannot be serialized', () => {
        const client = { name: 'a pusher-js instance' };
        client.self = client;
        class Pusher {}
        const instance = echo({ Pusher, client });
        // Here, in Node, only for want of a WebSocket.
        expect(instance.connector.pusher.client.status().failure ?? 'WebSocket').toMatch(/WebSocket/);
        expect(instance.connector.options.Pusher).toBe(Pusher);
    });

    test('string ports from import.meta.env are accepted', () => {
        expect(() => echo({ wsPort: '8080', wssPort: '443' })).not.toThrow();
    });

    test('an unusable option throws, naming it, once the module has loaded', () => {
        expect(() => new Echo(options({ wsPort: 'eighty' }))).toThrow(/`wsPort`/);
        expect(() => new Echo(options({ key: 42 }))).toThrow(/`key`/);
        expect(() => new Echo(options({ auth: { headers: 'x' } }))).toThrow(/`auth.headers`/);
    });
});

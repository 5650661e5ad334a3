// The X-Socket-ID interceptors laravel-echo registers on the page's HTTP clients.
import { beforeAll, expect, test } from 'vitest';
import Echo from '../../js/index.js';
import { load } from '../../js/load.js';
import { options, withGlobals } from './support.mjs';

beforeAll(() => load());

// Fakes of the globals, recording what Echo registers on them.
function fakes() {
    const registered = {};
    const axios = () => {};
    axios.interceptors = { request: { use: (f) => (registered.axios = f) } };
    const Vue = () => {};
    Vue.http = { interceptors: { push: (f) => (registered.vue = f) } };
    const jQuery = () => {};
    jQuery.ajax = () => {};
    jQuery.ajaxPrefilter = (f) => (registered.jquery = f);
    const listeners = {};
    const document = { addEventListener: (type, f) => (listeners[type] = f), querySelector: () => null };
    return { registered, listeners, globals: { axios, Vue, jQuery, Turbo: {}, document, addEventListener() {}, removeEventListener() {} } };
}

// What each interceptor adds, given the Echo's socket id.
function headersAdded({ registered, listeners }) {
    const config = registered.axios({ headers: {} });
    const vue = new Map();
    let nextCalled = false;
    registered.vue({ headers: { set: (name, value) => vue.set(name, value) } }, () => (nextCalled = true));
    const xhr = new Map();
    registered.jquery({}, {}, { setRequestHeader: (name, value) => xhr.set(name, value) });
    const turbo = { detail: { fetchOptions: { headers: {} } } };
    listeners['turbo:before-fetch-request'](turbo);
    return { axios: config.headers, vue: Object.fromEntries(vue), nextCalled, jquery: Object.fromEntries(xhr), turbo: turbo.detail.fetchOptions.headers };
}

test('each interceptor adds the socket id under the header name laravel-echo uses, once there is one', async () => {
    const page = fakes();
    await withGlobals(page.globals, () => {
        const echo = new Echo(options({ withoutInterceptors: false }));
        expect(Object.keys(page.registered).sort()).toEqual(['axios', 'jquery', 'vue']);
        expect(Object.keys(page.listeners)).toContain('turbo:before-fetch-request');

        // No socket id yet: nothing added, except by Turbo's, which always sets it.
        expect(headersAdded(page)).toEqual({ axios: {}, vue: {}, nextCalled: true, jquery: {}, turbo: { 'X-Socket-Id': undefined } });

        echo.socketId = () => '123.456';
        expect(headersAdded(page)).toEqual({
            axios: { 'X-Socket-Id': '123.456' },
            vue: { 'X-Socket-ID': '123.456' },
            nextCalled: true,
            jquery: { 'X-Socket-Id': '123.456' },
            turbo: { 'X-Socket-Id': '123.456' },
        });
        echo.disconnect();
    });
});

test('withoutInterceptors registers none; a jQuery without ajax (slim) gets none', async () => {
    const page = fakes();
    await withGlobals(page.globals, () => {
        new Echo(options({ withoutInterceptors: true })).disconnect();
        expect(page.registered).toEqual({});
        expect(page.listeners).toEqual({});
        page.globals.jQuery.ajax = undefined;
        new Echo(options({ withoutInterceptors: false })).disconnect();
        expect(Object.keys(page.registered).sort()).toEqual(['axios', 'vue']);
    });
});

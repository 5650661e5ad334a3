// `Echo`, laravel-echo's API: `new Echo({broadcaster: 'reverb', key, wsHost, …})`.
import { Connector, PusherConnector } from './connector.js';
import { NullConnector } from './null.js';

/**
 * The app's connection to its broadcaster, with laravel-echo 2.x's API. Returns at
 * once, although the WebAssembly module loads asynchronously: calls made meanwhile take
 * effect, in order, once it has.
 */
export class Echo {
    /** @param {object} options laravel-echo's options (see echo-wasm.d.ts) */
    constructor(options) {
        this.options = options;
        this.connect();
        if (!options.withoutInterceptors) this.registerInterceptors();
    }

    /** A public channel; the same object for the same name. */
    channel(name) {
        return this.connector.channel(name);
    }

    /**
     * Connects. The first time, this makes the connector for the `broadcaster` option
     * (`reverb`, `pusher`, `null`, or a connector class); later, it reconnects the same
     * connection, with its channels.
     */
    connect() {
        if (this.connector) return this.connector.connect();
        const broadcaster = this.options.broadcaster;
        if (broadcaster === 'reverb') {
            this.connector = new PusherConnector({ ...this.options, cluster: '' });
        } else if (broadcaster === 'pusher') {
            this.connector = new PusherConnector(this.options);
        } else if (broadcaster === 'null') {
            this.connector = new NullConnector(this.options);
        } else if (typeof broadcaster === 'function' && broadcaster.prototype) {
            this.connector = new broadcaster(this.options);
        } else {
            throw new Error(`Broadcaster ${typeof broadcaster} ${String(broadcaster)} is not supported.`);
        }
    }

    /** Closes the connection; `connect()` opens it again, with the same channels. */
    disconnect() {
        this.connector.disconnect();
    }

    /** A presence channel (`presence-<name>`); the same object for the same name. */
    join(name) {
        return this.connector.presenceChannel(name);
    }

    /** Leaves `name` and its `private-`, `private-encrypted-` and `presence-` variants. */
    leave(name) {
        this.connector.leave(name);
    }

    /** Leaves the channel of this full name (`private-orders.1`). */
    leaveChannel(name) {
        this.connector.leaveChannel(name);
    }

    leaveAllChannels() {
        for (const name in this.connector.channels) this.leaveChannel(name);
    }

    /** `channel(name).listen(event, callback)`: returns the channel. */
    listen(name, event, callback) {
        return this.connector.listen(name, event, callback);
    }

    /** A private channel (`private-<name>`); the same object for the same name. */
    private(name) {
        return this.connector.privateChannel(name);
    }

    /** An encrypted private channel (`private-encrypted-<name>`); the same object for the same name. */
    encryptedPrivate(name) {
        if (this.connector instanceof Connector) return this.connector.encryptedPrivateChannel(name);
        const broadcaster = this.options.broadcaster;
        throw new Error(`Broadcaster ${typeof broadcaster} ${String(broadcaster)} does not support encrypted private channels.`);
    }

    /** The socket id while connected (for the `X-Socket-ID` header), else undefined. */
    socketId() {
        return this.connector.socketId();
    }

    /** `connected`, `connecting`, `reconnecting`, `disconnected` or `failed`. */
    connectionStatus() {
        return this.connector.connectionStatus();
    }

    /**
     * Sends the socket id as `X-Socket-ID` with the requests of the HTTP clients the page
     * has as globals (Vue's `Vue.http`, `axios`, jQuery's `ajax`, Turbo), so that
     * `broadcast(...)->toOthers()` leaves this page out.
     */
    registerInterceptors() {
        const { Vue, axios, jQuery, Turbo } = globalThis;
        if (typeof Vue == 'function' && Vue.http) this.registerVueRequestInterceptor();
        if (typeof axios == 'function') this.registerAxiosRequestInterceptor();
        if (typeof jQuery == 'function') this.registerjQueryAjaxSetup();
        if (typeof Turbo == 'object') this.registerTurboRequestInterceptor();
    }

    registerVueRequestInterceptor() {
        globalThis.Vue.http.interceptors.push((request, next) => {
            if (this.socketId()) request.headers.set('X-Socket-ID', this.socketId());
            next();
        });
    }

    registerAxiosRequestInterceptor() {
        globalThis.axios.interceptors.request.use((config) => {
            if (this.socketId()) config.headers['X-Socket-Id'] = this.socketId();
            return config;
        });
    }

    registerjQueryAjaxSetup() {
        const jQuery = globalThis.jQuery;
        if (jQuery.ajax === undefined) return;
        jQuery.ajaxPrefilter((options, original, xhr) => {
            if (this.socketId()) xhr.setRequestHeader('X-Socket-Id', this.socketId());
        });
    }

    registerTurboRequestInterceptor() {
        document.addEventListener('turbo:before-fetch-request', (event) => {
            event.detail.fetchOptions.headers['X-Socket-Id'] = this.socketId();
        });
    }
}

// Echo's connectors: the channel objects by full name, over a connection.
import { Pusher } from './connection.js';
import {
    PusherChannel,
    PusherEncryptedPrivateChannel,
    PusherPresenceChannel,
    PusherPrivateChannel,
} from './channel.js';

// laravel-echo's defaults (and `auth`, `userAuthentication`: see `setOptions`).
const DEFAULTS = {
    authEndpoint: '/broadcasting/auth',
    csrfToken: null,
    bearerToken: null,
    host: null,
    key: null,
    namespace: 'App.Events',
};

const isObject = (value) => value !== null && typeof value == 'object' && !Array.isArray(value);

// An auth form (`auth`, `userAuthentication`) over its `defaults`, its `headers` with
// the `tokens` added, all copied. A form or headers that are not objects stay as they
// are, for the client to name in its error.
function withTokens(form = {}, defaults, tokens) {
    if (!isObject(form)) return form;
    const headers = form.headers ?? {};
    return { ...defaults, ...form, headers: isObject(headers) ? { ...headers, ...tokens } : headers };
}

function csrfToken(options) {
    const page = globalThis.window?.Laravel?.csrfToken;
    if (page) return page;
    if (options.csrfToken) return options.csrfToken;
    return globalThis.document?.querySelector?.('meta[name="csrf-token"]')?.getAttribute('content') ?? null;
}

/** The part of laravel-echo's connector every broadcaster shares: options and channels. */
export class Connector {
    /** The channel objects by full name (`private-orders.1`). */
    channels = {};

    /** @param {object} options Echo's options */
    constructor(options) {
        this.setOptions(options);
        this.connect();
    }

    /**
     * Echo's options over laravel-echo's defaults, with the CSRF token (the page's
     * `window.Laravel.csrfToken`, else `csrfToken`, else the `csrf-token` meta tag) as
     * `X-CSRF-TOKEN` and the `bearerToken` as `Authorization: Bearer …` added to the
     * headers of channel and user authorization. The app's header objects are copied,
     * not changed.
     */
    setOptions(options) {
        this.options = { ...DEFAULTS, ...options };
        const tokens = {};
        const csrf = csrfToken(this.options);
        if (csrf) tokens['X-CSRF-TOKEN'] = csrf;
        if (this.options.bearerToken) tokens.Authorization = 'Bearer ' + this.options.bearerToken;
        this.options.auth = withTokens(options.auth, {}, tokens);
        this.options.userAuthentication = withTokens(options.userAuthentication, { endpoint: '/broadcasting/user-auth' }, tokens);
    }

    /**
     * The channel object for `name`: the one made earlier if there is one (so that the
     * same name always gives the same object), else a new one of `type`.
     */
    cached(name, type) {
        return (this.channels[name] ??= this.make(name, type));
    }

    channel(name) {
        return this.cached(name, 0);
    }

    privateChannel(name) {
        return this.cached('private-' + name, 1);
    }

    encryptedPrivateChannel(name) {
        return this.cached('private-encrypted-' + name, 2);
    }

    presenceChannel(name) {
        return this.cached('presence-' + name, 3);
    }

    listen(name, event, callback) {
        return this.channel(name).listen(event, callback);
    }

    /** Leaves `name`, `private-name`, `private-encrypted-name` and `presence-name`. */
    leave(name) {
        for (const prefix of ['', 'private-', 'private-encrypted-', 'presence-']) this.leaveChannel(prefix + name);
    }

    /** Leaves the channel of this full name, and forgets its object. */
    leaveChannel(name) {
        this.channels[name]?.unsubscribe();
        delete this.channels[name];
    }
}

// The channel classes by type (see `Connector.cached`).
const TYPES = [PusherChannel, PusherPrivateChannel, PusherEncryptedPrivateChannel, PusherPresenceChannel];

/** The `pusher` and `reverb` broadcasters' connector: one connection (`pusher`). */
export class PusherConnector extends Connector {
    /** (Re)connects; the channels stay, and are subscribed again. */
    connect() {
        (this.pusher ??= new Pusher(clientOptions(this.options))).connect();
    }

    make(name, type) {
        return new TYPES[type](this.pusher, name, this.options);
    }

    disconnect() {
        this.pusher.disconnect();
    }

    /** The socket id while connected (for the `X-Socket-ID` header), else undefined. */
    socketId() {
        return this.pusher.connection.socket_id;
    }

    /** Signs the user in (`userAuthentication`), now and after every reconnection. */
    signin() {
        this.pusher.signin();
    }

    /**
     * `connected`, `connecting`, `reconnecting` (connecting again after the connection
     * was lost or could not be made: a retry is scheduled or under way),
     * `disconnected` or `failed`.
     */
    connectionStatus() {
        const { state, attempt } = this.pusher.client.status();
        if (state == 'connected' || state == 'disconnected' || state == 'failed') return state;
        return attempt > 0 || state == 'unavailable' ? 'reconnecting' : 'connecting';
    }

    /**
     * Calls `callback(status)` whenever `connectionStatus()` changes. Returns the function
     * that stops it.
     */
    onConnectionChange(callback) {
        let last = this.connectionStatus();
        const listener = () => {
            const status = this.connectionStatus();
            if (status != last) callback((last = status));
        };
        this.pusher.connection.bind('state_change', listener);
        return () => this.pusher.connection.unbind('state_change', listener);
    }
}

// The `Client`'s options from Echo's: the pusher-js ones, without those that name
// pusher-js itself (`Pusher`, a class; `client`, an instance), which are not needed.
function clientOptions(options) {
    const { Pusher, client, ...rest } = options;
    return rest;
}

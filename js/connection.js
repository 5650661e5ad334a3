// What laravel-echo apps reach through `Echo.connector.pusher`: pusher-js's `connect`,
// `disconnect`, `subscribe`, `unsubscribe`, `signin`, and `connection` with `bind`,
// `unbind`, `state` and `socket_id`, over one `Client`.
import { Client, report } from '#client';
import { load } from './load.js';

/** `pusher.connection`: the connection's state and its events, named as pusher-js names them. */
export class Connection {
    #client;
    // `[event, callback]`, in the order they were bound.
    #bound = [];

    constructor(client) {
        this.#client = client;
        client.onStateChange((change) => {
            this.#emit('state_change', change);
            this.#emit(change.current);
        });
        client.onError((error) => this.#emit('error', error));
    }

    /** `initialized`, `connecting`, `connected`, `unavailable`, `failed` or `disconnected`. */
    get state() {
        return this.#client.state;
    }

    /** The socket id while connected, else undefined. */
    get socket_id() {
        return this.#client.socketId;
    }

    /**
     * Calls `callback` on `event`: `state_change` (`{previous, current}`), a state's
     * name (entering it), or `error`.
     */
    bind(event, callback) {
        this.#bound.push([event, callback]);
        return this;
    }

    /** Removes `callback` from `event`; without `callback`, all of `event`'s; without either, all. */
    unbind(event, callback) {
        this.#bound = this.#bound.filter(([e, c]) => (event != null && e !== event) || (callback != null && c !== callback));
        return this;
    }

    // Calls the callbacks bound to `event` when it happened: one bound meanwhile waits for
    // the next time, one unbound meanwhile is skipped, one that throws does not stop the
    // others.
    #emit(event, data) {
        for (const entry of this.#bound.filter(([e]) => e === event)) {
            if (!this.#bound.includes(entry)) continue;
            try {
                entry[1](data);
            } catch (error) {
                report(error);
            }
        }
    }
}

/** `Echo.connector.pusher`: the connection (a `Client`, `client`) with pusher-js's names. */
export class Pusher {
    /** @param {object} options the `Client`'s options (pusher-js's) */
    constructor(options) {
        // A module that cannot load fails the client, which tells its listeners.
        load().catch(() => {});
        this.client = new Client(options);
        this.connection = new Connection(this.client);
    }

    connect() {
        this.client.connect();
    }

    disconnect() {
        this.client.disconnect();
    }

    subscribe(channel) {
        this.client.subscribe(channel);
    }

    unsubscribe(channel) {
        this.client.unsubscribe(channel);
    }

    signin() {
        this.client.signIn();
    }
}

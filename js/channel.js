// laravel-echo's channel classes over the connection's `Client`: a channel object is a
// name plus the listeners the app bound through it, so that `stopListening` can find them.
import { report } from '#client';
import { EventFormatter } from './event-formatter.js';

// Channel events that are the connection's business, not the app's (`listenToAll`).
const INTERNAL = /^(pusher|echo-wasm):/;

/** A public channel: `Echo.channel(name)`. */
export class PusherChannel {
    // `[event, key, id]`: the event name bound (`*` for `listenToAll`), the app's
    // callback, and the `Client`'s listener id.
    #bound = [];

    /**
     * @param {import('./connection.js').Pusher} pusher the connection
     * @param {string} name the full channel name (`private-orders.1`)
     * @param {object} options Echo's options (`namespace`)
     */
    constructor(pusher, name, options) {
        this.name = name;
        this.pusher = pusher;
        this.options = options;
        this.eventFormatter = new EventFormatter(options.namespace);
        this.subscribe();
    }

    subscribe() {
        this.pusher.subscribe(this.name);
    }

    unsubscribe() {
        this.pusher.unsubscribe(this.name);
    }

    /** Calls `callback(data, metadata)` for `event`, named as `EventFormatter` formats it. */
    listen(event, callback) {
        return this.on(this.eventFormatter.format(event), callback);
    }

    /**
     * Calls `callback(event, data)` for every event of the app on this channel: a name in
     * the namespace without it (`OrderShipped`), any other with a leading `.`.
     */
    listenToAll(callback) {
        const namespace = this.options.namespace && String(this.options.namespace).replace(/\./g, '\\') + '\\';
        const listener = (event, data) => {
            if (INTERNAL.test(event)) return;
            callback(namespace && event.startsWith(namespace) ? event.slice(namespace.length) : '.' + event, data);
        };
        this.#bound.push(['*', callback, this.pusher.client.bindAll(this.name, listener)]);
        return this;
    }

    /** Removes `callback` from `event`; without `callback`, every callback of `event`. */
    stopListening(event, callback) {
        return this.#unbind(this.eventFormatter.format(event), callback);
    }

    /** Removes `callback` given to `listenToAll`; without it, all of them. */
    stopListeningToAll(callback) {
        return this.#unbind('*', callback);
    }

    /** Calls `callback()` once the channel is subscribed (again after every reconnection). */
    subscribed(callback) {
        return this.on('pusher:subscription_succeeded', () => callback(), callback);
    }

    /** Calls `callback(status)` when the subscription fails, e.g. `{type: 'AuthError', error, status: 403}`. */
    error(callback) {
        return this.on('pusher:subscription_error', (status) => callback(status), callback);
    }

    /**
     * Calls `listener` for `event`, a name as the server sends it. `key` is what
     * `stopListening` finds it by (the app's callback when `listener` wraps it), and
     * `stopListening('.' + event, key)` removes it.
     */
    on(event, listener, key = listener) {
        this.#bound.push([event, key, this.pusher.client.bind(this.name, event, listener)]);
        return this;
    }

    listenForWhisper(event, callback) {
        return this.listen('.client-' + event, callback);
    }

    stopListeningForWhisper(event, callback) {
        return this.stopListening('.client-' + event, callback);
    }

    /** Calls `callback(notification)` for the Laravel notifications broadcast on this channel. */
    notification(callback) {
        return this.listen('.Illuminate\\Notifications\\Events\\BroadcastNotificationCreated', callback);
    }

    stopListeningForNotification(callback) {
        return this.stopListening('.Illuminate\\Notifications\\Events\\BroadcastNotificationCreated', callback);
    }

    #unbind(event, key) {
        this.#bound = this.#bound.filter(
            ([e, k, id]) => e !== event || (key != null && k !== key) || (this.pusher.client.unbind(id), false),
        );
        return this;
    }
}

/** A private channel: `Echo.private(name)`, `private-<name>`. */
export class PusherPrivateChannel extends PusherChannel {
    /**
     * Sends `client-<event>` to the channel's other members. When it cannot be sent (not
     * subscribed yet, an encrypted channel, more than 10 per second, which the server
     * would answer by closing the connection), the error saying why is reported as an
     * uncaught one, not thrown: laravel-echo's `whisper` does not throw either, and apps
     * call it from input handlers that must go on.
     */
    whisper(event, data) {
        try {
            this.pusher.client.trigger(this.name, 'client-' + event, data);
        } catch (error) {
            report(new Error(`whisper('${event}') on ${this.name}: ${error.message}`));
        }
        return this;
    }
}

/** An encrypted private channel: `Echo.encryptedPrivate(name)`, `private-encrypted-<name>`. */
export class PusherEncryptedPrivateChannel extends PusherPrivateChannel {}

/** A presence channel: `Echo.join(name)`, `presence-<name>`. */
export class PusherPresenceChannel extends PusherPrivateChannel {
    /** Calls `callback(members)`, each member's info, once subscribed (again after every reconnection). */
    here(callback) {
        return this.on('pusher:subscription_succeeded', (data) => callback(Object.values(data.members)), callback);
    }

    /** Calls `callback(info)` when a member joins. */
    joining(callback) {
        return this.on('pusher:member_added', (member) => callback(member.info), callback);
    }

    /** Calls `callback(info)` when a member leaves. */
    leaving(callback) {
        return this.on('pusher:member_removed', (member) => callback(member.info), callback);
    }
}

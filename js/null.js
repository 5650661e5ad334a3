// The `null` broadcaster: the whole API, and nothing happens (for tests and for pages
// that must run without a server).
import { Connector } from './connector.js';

/** A channel of the `null` broadcaster: every method does nothing and returns the channel. */
export class NullChannel {}
for (const method of [
    'subscribe',
    'unsubscribe',
    'listen',
    'listenToAll',
    'stopListening',
    'stopListeningToAll',
    'subscribed',
    'error',
    'on',
    'listenForWhisper',
    'stopListeningForWhisper',
    'notification',
    'stopListeningForNotification',
    'whisper',
    'here',
    'joining',
    'leaving',
]) {
    NullChannel.prototype[method] = function () {
        return this;
    };
}

/** The `null` broadcaster's connector: channels by name, no connection. */
export class NullConnector extends Connector {
    connect() {}

    disconnect() {}

    make() {
        return new NullChannel();
    }

    socketId() {
        return 'fake-socket-id';
    }

    signin() {}

    connectionStatus() {
        return 'connected';
    }

    onConnectionChange() {
        return () => {};
    }
}

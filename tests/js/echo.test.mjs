// Echo's methods that need no server: broadcasters, errors, channel objects, listeners.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import Echo, { NullChannel, PusherPresenceChannel, PusherPrivateChannel } from '../../js/index.js';
import { load } from '../../js/load.js';
import { options } from './support.mjs';

beforeAll(() => load());
const made = [];
const echo = (extra) => {
    const instance = new Echo(options(extra));
    made.push(instance);
    return instance;
};
afterEach(() => {
    for (const instance of made.splice(0)) instance.disconnect();
});

describe('broadcasters', () => {
    test.each([
        ['foo', 'Broadcaster string foo is not supported.'],
        [undefined, 'Broadcaster undefined undefined is not supported.'],
        ['socket.io', 'Broadcaster string socket.io is not supported.'],
        [42, 'Broadcaster number 42 is not supported.'],
    ])('%s is refused with laravel-echo message', (broadcaster, message) => {
        expect(() => new Echo({ broadcaster })).toThrow(new Error(message));
    });

    test('a connector class is constructed with the options; it has no encrypted channels', () => {
        class Custom {
            constructor(options) {
                this.options = options;
            }
            channel(name) {
                return { custom: name };
            }
        }
        const instance = new Echo({ broadcaster: Custom, withoutInterceptors: true, extra: 1 });
        expect(instance.connector).toBeInstanceOf(Custom);
        expect(instance.connector.options.extra).toBe(1);
        expect(instance.channel('a')).toEqual({ custom: 'a' });
        expect(() => instance.encryptedPrivate('a')).toThrow(
            new Error(`Broadcaster function ${String(Custom)} does not support encrypted private channels.`),
        );
    });

    test('null: no connection, every channel method chains', () => {
        const instance = new Echo({ broadcaster: 'null' });
        expect(instance.socketId()).toBe('fake-socket-id');
        expect(instance.connectionStatus()).toBe('connected');
        const stop = instance.connector.onConnectionChange(() => {});
        expect(typeof stop).toBe('function');
        const channel = instance.join('room');
        expect(channel).toBeInstanceOf(NullChannel);
        expect(channel.here(() => {}).joining(() => {}).leaving(() => {}).listen('E', () => {}).whisper('t', {}).stopListening('E')).toBe(channel);
        expect(instance.encryptedPrivate('x').notification(() => {})).toBeInstanceOf(NullChannel);
        expect(instance.private('x')).toBe(instance.private('x'));
        instance.leave('x');
        instance.leaveAllChannels();
        instance.disconnect();
    });
});

describe('channel objects', () => {
    test('the same name gives the same object, prefixed by its kind', () => {
        const instance = echo();
        expect(instance.private('a')).toBe(instance.private('a'));
        expect(instance.private('a')).toBeInstanceOf(PusherPrivateChannel);
        expect(instance.join('a')).toBeInstanceOf(PusherPresenceChannel);
        expect(instance.channel('a').name).toBe('a');
        expect(instance.private('a').name).toBe('private-a');
        expect(instance.encryptedPrivate('a').name).toBe('private-encrypted-a');
        expect(instance.join('a').name).toBe('presence-a');
        expect(instance.listen('b', 'E', () => {})).toBe(instance.channel('b'));
    });

    test('leave removes the four variants, leaveChannel the exact name, leaveAllChannels every one', () => {
        const instance = echo();
        for (const name of ['a', 'b']) {
            instance.channel(name);
            instance.private(name);
            instance.encryptedPrivate(name);
            instance.join(name);
        }
        const client = instance.connector.pusher.client;
        instance.leave('a');
        expect(Object.keys(instance.connector.channels)).toEqual(['b', 'private-b', 'private-encrypted-b', 'presence-b']);
        expect(client.channels()).toEqual(['b', 'private-b', 'private-encrypted-b', 'presence-b']);
        instance.leaveChannel('b');
        instance.leaveChannel('presence-b');
        expect(Object.keys(instance.connector.channels)).toEqual(['private-b', 'private-encrypted-b']);
        const before = instance.private('b');
        instance.leaveAllChannels();
        expect(Object.keys(instance.connector.channels)).toEqual([]);
        expect(client.channels()).toEqual([]);
        // A new object after leaving.
        expect(instance.private('b')).not.toBe(before);
    });
});

describe('listeners', () => {
    // Records the client's binds and unbinds.
    function spy(instance) {
        const client = instance.connector.pusher.client;
        const calls = [];
        const { bind, bindAll, unbind } = client;
        client.bind = (channel, event, listener) => {
            const id = bind.call(client, channel, event, listener);
            calls.push(['bind', channel, event, id]);
            return id;
        };
        client.bindAll = (channel, listener) => {
            const id = bindAll.call(client, channel, listener);
            calls.push(['bindAll', channel, id, listener]);
            return id;
        };
        client.unbind = (id) => (calls.push(['unbind', id]), unbind.call(client, id));
        return calls;
    }

    test('stopListening removes that callback, or every callback of the event', () => {
        const instance = echo();
        const calls = spy(instance);
        const [one, two, other] = [() => {}, () => {}, () => {}];
        const channel = instance.channel('c').listen('E', one).listen('E', two).listen('F', other);
        expect(calls.map(([, , event]) => event)).toEqual(['App\\Events\\E', 'App\\Events\\E', 'App\\Events\\F']);
        const [first, second, third] = calls.map(([, , , id]) => id);
        channel.stopListening('E', two);
        expect(calls.at(-1)).toEqual(['unbind', second]);
        channel.stopListening('E');
        expect(calls.at(-1)).toEqual(['unbind', first]);
        channel.stopListening('E');
        expect(calls).toHaveLength(5);
        channel.stopListening('.App\\Events\\F', other);
        expect(calls.at(-1)).toEqual(['unbind', third]);
    });

    test('whispers, notifications and presence callbacks bind the names laravel-echo binds, and unbind', () => {
        const instance = echo();
        const calls = spy(instance);
        const [a, b, c, d] = [() => {}, () => {}, () => {}, () => {}];
        const room = instance.join('room').listenForWhisper('typing', a).notification(b).here(c).joining(d).leaving(d).subscribed(c).error(c);
        expect(calls.map(([, , event]) => event)).toEqual([
            'client-typing',
            'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated',
            'pusher:subscription_succeeded',
            'pusher:member_added',
            'pusher:member_removed',
            'pusher:subscription_succeeded',
            'pusher:subscription_error',
        ]);
        const ids = calls.map(([, , , id]) => id);
        room.stopListeningForWhisper('typing', a).stopListeningForNotification(b);
        room.stopListening('.pusher:member_added', d).stopListening('.pusher:subscription_succeeded', c);
        expect(calls.slice(7)).toEqual([['unbind', ids[0]], ['unbind', ids[1]], ['unbind', ids[3]], ['unbind', ids[2]], ['unbind', ids[5]]]);
    });

    test('listenToAll formats names as laravel-echo does and skips the connection events', () => {
        const instance = echo();
        const calls = spy(instance);
        const heard = [];
        const all = (event, data) => heard.push([event, data]);
        const channel = instance.channel('c').listenToAll(all);
        expect(calls[0].slice(0, 2)).toEqual(['bindAll', 'c']);
        // The listener given to the client, called as the client calls it.
        const listener = calls[0][3];
        listener('App\\Events\\Everything', { n: 1 });
        listener('App\\Events\\Nested\\Thing', { n: 2 });
        listener('custom.all', { n: 3 });
        listener('pusher:subscription_succeeded', {});
        listener('echo-wasm:resumed', undefined);
        listener('App\\EventsOther', { n: 4 });
        expect(heard).toEqual([
            ['Everything', { n: 1 }],
            ['Nested\\Thing', { n: 2 }],
            ['.custom.all', { n: 3 }],
            ['.App\\EventsOther', { n: 4 }],
        ]);
        channel.stopListeningToAll(() => {});
        expect(calls).toHaveLength(1);
        channel.stopListeningToAll(all);
        expect(calls.at(-1)).toEqual(['unbind', calls[0][2]]);
    });
});

describe('whisper', () => {
    test('a client event that cannot be sent is reported with the reason, not thrown', () => {
        const instance = echo();
        const reported = [];
        const original = console.error;
        console.error = (error) => reported.push(error.message);
        try {
            const channel = instance.private('chat');
            expect(channel.whisper('typing', { name: 'me' })).toBe(channel);
            expect(instance.encryptedPrivate('vault').whisper('typing', {})).toBe(instance.encryptedPrivate('vault'));
        } finally {
            console.error = original;
        }
        expect(reported).toEqual([
            "whisper('typing') on private-chat: the channel is not subscribed yet",
            "whisper('typing') on private-encrypted-vault: no client events on encrypted channels",
        ]);
    });
});

// `connector.pusher.connection`'s bind/unbind, as pusher-js's, and onConnectionChange.
import { expect, test } from 'vitest';
import { Connection } from '../../js/connection.js';

// A stand-in for the `Client`, whose state the test drives.
function client() {
    const listeners = { state: [], error: [] };
    return {
        state: 'initialized',
        socketId: undefined,
        onStateChange: (f) => listeners.state.push(f),
        onError: (f) => listeners.error.push(f),
        change(previous, current) {
            this.state = current;
            for (const f of listeners.state) f({ previous, current });
        },
        fail(error) {
            for (const f of listeners.error) f(error);
        },
    };
}

test('bind hears state_change, the state entered and error; unbind as pusher-js', () => {
    const fake = client();
    const connection = new Connection(fake);
    const heard = [];
    const one = (data) => heard.push(['one', data?.current ?? data]);
    const two = () => heard.push(['two']);
    connection.bind('state_change', one).bind('connected', two).bind('connected', one).bind('error', one);
    fake.change('initialized', 'connecting');
    fake.change('connecting', 'connected');
    fake.fail({ type: 'PusherError', message: 'm' });
    expect(heard).toEqual([
        ['one', 'connecting'],
        ['one', 'connected'],
        ['two'],
        ['one', undefined],
        ['one', { type: 'PusherError', message: 'm' }],
    ]);

    heard.length = 0;
    connection.unbind('connected', one);
    fake.change('connected', 'connected');
    expect(heard).toEqual([['one', 'connected'], ['two']]);

    heard.length = 0;
    connection.unbind(undefined, one);
    fake.change('connected', 'connected');
    expect(heard).toEqual([['two']]);

    heard.length = 0;
    connection.bind('connected', one).unbind('connected');
    fake.change('connected', 'connected');
    expect(heard).toEqual([]);

    connection.bind('state_change', one).bind('error', two).unbind();
    fake.change('connected', 'disconnected');
    fake.fail({});
    expect(heard).toEqual([]);
});

test('a callback unbound during delivery is skipped, one bound then waits, one that throws stops nothing', () => {
    const fake = client();
    const connection = new Connection(fake);
    const heard = [];
    const late = () => heard.push('late');
    const second = () => heard.push('second');
    connection.bind('connected', () => {
        heard.push('first');
        connection.unbind('connected', second).bind('connected', late);
    });
    connection.bind('connected', second);
    connection.bind('state_change', () => {
        throw new Error('app bug');
    });
    const errors = [];
    const original = console.error;
    console.error = (error) => errors.push(error.message);
    try {
        fake.change('connecting', 'connected');
    } finally {
        console.error = original;
    }
    expect(heard).toEqual(['first']);
    expect(errors).toEqual(['app bug']);
    expect(connection.state).toBe('connected');
});

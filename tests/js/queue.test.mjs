// `new Echo()` before the module has loaded: it returns at once, and what the app does
// meanwhile takes effect, in order, once the module has loaded; an unusable option is
// then reported rather than thrown. (The module loads once per module graph, and each
// test file has its own: nothing else in this file may load it first.)
import { expect, test, vi } from 'vitest';
import Echo from '../../js/index.js';
import { load } from '../../js/load.js';
import { options } from './support.mjs';

test('before the module has loaded: calls wait and are made in order, option errors are reported', async () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});

    const echo = new Echo(options());
    const client = echo.connector.pusher.client;
    expect(client.state).toBe('connecting');
    expect(echo.connectionStatus()).toBe('connecting');
    expect(echo.socketId()).toBeUndefined();
    const orders = echo.private('orders.1').listen('OrderShipped', () => {});
    echo.channel('news');
    echo.join('room');
    echo.channel('gone');
    echo.leaveChannel('gone');
    echo.leave('room');
    expect(echo.private('orders.1')).toBe(orders);
    expect(Object.keys(echo.connector.channels)).toEqual(['private-orders.1', 'news']);
    // Nothing has reached the module yet.
    expect(client.channels()).toEqual([]);

    const broken = new Echo(options({ wsPort: 'eighty' }));
    const heard = [];
    const connection = broken.connector.pusher.connection;
    connection.bind('error', (error) => heard.push(['error', error.type, error.message]));
    connection.bind('state_change', (change) => heard.push(['state_change', change.current]));
    connection.bind('failed', () => heard.push(['failed']));
    const statuses = [];
    broken.connector.onConnectionChange((status) => statuses.push(status));

    await load();

    expect(client.channels()).toEqual(['private-orders.1', 'news']);
    expect(client.channelState('gone')).toBeUndefined();
    expect(client.channelState('presence-room')).toBeUndefined();
    echo.disconnect();
    expect(client.state).toBe('disconnected');

    expect(heard).toEqual([
        ['error', 'OptionsError', 'invalid option `wsPort`: must be a whole number between 1 and 65535'],
        ['state_change', 'failed'],
        ['failed'],
    ]);
    expect(statuses).toEqual(['failed']);
    expect(broken.connectionStatus()).toBe('failed');
    // Reported as uncaught (`reportError`, or the console where there is none, as in Node).
    expect(reported).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringContaining('`wsPort`') }));
    // The page goes on: the broken instance's methods do not throw.
    expect(() => broken.private('x').listen('E', () => {}).stopListening('E')).not.toThrow();
    reported.mockRestore();

    // Once loaded, the same option throws at once.
    expect(() => new Echo(options({ wsPort: 'eighty' }))).toThrow(/`wsPort`/);
});

// Connection calls made before the module has loaded, in the same tick as `new Echo()`:
// they are made in order once it has. (Its own file: nothing else may load the module
// first.)
import { expect, test, vi } from 'vitest';
import Echo from '../../js/index.js';
import { load } from '../../js/load.js';
import { options } from './support.mjs';

test('disconnect, connect and whisper made before the module has loaded take effect in order', async () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});

    const stays = new Echo(options());
    stays.disconnect();
    stays.connect();
    stays.disconnect();

    const reconnects = new Echo(options());
    reconnects.disconnect();
    reconnects.connect();
    const room = reconnects.join('room').here(() => {});
    room.whisper('typing', { name: 'a' });

    const unsubscribed = [];
    const broken = new Echo(options({ wsPort: 0 }));
    const stop = broken.connector.onConnectionChange((status) => unsubscribed.push(status));
    const kept = [];
    broken.connector.onConnectionChange((status) => kept.push(status));
    expect(typeof stop).toBe('function');
    stop();

    await load();

    expect(stays.connector.pusher.client.state).toBe('disconnected');
    expect(stays.connectionStatus()).toBe('disconnected');
    // Connecting again (Node without a WebSocket global may fail it), not left disconnected.
    expect(reconnects.connectionStatus()).not.toBe('disconnected');
    expect(reconnects.connector.pusher.client.channels()).toEqual(['presence-room']);
    // The whisper was refused at once (no channel can be subscribed before the module
    // has loaded), reported rather than thrown, naming its event and channel.
    expect(reported).toHaveBeenCalledWith(
        expect.objectContaining({ message: "whisper('typing') on presence-room: the channel is not subscribed yet" }),
    );

    expect(unsubscribed).toEqual([]);
    expect(kept).toEqual(['failed']);

    stays.disconnect();
    reconnects.disconnect();
    reported.mockRestore();
});

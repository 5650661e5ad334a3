// Server-side rendering imports the package in Node: no window, no document.
import { expect, test } from 'vitest';

test('importing the built package does not throw', async () => {
    expect(typeof globalThis.window).toBe('undefined');
    expect(typeof globalThis.document).toBe('undefined');
    const module = await import('../../pkg/echo-wasm.js');
    expect(module.default).toBe(module.Echo);
    expect(Object.keys(module).sort()).toEqual([
        'Connector',
        'Echo',
        'EventFormatter',
        'NullChannel',
        'NullConnector',
        'PusherChannel',
        'PusherConnector',
        'PusherEncryptedPrivateChannel',
        'PusherPresenceChannel',
        'PusherPrivateChannel',
        'default',
    ]);
    // The null broadcaster works without the module.
    const echo = new module.default({ broadcaster: 'null' });
    expect(echo.private('a').listen('E', () => {})).toBe(echo.private('a'));
});

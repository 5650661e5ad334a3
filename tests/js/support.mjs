// Shared by the unit tests: options for a server that is never reached.
export const options = (extra = {}) => ({
    broadcaster: 'reverb',
    key: 'app-key',
    wsHost: '127.0.0.1',
    wsPort: 9,
    forceTLS: false,
    withoutInterceptors: true,
    ...extra,
});

/** Sets globals for the duration of `run`, then restores them. */
export async function withGlobals(globals, run) {
    const saved = Object.entries(globals).map(([name]) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]);
    for (const [name, value] of Object.entries(globals)) {
        Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    }
    try {
        return await run();
    } finally {
        for (const [name, descriptor] of saved) {
            if (descriptor) Object.defineProperty(globalThis, name, descriptor);
            else delete globalThis[name];
        }
    }
}

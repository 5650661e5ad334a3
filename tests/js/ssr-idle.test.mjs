// Importing the built package loads nothing: the module is inflated and compiled only
// once an Echo that needs it is constructed.
import { expect, test } from 'vitest';

test('the module is loaded by the first new Echo, not by the import', async () => {
    const Original = globalThis.DecompressionStream;
    let inflated = 0;
    globalThis.DecompressionStream = class extends Original {
        constructor(...args) {
            super(...args);
            inflated += 1;
        }
    };
    try {
        const { default: Echo } = await import('../../pkg/echo-wasm.js');
        await new Promise((resolve) => setTimeout(resolve, 0));
        expect(inflated).toBe(0);
        new Echo({ broadcaster: 'null' });
        expect(inflated).toBe(0);
        const echo = new Echo({ broadcaster: 'reverb', key: 'k', wsHost: '127.0.0.1', wsPort: 9, withoutInterceptors: true });
        expect(inflated).toBe(1);
        echo.disconnect();
    } finally {
        globalThis.DecompressionStream = Original;
    }
});

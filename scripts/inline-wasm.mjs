#!/usr/bin/env node
// Writes the module as a JS string for the package to carry inside its JS (see
// js/load.js): base64 of its raw-deflate form, the form `DecompressionStream` reads.
// Deflated by Zopfli, which finds a 6 % smaller encoding than zlib's best (measured:
// 22,506 against 24,053 bytes), read by any inflater; gzip of the base64 then comes
// back to about that size.
//
//   node scripts/inline-wasm.mjs <module.wasm> <out.js>
import { readFileSync, writeFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import zopfli from '@gfx/zopfli';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
    console.error('usage: node scripts/inline-wasm.mjs <module.wasm> <out.js>');
    process.exit(2);
}
const module = readFileSync(input);
const deflated = Buffer.from(await zopfli.deflateAsync(module, { numiterations: 15 }));
if (!inflateRawSync(deflated).equals(module)) throw new Error('the deflated module does not inflate back to itself');
writeFileSync(output, `export default ${JSON.stringify(deflated.toString('base64'))};\n`);

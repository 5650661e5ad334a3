#!/usr/bin/env node
// Applies the import/export renaming of `wasm-opt --minify-imports-and-exports-and-modules`
// to the JS glue wasm-bindgen wrote for the module.
//
//   node scripts/minify-names.mjs <glue.js> <mapping.json> <minified.wasm>
//
// wasm-bindgen names every import after its JS function plus a 16-digit hash
// (`__wbg_addEventListener_847fd86b8c33ec43`), and the module and the glue each carry
// every name once: about 2 KB gzipped of incompressible text. wasm-opt shortens the
// names in the module and prints the mapping; this rewrites the glue to match, in place.
// Any name that cannot be matched exactly is an error: a half-renamed glue would fail
// at instantiation, so the build stops here instead.
import { readFileSync, writeFileSync } from 'node:fs';

const [gluePath, mappingPath, wasmPath] = process.argv.slice(2);
if (!wasmPath) {
    console.error('usage: node scripts/minify-names.mjs <glue.js> <mapping.json> <minified.wasm>');
    process.exit(2);
}

const fail = (message) => {
    console.error(`minify-names: ${message}`);
    process.exit(1);
};
const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const mapping = JSON.parse(readFileSync(mappingPath, 'utf8'));
let glue = readFileSync(gluePath, 'utf8');

// The import object: `{ __proto__: null, "<module>": import0, … }`. wasm-opt puts every
// import into one module; wasm-bindgen's own imports are in `import0`. A JS snippet
// (`#[wasm_bindgen(module = …)]`) whose functions the module imports directly is a
// further key, `"./snippets/…": importN`, a namespace import of the snippet (repeated,
// with another N, for each `extern` block importing from it). Those are folded into
// `import0`, under their new names.
const module = new WebAssembly.Module(readFileSync(wasmPath));
const modules = [...new Set(WebAssembly.Module.imports(module).map((i) => i.module))];
if (modules.length !== 1) fail(`expected one import module, found ${JSON.stringify(modules)}`);
const keysOf = (oldModule) => {
    const key = new RegExp(`\\n\\s*${escape(JSON.stringify(oldModule))}: (import\\d+),`, 'g');
    const found = [...glue.matchAll(key)];
    if (found.length === 0) fail(`module key ${JSON.stringify(oldModule)} not found`);
    return found;
};
const oldModules = [...new Set(mapping.imports.map(([m]) => m))];
const main = oldModules.filter((m) => keysOf(m).some(([, object]) => object === 'import0'));
if (main.length !== 1 || keysOf(main[0]).length !== 1) {
    fail(`expected one module key for import0, found ${JSON.stringify(main)}`);
}
const head = 'const import0 = {\n        __proto__: null,';
if (glue.split(head).length !== 2) fail('the import0 object was not found once');
for (const oldModule of oldModules) {
    const keys = keysOf(oldModule);
    if (oldModule === main[0]) {
        const [entry] = keys[0];
        glue = glue.replace(entry, entry.replace(JSON.stringify(oldModule), JSON.stringify(modules[0])));
        continue;
    }
    for (const [entry] of keys) glue = glue.replace(entry, '');
    const object = keys[0][1];
    const moved = mapping.imports
        .filter(([m]) => m === oldModule)
        .map(([, oldName, newName]) => `\n        ${newName}: ${object}[${JSON.stringify(oldName)}],`);
    glue = glue.replace(head, head + moved.join(''));
}

for (const [oldModule, oldName, newName] of mapping.imports) {
    if (oldModule !== main[0]) continue;
    const key = new RegExp(`(^|[\\s{,])${escape(oldName)}:`, 'gm');
    const found = glue.match(key)?.length ?? 0;
    if (found !== 1) fail(`import ${oldName} appears ${found} times as a key in the glue`);
    glue = glue.replace(key, (_, before) => `${before}${newName}:`);
}

// Exports are read as `wasm.<name>`; some (abort hooks) are never read by the glue.
for (const [oldName, newName] of mapping.exports) {
    glue = glue.replace(new RegExp(`\\bwasm\\.${escape(oldName)}\\b`, 'g'), `wasm.${newName}`);
}
const leftover = glue.match(/\bwasm\.(__wbg|__wbindgen|client_|wasm_bindgen__)\w*/);
if (leftover) fail(`the glue still uses ${leftover[0]}`);

writeFileSync(gluePath, glue);

// A static file server for the built pages.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

// Pages whose name says so get a Content-Security-Policy, the one a strict site sends but
// without `'wasm-unsafe-eval'`.
const CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; connect-src *";

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/** Serves `dir` on a free port of 127.0.0.1; `url` has no trailing slash. */
export async function serve(dir) {
    const server = createServer((request, response) => {
        const path = normalize(decodeURIComponent(new URL(request.url, 'http://pages').pathname));
        const file = join(dir, path.endsWith('/') ? path + 'index.html' : path);
        let found = false;
        try {
            found = file.startsWith(dir) && statSync(file).isFile();
        } catch {}
        if (!found) {
            response.writeHead(404).end();
            return;
        }
        const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' };
        if (file.endsWith('csp.html')) headers['Content-Security-Policy'] = CSP;
        response.writeHead(200, headers);
        createReadStream(file).pipe(response);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
    };
}

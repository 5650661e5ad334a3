// The HTTP server the browser tests talk to besides sockudo: channel and user
// authorization (the part a Laravel app plays), a record of the auth requests the client
// sent, event triggering, channel queries, and stopping/starting sockudo.
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const RECORDS_PER_CHANNEL = 20;
const SLOW_AUTH_MS = 1500;
// The key /auth-requests files user authentication requests under.
const USER_AUTH_KEY = '#user';

const json = (status, value) => ({ status, type: 'application/json', text: JSON.stringify(value) });
const forbidden = () => json(403, { message: 'Forbidden' });

async function readBody(request) {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
}

async function readForm(request) {
    return Object.fromEntries(new URLSearchParams(await readBody(request)));
}

async function readJson(request) {
    const text = await readBody(request);
    try {
        return text.trim() === '' ? {} : JSON.parse(text);
    } catch {
        return undefined;
    }
}

const badJson = () => json(400, { ok: false, status: 400, error: 'the request body is not JSON' });

const userId = (request, params) => params.user_id ?? request.headers['x-user-id'] ?? '1';

/** An error of the pusher SDK as `{ok:false, status, error}`, with sockudo's status if it answered. */
function apiError(error) {
    const status = error.status ?? 500;
    const detail = error.body || [error.message, error.error?.message].filter(Boolean).join(': ');
    return json(status, { ok: false, status, error: detail });
}

/** Passes an answer of sockudo's HTTP API through unchanged. */
async function proxyGet(pusher, path, url) {
    try {
        const response = await pusher.get({ path, params: Object.fromEntries(url.searchParams) });
        return { status: response.status, type: 'application/json', text: await response.text() };
    } catch (error) {
        return apiError(error);
    }
}

/**
 * Starts the helper server.
 * @param {object} options
 * @param {import('pusher')} options.pusher  server SDK client for the test app, with an encryption master key
 * @param {import('./sockudo.mjs').Sockudo} options.sockudo
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function startHelper({ pusher, sockudo, host = '127.0.0.1', port = 0 }) {
    const authRequests = new Map();

    function record(key, request, params) {
        const list = authRequests.get(key) ?? [];
        list.push({ headers: { ...request.headers }, params, at: Date.now() });
        authRequests.set(key, list.slice(-RECORDS_PER_CHANNEL));
    }

    async function channelAuth(request) {
        const params = await readForm(request);
        const channel = params.channel_name ?? '';
        record(channel, request, params);
        if (channel.includes('slow-auth')) await sleep(SLOW_AUTH_MS);
        if (channel.includes('forbidden') || 'x-test-deny' in request.headers) return forbidden();
        if (channel.includes('bad-json')) return { status: 200, type: 'application/json', text: 'not json' };
        let channelData;
        if (channel.startsWith('presence-')) {
            const id = userId(request, params);
            channelData = { user_id: id, user_info: { name: `User ${id}` } };
        } else if (!channel.startsWith('private-')) {
            return forbidden();
        }
        // For private-encrypted-* the SDK adds `shared_secret`, derived from the master key.
        try {
            return json(200, pusher.authorizeChannel(params.socket_id, channel, channelData));
        } catch (error) {
            return json(400, { message: error.message });
        }
    }

    async function userAuth(request) {
        const params = await readForm(request);
        record(USER_AUTH_KEY, request, params);
        if ('x-test-deny' in request.headers) return forbidden();
        const id = userId(request, params);
        try {
            return json(200, pusher.authenticateUser(params.socket_id, { id, name: `User ${id}` }));
        } catch (error) {
            return json(400, { message: error.message });
        }
    }

    async function trigger(request) {
        const body = await readJson(request);
        if (body === undefined) return badJson();
        const { channel, channels, event, data, socket_id: socketId } = body;
        try {
            await pusher.trigger(channels ?? channel, event, data, socketId ? { socket_id: socketId } : undefined);
            return json(200, { ok: true });
        } catch (error) {
            return apiError(error);
        }
    }

    async function serverControl(request, operation) {
        const body = await readJson(request);
        if (body === undefined) return badJson();
        try {
            await operation(body);
            return json(200, { ok: true });
        } catch (error) {
            return json(500, { ok: false, status: 500, error: error.message });
        }
    }

    const clearAuthRequests = () => {
        authRequests.clear();
        return json(200, { ok: true });
    };

    const routes = {
        'POST /broadcasting/auth': channelAuth,
        'POST /broadcasting/user-auth': userAuth,
        'GET /auth-requests': (request, url) => {
            const channel = url.searchParams.get('channel');
            if (channel === null) return json(400, { message: 'missing query parameter: channel' });
            return json(200, { requests: authRequests.get(channel) ?? [] });
        },
        'DELETE /auth-requests': clearAuthRequests,
        'POST /auth-requests/clear': clearAuthRequests,
        'POST /trigger': trigger,
        'GET /channels': (request, url) => proxyGet(pusher, '/channels', url),
        'POST /server/stop': (request) => serverControl(request, ({ graceful }) => sockudo.stop({ graceful: graceful === true })),
        'POST /server/start': (request) => serverControl(request, () => sockudo.start()),
        'POST /server/restart': (request) =>
            serverControl(request, ({ downMs, graceful }) =>
                sockudo.restart({ downMs: Number(downMs) || 0, graceful: graceful === true })),
        'GET /health': () => json(200, { ok: true, wsPort: sockudo.port, up: sockudo.up }),
    };

    function route(method, path) {
        const exact = routes[`${method} ${path}`];
        if (exact) return exact;
        const users = method === 'GET' && /^\/channels\/([^/]+)\/users$/.exec(path);
        if (users) return (request, url) => proxyGet(pusher, `/channels/${decodeURIComponent(users[1])}/users`, url);
        return () => json(404, { message: `no such endpoint: ${method} ${path}` });
    }

    const server = createServer(async (request, response) => {
        // The test page is served from another origin (wasm-bindgen-test-runner's), and
        // sends credentials and custom headers (x-test-deny, x-user-id) with auth requests.
        response.setHeader('Access-Control-Allow-Origin', request.headers.origin ?? '*');
        response.setHeader('Access-Control-Allow-Credentials', 'true');
        response.setHeader('Access-Control-Allow-Headers', request.headers['access-control-request-headers'] ?? '*');
        response.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
        response.setHeader('Access-Control-Max-Age', '600');
        if (request.method === 'OPTIONS') {
            response.writeHead(204).end();
            return;
        }
        const url = new URL(request.url, 'http://helper');
        let answer;
        try {
            answer = await route(request.method, url.pathname)(request, url);
        } catch (error) {
            answer = json(500, { message: error.message });
        }
        response.writeHead(answer.status, { 'Content-Type': answer.type }).end(answer.text);
    });

    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, resolve);
    });
    return {
        url: `http://${host}:${server.address().port}`,
        close: () =>
            new Promise((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            }),
    };
}

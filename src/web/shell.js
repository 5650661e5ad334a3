// The browser shell's JavaScript side: the few steps that would otherwise each be a
// wasm-bindgen import plus Rust glue around it (a chain of promises, an event's fields).
// Everything here reports to the client's one callback, `back(source, id, code, value)`
// (see mod.rs), `source` saying who: 0 the timer, 1 the page, 2 a socket, 3 an
// authorization. Rust detaches the socket's handlers, the timer and the page listeners
// here before it drops them.

// The message of a thrown value: an `Error`'s `message`, a string, or its JSON.
function message(thrown) {
    if (thrown instanceof Error) return thrown.message;
    if (typeof thrown == 'string') return thrown;
    try {
        return JSON.stringify(thrown) ?? 'unknown error';
    } catch {
        return 'unknown error';
    }
}

// POSTs to an auth endpoint the way pusher-js and Laravel expect: the form
// `socket_id=…&channel_name=…&…` (URI-encoded as pusher-js does), the app's headers,
// cookies sent to the same origin. `request` is the JSON `[headers, fields]`, both as
// `[name, value]` pairs. Answers request `id` exactly once: `back(3, id, -3, text)` for a
// 200, else `back(3, id, status, message)`, with status 0 when the endpoint could not be
// reached (a network error, the timeout of `ms` milliseconds, no `fetch`).
export function post(url, request, ms, back, id) {
    const [headers, fields] = JSON.parse(request);
    const init = {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            Accept: 'application/json',
            ...Object.fromEntries(headers),
        },
        body: fields.map((field) => field.map(encodeURIComponent).join('=')).join('&'),
    };
    new Promise((sent) => {
        // Engines without `AbortSignal.timeout` (before 2022) get no timeout.
        try {
            init.signal = AbortSignal.timeout(ms);
        } catch {}
        sent(fetch(url, init));
    }).then(
        (response) =>
            response
                .text()
                .catch(() => '')
                .then((text) =>
                    response.status == 200
                        ? back(3, id, -3, text)
                        : back(
                              3,
                              id,
                              response.status,
                              `Unable to retrieve auth string from auth endpoint - received status: ${response.status} from ${url}`,
                          ),
                ),
        (error) => back(3, id, 0, `Could not reach the auth endpoint ${url}: ${message(error)}`),
    );
}

// Runs an app authorizer: laravel-echo's `authorizer({name: channel}, options)
// .authorize(socketId, callback)`, or, when `options` is undefined, pusher-js's
// `customHandler({socketId, channelName}, callback)` (no `channelName` for a user
// sign-in). `callback(null, data)` answers request `id` with `back(3, id, -2, data)`;
// `callback(error)` and a synchronous throw answer `back(3, id, status, message)`,
// status -1 when the error has none. Only the first answer counts: an authorizer may
// call its callback twice.
export function ask(authorizer, options, socketId, channel, back, id) {
    let answered;
    const answer = (code, value) => answered || ((answered = 1), back(3, id, code, value));
    const fail = (error, status) => answer(typeof status == 'number' && status >= 0 ? status : -1, message(error));
    const callback = (error, data) => (error == null ? answer(-2, data) : fail(error, error.status));
    try {
        if (options !== undefined) authorizer.call(null, { name: channel }, options).authorize(socketId, callback);
        else authorizer.call(null, channel === undefined ? { socketId } : { socketId, channelName: channel }, callback);
    } catch (thrown) {
        fail(thrown);
    }
}

// Opens a WebSocket that reports to `back` as socket `id`: `back(2, id, -1)` opened,
// `back(2, id, -2, data)` a frame (Rust ignores binary ones, which the protocol does not
// have), `back(2, id, code, reason)` closed. `undefined` where there is no WebSocket;
// the message when the constructor refused (a bad URL, a Content-Security-Policy).
export function socket(url, back, id) {
    if (!globalThis.WebSocket) return;
    let ws;
    try {
        ws = new WebSocket(url);
    } catch (thrown) {
        return message(thrown);
    }
    ws.onopen = () => back(2, id, -1);
    ws.onmessage = (event) => back(2, id, -2, event.data);
    ws.onclose = (event) => back(2, id, event.code || 1006, event.reason);
    return ws;
}

// Sends a text frame. A socket that is not open (any more) throws: its close event is
// on its way, the frame is moot.
export function send(ws, text) {
    try {
        ws.send(text);
    } catch {}
}

// Detaches the socket's handlers, then closes it with `code` and `reason` unless it is
// closing already. A close that throws (a code the browser refuses) leaves it open.
export function unsocket(ws, code, reason) {
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
        if (ws.readyState < 2) ws.close(code, reason);
    } catch {}
}

// Adds (`on`) or removes the page-lifecycle listeners reporting to `back(1, 0, code)`
// (nothing to listen to in a worker): `visibilitychange` as code 0 (hidden) or 1
// (visible), `pageshow` as 2, or 3 when restored from the back/forward cache, `online`
// as 4, `offline` as 5.
// The one listener function they share is kept on `back`, to be removed again.
export function listen(back, on) {
    const document = globalThis.document;
    if (!document) return;
    const listener = (back.listener ??= (event) =>
        back(
            1,
            0,
            event.type == 'visibilitychange'
                ? +!document.hidden
                : event.type == 'pageshow'
                  ? 2 + !!event.persisted
                  : event.type == 'online'
                    ? 4
                    : 5,
        ));
    const method = on ? addEventListener : removeEventListener;
    method.call(document, 'visibilitychange', listener);
    for (const name of ['pageshow', 'online', 'offline']) method.call(globalThis, name, listener);
}

// Whether the page is hidden right now (a tab opened in the background).
export const hidden = () => !!globalThis.document?.hidden;

// The function at `path` (`channelAuthorization.customHandler`) of the options, if that
// is a function.
export function functionAt(options, path) {
    for (const key of path.split('.')) options = options?.[key];
    return typeof options == 'function' ? options : undefined;
}

// Whether the page was served over https (then only `wss://` is allowed).
export const secure = () => globalThis.location?.protocol == 'https:';

// Clears the timeout pending for `back`, if any, then sets one that calls `back(0, 0, 0)` after
// `ms` milliseconds unless `ms` is negative. The handle (a number in browsers, an object
// elsewhere) stays here, on `back`. The globals rather than `window.setTimeout`: they
// exist in workers too.
export function arm(back, ms) {
    clearTimeout(back.timeout);
    back.timeout = ms < 0 ? undefined : setTimeout(() => ((back.timeout = undefined), back(0, 0, 0)), ms);
}

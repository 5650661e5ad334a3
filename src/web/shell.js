// The browser shell's JavaScript side: the few steps that would otherwise each be a
// wasm-bindgen import plus Rust glue around it (a chain of promises, an event's fields).
// Every callback here is the shell's one closure type, `back(number, value)`, owned by
// Rust; nothing here keeps a callback after Rust has detached it.

// POSTs the form `init.body` (`[[name, value], …]`, URI-encoded here as pusher-js does)
// with `init`'s headers, and calls `back(status, text)` exactly once — or `back(0,
// error)` when the endpoint could not be reached (network error, timeout, no `fetch`).
export function post(url, init, ms, back) {
    init = JSON.parse(init);
    init.body = init.body.map((pair) => pair.map(encodeURIComponent).join('=')).join('&');
    new Promise((sent) => {
        // Engines without `AbortSignal.timeout` (before 2022) get no timeout.
        try {
            init.signal = AbortSignal.timeout(ms);
        } catch {}
        sent(fetch(url, init));
    }).then(
        (response) =>
            response.text().then(
                (text) => back(response.status, text),
                () => back(response.status, ''),
            ),
        (error) => back(0, error),
    );
}

// Runs an app authorizer: laravel-echo's `authorizer(channel, options)
// .authorize(socketId, callback)` when `socketId` is given, else pusher-js's
// `customHandler(params, callback)`. `callback(error, data)` answers `back(-1, error)`
// or `back(-2, data)`; a synchronous throw answers `back(-3, thrown)`.
export function ask(authorizer, params, options, socketId, back) {
    const callback = (error, data) => (error == null ? back(-2, data) : back(-1, error));
    try {
        if (socketId === undefined) authorizer.call(null, params, callback);
        else authorizer.call(null, params, options).authorize(socketId, callback);
    } catch (thrown) {
        back(-3, thrown);
    }
}

// Opens a WebSocket that reports to `back`: `back(-1)` opened, `back(-2, data)` a frame,
// `back(code, reason)` closed. `undefined` where there is no WebSocket; throws what the
// constructor throws (a bad URL, a Content-Security-Policy).
export function socket(url, back) {
    if (!globalThis.WebSocket) return;
    const ws = new WebSocket(url);
    ws.onopen = () => back(-1);
    ws.onmessage = (event) => back(-2, event.data);
    ws.onclose = (event) => back(event.code || 1006, event.reason);
    return ws;
}

// Detaches the socket's handlers, then closes it with `code` and `reason` unless it is
// closing already. A close that throws (a code the browser refuses) leaves it open.
export function unsocket(ws, code, reason) {
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
        if (ws.readyState < 2) ws.close(code, reason);
    } catch {}
}

// Listens to the page lifecycle (nothing to listen to in a worker) and reports to
// `back`: `visibilitychange` as 0 (hidden) or 1 (visible), `pageshow` as 2, or 3 when
// restored from the back/forward cache, `online` as 4, `offline` as 5. Returns what
// `unlisten` takes to remove the listeners.
export function listen(back) {
    const document = globalThis.document;
    if (!document) return;
    const listener = (event) =>
        back(
            event.type == 'visibilitychange'
                ? +!document.hidden
                : event.type == 'pageshow'
                  ? 2 + !!event.persisted
                  : event.type == 'online'
                    ? 4
                    : 5,
        );
    pageListeners(addEventListener, listener);
    return listener;
}

export function unlisten(listener) {
    if (listener) pageListeners(removeEventListener, listener);
}

function pageListeners(method, listener) {
    method.call(document, 'visibilitychange', listener);
    for (const name of ['pageshow', 'online', 'offline']) method.call(globalThis, name, listener);
}

// Whether the page is hidden right now (a tab opened in the background).
export const hidden = () => !!globalThis.document?.hidden;

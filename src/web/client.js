// The exported JS API: the class `Client`, a thin layer over the module's `Core`.
//
// `Core` has one method, `call(op, channel, event, data)` (see src/bindings/mod.rs):
// every exported method costs its own wasm-bindgen shims, so the names live here. The
// listeners live here too, in a registry the core delivers events to.
//
// A `Client` may be constructed before the module is loaded (laravel-echo's `new Echo()`
// is synchronous, the module's instantiation is not): it then keeps the calls that need
// the module, and makes them in order once `init` or `initSync` has loaded it.
import load, { initSync as loadSync, core } from '#glue';
import { Listeners, report } from './listeners.js';

export { report };

// Whether the module is loaded, and the clients waiting for it (each a function that
// starts one).
let loaded = false;
let waiting = [];

// The clients constructed meanwhile start now, in the order they were constructed; or,
// given the `error` that stopped the module from loading, fail with it.
function started(exports, error) {
    loaded ||= !error;
    for (const start of waiting.splice(0)) start(error);
    return exports;
}

/**
 * Loads the module (see the glue's `init`), then starts the clients waiting for it. If
 * it cannot (a Content-Security-Policy without `'wasm-unsafe-eval'`, a failed download),
 * they fail with the reason, as with unusable options (see `#startLate`).
 */
export default async function init(input) {
    try {
        return started(await load(input));
    } catch (error) {
        throw started(error, error);
    }
}

/** Loads the module synchronously (see the glue's `initSync`), then the same. */
export function initSync(module) {
    return started(loadSync(module));
}


// The client's one callback, `back(source, id, code, value)` (see src/web/mod.rs),
// through which every JS event reaches the `Core` it points at (`back.ref`), as
// operation 16 + `source` of `Core.call`. The driver inside the `Core` holds it, and
// so do the socket, the timer and the page listeners: through a `WeakRef`, so that it
// does not keep the `Core` alive, and a `Client` the app drops is still collected, its
// `Core` then freed by the glue's `FinalizationRegistry` (which closes the socket,
// clears the timer, removes the page listeners). Made here, not in the constructor, so
// that it captures nothing else. Once the `Core` is freed or collected, it does
// nothing.
function callback() {
    const back = (source, id, code, value) => back.ref?.deref()?.call(16 + source, id, code, value);
    return back;
}

export class Client {
    #listeners = new Listeners();
    #back = callback();
    #core;
    // Before the module is loaded: the calls made meanwhile, as `[op, channel, event,
    // data]`. Afterwards undefined.
    #pending;
    // Why the client could not start (its options, found unusable once the module was
    // loaded), or that it was freed before.
    #failure;
    // Whether `connect()` is waiting for the module.
    #connecting;

    constructor(options) {
        if (loaded) {
            this.#start(options);
            if (this.#failure) throw this.#failure;
        } else {
            this.#pending = [];
            waiting.push((error) => this.#startLate(options, error));
        }
    }

    #start(options) {
        const made = core(options, this.#listeners, this.#back);
        if (made instanceof Error) this.#failure = made;
        else this.#back.ref = new WeakRef((this.#core = made));
    }

    // Starts a client constructed before the module was loaded, then makes the calls it
    // kept; or fails with `error`, why the module did not load. Nobody can catch an
    // error any more: unusable options or that one go to the `onError` listeners (as
    // `{type: 'OptionsError' | 'LoadError', message}`), the state changes to `failed`,
    // and the error is reported as uncaught, as are the kept calls' errors.
    #startLate(options, error) {
        const pending = this.#pending;
        this.#pending = undefined;
        if (this.#failure) return;
        if (!error) this.#start(options);
        if ((this.#failure ??= error)) {
            const type = error ? 'LoadError' : 'OptionsError';
            this.#listeners.emit(4, '', '', { type, message: this.#failure.message });
            this.#listeners.emit(3, '', '', { previous: 'initialized', current: 'failed' });
            report(this.#failure);
            return;
        }
        for (const args of pending) {
            try {
                this.#call(...args);
            } catch (error) {
                report(error);
            }
        }
    }

    // Runs one of the core's operations (`op` in src/bindings/mod.rs), which returns
    // its error rather than throwing it. Before the module is loaded, an operation that
    // acts (below 2, 6, 7, 12) waits for it, and one that asks answers as a client that
    // has not connected yet. A client event (10) is refused at once: no channel can be
    // subscribed yet, and the caller hears why now rather than later from nowhere.
    //
    // Meanwhile the state is `connecting` once `connect()` is waiting (as pusher-js's,
    // which connects synchronously), and `failed` if the module or the options failed.
    #call(op, channel, event, data) {
        if (!this.#core) {
            if (op == 10) throw new Error('the channel is not subscribed yet');
            if (this.#pending && (op < 2 || op == 6 || op == 7 || op == 12)) {
                this.#pending.push([op, channel, event, data]);
            }
            if (op < 2) this.#connecting = !op;
            if (op == 2) return this.#failure ? 'failed' : this.#connecting ? 'connecting' : 'initialized';
            return op == 5 ? { state: this.state, attempt: 0 } : op == 9 ? [] : undefined;
        }
        const result = this.#core.call(op, channel, event, data);
        if (result instanceof Error) throw result;
        return result;
    }

    connect() {
        this.#call(0);
    }

    disconnect() {
        this.#call(1);
    }

    get state() {
        return this.#call(2);
    }

    get socketId() {
        return this.#call(3);
    }

    get userId() {
        return this.#call(4);
    }

    status() {
        return this.#call(5);
    }

    subscribe(channel) {
        this.#call(6, channel);
    }

    // The channel's listeners go first: a later subscription to the same name starts
    // with none, as in pusher-js.
    unsubscribe(channel) {
        this.#listeners.remove(0, channel);
        this.#call(7, channel);
    }

    channelState(channel) {
        return this.#call(8, channel);
    }

    channels() {
        return this.#call(9);
    }

    trigger(channel, event, data) {
        this.#call(10, channel, event, data);
    }

    members(channel) {
        return this.#call(11, channel);
    }

    signIn() {
        this.#call(12);
    }

    // Listeners, by kind (see listeners.js): 0 one event on one channel, 1 every event
    // on one channel, 2 every event, 3 state changes, 4 errors.
    bind(channel, event, callback) {
        return this.#listeners.add(0, channel, event, callback);
    }

    bindAll(channel, callback) {
        return this.#listeners.add(1, channel, '', callback);
    }

    bindGlobal(callback) {
        return this.#listeners.add(2, '', '', callback);
    }

    onStateChange(callback) {
        return this.#listeners.add(3, '', '', callback);
    }

    onError(callback) {
        return this.#listeners.add(4, '', '', callback);
    }

    unbind(id) {
        return this.#listeners.remove(id);
    }

    // Stops the client for good: closes its socket, clears its timer, removes its page
    // listeners. (It is also freed when garbage-collected.)
    // Called by a listener while the core delivers an event, the glue's `free` throws
    // (the `Core` is in use) but has let go of it already: the core is freed as soon as
    // the delivery returns. Freeing twice throws too. Neither is the app's concern.
    free() {
        this.#back.ref = undefined;
        this.#failure ??= new Error('the client was freed');
        try {
            this.#core?.free();
        } catch {}
    }
}

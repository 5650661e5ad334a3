// The exported JS API: the class `Client`, a thin layer over the module's `Core`.
//
// `Core` has one method, `call(op, channel, event, data)` (see src/bindings/mod.rs):
// every exported method costs its own wasm-bindgen shims, so the names live here. The
// listeners live here too, in a registry the core delivers events to.
import init, { initSync, core } from '#glue';
import { Listeners } from './listeners.js';

export { init as default, initSync };

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

    constructor(options) {
        this.#core = core(options, this.#listeners, this.#back);
        if (this.#core instanceof Error) throw this.#core;
        this.#back.ref = new WeakRef(this.#core);
    }

    // Runs one of the core's operations (`op` in src/bindings/mod.rs), which returns
    // its error rather than throwing it.
    #call(op, channel, event, data) {
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
        try {
            this.#core.free();
        } catch {}
    }
}

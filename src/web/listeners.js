// The app's listeners (see listeners.rs).

// Reports an error nobody can catch any more (a listener's, or a call's that was made
// before the module was loaded) the way an uncaught one is (`window.onerror`, error
// trackers), or logs it where `reportError` does not exist.
export function report(error) {
    try {
        reportError(error);
    } catch {
        console.error(error);
    }
}

// Kinds of listener (`Kind` in listeners.rs): 0 one event on one channel, 1 every event
// on one channel, 2 every event, 3 state changes, 4 errors.
export class Listeners {
    // The id given last (ids start at 1), and the listeners as
    // `[id, kind, channel, event, function]` in the order they were added.
    last = 0;
    list = [];

    // Adds a listener; returns its id.
    add(kind, channel, event, listener) {
        this.list.push([++this.last, kind, channel, event, listener]);
        return this.last;
    }

    // Removes the listener `id`, or those of `channel` (kinds 0 and 1); whether any was.
    remove(id, channel) {
        const before = this.list.length;
        this.list = this.list.filter(([i, kind, c]) => i != id && (kind > 1 || c !== channel));
        return this.list.length < before;
    }

    // Delivers an event: to the listeners of `kind` 3 or 4, or for kind 0 to those of
    // `event` on `channel`, then to the catch-all ones of `channel`, then to the global
    // ones (`channel` undefined: a connection-level event), each group in the order they
    // were added, always with three arguments. The listeners are chosen before the first
    // is called: one bound meanwhile waits for the next event, one removed meanwhile is
    // skipped. A listener that throws does not stop the others, nor vanish: it is
    // reported (`report`).
    emit(kind, channel, event, data, meta) {
        const chosen = this.list
            .filter(([, k, c, e]) => (kind ? k == kind : k == 2 || (k < 2 && c === channel && (k || e === event))))
            .sort((a, b) => a[1] - b[1]);
        for (const entry of chosen) {
            if (!this.list.includes(entry)) continue;
            const [, k, , , listener] = entry;
            try {
                if (k == 1) listener(event, data, meta);
                else if (k == 2) listener(event, data, channel);
                else listener(data, meta, undefined);
            } catch (thrown) {
                report(thrown);
            }
        }
    }
}

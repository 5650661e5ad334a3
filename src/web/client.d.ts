// Types of the module's JS API (src/web/client.js); shipped as echo_wasm.d.ts.

/** What `init` accepts: the `.wasm`'s URL or response, its bytes, or a compiled module. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the module. Without an argument, fetches `echo_wasm_bg.wasm` next to this file.
 * A `Client` constructed before starts once it has loaded; if it cannot load, such a
 * client fails (see `Client`'s constructor).
 */
export default function init(
    input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<unknown>;

/** Loads the module from its bytes or a compiled module, synchronously. */
export function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): unknown;

/** Reports an error the way an uncaught one is (`reportError`), or logs it. */
export function report(error: unknown): void;

/** A connection state, as pusher-js names them. */
export type ConnectionState = 'initialized' | 'connecting' | 'connected' | 'unavailable' | 'failed' | 'disconnected';

/** A channel's subscription state. */
export type ChannelState = 'idle' | 'authorizing' | 'pending' | 'subscribed' | 'failed';

/** The connection state with its detail (`Client.status()`). */
export interface Status {
    state: ConnectionState;
    socketId?: string;
    /** Reconnection attempts since the last stable connection. */
    attempt: number;
    /** Milliseconds until the next reconnection attempt, while waiting for it. */
    nextRetryIn?: number;
    /** How the last socket ended. */
    lastClose?: { code?: number; reason: string };
    /** Why the client is `disconnected`. */
    reason?: 'requested' | 'paused' | 'refused';
    /** With `reason: 'refused'`: the server's close code and message. */
    code?: number;
    message?: string;
    /** Why the client is `failed`. */
    failure?: string;
}

/** An error that does not belong to one channel's subscription. */
export interface ClientError {
    type: string;
    message: string;
    code?: number;
    channel?: string;
    event?: string;
}

/** A presence channel's members. */
export interface Members {
    count: number;
    me: { id: string; info: unknown };
    members: Record<string, unknown>;
}

/** The second argument of an event listener. */
export interface EventMetadata {
    user_id?: string;
}

/** A connection to a Pusher-protocol server, with its channels and listeners. */
export class Client {
    /**
     * Creates a client from pusher-js / laravel-echo options. Throws an `Error` naming
     * the option when one is unusable. Does not connect: call `connect()`.
     *
     * Before the module has loaded (`init`), the client waits for it: its calls are
     * made, in order, once it has (a client event is refused at once: nothing can be
     * subscribed yet); meanwhile `state` is `initialized`, or `connecting`
     * after `connect()`. An unusable option, or a module that cannot load, then goes to
     * the `onError` listeners (`{type: 'OptionsError' | 'LoadError', message}`) and is
     * reported as an uncaught error, and the state changes to `failed`.
     */
    constructor(options: Record<string, unknown>);
    /** Connects, or retries at once if waiting to reconnect. */
    connect(): void;
    /**
     * Closes the connection and stays disconnected until `connect()`. Channels are kept
     * and subscribed again on the next connection.
     */
    disconnect(): void;
    /** The connection state. */
    readonly state: ConnectionState;
    /** The socket id while connected (for the `X-Socket-ID` header). */
    readonly socketId: string | undefined;
    /** The signed-in user's id, once `signIn()` was confirmed. */
    readonly userId: string | undefined;
    /** The state with its detail. */
    status(): Status;
    /**
     * Subscribes to a channel by its full name (`private-orders.1`, `presence-room`): now
     * if connected, else once connected, and again after every reconnection. Throws for
     * an empty or reserved (`#…`) name.
     */
    subscribe(channel: string): void;
    /** Leaves a channel. Its listeners are removed. */
    unsubscribe(channel: string): void;
    /** The state of a channel the client wants, `undefined` for any other. */
    channelState(channel: string): ChannelState | undefined;
    /** The names of the channels the client wants, in the order they were subscribed. */
    channels(): string[];
    /**
     * Sends a client event (`client-…`) on a subscribed private or presence channel.
     * `data` must be JSON-serializable. Throws, with the reason, when it cannot be sent:
     * wrong name, public or encrypted channel, not subscribed yet, or more than 10 per
     * second.
     */
    trigger(channel: string, event: string, data: unknown): void;
    /** A presence channel's members once subscribed; `undefined` otherwise. */
    members(channel: string): Members | undefined;
    /**
     * Signs the user in (`pusher:signin`) through `userAuthentication`, now and after
     * every reconnection.
     */
    signIn(): void;
    /**
     * Calls `callback(data, metadata)` for `event` on `channel`. The channel's own events
     * are named as pusher-js names them: `pusher:subscription_succeeded`,
     * `pusher:subscription_error`, `pusher:member_added`, `pusher:member_removed`,
     * `pusher:subscription_count`, plus `echo-wasm:resumed` after a resubscription.
     * Returns the id for `unbind`.
     */
    bind(channel: string, event: string, callback: (data: any, metadata: EventMetadata) => void): number;
    /** Calls `callback(eventName, data, metadata)` for every event on `channel`. */
    bindAll(channel: string, callback: (event: string, data: any, metadata: EventMetadata) => void): number;
    /**
     * Calls `callback(eventName, data, channelName)` for every event on every channel,
     * and for connection-level events (`channelName` undefined).
     */
    bindGlobal(callback: (event: string, data: any, channel: string | undefined) => void): number;
    /** Calls `callback({previous, current})` on every connection state change. */
    onStateChange(callback: (change: { previous: ConnectionState; current: ConnectionState }) => void): number;
    /**
     * Calls `callback(error)` for errors that do not belong to one channel's
     * subscription (those arrive as `pusher:subscription_error` on the channel).
     */
    onError(callback: (error: ClientError) => void): number;
    /**
     * Removes a listener by id. Returns whether it was there. A listener removed while an
     * event is being delivered is not called for it any more.
     */
    unbind(id: number): boolean;
    /**
     * Stops the client for good: closes its socket, clears its timer, removes its page
     * listeners. (A client that is garbage-collected is freed too.)
     */
    free(): void;
}

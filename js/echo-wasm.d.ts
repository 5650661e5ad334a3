// Types of echo-wasm: laravel-echo 2.x's API (js/index.js).

/** What `connectionStatus()` reports. `reconnecting`: a retry after the connection was lost or could not be made. */
export type ConnectionStatus = 'connected' | 'connecting' | 'reconnecting' | 'disconnected' | 'failed';

/** A connection state, as pusher-js names them. */
export type ConnectionState = 'initialized' | 'connecting' | 'connected' | 'unavailable' | 'failed' | 'disconnected';

/** The broadcasters: `reverb` and `pusher` connect to a Pusher-protocol server, `null` to nothing. */
export type BroadcastDriver = 'reverb' | 'pusher' | 'null';

/** The answer of a channel authorizer (`authorizer`), as Laravel's `/broadcasting/auth` gives it. */
export interface ChannelAuthorizationData {
    auth: string;
    channel_data?: string;
    shared_secret?: string;
}

/** A custom channel authorizer, laravel-echo's form. */
export type Authorizer = (
    channel: { name: string },
    options: EchoOptions,
) => {
    authorize: (
        socketId: string,
        callback: (error: Error | boolean | null, data: ChannelAuthorizationData | Error | null) => void,
    ) => void;
};

/** A custom handler of pusher-js's `channelAuthorization` / `userAuthentication` forms. */
export type AuthHandler = (
    params: { socketId: string; channelName?: string },
    callback: (error: Error | null, data: Record<string, unknown> | null) => void,
) => void;

/** laravel-echo's options, and the pusher-js options that apply. */
export interface EchoOptions<T extends BroadcastDriver = BroadcastDriver> {
    broadcaster: T | (new (options: EchoOptions<any>) => any);
    /** The app key. */
    key?: string | null;
    /** Pusher Channels' cluster (`mt1`, `eu`, …); ignored with `reverb`. */
    cluster?: string;
    wsHost?: string;
    wsPort?: number | string;
    wssPort?: number | string;
    wsPath?: string;
    /** `wss://` only (default: when the page is served over https). */
    forceTLS?: boolean;
    /** Accepted: WebSocket is the only transport. */
    enabledTransports?: string[];
    /** Accepted: there are no stats. */
    disableStats?: boolean;
    /** Channel authorization endpoint. Default `/broadcasting/auth`. */
    authEndpoint?: string;
    auth?: { headers?: Record<string, string>; params?: Record<string, string> };
    authorizer?: Authorizer;
    channelAuthorization?: { endpoint?: string; headers?: Record<string, string>; params?: Record<string, string>; customHandler?: AuthHandler };
    /** User authentication (`signin()`). Default endpoint `/broadcasting/user-auth`. */
    userAuthentication?: { endpoint?: string; headers?: Record<string, string>; params?: Record<string, string>; customHandler?: AuthHandler };
    /** Sent as `X-CSRF-TOKEN`; default `window.Laravel.csrfToken`, else `<meta name="csrf-token">`. */
    csrfToken?: string | null;
    /** Sent as `Authorization: Bearer <token>`. */
    bearerToken?: string | null;
    /** The namespace of event names. Default `App.Events`; `false`: none. */
    namespace?: string | false;
    /** Do not add `X-Socket-ID` to the requests of axios, jQuery, Vue and Turbo. */
    withoutInterceptors?: boolean;
    /** Seconds without a frame before a ping. */
    activityTimeout?: number;
    /** Milliseconds to wait for the pong. */
    pongTimeout?: number;
    /** Milliseconds of connecting before the state is `unavailable`. */
    unavailableTimeout?: number;
    /** Milliseconds for the WebSocket handshake. */
    handshakeTimeout?: number;
    /** Milliseconds an authorization may take. */
    authTimeout?: number;
    /** Reconnection delays: attempt n waits a random time up to `min(cap, base · 2ⁿ)`. */
    backoff?: { base?: number; cap?: number; stableAfter?: number };
    /** Close the connection while the page is hidden (`true`, or after this many milliseconds). */
    pauseWhenHidden?: boolean | number;
    /** A pusher-js class: accepted and not needed. */
    Pusher?: unknown;
    /** A pusher-js instance: accepted and not needed. */
    client?: unknown;
    [option: string]: unknown;
}

/** A presence member's `info`, as the auth endpoint gave it. */
export type MemberInfo = any;

/** laravel-echo's event name formatting. */
export class EventFormatter {
    constructor(namespace: string | boolean | undefined);
    /** `OrderShipped` → `App\Events\OrderShipped`; `.order.shipped` → `order.shipped`. */
    format(event: string): string;
    setNamespace(value: string | boolean): void;
}

/** A public channel (`Echo.channel`). */
export class PusherChannel {
    /** The full channel name. */
    readonly name: string;
    readonly options: EchoOptions;
    readonly eventFormatter: EventFormatter;
    readonly pusher: Pusher;
    subscribe(): void;
    unsubscribe(): void;
    /** Calls `callback(data, metadata)` for the event, named as `EventFormatter` formats it. */
    listen(event: string, callback: (data: any, metadata: { user_id?: string }) => void): this;
    /** Every app event: `callback(name, data)`, a namespaced name without the namespace, others with a leading `.`. */
    listenToAll(callback: (event: string, data: any) => void): this;
    /** Removes `callback`, or every callback of the event. */
    stopListening(event: string, callback?: Function): this;
    /** Removes a `listenToAll` callback, or all of them. */
    stopListeningToAll(callback?: Function): this;
    /** `callback()` once subscribed, and again after every reconnection. */
    subscribed(callback: () => void): this;
    /** `callback(status)` when the subscription fails, e.g. `{type: 'AuthError', error, status: 403}`. */
    error(callback: (status: { type: string; error: string; status?: number }) => void): this;
    /** Binds a raw event name (`pusher:subscription_count`); `stopListening('.' + event, key)` removes it. */
    on(event: string, listener: (data: any, metadata: { user_id?: string }) => void, key?: Function): this;
    listenForWhisper(event: string, callback: (data: any, metadata: { user_id?: string }) => void): this;
    stopListeningForWhisper(event: string, callback?: Function): this;
    /** Laravel notifications (`BroadcastNotificationCreated`) on this channel. */
    notification(callback: (notification: { id: string; type: string; [field: string]: any }) => void): this;
    stopListeningForNotification(callback: Function): this;
}

/** A private channel (`Echo.private`). */
export class PusherPrivateChannel extends PusherChannel {
    /**
     * Sends `client-<event>`. When it cannot be sent (not subscribed yet, an encrypted
     * channel, more than 10 per second), the error saying why is reported as an
     * uncaught error (`window.onerror`, the console), not thrown.
     */
    whisper(event: string, data: unknown): this;
}

/** An encrypted private channel (`Echo.encryptedPrivate`); client events cannot be sent on it. */
export class PusherEncryptedPrivateChannel extends PusherPrivateChannel {}

/** A presence channel (`Echo.join`). */
export class PusherPresenceChannel extends PusherPrivateChannel {
    /** `callback(members)` once subscribed (again after every reconnection); removable with `stopListening('.pusher:subscription_succeeded', callback)`. */
    here(callback: (members: MemberInfo[]) => void): this;
    /** `callback(member)` when one joins; removable with `stopListening('.pusher:member_added', callback)`. */
    joining(callback: (member: MemberInfo) => void): this;
    /** `callback(member)` when one leaves; removable with `stopListening('.pusher:member_removed', callback)`. */
    leaving(callback: (member: MemberInfo) => void): this;
}

/** laravel-echo's names for the channel types. */
export type Channel = PusherChannel;
export type PresenceChannel = PusherPresenceChannel;

/** A channel of the `null` broadcaster: every method does nothing. */
export class NullChannel extends PusherPresenceChannel {}

/** `Echo.connector.pusher.connection`. */
export interface Connection {
    readonly state: ConnectionState;
    readonly socket_id: string | undefined;
    /** `state_change` (`{previous, current}`), a state's name, or `error`. */
    bind(event: 'state_change', callback: (change: { previous: ConnectionState; current: ConnectionState }) => void): this;
    bind(event: 'error', callback: (error: { type: string; message: string; code?: number }) => void): this;
    bind(event: ConnectionState | string, callback: (data?: any) => void): this;
    unbind(event?: string, callback?: Function): this;
}

/** `Echo.connector.pusher`: the connection, with pusher-js's names. */
export interface Pusher {
    readonly connection: Connection;
    connect(): void;
    disconnect(): void;
    subscribe(channel: string): void;
    unsubscribe(channel: string): void;
    signin(): void;
}

/** What every connector has. */
export class Connector {
    /** The channel objects by full name. */
    readonly channels: Record<string, PusherChannel>;
    readonly options: EchoOptions;
    connect(): void;
    disconnect(): void;
    channel(name: string): PusherChannel;
    privateChannel(name: string): PusherPrivateChannel;
    encryptedPrivateChannel(name: string): PusherEncryptedPrivateChannel;
    presenceChannel(name: string): PusherPresenceChannel;
    listen(name: string, event: string, callback: (data: any) => void): PusherChannel;
    leave(name: string): void;
    leaveChannel(name: string): void;
    socketId(): string | undefined;
    signin(): void;
    connectionStatus(): ConnectionStatus;
    /** `callback(status)` whenever `connectionStatus()` changes; returns the function that stops it. */
    onConnectionChange(callback: (status: ConnectionStatus) => void): () => void;
}

/** The `reverb` and `pusher` broadcasters' connector. */
export class PusherConnector extends Connector {
    readonly pusher: Pusher;
}

/** The `null` broadcaster's connector. */
export class NullConnector extends Connector {}

/** laravel-echo's `Echo`. */
export class Echo<T extends BroadcastDriver = BroadcastDriver> {
    /**
     * Connects at once. Returns synchronously: the WebAssembly module loads meanwhile,
     * and calls made before it has take effect, in order, once it has. Throws
     * `Broadcaster <type> <value> is not supported.` for another broadcaster.
     */
    constructor(options: EchoOptions<T>);
    readonly options: EchoOptions<T>;
    readonly connector: [T] extends ['null'] ? NullConnector : PusherConnector;
    /** A public channel; the same object for the same name. */
    channel(name: string): PusherChannel;
    /** A private channel (`private-<name>`); the same object for the same name. */
    private(name: string): PusherPrivateChannel;
    /** An encrypted private channel (`private-encrypted-<name>`). */
    encryptedPrivate(name: string): PusherEncryptedPrivateChannel;
    /** A presence channel (`presence-<name>`). */
    join(name: string): PusherPresenceChannel;
    /** `channel(name).listen(event, callback)`. */
    listen(name: string, event: string, callback: (data: any) => void): PusherChannel;
    /** Leaves `name` and its `private-`, `private-encrypted-` and `presence-` variants. */
    leave(name: string): void;
    /** Leaves the channel of this full name. */
    leaveChannel(name: string): void;
    leaveAllChannels(): void;
    /** The socket id while connected, for the `X-Socket-ID` header. */
    socketId(): string | undefined;
    /** Connects (again), with the same channels. */
    connect(): void;
    disconnect(): void;
    connectionStatus(): ConnectionStatus;
    registerInterceptors(): void;
    registerVueRequestInterceptor(): void;
    registerAxiosRequestInterceptor(): void;
    registerjQueryAjaxSetup(): void;
    registerTurboRequestInterceptor(): void;
}

export default Echo;

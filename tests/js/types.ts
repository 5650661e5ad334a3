// The package's declarations, used as an app uses them: `tsc --strict` must accept this
// file (make test-js), and the `@ts-expect-error` lines must stay errors.
import Echo, { EventFormatter, type ConnectionStatus, type PusherPresenceChannel } from '../../pkg/echo-wasm.js';

const echo = new Echo({
    broadcaster: 'reverb',
    key: 'key',
    wsHost: 'localhost',
    wsPort: '8080',
    wssPort: 443,
    forceTLS: false,
    enabledTransports: ['ws', 'wss'],
    authEndpoint: '/broadcasting/auth',
    auth: { headers: { 'X-Extra': '1' } },
    namespace: false,
    withoutInterceptors: true,
});

echo.private('orders.1')
    .listen('OrderShipped', (event: { id: number }) => console.log(event.id))
    .listenForWhisper('typing', (data) => console.log(data))
    .whisper('typing', { name: 'me' })
    .notification((notification) => console.log(notification.type))
    .stopListening('OrderShipped')
    .subscribed(() => {})
    .error((status) => console.log(status.type, status.status));

const room: PusherPresenceChannel = echo.join('room');
room.here((members) => members.length).joining((member) => member).leaving((member) => member);
echo.encryptedPrivate('vault').listenToAll((event, data) => console.log(event, data));
echo.channel('news').stopListeningToAll();
echo.leave('room');
echo.leaveChannel('private-orders.1');
echo.leaveAllChannels();

const status: ConnectionStatus = echo.connectionStatus();
const stop: () => void = echo.connector.onConnectionChange((next: ConnectionStatus) => console.log(next, status));
stop();
echo.connector.pusher.connection.bind('state_change', ({ previous, current }) => console.log(previous, current));
const id: string | undefined = echo.socketId() ?? echo.connector.pusher.connection.socket_id;
console.log(id, new EventFormatter('App.Events').format('X'));

// @ts-expect-error: not a broadcaster
new Echo({ broadcaster: 'kafka' });
// @ts-expect-error: listen needs a callback
echo.channel('x').listen('E');

// The package's entry: `import Echo from 'echo-wasm'`, as `import Echo from 'laravel-echo'`.
// First, with the module inside it (see load.js).
import './load.js';
import { Echo } from './echo.js';

export { Echo as default, Echo };
export { EventFormatter } from './event-formatter.js';
export { Connector, PusherConnector } from './connector.js';
export { NullConnector, NullChannel } from './null.js';
export {
    PusherChannel,
    PusherPrivateChannel,
    PusherEncryptedPrivateChannel,
    PusherPresenceChannel,
} from './channel.js';

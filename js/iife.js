// The `<script>` build for pages without a bundler (Blade, Livewire, Filament). The
// module is inside this file: it works served from any path. It defines:
// - `window.EchoFactory`, the `Echo` class, as Filament's echo script does, for the page
//   to do `window.Echo = new EchoFactory({...})`;
// - `window.Echo`, unless the page has one already, as laravel-echo's `echo.iife.js`
//   does: there a module object whose `default` is the class; here the class itself,
//   carrying the package's exports, so that `new Echo({...})` and `new Echo.default({...})`
//   both work, and `Echo.EventFormatter` is there.
import * as exports from './index.js';

const { Echo } = exports;
Object.assign(Echo, exports);
globalThis.EchoFactory = Echo;
globalThis.Echo ??= Echo;

// The `<script>` build for pages without a bundler (Blade, Livewire, Filament): defines
// `window.EchoFactory`, the `Echo` class, as Filament expects, for the page to do
// `window.Echo = new EchoFactory({...})`; and `window.EchoWasm`, everything the package
// exports. The module is inside this file: it works served from any path.
import * as EchoWasm from './index.js';

globalThis.EchoFactory = EchoWasm.Echo;
globalThis.EchoWasm = EchoWasm;

// An app as a user writes it: the package imported by name, built by Vite with no
// plugin and no config. The tests drive it through the globals below.
import Echo, { EventFormatter } from 'echo-wasm';

window.EchoClass = Echo;
window.EventFormatter = EventFormatter;
// What listeners saw, in order, for the tests to read.
window.log = [];
window.record = (...entry) => window.log.push(entry);

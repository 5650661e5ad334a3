# echo-wasm — build and test commands. `make test` is what CI runs (.ci/run).
# Every target installs what it needs first (scripts/setup.sh, idempotent).

SHELL := /bin/bash
.DEFAULT_GOAL := test
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

WASM_TARGET := wasm32-unknown-unknown
# Cargo's output directory, wherever CARGO_TARGET_DIR puts it.
CARGO_TARGET_DIR ?= target
RELEASE_WASM := $(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/echo_wasm.wasm
BINDGEN_OUT := target/wasm-bindgen
# Where std's sources are, and the commit rustc names them by (see `build`).
RUST_SYSROOT = $(shell rustc --print sysroot)
RUSTC_COMMIT = $(shell rustc -vV | sed -n 's/^commit-hash: //p')
RELEASE_RUSTFLAGS = target.$(WASM_TARGET).rustflags = ["-C", "target-feature=-reference-types", \
	"--remap-path-prefix=$(RUST_SYSROOT)/lib/rustlib/src/rust=/rustc/$(RUSTC_COMMIT)"]
# The features rustc enables for wasm32 by default; wasm-opt must know them.
WASM_OPT_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int \
	--enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types

# The browser suite waits for servers and a reconnection; the runner's default limit
# for a whole suite (20 s) is too tight on a loaded 2-core machine.
export WASM_BINDGEN_TEST_TIMEOUT ?= 300


.PHONY: test build package bench lint test-native test-browser test-release test-js test-e2e size clean setup-native setup-wasm setup-browser

## test: every test suite, plus formatting, lints and the release build (what CI runs)
test: lint build test-native test-browser test-release test-js test-e2e

## lint: rustfmt and clippy, warnings are errors (host and wasm32)
lint: setup-wasm
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) -- -D warnings
	cargo clippy --test browser --features std --target $(WASM_TARGET) -- -D warnings
	@# The core stays sans-IO: nothing browser-specific may leak into it.
	@! grep -rnE 'web_sys|js_sys|wasm_bindgen' src/protocol || \
		{ echo "src/protocol must not use web-sys, js-sys or wasm-bindgen" >&2; exit 1; }

## test-native: the protocol core's deterministic tests (virtual clock) and property tests
test-native: setup-native
	@mkdir -p target
	set -o pipefail; { cargo test --lib --tests && cargo test --doc; } 2>&1 | tee target/test-native.log
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "native: %d passed, %d failed\n", p, f }' target/test-native.log

## test-browser: the browser suite (tests/browser.rs) in headless Chromium, against a real
## sockudo and the helper server of tests/browser/harness, both started here and stopped after
test-browser: setup-browser
	@mkdir -p target
	set -o pipefail; node tests/browser/harness/run.mjs -- \
		wasm-pack test --headless --chrome -- --test browser --features std 2>&1 | tee target/test-browser.log
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "browser: %d passed, %d failed\n", p, f }' target/test-browser.log

## test-release: the release module and glue as `make build` leaves them, against sockudo
## (Node's WebSocket: the browser suite runs wasm-pack's own std build, not these files)
test-release: build setup-browser
	node tests/browser/harness/run.mjs -- node --experimental-websocket --no-warnings tests/release/smoke.mjs

## test-js: the JS API's unit tests (vitest, in Node, no server), and the package's type
## declarations checked by tsc against an app's use of them
test-js: build
	vitest run --config tests/js/vitest.config.mjs
	tsc -p tests/js/tsconfig.json

## test-e2e: pages built from pkg/ the way a user builds them (a Vite app that installs the
## packed package; a plain page with the IIFE), in headless Chromium against sockudo
test-e2e: build setup-browser
	node tests/browser/harness/run.mjs -- vitest run --config tests/e2e/vitest.config.mjs

## build: the release wasm module, through wasm-bindgen and wasm-opt, with its size
build: setup-wasm
	@# Without reference types: wasm-bindgen then keeps JS values in an array in the glue
	@# rather than in a table of the module, 300 bytes less in all (measured). std's
	@# prebuilt parts still declare the feature; `strip` (Cargo.toml) drops that
	@# declaration, and wasm-bindgen then sees that the module does not use it.
	@# The path remapping names std's sources as its prebuilt parts do, whether or not
	@# the rust-src component is installed: the module keeps one copy of a source path
	@# (for std's allocation panics), and the same bytes on every machine.
	cargo build --lib --release --target $(WASM_TARGET) --config '$(RELEASE_RUSTFLAGS)'
	wasm-bindgen --target web --no-typescript --encode-into always --out-dir $(BINDGEN_OUT) --out-name echo_wasm $(RELEASE_WASM)
	@# Short import/export names in the module, the same renaming applied to the glue
	@# below. Then -Oz, repeated until it stops shrinking (`--converge`); the
	@# target-features section is only read by wasm-bindgen, which has run already.
	@# `--low-memory-unused`: nothing lives in the first KB of memory (Rust puts the
	@# stack's far end there, 1 MB away from where it starts), so constant offsets
	@# fold into the loads and stores.
	wasm-opt --minify-imports-and-exports-and-modules $(WASM_OPT_FEATURES) \
		$(BINDGEN_OUT)/echo_wasm_bg.wasm -o $(BINDGEN_OUT)/echo_wasm_bg.wasm > $(BINDGEN_OUT)/names.json
	wasm-opt -Oz --converge --low-memory-unused --strip-debug --strip-producers --strip-target-features \
		$(WASM_OPT_FEATURES) $(BINDGEN_OUT)/echo_wasm_bg.wasm -o $(BINDGEN_OUT)/echo_wasm_bg.wasm
	node scripts/minify-names.mjs $(BINDGEN_OUT)/echo_wasm.js $(BINDGEN_OUT)/names.json $(BINDGEN_OUT)/echo_wasm_bg.wasm
	@# The glue ships minified, as pusher-js ships pusher.min.js, and as one file with
	@# the JS around it: src/web/client.js (the `Client` class, which imports the glue
	@# as `#glue`, see package.json) is the entry, and the shell's JS snippets (copied
	@# under snippets/) are bundled in. `console.warn` only explains fallbacks when the
	@# .wasm is served with the wrong MIME type or `initSync` gets deprecated arguments:
	@# marked pure, its text goes. `--mangle-props` shortens the properties that only
	@# the bundle itself reads (the glue's pointers and closure state, the listener
	@# registry's members); never one an app or the browser sees. A name listed there is
	@# renamed wherever it is read in the bundle, built-ins included: nothing bundled
	@# with it may call a built-in method of one of those names (`Set#add`,
	@# `Element#remove`, …).
	mv $(BINDGEN_OUT)/echo_wasm.js $(BINDGEN_OUT)/glue.js
	esbuild src/web/client.js --bundle --minify '--mangle-props=^(__wbg_ptr|__destroy_into_raw|_wbg_cb_unref|__wrap|cnt|list|last|add|remove|emit|listener|ref)$$' --pure:console.warn --format=esm --log-level=warning --outfile=$(BINDGEN_OUT)/echo_wasm.js
	cp src/web/client.d.ts $(BINDGEN_OUT)/echo_wasm.d.ts
	rm -rf $(BINDGEN_OUT)/snippets $(BINDGEN_OUT)/glue.js
	@$(MAKE) --no-print-directory package

## package: assembles pkg/, the npm package, from the build above, js/ and pkg-template/
package:
	@# The module travels inside the JS (see js/load.js): `#wasm` in package.json.
	node scripts/inline-wasm.mjs $(BINDGEN_OUT)/echo_wasm_bg.wasm $(BINDGEN_OUT)/wasm.js
	rm -rf pkg && mkdir -p pkg
	@# The ESM entry, and the `<script>` build for pages without a bundler. Both import
	@# the build above as `#client` (package.json), whose internal names are minified
	@# already. The glue's default, a `.wasm` next to it, is never taken (the module is
	@# given): without `import.meta.url`, bundlers do not go looking for that file
	@# (Vite warns that it cannot find it), and the IIFE needs no `import.meta`.
	esbuild js/index.js --bundle --minify --format=esm --target=es2022 --define:import.meta.url=undefined --log-level=warning --outfile=pkg/echo-wasm.js
	esbuild js/iife.js --bundle --minify --format=iife --target=es2022 --define:import.meta.url=undefined --log-level=warning --outfile=pkg/echo-wasm.iife.js
	cp js/echo-wasm.d.ts pkg/echo-wasm.d.ts
	cp pkg-template/package.json README.md LICENSE pkg/
	@$(MAKE) --no-print-directory size

## bench: hot-path throughput of the core (native, release profile) and the module size
bench: setup-native build
	cargo bench --bench core

## size: raw and gzip -9 sizes of the built module, its glue, and what a page downloads
## from the package (one file, the module inside)
size:
	@total=0; for f in $(BINDGEN_OUT)/echo_wasm_bg.wasm $(BINDGEN_OUT)/echo_wasm.js; do \
		gz=$$(gzip -9 -c $$f | wc -c); total=$$((total + gz)); \
		printf '%-36s %8d bytes raw %8d bytes gzip -9\n' "$$f" "$$(wc -c < $$f)" "$$gz"; \
	done; \
	printf '%-36s %8s           %8d bytes gzip -9\n' "wasm + glue" "" "$$total"; \
	for f in pkg/echo-wasm.js pkg/echo-wasm.iife.js; do \
		printf '%-36s %8d bytes raw %8d bytes gzip -9 (target 20000; laravel-echo + pusher-js: 20697, with encryption: 31294)\n' \
			"$$f" "$$(wc -c < $$f)" "$$(gzip -9 -c $$f | wc -c)"; \
	done

setup-native:
	@scripts/setup.sh native

setup-wasm:
	@scripts/setup.sh wasm

setup-browser:
	@scripts/setup.sh browser

## clean: remove build output
clean:
	cargo clean
	rm -rf pkg

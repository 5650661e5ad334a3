#!/usr/bin/env bash
# Installs what building and testing echo-wasm needs, skipping whatever is already there.
# Safe to run any number of times; `make test` and `make build` call it first.
#
#   scripts/setup.sh native   rustfmt + clippy (the native test suite)
#   scripts/setup.sh wasm     + wasm32 target, wasm-bindgen CLI, wasm-opt (npm binaryen)
#   scripts/setup.sh browser  + headless Chromium and chromedriver, wasm-pack, and the sockudo
#                               server the browser tests run against (tests/browser/harness)
set -euo pipefail

cd "$(dirname "$0")/.."

# Must equal the `wasm-bindgen` crate version pinned with `=` in Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*$/\1/p' Cargo.toml)
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf 'setup: %s\n' "$*" >&2; }

need_rust() {
    command -v cargo >/dev/null || { log "cargo is missing: install Rust with rustup first"; exit 1; }
    local installed
    installed=$(rustup component list --installed 2>/dev/null || true)
    for component in rustfmt clippy; do
        if ! grep -q "^$component" <<<"$installed"; then
            log "adding rust component $component"
            rustup component add "$component"
        fi
    done
}

need_wasm() {
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        log "adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
    if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
        log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes a few minutes, once)"
        cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
    fi
    need_node_modules
}

need_node_modules() {
    command -v npm >/dev/null || { log "npm is missing: install Node.js 20+ first"; exit 1; }
    # Reinstall when the lockfile changed since the last install.
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        log "installing npm dev dependencies"
        npm ci --no-audit --no-fund --loglevel=error
    fi
}

# Runs a command as root: directly if we are root, else through sudo if there is one.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        log "need root for: $* (no sudo here)"; exit 1
    fi
}

need_browser() {
    local packages=()
    command -v chromium >/dev/null || packages+=(chromium)
    command -v chromedriver >/dev/null || packages+=(chromium-driver)
    # protoc is only needed to build sockudo.
    if ! command -v sockudo >/dev/null && ! command -v protoc >/dev/null; then
        packages+=(protobuf-compiler)
    fi
    if [ ${#packages[@]} -gt 0 ]; then
        command -v apt-get >/dev/null || { log "apt-get is missing: install ${packages[*]} by hand"; exit 1; }
        log "installing ${packages[*]} (apt)"
        as_root apt-get update
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}"
    fi
    if ! command -v sockudo >/dev/null; then
        log "installing sockudo (takes about 10 minutes, once)"
        cargo install sockudo --locked --no-default-features --features local
    fi
    if ! command -v wasm-pack >/dev/null; then
        log "installing wasm-pack (takes a few minutes, once)"
        cargo install wasm-pack --locked || {
            log "wasm-pack does not build with its locked dependencies: retrying without --locked"
            cargo install wasm-pack
        }
    fi
}

case "${1:-native}" in
    native) need_rust ;;
    wasm) need_rust; need_wasm ;;
    browser) need_rust; need_wasm; need_browser ;;
    *) log "usage: $0 native|wasm|browser"; exit 2 ;;
esac

//! What std provides in other builds, for the published wasm module built without it.
//!
//! Leaving std out is worth several kilobytes: std's panic machinery formats every panic
//! message, which keeps all of `core::fmt` in the module. The core never panics by design
//! (no `unwrap`, no indexing, see the lints in `lib.rs`); should a bug panic anyway, the
//! instance traps, exactly as it would with `panic = "abort"` under std.

use lol_alloc::{FreeListAllocator, LockedAllocator};

/// A free-list allocator that reuses and merges freed blocks: small, and a long-lived
/// client does not grow its memory. The lock costs nothing without threads.
#[global_allocator]
static ALLOCATOR: LockedAllocator<FreeListAllocator> =
    LockedAllocator::new(FreeListAllocator::new());

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

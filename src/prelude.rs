//! The few `alloc` items every module uses, so that the same code builds with std (native
//! builds, the browser test suite) and without it (the published wasm module), where
//! Rust's prelude does not include them.

#[allow(unused_imports)]
pub(crate) use alloc::{
    borrow::ToOwned,
    boxed::Box,
    string::{String, ToString},
    vec,
    vec::Vec,
};

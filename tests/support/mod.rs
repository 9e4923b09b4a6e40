//! Helpers shared by integration tests.
// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

pub(crate) mod fixtures;
pub(crate) mod server;

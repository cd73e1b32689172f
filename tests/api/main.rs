//! The integration test binary: one module per feature, each test with its own database, on both backends.

#[macro_use]
mod harness;

mod audit;
mod bad_input;
mod cash;
mod cli;
mod disposal;
mod funds;
mod idempotency;
mod payouts;
mod registry;
mod service;
mod sweeps;
mod valuation;

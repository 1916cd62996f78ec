//! obsdebt: a static linter for observability debt in Rust services.
//!
//! The pipeline has three phases, each a module of its own:
//!
//! 1. [`collect`]: walk the paths ([`walk`]), then read, parse and extract per-file
//!    [`facts`] in parallel. The syntax tree is dropped as soon as a file's facts exist.
//! 2. [`resolve`]: the workspace view — crates, the logging-helper fixpoint, logging error
//!    types — turns raw error-path sites into classified ones.
//! 3. [`report`]: [`rules`] turn classified sites into [`diagnostic::Diagnostic`]s, which are
//!    sorted and handed to one printer. Rules never print.

pub mod apply;
pub mod atomic;
pub mod baseline;
pub mod cache;
pub mod check;
pub mod cli;
pub mod collect;
pub mod config;
pub mod coverage;
pub mod diagnostic;
pub mod diff;
pub mod facts;
pub mod input;
pub mod knowledge;
pub mod lexer;
pub mod progress;
pub mod report;
pub mod resolve;
pub mod rule;
pub mod rules;
pub mod suppress;
pub mod walk;
pub mod workspace;

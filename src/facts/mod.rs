//! Per-file facts: plain, serialisable data extracted from one file's syntax tree.
//!
//! Facts are a pure function of the file's text and the [`Knowledge`](crate::knowledge::Knowledge);
//! the tree is dropped as soon as they exist. Anything that needs other files — is a called
//! function a logging helper, does an error type log in its response impl — is recorded as a
//! reference here and decided in [`resolve`](crate::resolve).

mod body;
pub mod extract;
mod logcond;
mod macros;
mod paths;

pub use extract::{extract, extract_file};
pub use logcond::{Callee, LogCond};

use serde::{Deserialize, Serialize};

use crate::diagnostic::Span;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileFacts {
    pub fns: Vec<FnFact>,
    pub sites: Vec<SiteFact>,
    /// Error types with a response impl (`IntoResponse`, `ResponseError`, ...), and whether it logs.
    pub response_impls: Vec<ResponseImpl>,
    /// `type Result<T> = std::result::Result<T, Error>` style aliases: alias name → error type.
    pub result_aliases: Vec<(String, String)>,
    /// `// obsdebt: allow(..)` comments.
    pub suppressions: Vec<crate::suppress::Suppression>,
}

/// A function or method, for the logging-helper fixpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FnFact {
    pub name: String,
    /// Inline `mod` path inside the file (the file's own module path is added in resolve).
    pub module: Vec<String>,
    /// The `impl` self type or trait name, for methods.
    pub owner: Option<String>,
    /// Whether every path through the body logs.
    pub always_logs: LogCond,
    /// The declared return type is a `Result` (or a `Result` alias); `None` when unknown.
    pub returns_result: Option<bool>,
    /// The declared error type's name (`StoreError`), when written.
    pub err_type: Option<String>,
    pub is_test: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseImpl {
    /// The error type's last path segment (`AppError`).
    pub type_name: String,
    pub logs: LogCond,
}

/// Where an `Err` is received (DESIGN §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteKind {
    /// `Err(e) => …`, or the catch-all arm of a match whose other arms are `Ok(..)`.
    MatchArm,
    /// `if let Err(e) = x { … }`
    IfLetErr,
    /// `if let Ok(v) = x { … } else { … }`
    IfLetElse,
    /// `let Ok(v) = x else { … };`
    LetElse,
    /// `.map_err(h)`, `.or_else(h)`, `.unwrap_or_else(h)`, `.map_or_else(h, _)`, `.inspect_err(h)`
    Combinator,
    /// `.ok()`
    DiscardOk,
    /// `let _ = call()` / `_ = call()`
    DiscardLet,
    /// `if let Ok(..) = x { … }` with no else
    DiscardIfLet,
    /// A 5xx response built outside any other error path.
    ServerError,
}

/// What the path does with the error, as far as this file can tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Builds a 5xx response (the expression, as written).
    ServerError(String),
    /// The error flows on: returned, wrapped, converted, `?`, or escalated to a panic.
    Propagated,
    /// Ends in a 4xx response: a decided answer to the client.
    ClientError,
    /// Ends with an empty body or a discard: the error vanishes.
    Discarded,
    /// Ends with a fallback value, `continue`, `return` of a non-error, ...
    Fallback,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteFact {
    pub kind: SiteKind,
    pub span: Span,
    /// The site's source text, whitespace-normalised (`Err(e)`, `.unwrap_or_else(|_| 0)`).
    pub text: String,
    /// Name of the combinator or description of the discarded call, for messages.
    pub detail: String,
    pub outcome: Outcome,
    /// Logging evidence on the path (any log line counts).
    pub logs: LogCond,
    /// The arm or closure matches a specific error variant or has a guard.
    pub specific: bool,
    /// Error types the error is converted into when it propagates (`AppError`).
    pub converts_to: Vec<String>,
    /// The enclosing fn has `#[instrument(err)]` and the error leaves through it.
    pub instrument_err: bool,
    /// The call that produced the `Result` (`store.transfer(..)` in `match store.transfer(..)`):
    /// when it is an in-workspace function, its declared error type is the error's type.
    pub source: Option<Callee>,
    /// For `let _ = f(..)`: the called function, so that resolve can drop the site when `f`
    /// is an in-workspace function that does not return a `Result`.
    pub discarded_call: Option<Callee>,
    pub in_test: bool,
    /// The enclosing function, if any.
    pub function: Option<String>,
}

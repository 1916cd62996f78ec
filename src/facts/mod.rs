//! Per-file facts: plain, serialisable data extracted from one file's syntax tree.
//!
//! Facts are a pure function of the file's text and the [`Knowledge`](crate::knowledge::Knowledge);
//! the tree is dropped as soon as they exist. Anything that needs other files — is a called
//! function a logging helper, does an error type log in its response impl — is recorded as a
//! reference here and decided in [`resolve`](crate::resolve).

mod body;
mod calls;
mod config;
pub mod extract;
mod handlers;
mod held;
mod logcond;
mod macro_defs;
mod macros;
pub mod packed;
mod parts;
mod paths;
pub mod scope;

pub use extract::{extract, extract_file, extract_file_as};
pub use logcond::{Callee, LogCond};
pub use macro_defs::{MacroArm, MacroDef};
pub use packed::Packed;
pub use scope::{Middleware, PrintScope, Records};

use serde::{Deserialize, Serialize};

use crate::diagnostic::Span;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileFacts {
    pub fns: Vec<FnFact>,
    /// Read through [`FileFacts::sites`]: encoded by [`FileFacts::pack`].
    sites: Packed<SiteFact>,
    /// Error types with a response impl (`IntoResponse`, `ResponseError`, ...), and whether it logs.
    pub response_impls: Vec<ResponseImpl>,
    /// `type Result<T> = std::result::Result<T, Error>` style aliases: alias name → error type.
    pub result_aliases: Vec<(String, String)>,
    /// `// obsdebt: allow(..)` comments.
    pub suppressions: Vec<crate::suppress::Suppression>,
    /// Crates the file names (first segments of `use` paths and of written paths).
    pub crates_used: Vec<String>,
    /// Glob imports (`use crate::db::*`), as written.
    pub globs: Vec<Vec<String>>,
    /// Types defined in the file (structs, enums, unions, type aliases, traits).
    pub types: Vec<String>,
    /// Function paths registered as handlers (`get(h)`, `.to(h)`, `routes![h]`).
    pub registrations: Vec<Registration>,
    /// Configuration values: constants, environment reads, inline URLs and durations.
    pub config: Vec<ConfigFact>,
    /// `#[cfg(test)] mod name;` declarations (inline module path + name): the files that
    /// implement them are test code.
    pub test_mods: Vec<Vec<String>>,
    /// Other `#[cfg(..)] mod name;` declarations (inline module path + name, the cfg as written):
    /// the files that implement them are compiled only under that cfg.
    #[serde(default)]
    pub cfg_mods: Vec<(Vec<String>, String)>,
    /// Functions that read the environment variable named by their first parameter, directly or
    /// through other functions (resolved across files).
    #[serde(default)]
    pub env_helpers: Vec<EnvHelper>,
    /// Functions with a parameter named like a setting (`timeout: f64`): a literal passed there
    /// is given to that setting.
    #[serde(default)]
    pub setting_params: Vec<SettingParams>,
    /// Constants the file imports by name (`use crate::proximity::MAX_DISTANCE;`): the name and
    /// the path as written.
    #[serde(default)]
    pub const_imports: Vec<(String, Vec<String>)>,
    /// `macro_rules!` definitions, read by what their arms do.
    pub macro_defs: Vec<MacroDef>,
    /// Middleware the file installs around handlers, or defines, that logs failed responses.
    pub middleware: Vec<Middleware>,
    /// `pub use` re-exports: what a path through this module may name. Every one is kept:
    /// `#[cfg(feature)]` alternatives of one name are all possible.
    #[serde(default)]
    pub reexports: Vec<Reexport>,
}

/// `fn get_env(key: &str) -> Option<String> { env::var(key).ok() }`: reads the variable named by
/// its first parameter, itself (`direct`) or by passing it on to `calls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvHelper {
    pub name: String,
    pub direct: bool,
    pub calls: Vec<String>,
}

/// A function's parameters named like settings, by position (`self` not counted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingParams {
    /// The `impl` type, for methods and associated functions.
    pub owner: Option<String>,
    pub name: String,
    pub params: Vec<(u32, String)>,
}

/// `pub use edition::proxy;` in inline module `module` of its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reexport {
    pub module: Vec<String>,
    /// The name it is exported as; `*` for a glob.
    pub name: String,
    /// The path as written.
    pub path: Vec<String>,
}

impl FileFacts {
    /// The error-path sites, in source order.
    pub fn sites(&self) -> std::borrow::Cow<'_, [SiteFact]> {
        self.sites.read()
    }

    /// How many sites the file has.
    pub fn site_count(&self) -> usize {
        self.sites.len()
    }

    pub(crate) fn push_site(&mut self, site: SiteFact) {
        self.sites.push(site);
    }

    /// Forgets the error-path sites: code whose error paths are not the service's (generated
    /// files, build scripts, procedural macros). Its functions still resolve calls.
    pub fn drop_sites(&mut self) {
        self.sites = Packed::default();
    }

    /// Encodes the lists a run reads only a few times (see [`packed`]): the sites, and each
    /// function's calls and method names.
    pub fn pack(&mut self) {
        self.sites.pack();
        for f in &mut self.fns {
            f.calls.pack();
            f.value_methods.pack();
        }
    }

    /// Gives back the spare capacity of every list: facts of the whole workspace are held at
    /// once, and the lists grew by doubling while the tree was walked.
    pub fn shrink(&mut self) {
        for f in &mut self.fns {
            if let Some(calls) = f.calls.list_mut() {
                calls.shrink_to_fit();
            }
            if let Some(methods) = f.value_methods.list_mut() {
                methods.shrink_to_fit();
            }
            f.engines.shrink_to_fit();
            f.always_logs.shrink();
        }
        if let Some(sites) = self.sites.list_mut() {
            for s in sites.iter_mut() {
                s.logs.shrink();
                s.converts_to.shrink_to_fit();
            }
            sites.shrink_to_fit();
        }
        for r in &mut self.response_impls {
            r.logs.shrink();
        }
        for m in &mut self.macro_defs {
            for a in &mut m.arms {
                a.logs.shrink();
                a.propagates.shrink();
            }
            m.arms.shrink_to_fit();
        }
        self.macro_defs.shrink_to_fit();
        self.fns.shrink_to_fit();
        self.response_impls.shrink_to_fit();
        self.result_aliases.shrink_to_fit();
        self.suppressions.shrink_to_fit();
        self.crates_used.shrink_to_fit();
        self.globs.shrink_to_fit();
        self.types.shrink_to_fit();
        self.registrations.shrink_to_fit();
        self.config.shrink_to_fit();
        self.test_mods.shrink_to_fit();
        self.middleware.shrink_to_fit();
    }

    /// A file's facts from those of its parts, in order ([`parts`]). Each part's functions are
    /// numbered from 0: they are numbered across the file here. The sites are held encoded all
    /// along, decoded one part at a time; `None` if one cannot be encoded.
    fn from_parts(parts: Vec<FileFacts>) -> Option<FileFacts> {
        // Each list reserved at its size: grown by doubling, it would hold up to twice that.
        let mut facts = FileFacts::default();
        facts.fns.reserve_exact(parts.iter().map(|p| p.fns.len()).sum());
        facts.config.reserve_exact(parts.iter().map(|p| p.config.len()).sum());
        facts
            .registrations
            .reserve_exact(parts.iter().map(|p| p.registrations.len()).sum());
        let mut all_sites = packed::Builder::with_capacity(parts.iter().map(|p| p.sites.encoded_len()).sum());
        for part in parts {
            let FileFacts {
                fns,
                sites,
                response_impls,
                result_aliases,
                suppressions,
                crates_used,
                globs,
                types,
                registrations,
                config,
                test_mods,
                cfg_mods,
                env_helpers,
                setting_params,
                const_imports,
                macro_defs,
                middleware,
                reexports,
            } = part;
            let first_fn = facts.fns.len() as u32;
            for mut site in sites.read().into_owned() {
                site.function = site.function.map(|f| f + first_fn);
                all_sites.push(&site)?;
            }
            facts.fns.extend(fns);
            facts.response_impls.extend(response_impls);
            facts.result_aliases.extend(result_aliases);
            facts.suppressions.extend(suppressions);
            facts.crates_used.extend(crates_used);
            facts.globs.extend(globs);
            facts.types.extend(types);
            facts.registrations.extend(registrations);
            facts.config.extend(config);
            facts.test_mods.extend(test_mods);
            facts.cfg_mods.extend(cfg_mods);
            facts.env_helpers.extend(env_helpers);
            facts.setting_params.extend(setting_params);
            facts.const_imports.extend(const_imports);
            facts.macro_defs.extend(macro_defs);
            facts.middleware.extend(middleware);
            facts.reexports.extend(reexports);
        }
        // Every part sees the whole file's imports.
        facts.const_imports.sort();
        facts.const_imports.dedup();
        facts.sites = all_sites.finish()?;
        Some(facts)
    }

    /// Makes the whole file test code: nothing in it is counted, reported or per-request.
    pub fn mark_test(&mut self) {
        self.sites = Packed::default();
        self.config.clear();
        self.env_helpers.clear();
        self.setting_params.clear();
        self.registrations.clear();
        self.macro_defs.clear();
        self.middleware.clear();
        for f in &mut self.fns {
            f.is_test = true;
            f.handler = None;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigKind {
    Const,
    Static,
    /// `std::env::var("KEY")`, clap `#[arg(env = "KEY")]`, a workspace helper given the key.
    EnvRead,
    /// A URL, `host:port` or named duration written inline.
    Literal,
    /// A configuration key given its default: `set_default("metrics.port", 9001)`.
    Key,
    /// A field of a settings default: `impl Default for Metrics { .. port: 9001 .. }`, or an
    /// entry of a settings table declared through a workspace macro.
    DefaultField,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    Url,
    HostPort,
    Duration,
    Number,
    Text,
    Bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigValue {
    /// Comparable form: `num:8080`, `dur:30000`, `str:postgres://db/app`, `bool:true`.
    pub norm: String,
    /// As shown to users: `8080`, `30s`, `"postgres://db/app"`.
    pub shown: String,
    pub shape: Shape,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFact {
    pub kind: ConfigKind,
    /// The constant's name; for an inline value, the name it is given to (`timeout` in
    /// `.timeout(Duration::from_secs(30))`), if any.
    pub name: Option<String>,
    /// The environment variable read.
    pub key: Option<String>,
    /// The key, when written as a constant (`env::var(DB_URL_KEY)`).
    pub key_ref: Option<String>,
    /// The constant's value, the read's default, or the inline value.
    pub value: Option<ConfigValue>,
    /// The default, when written as a constant (`.unwrap_or(DEFAULT_PORT)`).
    pub default_ref: Option<String>,
    /// `#[cfg(..)]` around the place, as written: `cfg(debug_assertions)` and
    /// `cfg(not(debug_assertions))` definitions are alternatives, not copies.
    pub cfg: Option<String>,
    pub span: Span,
    /// A default field's struct (`Metrics`); a positional literal's callee (`Database::new`).
    #[serde(default)]
    pub owner: Option<String>,
    /// An environment read through a workspace function (`get_env("KEY")`): its name, kept
    /// when name resolution finds it is an [`EnvHelper`].
    #[serde(default)]
    pub via: Option<String>,
    /// A literal passed by position (`Database::new(path, 1.0)`): its index, named by the
    /// callee's [`SettingParams`].
    #[serde(default)]
    pub arg: Option<u32>,
}

/// How a function was found to be a handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HandlerHow {
    /// A route attribute (`#[get("/")]`, `#[handler]`, `#[oai(..)]`).
    Attribute,
    /// A tonic service method (`Request<..>` in, `Result<Response<..>, Status>` out).
    Tonic,
    /// An `async fn` with extractor parameters (`State`, `Json`, `web::Data`, ...).
    Extractor,
    /// A closure registered inline (`get(|| async { .. })`).
    Inline,
    /// A method of middleware or of a request extractor (`impl Service<ServiceRequest> for ..`'s
    /// `call`, `FromRequestParts::from_request_parts`): it runs on every request it wraps.
    Middleware,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerMark {
    pub how: HandlerHow,
    pub framework: Option<String>,
    /// `POST /users`, when the attribute or registration says.
    pub route: Option<String>,
}

/// A call inside a function body (initialisers that run once are left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSite {
    pub callee: Callee,
    /// A method called on `self`.
    pub on_self: bool,
    pub span: Span,
    /// The callee as written (`db::connect`, `self.pool`).
    pub text: String,
    /// For a method called on another value: what that value is, when the file can tell.
    #[serde(default)]
    pub recv: Option<Recv>,
}

/// What a method call's receiver is, as far as its file can tell; typed in resolve.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Recv {
    pub root: RecvRoot,
    /// Methods called on the root before this one (`prepare` in
    /// `ClientBuilder::new().prepare(..).build_with_policies(..)`).
    pub through: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecvRoot {
    /// A value of this type: a parameter's, a field's or an annotated binding's, `use` aliases
    /// expanded and shared-state wrappers (`&`, `Arc`, `web::Data`, `State`, ..) peeled. A trait
    /// (`dyn Store`, `impl Store`, `S: Store`) stands for each of its impls.
    Type(Vec<String>),
    /// The value this call returns.
    Call(Vec<String>),
}

/// A builder's finishing call on a value that a workspace function returned
/// (`http::client_builder(..).timeout(..).build()`): an engine when that function returns a
/// builder ([`FnFact::returns_builder`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEngine {
    /// The function's path, as the call names it.
    pub root: Vec<String>,
    pub method: String,
    /// The root call's span.
    pub span: Span,
    pub text: String,
}

/// The engine builder a function returns unfinished (`fn client_builder() -> reqwest::ClientBuilder`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnsBuilder {
    pub builds: String,
    /// Globs on the names of the methods that finish it (`build`).
    pub finish: Vec<String>,
}

/// An engine constructor call inside a function body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineSite {
    /// What it builds ("a sqlx connection pool").
    pub builds: String,
    /// The constructor as written (`PgPoolOptions::new()…connect`).
    pub text: String,
    pub span: Span,
    /// Matched through a glob import of this bare name: void if the workspace defines a type so named.
    pub via_glob: Option<String>,
}

/// A function path handed to a routing call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub path: Vec<String>,
    /// Inline module the registration is written in.
    pub module: Vec<String>,
    /// `GET`, `POST`, ... when the routing call says.
    pub method: Option<String>,
    pub route: Option<String>,
    pub framework: Option<String>,
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
    /// The name's location.
    pub span: Span,
    pub handler: Option<HandlerMark>,
    /// `main`, `#[tokio::main]`, `#[launch]`: runs once.
    pub startup: bool,
    /// The owner is a trait (a default method).
    pub in_trait: bool,
    /// Read with `.read()`: encoded by [`FileFacts::pack`].
    pub calls: Packed<CallSite>,
    /// Methods called on values other than `self`: not followed without types, counted.
    pub value_methods: Packed<String>,
    pub engines: Vec<EngineSite>,
    /// The declared return type is a `Result` (or a `Result` alias); `None` when unknown.
    pub returns_result: Option<bool>,
    /// Calls whose error the body passes on with a bare `?` (at most 64), with the line of the
    /// method's name for a method call (to find its [`CallSite`]).
    #[serde(default)]
    pub try_sources: Vec<(Callee, Option<u32>)>,
    /// The declared error type's name (`StoreError`), when written.
    pub err_type: Option<String>,
    /// A method whose declared return type is `Self` or its owner (`fn with_code(self, ..) ->
    /// Self`): a builder that keeps the value's type.
    pub returns_self: bool,
    pub is_test: bool,
    /// For a method of a trait impl, the trait (its last segment).
    #[serde(default)]
    pub trait_impl: Option<String>,
    /// The declared return type's path, `Result`/`Option` and shared-state wrappers peeled,
    /// `Self` named: what a method called on the returned value belongs to.
    #[serde(default)]
    pub ret_type: Option<Vec<String>>,
    #[serde(default)]
    pub returns_builder: Option<ReturnsBuilder>,
    /// Finishing calls on values workspace functions returned, decided in resolve.
    #[serde(default)]
    pub pending: Vec<PendingEngine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseImpl {
    /// The error type's last path segment (`AppError`).
    pub type_name: String,
    pub logs: LogCond,
}

/// Where a site's `Result` comes from, and what the site does with the error beyond its outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The producer is a probe (`[sources] probes`): its `Err` is an answer about a value.
    pub probe: bool,
    /// The producer is known to return a `Result` that errs operationally (`[sources] results`).
    pub known_result: bool,
    /// The `Result` is the output of an awaited call: a future, so I/O.
    pub awaited: bool,
    /// The value is a binding declared with a `Result` type: a `Result`, of unknown origin.
    pub typed_result: bool,
    /// The site's form is not a `Result` by construction (`.unwrap_or(..)`, `.is_ok()`): it is
    /// a site only when the producer is known to return one.
    pub needs_result: bool,
    /// The path ignores the error and answers with an unrelated error or a 4xx instead
    /// (`Err(_) => Err(NotFound)`, `.ok().ok_or(Invalid)?`): an ending, when the error was a failure.
    pub replaced: bool,
    /// The producer's error says no more than that it happened (`[sources] bare`: a channel's,
    /// a caught panic's, a timeout's): a log line without it loses nothing.
    pub bare: bool,
}

/// Where an `Err` is received.
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
    /// `tokio::spawn(fallible());` with the `JoinHandle` dropped: the task's `Result` is lost.
    /// Kept only when the spawned function is known to return a `Result` (decided in resolve).
    DetachedTask,
    /// A 5xx response built outside any other error path.
    ServerError,
    /// `.is_ok()` / `.is_err()` on a `Result`: a test that drops the error.
    Test,
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
    /// What the extractor knows of where the `Result` comes from; decided further in resolve.
    #[serde(default)]
    pub origin: Origin,
    /// Workspace macros that may end the path (`Err(e) => err!(..)`): when one of them returns
    /// an `Err` in every arm, the path propagates ([`LogCond::Macro`] means "propagates" here).
    pub propagates_if: LogCond,
    /// Methods called on the error value in what the path leaves with (`e.with_code(500)`):
    /// when each is a `Self`-returning method of logging error types only, the value is still
    /// a logging error.
    pub builder: Vec<String>,
    /// The `Result` is a lock's (`m.lock()`, `rw.read()`, `rw.write()`): its only error is
    /// poisoning, whose cause is the panic already printed.
    pub lock_poison: bool,

    pub in_test: bool,
    /// The enclosing function, as an index into [`FileFacts::fns`].
    pub function: Option<u32>,
    /// The path's log lines carry the error value if this holds: a log macro names it (`Yes`),
    /// or a helper or workspace macro handed it always logs. `No` when the pattern drops the
    /// error (`Err(_)`, the `else` of `if let Ok`) or nothing that logs is given it. Read only
    /// for a site that logs (`log-without-error`).
    pub cause: LogCond,
    /// The name the path holds the error under (`e` in `Err(e)`, `|e|`); `None` when the
    /// pattern drops it, or the site has no pattern.
    pub binding: Option<String>,
    /// Where a fix may write the missing log line, or add the error to one (`rules::fix`).
    pub repair: Option<Repair>,
}

/// A position in a file: 1-based line, 1-based column in characters (as in [`Span`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// What a fix needs to know of a site's path, found while its syntax tree is at hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repair {
    /// Where a new log statement goes.
    pub slot: Option<Slot>,
    /// The `_` that drops the error (`Err(_)`, `|_|`): renamed to `name` by the fix.
    pub rename: Option<Span>,
    /// The name the fix gives the error: its binding, or what `rename` makes it.
    pub name: String,
    /// The log macro calls on the path, where the error can be added to one.
    pub log_lines: Vec<LogLine>,
}

/// A place for a new log statement on a site's path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Slot {
    /// First in a block: just after its `{` at `at`, on a new line with this indentation, or on
    /// the same line (`None`: a block written on one line).
    Block { at: Pos, indent: Option<String> },
    /// An expression body (`Err(e) => 0`, `|e| 0`) from `start` to `end`: wrapped in a block
    /// with the statement first.
    Wrap { start: Pos, end: Pos },
    /// A method call inserted before the `.` at `at` (`.inspect_err(|e| …)` before `.ok()`).
    Chain { at: Pos },
}

/// A log macro call on a site's path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    /// Just after the macro's opening bracket.
    pub open: Pos,
    /// Just before the closing quote of its first string literal, when that is a plain `"…"`.
    pub literal_end: Option<Pos>,
    /// It starts with a `key:` (tracing's `target:`, `parent:`, `name:`), which must stay first.
    pub keyed: bool,
    /// The logging crate its path names (`tracing`, `log`), if it names one.
    pub krate: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_sites_read_back_unchanged_and_test_marking_clears_them() {
        let k = crate::knowledge::Knowledge::defaults();
        let src = "fn f() { let _ = a(); b().ok(); match c() { Ok(v) => v, Err(_) => 0 }; }\n";
        let plain = extract_file(src, &k, false).unwrap();
        assert_eq!(plain.site_count(), 3);
        let mut packed = plain.clone();
        packed.pack();
        assert!(
            matches!(packed.sites, Packed::Encoded { .. }),
            "the plain list is freed"
        );
        assert_eq!(packed.site_count(), 3);
        assert_eq!(packed.sites().as_ref(), plain.sites().as_ref());
        packed.pack();
        assert_eq!(
            packed.sites().as_ref(),
            plain.sites().as_ref(),
            "packing twice changes nothing"
        );
        packed.mark_test();
        assert_eq!(packed.site_count(), 0);
        assert!(packed.sites().is_empty());
    }
}

/// Why a file was not analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileError {
    /// obsdebt itself failed on the file (a bug): the panic's message.
    Internal(String),
    /// The file could not be read (the OS reason).
    Io(String),
    /// Not UTF-8 text.
    Utf8(String),
    /// syn could not parse it.
    Parse { message: String, span: Span },
    /// Larger than obsdebt reads ([`crate::input::MAX_SOURCE`]): its size in bytes.
    TooLarge(u64),
}

impl FileError {
    pub fn message(&self) -> String {
        match self {
            FileError::Io(m) => format!("cannot read the file: {m}"),
            FileError::Internal(m) => format!("obsdebt failed while analysing this file: {m}"),
            FileError::Utf8(m) => format!("the file is not valid UTF-8: {m}"),
            FileError::Parse { message, .. } => format!("cannot parse the file: {message}"),
            FileError::TooLarge(size) => format!(
                "the file is too large to analyse: {}; obsdebt reads source files up to {} MiB",
                crate::input::show_size(*size),
                crate::input::MAX_SOURCE >> 20
            ),
        }
    }

    pub fn span(&self) -> Span {
        match self {
            FileError::Parse { span, .. } => *span,
            _ => Span {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            },
        }
    }
}

//! Ecosystem knowledge: which macros log, which expressions build 5xx responses, which discards
//! are benign, what marks a handler, which calls build engines. The defaults live in
//! `rules/*.toml`, embedded here; `lint.toml` extends them.

pub mod config;
pub mod engines;
pub mod handlers;
pub mod service;

pub use config::ConfigKnowledge;
pub use engines::{path_matches, Engines};
pub use handlers::Handlers;
pub use service::{NumericStatus, ServiceLogging, StatusPattern};

use serde::Deserialize;

/// The default knowledge base, as shipped in `rules/logging.toml`.
pub const LOGGING_TOML: &str = include_str!("../../rules/logging.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoggingFile {
    logging: LoggingSection,
    propagation: PropagationSection,
    responses: ResponsesSection,
    status: StatusSection,
    service_logging: service::Section,
    discards: DiscardsSection,
    sources: SourcesSection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoggingSection {
    crates: Vec<String>,
    macros: Vec<String>,
    bare_macros: Vec<String>,
    print_macros: Vec<String>,
    server_crates: Vec<String>,
    functions: Vec<String>,
    exits: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PropagationSection {
    macros: Vec<String>,
    panic_macros: Vec<String>,
    panic_methods: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponsesSection {
    traits: Vec<String>,
    from_targets: Vec<String>,
    status_only_methods: Vec<String>,
    code_types: Vec<String>,
    body_types: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusSection {
    server_errors: Vec<String>,
    server_errors_in_error_paths: Vec<String>,
    numeric: Vec<String>,
    client_errors: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiscardsSection {
    benign: Vec<String>,
    not_results: Vec<String>,
    lock_methods: Vec<String>,
    cleanup: Vec<String>,
    spawn: Vec<String>,
    channel_sends: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesSection {
    results: Vec<String>,
    probes: Vec<String>,
    bare: Vec<String>,
}

/// A call that produces a `Result` (see `rules/logging.toml`, `[sources]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourcePattern {
    /// A function path matched on its trailing segments; a `*` segment matches any one segment,
    /// a segment ending in `*` any segment starting so.
    Call(Vec<String>),
    /// `krate::**`: any function whose path starts with these segments.
    Prefix(Vec<String>),
    /// A method by name (`name*`: by prefix); `args`: with arguments (`Some(true)`), without
    /// (`Some(false)`), either (`None`).
    Method { name: String, args: Option<bool> },
}

fn segment_matches(pattern: &str, segment: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => segment.starts_with(prefix),
        None => pattern == segment,
    }
}

impl SourcePattern {
    pub fn parse(text: &str) -> Result<SourcePattern, String> {
        let text = text.trim();
        if let Some(method) = text.strip_prefix('.') {
            let (name, args) = if let Some(name) = method.strip_suffix("(_)") {
                (name, Some(true))
            } else if let Some(name) = method.strip_suffix("()") {
                (name, Some(false))
            } else {
                (method, None)
            };
            if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '*') {
                return Err(format!(
                    "`{text}` is not a method pattern (`.load(_)`, `.send()`, `.parse`)"
                ));
            }
            return Ok(SourcePattern::Method {
                name: name.to_string(),
                args,
            });
        }
        let mut segments: Vec<String> = text.trim_start_matches("::").split("::").map(str::to_string).collect();
        let prefix = segments.len() > 1 && segments.last().is_some_and(|s| s == "**");
        if prefix {
            segments.pop();
        }
        if segments.iter().any(|s| s.is_empty() || s == "**") {
            return Err(format!(
                "`{text}` is neither a function path (`fs::*`, `serde_json::from_str`) nor a method (`.load(_)`)"
            ));
        }
        Ok(if prefix {
            SourcePattern::Prefix(segments)
        } else {
            SourcePattern::Call(segments)
        })
    }

    /// Whether a call matches: `path` is the callee (a method's name alone when `method`), `args`
    /// whether it was given arguments.
    pub fn matches(&self, path: &[String], method: bool, args: bool) -> bool {
        match self {
            SourcePattern::Method { name, args: want } => {
                method && path.last().is_some_and(|m| segment_matches(name, m)) && want.is_none_or(|w| w == args)
            }
            SourcePattern::Prefix(prefix) => !method && path.len() > prefix.len() && path.starts_with(prefix),
            SourcePattern::Call(pattern) => {
                !method
                    && path.len() >= pattern.len()
                    && path[path.len() - pattern.len()..]
                        .iter()
                        .zip(pattern)
                        .all(|(s, p)| p == "*" || segment_matches(p, s))
            }
        }
    }
}

/// A path written as segments, matched on its trailing segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern(pub Vec<String>);

impl PathPattern {
    pub fn parse(text: &str) -> PathPattern {
        PathPattern(
            text.trim()
                .trim_start_matches("::")
                .split("::")
                .map(str::to_string)
                .collect(),
        )
    }

    /// `std::env::var` is matched by `env::var` and by `std::env::var`.
    pub fn matches(&self, path: &[String]) -> bool {
        path.len() >= self.0.len() && path[path.len() - self.0.len()..] == self.0[..]
    }
}

/// One benign-discard pattern (see `rules/logging.toml`, `[discards]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BenignPattern {
    Call(PathPattern),
    /// `receiver` is a glob on the receiver's last name.
    Method {
        receiver: Glob,
        method: String,
    },
    Macro(String),
}

impl BenignPattern {
    pub fn parse(text: &str) -> Result<BenignPattern, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty pattern matches nothing".into());
        }
        if let Some(name) = text.strip_suffix('!') {
            return Ok(BenignPattern::Macro(
                name.rsplit("::").next().unwrap_or(name).to_string(),
            ));
        }
        if text.contains("::") || (!text.contains('.') && !text.contains('*')) {
            return Ok(BenignPattern::Call(PathPattern::parse(text)));
        }
        match text.rsplit_once('.') {
            Some((receiver, method)) if !method.is_empty() && !receiver.is_empty() => {
                Ok(BenignPattern::Method {
                    receiver: Glob::new(receiver),
                    method: method.to_string(),
                })
            }
            _ => Err(format!(
                "`{text}` is neither a function (`std::env::var`, `dotenv`), a method (`*tx.send`) nor a macro (`write!`)"
            )),
        }
    }
}

/// A pattern of the knowledge base: `*` matches any run of characters (`::` and `.` included),
/// every other character matches itself. Compiled once, when the knowledge is loaded, into the
/// literal pieces between its stars; matching finds each piece after the one before, the first
/// at the start and the last at the end, so it takes time linear in the text and the pattern
/// (trying every split at each star was exponential in the number of stars).
#[derive(Clone, PartialEq, Eq)]
pub struct Glob {
    source: String,
    /// The text split at each `*`: one piece when there is no star.
    pieces: Vec<String>,
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        Glob {
            source: pattern.to_string(),
            pieces: pattern.split('*').map(str::to_string).collect(),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The text a pattern without `*` matches exactly.
    pub fn literal(&self) -> Option<&str> {
        (self.pieces.len() == 1).then_some(self.source.as_str())
    }

    pub fn is_match(&self, text: &str) -> bool {
        let (first, rest) = match self.pieces.split_first() {
            Some((first, rest)) => (first.as_str(), rest),
            None => ("", &[][..]),
        };
        let Some((last, middle)) = rest.split_last() else {
            return text == first;
        };
        // The first and last pieces are anchored and must not overlap.
        if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last.as_str()) {
            return false;
        }
        let mut inner = &text[first.len()..text.len() - last.len()];
        // Taking each piece at its leftmost place leaves the most room for the ones after it.
        for piece in middle {
            match inner.find(piece.as_str()) {
                Some(at) => inner = &inner[at + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

/// Shown as the pattern it was written as: the knowledge's digest (cache keys) reads it so.
impl std::fmt::Debug for Glob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.source.fmt(f)
    }
}

/// The knowledge the extractor consults, defaults merged with the project's `lint.toml`.
#[derive(Debug, Clone)]
pub struct Knowledge {
    pub log_crates: Vec<String>,
    pub log_macros: Vec<String>,
    pub bare_log_macros: Vec<String>,
    /// Extra logging macros from `lint.toml`, as paths (a bare name is a one-segment path).
    pub extra_log_macros: Vec<PathPattern>,
    pub print_macros: Vec<String>,
    pub print_counts: bool,
    /// Crates that make a package a server (its prints are not reports to a user).
    pub server_crates: Vec<String>,
    pub log_functions: Vec<PathPattern>,
    /// Calls that end the process (`std::process::exit`): a path that reports to the operator
    /// and then ends the process has reported its error.
    pub exit_functions: Vec<PathPattern>,
    pub propagate_macros: Vec<PathPattern>,
    pub panic_macros: Vec<String>,
    pub panic_methods: Vec<String>,
    pub response_traits: Vec<String>,
    pub response_from_targets: Vec<String>,
    pub status_only_methods: Vec<String>,
    /// Types that are a status code, not a response (`*Code`).
    pub code_types: Vec<Glob>,
    pub server_errors: Vec<StatusPattern>,
    pub server_errors_in_error_paths: Vec<StatusPattern>,
    /// Calls that build a status from a number.
    pub numeric_status: Vec<NumericStatus>,
    pub client_errors: Vec<StatusPattern>,
    pub service_logging: ServiceLogging,
    /// Types whose value is a response body sent to the client (`Json`, `Html`).
    pub body_types: Vec<String>,
    pub benign: Vec<BenignPattern>,
    /// Best-effort cleanup calls: benign only when their error is dropped outright.
    pub cleanup: Vec<BenignPattern>,
    /// Names of calls that do not return a `Result` (for `let _ =`).
    pub not_results: Vec<String>,
    /// Calls whose `Result` errs with an operational failure.
    pub result_sources: Vec<SourcePattern>,
    /// Calls whose `Err` is an answer about a value.
    pub probe_sources: Vec<SourcePattern>,
    /// Calls whose error says no more than that it happened (`[sources] bare`): a channel's, a
    /// caught panic's, a timeout's.
    pub bare_sources: Vec<SourcePattern>,
    /// Channel send methods: one whose message is a `Result` or `()` answers a waiting caller.
    pub channel_sends: Vec<String>,
    /// Functions that start a detached task and return its handle (`tokio::spawn`).
    pub spawn: Vec<PathPattern>,
    /// Methods with no arguments whose `Result` is a lock's: its error is poisoning.
    pub lock_methods: Vec<String>,
    /// Count error paths in test code too.
    pub include_tests: bool,
    pub handlers: Handlers,
    pub engines: Engines,
    pub config: ConfigKnowledge,
    /// Indexes over the patterns above, built on first use.
    pub index: Index,
}

/// Indexes built from the patterns on first use, so that most names are rejected with one
/// lookup instead of a try of every pattern. Knowledge is settled before analysis starts (the
/// defaults merged with `lint.toml`); a clone starts without them, and they take no part in
/// the knowledge's digest.
#[derive(Default)]
pub struct Index(std::sync::OnceLock<Indexes>);

pub struct Indexes {
    /// The last segment of every status pattern.
    pub status_lasts: rustc_hash::FxHashSet<String>,
    /// Engine constructors by their first segment (the crate) when it has no `*`; the
    /// indexes of those whose first segment has one.
    engine_roots: rustc_hash::FxHashMap<String, Vec<usize>>,
    engine_root_globs: Vec<(Glob, Vec<usize>)>,
    /// Builders' finishing methods (constructors' and builder types'), likewise.
    finish_names: rustc_hash::FxHashSet<String>,
    finish_globs: Vec<Glob>,
}

impl Indexes {
    /// The engine constructors (indexes into `engines.constructors`, in order) whose crate
    /// segment matches `first`.
    pub fn engine_constructors(&self, first: &str) -> std::borrow::Cow<'_, [usize]> {
        use std::borrow::Cow;
        let exact = self.engine_roots.get(first).map_or(&[][..], Vec::as_slice);
        let mut globbed = self
            .engine_root_globs
            .iter()
            .filter(|(g, _)| g.is_match(first))
            .map(|(_, ids)| ids.as_slice());
        // Most calls name no engine crate and match one catch-all pattern: no list is built.
        let Some(one) = globbed.next() else {
            return Cow::Borrowed(exact);
        };
        let rest: Vec<&[usize]> = globbed.collect();
        if exact.is_empty() && rest.is_empty() {
            return Cow::Borrowed(one);
        }
        let mut out: Vec<usize> = exact
            .iter()
            .chain(one)
            .chain(rest.into_iter().flatten())
            .copied()
            .collect();
        out.sort_unstable();
        Cow::Owned(out)
    }

    /// Whether some builder's finishing method has this name.
    pub fn is_finish_name(&self, name: &str) -> bool {
        self.finish_names.contains(name) || self.finish_globs.iter().any(|g| g.is_match(name))
    }
}

/// Splits globs into the names they match exactly and the ones with a `*`.
fn split_literals<'g>(globs: impl Iterator<Item = &'g Glob>) -> (rustc_hash::FxHashSet<String>, Vec<Glob>) {
    let mut names = rustc_hash::FxHashSet::default();
    let mut wild = Vec::new();
    for g in globs {
        match g.literal() {
            Some(name) => {
                names.insert(name.to_string());
            }
            // Many constructors share a finishing glob (`build*`): each is tried once.
            None if !wild.iter().any(|w: &Glob| w.source == g.source) => wild.push(g.clone()),
            None => {}
        }
    }
    (names, wild)
}

impl Clone for Index {
    fn clone(&self) -> Index {
        Index::default()
    }
}

impl std::fmt::Debug for Index {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

impl Knowledge {
    pub fn indexes(&self) -> &Indexes {
        self.index.0.get_or_init(|| {
            let status_lasts = self
                .server_errors
                .iter()
                .chain(&self.server_errors_in_error_paths)
                .chain(&self.client_errors)
                .filter_map(|p| p.last().map(str::to_string))
                .collect();
            let e = &self.engines;
            let mut engine_roots: rustc_hash::FxHashMap<String, Vec<usize>> = Default::default();
            let mut engine_root_globs = Vec::new();
            for (i, c) in e.constructors.iter().enumerate() {
                match c.root.first().map(|g| g.literal()) {
                    Some(Some(name)) => engine_roots.entry(name.to_string()).or_default().push(i),
                    Some(None) => {
                        let root = &c.root[0];
                        match engine_root_globs
                            .iter_mut()
                            .find(|(g, _): &&mut (Glob, Vec<usize>)| g.source == root.source)
                        {
                            Some((_, ids)) => ids.push(i),
                            None => engine_root_globs.push((root.clone(), vec![i])),
                        }
                    }
                    // An empty root matches nothing.
                    None => {}
                }
            }
            let (finish_names, finish_globs) = split_literals(
                e.constructors
                    .iter()
                    .filter_map(|c| c.method.as_ref())
                    .chain(e.builders.iter().flat_map(|b| &b.finish)),
            );
            Indexes {
                status_lasts,
                engine_roots,
                engine_root_globs,
                finish_names,
                finish_globs,
            }
        })
    }
}

impl Knowledge {
    /// The embedded defaults. A broken embedded file is a build defect caught by the tests.
    pub fn defaults() -> Knowledge {
        let file: LoggingFile = toml::from_str(LOGGING_TOML).expect("rules/logging.toml is valid (checked by tests)");
        let paths = |v: &[String]| v.iter().map(|s| PathPattern::parse(s)).collect::<Vec<_>>();
        let sources = |v: &[String]| {
            v.iter()
                .map(|s| SourcePattern::parse(s).expect("embedded source patterns are valid"))
                .collect::<Vec<_>>()
        };
        let statuses = |v: &[String]| v.iter().map(|s| StatusPattern::parse(s)).collect::<Vec<_>>();
        Knowledge {
            log_crates: file.logging.crates,
            log_macros: file.logging.macros,
            bare_log_macros: file.logging.bare_macros,
            extra_log_macros: Vec::new(),
            print_macros: file.logging.print_macros,
            print_counts: false,
            server_crates: file.logging.server_crates,
            log_functions: paths(&file.logging.functions),
            exit_functions: paths(&file.logging.exits),
            propagate_macros: paths(&file.propagation.macros),
            panic_macros: file.propagation.panic_macros,
            panic_methods: file.propagation.panic_methods,
            response_traits: file.responses.traits,
            response_from_targets: file.responses.from_targets,
            status_only_methods: file.responses.status_only_methods,
            code_types: file.responses.code_types.iter().map(|s| Glob::new(s)).collect(),
            server_errors: statuses(&file.status.server_errors),
            server_errors_in_error_paths: statuses(&file.status.server_errors_in_error_paths),
            numeric_status: file.status.numeric.iter().map(|s| NumericStatus::parse(s)).collect(),
            client_errors: statuses(&file.status.client_errors),
            service_logging: ServiceLogging::from_section(file.service_logging),
            body_types: file.responses.body_types,
            benign: file
                .discards
                .benign
                .iter()
                .map(|s| BenignPattern::parse(s).expect("embedded benign patterns are valid"))
                .collect(),
            cleanup: file
                .discards
                .cleanup
                .iter()
                .map(|s| BenignPattern::parse(s).expect("embedded cleanup patterns are valid"))
                .collect(),
            not_results: file.discards.not_results,
            result_sources: sources(&file.sources.results),
            probe_sources: sources(&file.sources.probes),
            bare_sources: sources(&file.sources.bare),
            lock_methods: file.discards.lock_methods,
            spawn: paths(&file.discards.spawn),
            channel_sends: file.discards.channel_sends,
            include_tests: false,
            handlers: Handlers::defaults(),
            engines: Engines::defaults(),
            config: ConfigKnowledge::defaults(),
            index: Index::default(),
        }
    }

    /// A stable digest of everything that changes what the extractor produces (for caches).
    pub fn digest(&self) -> u64 {
        crate::diagnostic::fnv1a(format!("{self:?}").as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The matcher as it was first written: every split tried at each star (exponential).
    fn backtracking(pattern: &str, text: &str) -> bool {
        fn rec(p: &[u8], t: &[u8]) -> bool {
            match p.split_first() {
                None => t.is_empty(),
                Some((b'*', rest)) => (0..=t.len()).any(|i| rec(rest, &t[i..])),
                Some((c, rest)) => t.first() == Some(c) && rec(rest, &t[1..]),
            }
        }
        rec(pattern.as_bytes(), text.as_bytes())
    }

    #[test]
    fn globs_match_as_written() {
        let cases = [
            ("CARGO_*", "CARGO_PKG_VERSION", true),
            ("CARGO_*", "CARGO", false),
            ("*tx.send", "tx.send", true),
            ("*.example.com", "api.example.com", true),
            ("*.example.com", "example.com", false),
            ("crate::api::*", "crate::api::v1::list", true),
            ("a*a", "a", false),
            ("*", "", true),
            ("**", "x::y", true),
            ("HOST", "HOSTS", false),
            ("*é*", "café", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(Glob::new(p).is_match(t), want, "{p} on {t}");
            assert_eq!(backtracking(p, t), want, "{p} on {t}");
        }
        assert_eq!(format!("{:?}", Glob::new("*tx.send")), "\"*tx.send\"");
    }

    #[test]
    fn many_stars_on_a_long_text_end_at_once() {
        // Backtracking tries every way to split 300 characters among 15 stars: it ran for minutes.
        let text = "a".repeat(300);
        assert!(!Glob::new(&format!("{}b", "*a".repeat(15))).is_match(&text));
        assert!(Glob::new(&format!("{}*", "*a".repeat(15))).is_match(&text));
        let long = format!("crate::{}::handler", "m::".repeat(10_000));
        assert!(Glob::new(&"crate::*".repeat(15)).is_match(&long.replace("m::", "crate::m::")));
        assert!(!Glob::new(&format!("{}x", "*::".repeat(15))).is_match(&long));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]
        #[test]
        fn pieces_match_as_backtracking_did(
            p in prop::collection::vec(0..4usize, 0..8),
            t in prop::collection::vec(0..3usize, 0..10),
        ) {
            let p: String = p.iter().map(|&c| char::from(b"ab:*"[c])).collect();
            let t: String = t.iter().map(|&c| char::from(b"ab:"[c])).collect();
            prop_assert_eq!(Glob::new(&p).is_match(&t), backtracking(&p, &t), "{} on {}", p, t);
        }
    }
}

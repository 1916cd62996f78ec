//! The extractor: one pass over a file's syntax tree that records functions, response impls and
//! every error-path site with what this file alone can tell about it.

use rustc_hash::FxHashMap as HashMap;

use proc_macro2::Span as PmSpan;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Attribute, BinOp, Expr, ExprMethodCall, ReturnType, Type};

use super::body::{
    self, always_logs_block, bindings, combinator, error_arms, if_let_kind, is_specific_err_pat, is_variant_pat,
    let_else, type_of_constructor, BodyRef, Env, IfLet, Status,
};
use super::logcond::{Callee, LogCond};
use super::macros::MacroBody;
use super::paths::{
    self, expr_path, generic_types, last_name, segments, span_of, span_one_line, span_whole, strip_await, LineIndex,
    UseMap,
};
use super::scope::PrintScope;
use super::{
    calls, handlers, FileFacts, FnFact, HandlerHow, HandlerMark, LogLine, Origin, Outcome, Repair, ResponseImpl,
    SiteFact, SiteKind, Slot,
};
use crate::knowledge::{BenignPattern, Knowledge, SourcePattern};

/// Parses `source` and extracts its facts. The tree is dropped before returning. A large file is
/// parsed and analysed in parts, a few items at a time ([`super::parts`]), and this thread's
/// proc-macro2 spans are then dropped: no syn tree may be alive on the calling thread.
pub fn extract_file(source: &str, k: &Knowledge, test_target: bool) -> Result<FileFacts, syn::Error> {
    extract_file_as(source, k, test_target, PrintScope::Service)
}

/// [`extract_file`] for a file whose print macros report to a user as `prints` says. A file
/// whose first lines say `@generated` has no error-path sites.
pub fn extract_file_as(
    source: &str,
    k: &Knowledge,
    test_target: bool,
    prints: PrintScope,
) -> Result<FileFacts, syn::Error> {
    let mut facts = None;
    if source.len() >= super::parts::PARTS_FROM {
        facts = super::parts::extract_in_parts(source, k, test_target, prints, super::parts::PART_SIZE);
    }
    let mut facts = match facts {
        Some(f) => f,
        None => extract_as(&syn::parse_file(source)?, source, k, test_target, prints),
    };
    if super::scope::is_generated(source) {
        facts.drop_sites();
    }
    Ok(facts)
}

/// Extracts the facts of a parsed file. `test_target` marks a file of a Cargo test, bench or
/// example target, whose error paths are test code.
pub fn extract(file: &syn::File, source: &str, k: &Knowledge, test_target: bool) -> FileFacts {
    extract_as(file, source, k, test_target, PrintScope::Service)
}

fn extract_as(file: &syn::File, source: &str, k: &Knowledge, test_target: bool, prints: PrintScope) -> FileFacts {
    let mut scope = FileScope::new(UseMap::build(file), k, has_test_attr(&file.attrs)).printing(prints);
    scope.fields = super::held::fields_of(file);
    let facts = extract_items(file, source, k, test_target, &scope);
    scope.finish(facts)
}

/// What the method called on an `.ok()` does with the `None` it may get.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OkUse {
    /// `.ok().ok_or(..)`: another error takes the place of the error.
    Replaced,
    /// `.ok().unwrap()`: panics on it.
    Panics,
}

/// What the items of a file share: its `use` map, the crates it names, its framework, and
/// whether the file is test code (`#![cfg(test)]`).
pub(super) struct FileScope {
    uses: UseMap,
    /// Struct fields declared in the file.
    pub(super) fields: super::held::Fields,
    crates_used: Vec<String>,
    framework: Option<String>,
    test_file: bool,
    /// Print macros count as logging in this file.
    prints: bool,
}

impl FileScope {
    /// Print macros count as logging when `prints` says so for this file's framework.
    pub(super) fn printing(mut self, prints: PrintScope) -> FileScope {
        self.prints = prints.prints(self.framework.as_deref());
        self
    }

    pub(super) fn new(uses: UseMap, k: &Knowledge, test_file: bool) -> FileScope {
        let crates_used: Vec<String> = uses.roots.iter().cloned().collect();
        let framework = k.handlers.framework_of(&crates_used).map(|f| f.name.clone());
        FileScope {
            uses,
            fields: Default::default(),
            crates_used,
            framework,
            test_file,
            prints: false,
        }
    }

    /// The file's facts, once every item's are in `facts`.
    pub(super) fn finish(self, mut facts: FileFacts) -> FileFacts {
        facts.crates_used = self.crates_used;
        facts.globs = self.uses.globs;
        facts.types.sort();
        facts.types.dedup();
        facts.shrink();
        facts
    }
}

/// The facts of the items of `file`, a whole file or a part of one whose text is `source`.
/// Every fact builder reads a macro's body from one store ([`super::macros::with_bodies`]).
pub(super) fn extract_items(
    file: &syn::File,
    source: &str,
    k: &Knowledge,
    test_target: bool,
    scope: &FileScope,
) -> FileFacts {
    super::macros::with_bodies(|| extract_items_once(file, source, k, test_target, scope))
}

fn extract_items_once(
    file: &syn::File,
    source: &str,
    k: &Knowledge,
    test_target: bool,
    scope: &FileScope,
) -> FileFacts {
    let mut shared = Shared {
        k,
        framework: scope.framework.clone(),
        in_trait_impl: Vec::new(),
        impl_traits: Vec::new(),
        uses: &scope.uses,
        fields: &scope.fields,
        lines: LineIndex::new(source),
        facts: FileFacts::default(),
        fns: Vec::new(),
        module: Vec::new(),
        owners: Vec::new(),
        test_depth: usize::from(test_target || scope.test_file),
        ok_consumed: HashMap::default(),
        test_logs: HashMap::default(),
        crates_used: &scope.crates_used,
        prints: scope.prints,
        deferred: 0,
    };
    let mut x = Extractor {
        sh: &mut shared,
        scopes: Vec::new(),
        locals: Vec::new(),
        config_names: Vec::new(),
        result_names: Vec::new(),
        fn_block: None,
        site_depth: 0,
        comparison: 0,
    };
    x.visit_file(file);
    let mut facts = shared.facts;
    if !test_target || k.include_tests {
        let env = Env {
            k,
            uses: &scope.uses,
            prints: false,
            pieces: false,
        };
        let mut config = super::config::ConfigCollector::new(&env);
        config.visit_file(file);
        facts.config = config.out;
        facts.cfg_mods = config.cfg_mods;
        facts.env_helpers = config.env_helpers;
        facts.setting_params = config.setting_params;
        let mut imports: Vec<(String, Vec<String>)> = scope
            .uses
            .aliases
            .iter()
            .filter(|(name, path)| {
                path.len() > 1
                    && name.chars().any(|c| c.is_ascii_uppercase())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            })
            .map(|(n, p)| (n.clone(), p.clone()))
            .collect();
        imports.sort();
        facts.const_imports = imports;
    }
    facts
}

struct FnCtx {
    /// Index of the function's fact in `facts.fns`.
    index: u32,
    err_type: Option<String>,
    instrument_err: bool,
    /// A method like `ResponseError::status_code` that only names a status.
    status_only: bool,
    /// `main` and the like: what it prints, its operator reads.
    startup: bool,
}

struct Shared<'k> {
    k: &'k Knowledge,
    /// The web framework the file uses, if any.
    framework: Option<String>,
    /// For each enclosing `impl`: is it a trait impl?
    in_trait_impl: Vec<bool>,
    /// For each enclosing `impl`: the trait it implements (its last segment).
    impl_traits: Vec<Option<String>>,
    uses: &'k UseMap,
    /// Struct fields declared in the file, for `self.field` receivers.
    fields: &'k super::held::Fields,
    lines: LineIndex<'k>,
    facts: FileFacts,
    fns: Vec<FnCtx>,
    module: Vec<String>,
    owners: Vec<Option<String>>,
    test_depth: usize,
    /// Logging in the branches of an `if` that tests a `Result` (`if r.is_err() { .. }`), by the
    /// test's address.
    test_logs: HashMap<usize, (LogCond, LogCond)>,
    /// `.ok()` calls consumed by the method called on them, by address.
    ok_consumed: HashMap<usize, OkUse>,
    /// Crates the file names (the roots of its paths), for every function's call collector.
    crates_used: &'k [String],
    /// Print macros count as logging in the whole file.
    prints: bool,
    /// Closures and async blocks around the node: in `main`, what runs there is not start-up.
    deferred: usize,
}

impl Shared<'_> {
    /// Print macros report to the program's user here: in the whole file, or directly in `main`
    /// (not in the closures and tasks it starts).
    fn prints_here(&self) -> bool {
        self.prints || (self.deferred == 0 && self.fns.last().is_some_and(|f| f.startup))
    }
}

/// The innermost blocks and arm bodies around the current node, for 5xx responses built outside
/// any error path: their "path" is the enclosing block. What such a response asks of its scopes
/// is computed once per scope and kept here: a block of many of them is not read again for each.
struct Scope<'ast> {
    body: BodyRef<'ast>,
    /// For a block, the index of the statement being visited.
    stmt: usize,
    /// The logging anywhere in the body, as one condition, once asked for.
    logs: Option<LogCond>,
    /// Whether the block's statements before `before_len` always log, as one condition.
    before: LogCond,
    before_len: usize,
    /// Local variables holding a `Result` whose error an earlier path in this scope logged.
    logged_vars: Vec<(String, LogCond)>,
}

impl<'ast> Scope<'ast> {
    fn new(body: BodyRef<'ast>) -> Self {
        Scope {
            body,
            stmt: 0,
            logs: None,
            before: LogCond::No,
            before_len: 0,
            logged_vars: Vec::new(),
        }
    }
}

struct Extractor<'s, 'k, 'ast> {
    sh: &'s mut Shared<'k>,
    scopes: Vec<Scope<'ast>>,
    /// `let name = value;` bindings of the enclosing function seen so far (innermost last), to
    /// find where a `Result` held in a variable comes from.
    locals: Vec<(String, &'ast Expr)>,
    /// Closure parameters that hold a configured value (`env::var(..).map(|p| ..)`).
    config_names: Vec<String>,
    /// Names bound with a declared `Result` type (`|r: AppResult<()>|`, `let r: Result<..>`).
    result_names: Vec<String>,
    /// The enclosing function's body.
    fn_block: Option<&'ast syn::Block>,
    /// > 0 inside an error path's body: a 5xx there belongs to that path.
    site_depth: usize,
    comparison: usize,
}

/// Where a site is and what it is, before its body is judged.
struct Site<'e> {
    kind: SiteKind,
    span: crate::diagnostic::Span,
    text: String,
    detail: String,
    specific: bool,
    /// The expression that produced the `Result`.
    source: Option<&'e Expr>,
    /// The form is not a `Result` by construction ([`Origin::needs_result`]).
    needs_result: bool,
    /// The path receives every error of its source: when that is a local variable and the path
    /// logs, later paths of the same variable find it logged.
    covers: bool,
    repair: Option<Repair>,
}

impl<'e> Site<'e> {
    fn new(kind: SiteKind, span: crate::diagnostic::Span, text: String) -> Self {
        Site {
            kind,
            span,
            text,
            detail: String::new(),
            specific: false,
            source: None,
            needs_result: false,
            covers: false,
            repair: None,
        }
    }
    fn repair(mut self, repair: Option<Repair>) -> Self {
        self.repair = repair;
        self
    }
    fn needs_result(mut self) -> Self {
        self.needs_result = true;
        self
    }
    fn covers(mut self, covers: bool) -> Self {
        self.covers = covers;
        self
    }
    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
    fn specific(mut self, specific: bool) -> Self {
        self.specific = specific;
        self
    }
    fn source(mut self, source: &'e Expr) -> Self {
        self.source = Some(source);
        self
    }
}

/// The site facts that depend only on the body.
struct Judged {
    outcome: Outcome,
    logs: LogCond,
    converts_to: Vec<String>,
    /// The error is not used on the path, which answers with another error or a 4xx.
    replaced: bool,
    propagates_if: LogCond,
    builder: Vec<String>,
    /// The log lines on the path carry the error value if this holds ([`SiteFact::cause`]).
    cause: LogCond,
    /// The name the path holds the error under ([`SiteFact::binding`]).
    binding: Option<String>,
    /// The log macro calls on the path ([`Repair::log_lines`]).
    log_lines: Vec<LogLine>,
}

/// An operator between an `.is_ok()`/`.is_err()` test and the condition of its `if`.
#[derive(Clone, Copy)]
enum Op {
    Not,
    And,
    Or,
}

/// The branches of an `if` that an `Err` of the tested `Result` can take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ErrBranch {
    Then,
    Else,
    Both,
}

impl ErrBranch {
    /// The branches once `op` stands between the test and the condition: `!` swaps them;
    /// `err && x` and `ok || x` leave the branch to `x`.
    fn through(self, op: Op) -> ErrBranch {
        match (op, self) {
            (Op::Not, ErrBranch::Then) => ErrBranch::Else,
            (Op::Not, ErrBranch::Else) => ErrBranch::Then,
            (Op::And, ErrBranch::Then) | (Op::Or, ErrBranch::Else) => ErrBranch::Both,
            (_, b) => b,
        }
    }
}

/// Methods that keep the `Result` they are called on (its `Err` unchanged or converted).
const PASS_THROUGH: &[&str] = &[
    "inspect_err",
    "inspect",
    "map",
    "map_err",
    "as_ref",
    "as_mut",
    "as_deref",
    "context",
    "with_context",
    "wrap_err",
    "wrap_err_with",
];

/// The call that produces a `Result`, as found by [`Extractor::produce`].
struct Produced<'e> {
    callee: Callee,
    /// The call was given arguments.
    args: bool,
    /// An `.await` stands between the call and the site.
    awaited: bool,
    /// The value the probe reads: a method's receiver, a function's first argument.
    subject: Option<&'e Expr>,
}

/// Whether a path's body uses the error bound to `names`.
fn body_mentions(body: BodyRef, names: &[String]) -> bool {
    use quote::ToTokens;
    if names.is_empty() {
        return false;
    }
    let tokens = match body {
        BodyRef::Expr(e) => e.to_token_stream(),
        BodyRef::Block(b) => b.to_token_stream(),
    };
    body::tokens_mention(tokens, names)
}

/// Names a pattern binds with a declared `Result` type: `r: AppResult<()>`, and the parts of
/// `(i, r): (usize, Result<T, E>)`.
fn typed_results(pat: &syn::Pat, out: &mut Vec<String>) {
    fn bind(pat: &syn::Pat, ty: &Type, out: &mut Vec<String>) {
        match (pat, ty) {
            (syn::Pat::Ident(i), Type::Path(tp))
                if tp
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident.to_string().ends_with("Result")) =>
            {
                out.push(i.ident.to_string())
            }
            (syn::Pat::Tuple(p), Type::Tuple(t)) => p.elems.iter().zip(&t.elems).for_each(|(p, t)| bind(p, t, out)),
            (syn::Pat::Paren(p), _) => bind(&p.pat, ty, out),
            (_, Type::Paren(t)) => bind(pat, &t.elem, out),
            _ => {}
        }
    }
    if let syn::Pat::Type(t) = pat {
        bind(&t.pat, &t.ty, out);
    }
}

/// A parse (`.parse()`, `u16::from_str(..)`), as opposed to other probes: a parse of a setting
/// is reading configuration.
fn is_parse(callee: &Callee) -> bool {
    callee
        .path
        .last()
        .is_some_and(|n| n.starts_with("parse") || n.starts_with("from_str"))
}

impl<'s, 'k, 'ast> Extractor<'s, 'k, 'ast> {
    fn env(&self) -> Env<'_> {
        Env {
            k: self.sh.k,
            uses: self.sh.uses,
            prints: self.sh.prints_here(),
            pieces: self.sh.test_depth == 0,
        }
    }

    fn text(&self, start: PmSpan, end: PmSpan) -> String {
        self.sh.lines.text(start.start(), end.end())
    }

    /// Reads an error path's body: 5xx, 4xx, propagation, empty, or a fallback.
    fn judge(&self, body: BodyRef, names: &[String]) -> Judged {
        let env = self.env();
        let scan = body::scan_holding(&env, body, names);
        let exits = body::exits(body);
        let (propagates, converts_to) = body::propagation_of(&env, &exits, names);
        let mut logs = scan.logs.clone();
        if scan.prints_and_exits() {
            // `eprintln!("{e}"); std::process::exit(1)`: reported to the operator.
            logs.push(LogCond::Yes);
        }
        let logs = LogCond::any(logs);
        let outcome = if let Some(status) = scan.server_error {
            Outcome::ServerError(status)
        } else if scan.client_error {
            Outcome::ClientError
        } else if propagates || scan.propagate_macro || scan.panics {
            Outcome::Propagated
        } else if body::is_empty_body(body) {
            Outcome::Discarded
        } else {
            Outcome::Fallback
        };
        let replaced = match outcome {
            Outcome::ClientError => true,
            Outcome::Propagated => !scan.panics,
            _ => false,
        } && !body_mentions(body, names);
        let propagates_if = match outcome {
            Outcome::Fallback | Outcome::Discarded => body::leaving_macros(&env, body),
            _ => LogCond::No,
        };
        Judged {
            outcome,
            logs,
            converts_to,
            replaced,
            propagates_if,
            builder: body::builder_methods(&exits, names),
            // An error the pattern does not bind (`Err(_)`, the `else` of `if let Ok`) reaches
            // no log line.
            cause: LogCond::any(scan.cause),
            binding: names.first().cloned(),
            log_lines: scan.log_lines,
        }
    }

    /// What a fix needs of a path whose body is `body`, whose error is bound to `names` or
    /// dropped by `wildcard`. `None` when the error cannot be given a name: a dropped error
    /// whose body already uses both `e` and `err`, or a binding that is not a plain name.
    fn repair_of(
        &self,
        body: BodyRef,
        wildcard: Option<&syn::Pat>,
        names: &[String],
        log_lines: Vec<LogLine>,
    ) -> Option<Repair> {
        let (name, rename) = match (wildcard, names) {
            (Some(w), _) => {
                let name = ["e", "err"]
                    .into_iter()
                    .find(|n| !body_mentions(body, &[n.to_string()]))?;
                (name.to_string(), Some(span_of(w.span(), w.span())))
            }
            (None, [one]) => (one.clone(), None),
            _ => return None,
        };
        Some(Repair {
            slot: Some(self.slot_of(body)),
            rename,
            name,
            log_lines,
        })
    }

    /// Where a statement goes first on a path: in its block, or in a block around its expression.
    fn slot_of(&self, body: BodyRef) -> Slot {
        let block = match body {
            BodyRef::Block(b) => b,
            BodyRef::Expr(Expr::Block(b)) if b.label.is_none() && b.attrs.is_empty() => &b.block,
            BodyRef::Expr(e) => {
                let whole = span_whole(e);
                return Slot::Wrap {
                    start: paths::pos(whole.start()),
                    end: paths::pos(whole.end()),
                };
            }
        };
        let (open, close) = (block.brace_token.span.open(), block.brace_token.span.close());
        let open_line = open.start().line;
        let first_line = block.stmts.first().map(|s| match s {
            syn::Stmt::Local(l) => l.let_token.span.start().line,
            syn::Stmt::Expr(e, _) => span_whole(e).start().line,
            syn::Stmt::Macro(m) => m.mac.bang_token.span.start().line,
            syn::Stmt::Item(_) => open_line,
        });
        let indent = match first_line {
            Some(l) if l > open_line => Some(self.sh.lines.indent(l).to_string()),
            Some(_) => None,
            None if close.start().line > open_line => Some(format!("{}    ", self.sh.lines.indent(close.start().line))),
            None => None,
        };
        Slot::Block {
            at: paths::pos(open.end()),
            indent,
        }
    }

    /// Whether the Result that `expr` produces is a benign discard from the knowledge base.
    fn benign(&self, expr: &Expr) -> bool {
        self.matches_discard(&self.sh.k.benign, expr) || self.is_reply_send(expr)
    }

    /// `reply.send(Err(e))`, `results_sx.send(Ok(chunk))`, `done.send(())`: a send whose message
    /// is a `Result` or a bare signal is a channel's, answering a waiting caller; its own error
    /// only says that the receiver is gone, which is normal when the caller gave up.
    fn is_reply_send(&self, expr: &Expr) -> bool {
        let Expr::MethodCall(m) = strip_await(expr) else {
            return false;
        };
        if m.args.len() != 1 || !self.sh.k.channel_sends.iter().any(|s| m.method == s) {
            return false;
        }
        match &m.args[0] {
            Expr::Tuple(t) => t.elems.is_empty(),
            Expr::Call(c) => expr_path(&c.func)
                .and_then(|p| p.segments.last())
                .is_some_and(|s| s.ident == "Ok" || s.ident == "Err"),
            _ => false,
        }
    }

    /// Whether the Result that `expr` produces comes from a call of `benign`.
    fn matches_discard(&self, benign: &[BenignPattern], expr: &Expr) -> bool {
        let expr = strip_await(expr);
        match expr {
            Expr::Call(c) => {
                let Some(path) = expr_path(&c.func) else { return false };
                let raw = segments(path);
                let full = self.sh.uses.expand(raw.clone());
                benign
                    .iter()
                    .any(|b| matches!(b, BenignPattern::Call(p) if p.matches(&full) || p.matches(&raw)))
            }
            Expr::MethodCall(m) => {
                let receiver = last_name(&m.receiver).unwrap_or_default();
                benign.iter().any(|b| {
                    matches!(b, BenignPattern::Method { receiver: r, method }
                        if m.method == method && r.is_match(&receiver))
                })
            }
            Expr::Macro(m) => {
                let name = m
                    .mac
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                benign
                    .iter()
                    .any(|b| matches!(b, BenignPattern::Macro(n) if *n == name))
            }
            _ => false,
        }
    }

    /// `m.lock()`, `rw.read()`, `rw.write()`: a std lock's `LockResult`, not awaited (an
    /// awaited lock is tokio's, which cannot fail) and with no arguments (`file.read(&mut buf)`
    /// is I/O).
    fn is_lock(&self, expr: &Expr) -> bool {
        let mut expr = expr;
        loop {
            expr = match expr {
                Expr::Paren(p) => &p.expr,
                // `.map(..)` keeps the lock's error as it is.
                Expr::MethodCall(m) if m.method == "map" || m.method == "inspect" => &m.receiver,
                Expr::MethodCall(m) => {
                    return m.args.is_empty() && self.sh.k.lock_methods.iter().any(|l| m.method == l)
                }
                _ => return false,
            }
        }
    }

    /// The call that produces the `Result` an expression evaluates: through `.await`, methods
    /// that keep the `Result` ([`PASS_THROUGH`]) and local variables (`let res = q.first(conn).await;`).
    fn produce<'e>(&self, mut expr: &'e Expr) -> Option<Produced<'e>>
    where
        'ast: 'e,
    {
        let mut awaited = false;
        let mut hops = 0;
        loop {
            expr = match expr {
                Expr::Await(a) => {
                    awaited = true;
                    &a.base
                }
                Expr::Paren(p) => &p.expr,
                Expr::Group(g) => &g.expr,
                Expr::Reference(r) => &r.expr,
                Expr::MethodCall(m) if PASS_THROUGH.iter().any(|p| m.method == p) => &m.receiver,
                Expr::MethodCall(m) => {
                    return Some(Produced {
                        callee: Callee {
                            path: vec![m.method.to_string()],
                            method: true,
                        },
                        args: !m.args.is_empty(),
                        awaited,
                        subject: Some(&m.receiver),
                    })
                }
                Expr::Call(c) => {
                    let path = expr_path(&c.func)?;
                    return Some(Produced {
                        callee: Callee {
                            path: self.sh.uses.expand(segments(path)),
                            method: false,
                        },
                        args: !c.args.is_empty(),
                        awaited,
                        subject: c.args.first(),
                    });
                }
                Expr::Path(p) if p.path.segments.len() == 1 && hops < 8 => {
                    hops += 1;
                    let name = &p.path.segments[0].ident;
                    self.locals.iter().rev().find(|(n, _)| name == n)?.1
                }
                // `if cond { a } else { b }`: the first branch says where the value comes from.
                Expr::If(i) => match i.then_branch.stmts.last() {
                    Some(syn::Stmt::Expr(e, None)) => e,
                    _ => return None,
                },
                Expr::Block(b) => match b.block.stmts.last() {
                    Some(syn::Stmt::Expr(e, None)) => e,
                    _ => return None,
                },
                _ => return None,
            }
        }
    }

    /// Whether `expr` is a configured value: an environment read, or a variable, closure
    /// parameter or match binding holding one. (`env!` and constants are fixed at build time.)
    fn is_config<'e>(&self, mut expr: &'e Expr) -> bool
    where
        'ast: 'e,
    {
        let mut hops = 0;
        loop {
            expr = match expr {
                Expr::MethodCall(m) => &m.receiver,
                Expr::Try(t) => &t.expr,
                Expr::Await(a) => &a.base,
                Expr::Paren(p) => &p.expr,
                Expr::Group(g) => &g.expr,
                Expr::Reference(r) => &r.expr,
                Expr::Call(c) => {
                    let Some(path) = expr_path(&c.func) else { return false };
                    let full = self.sh.uses.expand(segments(path));
                    return self.sh.k.config.env_readers.iter().any(|p| p.matches(&full));
                }
                Expr::Path(p) if p.path.segments.len() == 1 => {
                    let name = p.path.segments[0].ident.to_string();
                    if self.config_names.contains(&name) {
                        return true;
                    }
                    hops += 1;
                    match self.locals.iter().rev().find(|(n, _)| *n == name) {
                        Some((_, init)) if hops < 8 => init,
                        _ => return false,
                    }
                }
                _ => return false,
            }
        }
    }

    /// What is known of where the `Result` that `expr` evaluates comes from.
    fn origin(&self, expr: &'ast Expr, needs_result: bool, replaced: bool) -> (Option<Callee>, Origin) {
        let mut origin = Origin {
            needs_result,
            replaced,
            ..Origin::default()
        };
        // A variable declared as a `Result` (`|(i, r): (usize, AppResult<()>)|`).
        let mut held = expr;
        while let Expr::Paren(_) | Expr::Reference(_) | Expr::MethodCall(_) = held {
            held = match held {
                Expr::Paren(p) => &p.expr,
                Expr::Reference(r) => &r.expr,
                Expr::MethodCall(m) if PASS_THROUGH.iter().any(|p| m.method == p) => &m.receiver,
                _ => break,
            };
        }
        if let Expr::Path(p) = held {
            if p.path.segments.len() == 1 && self.result_names.iter().any(|n| p.path.segments[0].ident == n) {
                origin.typed_result = true;
                return (None, origin);
            }
        }
        let Some(p) = self.produce(expr) else {
            return (None, origin);
        };
        let matches = |patterns: &[SourcePattern]| {
            patterns
                .iter()
                .any(|s| s.matches(&p.callee.path, p.callee.method, p.args))
        };
        origin.awaited = p.awaited;
        origin.known_result = matches(&self.sh.k.result_sources);
        origin.bare = matches(&self.sh.k.bare_sources);
        if matches(&self.sh.k.probe_sources) {
            // A parse of a configured value is a setting read, not a probe.
            if is_parse(&p.callee) && p.subject.is_some_and(|s| self.is_config(s)) {
                origin.known_result = true;
            } else {
                origin.probe = true;
            }
        }
        (Some(p.callee), origin)
    }

    /// Logging done earlier in the same method chain: `.inspect_err(|e| warn!(..))` or a
    /// `.map_err(..)` whose closure logs, before the site.
    fn chain_logs(&self, mut expr: &Expr) -> LogCond {
        let mut parts = Vec::new();
        loop {
            expr = match strip_await(expr) {
                Expr::Try(t) => &t.expr,
                Expr::MethodCall(m) => {
                    if let Some(h) = combinator(m) {
                        if m.method == "inspect_err" || m.method == "map_err" {
                            parts.push(self.handler_logs(h));
                        }
                    }
                    &m.receiver
                }
                _ => break,
            }
        }
        LogCond::any(parts)
    }

    fn handler_logs(&self, handler: &Expr) -> LogCond {
        let env = self.env();
        match handler {
            Expr::Closure(c) => LogCond::any(body::scan(&env, BodyRef::Expr(&c.body)).logs),
            other => match expr_path(other) {
                Some(path) => {
                    let full = env.expand(path);
                    if env.is_log_function(&full) {
                        LogCond::Yes
                    } else {
                        LogCond::Call(Callee {
                            path: full,
                            method: false,
                        })
                    }
                }
                None => LogCond::No,
            },
        }
    }

    /// What the paths of local variable `var` already seen in the enclosing blocks log.
    fn logged_before(&self, var: &str) -> LogCond {
        LogCond::any(
            self.scopes
                .iter()
                .flat_map(|s| s.logged_vars.iter())
                .filter(|(v, _)| v == var)
                .map(|(_, logs)| logs.clone())
                .collect(),
        )
    }

    /// A local variable is bound again or assigned: what its earlier paths logged is not about
    /// the new value.
    fn forget_vars(&mut self, names: &[String]) {
        for scope in &mut self.scopes {
            scope.logged_vars.retain(|(v, _)| !names.contains(v));
        }
    }

    fn forget_bound(&mut self, pat: &syn::Pat) {
        if self.scopes.iter().any(|s| !s.logged_vars.is_empty()) {
            let mut names = Vec::new();
            bindings(pat, &mut names);
            self.forget_vars(&names);
        }
    }

    fn push_site(&mut self, site: Site<'ast>, judged: Judged) {
        let Site {
            kind,
            span,
            text,
            detail,
            specific,
            source: source_expr,
            needs_result,
            covers,
            repair,
        } = site;
        // Best-effort cleanup whose error is dropped outright (`let _ = fs::remove_file(tmp)`).
        if judged.outcome == Outcome::Discarded
            && source_expr.is_some_and(|e| self.matches_discard(&self.sh.k.cleanup, e))
        {
            return;
        }
        let lock_poison = source_expr.is_some_and(|e| self.is_lock(e));
        let in_test = self.sh.test_depth > 0;
        if in_test && !self.sh.k.include_tests {
            return;
        }
        let Judged {
            outcome,
            logs,
            mut converts_to,
            replaced,
            propagates_if,
            builder,
            mut cause,
            binding,
            log_lines: _,
        } = judged;
        let (source, origin) = match source_expr {
            Some(e) => self.origin(e, needs_result, replaced),
            None => (
                None,
                Origin {
                    needs_result,
                    replaced,
                    ..Origin::default()
                },
            ),
        };
        // `if let Err(e) = &config { warn!(..) }` earlier, `config.as_ref().ok()` here: the same
        // error value, already logged on this path.
        let var = source_expr.and_then(result_var);
        let logs = match &var {
            Some(v) if covers && !logs.is_no() => {
                if let Some(scope) = self.scopes.last_mut() {
                    scope.logged_vars.push((v.clone(), logs.clone()));
                }
                logs
            }
            Some(v) => {
                // Logged on an earlier path of the same value: with the error, as far as we know.
                let before = self.logged_before(v);
                if !before.is_no() {
                    cause = LogCond::any(vec![cause, before.clone()]);
                }
                LogCond::any(vec![logs, before])
            }
            None => logs,
        };
        let (function, instrument_err) = match self.sh.fns.last() {
            Some(f) => {
                if outcome == Outcome::Propagated {
                    converts_to.extend(f.err_type.clone());
                    converts_to.sort();
                    converts_to.dedup();
                }
                (Some(f.index), f.instrument_err && outcome == Outcome::Propagated)
            }
            None => (None, false),
        };
        self.sh.facts.push_site(SiteFact {
            kind,
            span,
            text,
            detail,
            outcome,
            logs,
            specific,
            converts_to,
            instrument_err,
            source,
            origin,
            propagates_if,
            builder,
            lock_poison,
            in_test,
            function,
            cause,
            binding,
            repair,
        });
    }

    /// Logging on the path of a 5xx built outside any error path: its innermost block or arm
    /// body logs, or a statement before it in an enclosing block always logs.
    fn scope_logs(&mut self) -> LogCond {
        let env = Env {
            k: self.sh.k,
            uses: self.sh.uses,
            prints: self.sh.prints_here(),
            pieces: self.sh.test_depth == 0,
        };
        let mut parts = Vec::new();
        if let Some(inner) = self.scopes.last_mut() {
            let logs = inner
                .logs
                .get_or_insert_with(|| LogCond::any(body::scan(&env, inner.body).logs));
            parts.push(logs.clone());
        }
        for scope in &mut self.scopes {
            let BodyRef::Block(b) = scope.body else { continue };
            // Statements are visited in order: the condition grows by the ones passed since.
            let upto = scope.stmt.min(b.stmts.len());
            if scope.before_len < upto {
                let mut more = vec![std::mem::replace(&mut scope.before, LogCond::No)];
                more.extend(
                    b.stmts[scope.before_len..upto]
                        .iter()
                        .map(|s| body::always_logs_stmt(&env, s)),
                );
                scope.before = LogCond::any(more);
                scope.before_len = upto;
            }
            parts.push(scope.before.clone());
        }
        LogCond::any(parts)
    }

    fn visit_in_site<F: FnOnce(&mut Self)>(&mut self, f: F) {
        self.site_depth += 1;
        f(self);
        self.site_depth -= 1;
    }

    fn enter_fn(
        &mut self,
        name: String,
        owner: Option<String>,
        in_trait: bool,
        attrs: &[Attribute],
        sig: &syn::Signature,
        block: &syn::Block,
    ) {
        let test = has_test_attr(attrs);
        let (returns_result, err_type) = return_type(&sig.output);
        let returns_self = match &sig.output {
            ReturnType::Type(_, ty) => {
                type_name(ty).is_some_and(|t| t == "Self" || owner.as_deref() == Some(t.as_str()))
            }
            ReturnType::Default => false,
        } && owner.is_some();
        let mut env = self.env();
        env.pieces &= !test;
        let always_logs = always_logs_block(&env, block);
        let h = &self.sh.k.handlers;
        let startup = handlers::is_startup(h, &name, attrs);
        let framework = self.sh.framework.clone();
        let handler = if startup || test {
            None
        } else if let Some(mark) = handlers::from_attributes(h, attrs, framework.as_deref()) {
            Some(mark)
        } else if self.sh.in_trait_impl.last() == Some(&true) && handlers::is_tonic_method(sig) {
            let route = owner.as_ref().map(|o| format!("rpc {o}::{name}"));
            Some(HandlerMark {
                how: HandlerHow::Tonic,
                framework: Some("tonic".into()),
                route,
            })
        } else if let Some(route) = self
            .sh
            .impl_traits
            .last()
            .cloned()
            .flatten()
            .filter(|t| handlers::is_middleware_method(h, t, &name))
            .map(|t| format!("{} as {t}", owner.as_deref().unwrap_or("_")))
        {
            Some(HandlerMark {
                how: HandlerHow::Middleware,
                framework: framework.clone(),
                route: Some(route),
            })
        } else if handlers::has_extractor_params(h, self.sh.uses, sig) {
            Some(HandlerMark {
                how: HandlerHow::Extractor,
                framework: framework.clone(),
                route: None,
            })
        } else {
            None
        };
        let module = self.sh.module.clone();
        let mut collector = calls::Collector::new(
            &env,
            &self.sh.lines,
            self.sh.crates_used,
            &module,
            framework,
            self.sh.fields,
            owner.as_deref(),
        );
        collector.visit_fn(sig, block);
        let collected = collector.finish();
        let trait_impl = self.sh.impl_traits.last().cloned().flatten();
        let ret_type = super::held::ret_type(&sig.output, self.sh.uses, owner.as_deref());
        let is_test = test || self.sh.test_depth > 0;
        let span = span_of(sig.ident.span(), sig.ident.span());
        let mut inline = Vec::new();
        let mut registrations = collected.registrations;
        for (i, (mark, c, span)) in collected.inline_handlers.into_iter().enumerate() {
            inline.push(FnFact {
                name: format!("{name}::{{closure#{i}}}"),
                module: module.clone(),
                owner: None,
                always_logs: LogCond::No,
                span,
                handler: Some(mark),
                startup: false,
                in_trait: false,
                calls: c.calls.into(),
                value_methods: c.value_methods.into(),
                engines: c.engines,
                returns_result: None,
                try_sources: Vec::new(),
                err_type: None,
                returns_self: false,
                is_test,
                trait_impl: None,
                ret_type: None,
                returns_builder: None,
                pending: c.pending,
            });
            registrations.extend(c.registrations);
        }
        self.sh.facts.registrations.extend(registrations);
        let index = self.sh.facts.fns.len() as u32;
        self.sh.facts.fns.push(FnFact {
            name: name.clone(),
            module,
            owner,
            always_logs,
            span,
            handler,
            startup,
            in_trait,
            calls: collected.calls.into(),
            value_methods: collected.value_methods.into(),
            engines: collected.engines,
            returns_result,
            try_sources: Vec::new(),
            err_type: err_type.clone(),
            returns_self,
            is_test,
            trait_impl,
            ret_type,
            returns_builder: collected.returns_builder,
            pending: collected.pending,
        });
        self.sh.facts.fns.extend(inline);
        let status_only = self.sh.k.status_only_methods.contains(&name) || maps_to_code(self.sh.k, sig);
        self.sh.fns.push(FnCtx {
            index,
            err_type,
            instrument_err: has_instrument_err(attrs),
            status_only,
            startup,
        });
        self.sh.test_depth += usize::from(test);
    }

    fn leave_fn(&mut self, attrs: &[Attribute]) {
        self.sh.test_depth -= usize::from(has_test_attr(attrs));
        self.sh.fns.pop();
    }

    /// Visits a function with a fresh per-function state: scopes, local bindings, its body.
    fn in_fn(&mut self, block: &'ast syn::Block, f: impl FnOnce(&mut Self)) {
        let scopes = std::mem::take(&mut self.scopes);
        let locals = std::mem::take(&mut self.locals);
        let config_names = std::mem::take(&mut self.config_names);
        let result_names = std::mem::take(&mut self.result_names);
        let fn_block = self.fn_block.replace(block);
        f(self);
        self.scopes = scopes;
        self.locals = locals;
        self.config_names = config_names;
        self.result_names = result_names;
        self.fn_block = fn_block;
    }

    fn visit_macro_body(&mut self, mac: &syn::Macro) {
        let Some(parsed) = self.env().macro_body(mac) else {
            return;
        };
        // A fresh visitor over the parsed tokens: the tree is the body store's, not the file's.
        let mut sub = Extractor {
            sh: &mut *self.sh,
            scopes: Vec::new(),
            locals: Vec::new(),
            config_names: self.config_names.clone(),
            result_names: self.result_names.clone(),
            fn_block: None,
            site_depth: self.site_depth,
            comparison: self.comparison,
        };
        match &*parsed {
            MacroBody::Exprs(exprs) => exprs.iter().for_each(|e| sub.visit_expr(e)),
            MacroBody::Stmts(stmts) => stmts.iter().for_each(|s| sub.visit_stmt(s)),
        }
    }
}

impl<'ast> Visit<'ast> for Extractor<'_, '_, 'ast> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let test = has_test_attr(&m.attrs);
        if test && m.content.is_none() {
            let mut path = self.sh.module.clone();
            path.push(m.ident.to_string());
            self.sh.facts.test_mods.push(path);
        }
        self.sh.test_depth += usize::from(test);
        self.sh.module.push(m.ident.to_string());
        visit::visit_item_mod(self, m);
        self.sh.module.pop();
        self.sh.test_depth -= usize::from(test);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if matches!(u.vis, syn::Visibility::Inherited) {
            return;
        }
        let mut leaves = Vec::new();
        super::paths::use_leaves(Vec::new(), &u.tree, &mut leaves);
        for (name, path) in leaves {
            self.sh.facts.reexports.push(super::Reexport {
                module: self.sh.module.clone(),
                name,
                path,
            });
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.enter_fn(f.sig.ident.to_string(), None, false, &f.attrs, &f.sig, &f.block);
        self.in_fn(&f.block, |x| visit::visit_item_fn(x, f));
        self.leave_fn(&f.attrs);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let owner = self.sh.owners.last().cloned().flatten();
        self.enter_fn(f.sig.ident.to_string(), owner, false, &f.attrs, &f.sig, &f.block);
        self.in_fn(&f.block, |x| visit::visit_impl_item_fn(x, f));
        self.leave_fn(&f.attrs);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        let Some(block) = &f.default else { return };
        let owner = self.sh.owners.last().cloned().flatten();
        self.enter_fn(f.sig.ident.to_string(), owner, true, &f.attrs, &f.sig, block);
        self.in_fn(block, |x| visit::visit_trait_item_fn(x, f));
        self.leave_fn(&f.attrs);
    }

    fn visit_item_struct(&mut self, i: &'ast syn::ItemStruct) {
        self.sh.facts.types.push(i.ident.to_string());
        visit::visit_item_struct(self, i);
    }

    fn visit_item_enum(&mut self, i: &'ast syn::ItemEnum) {
        self.sh.facts.types.push(i.ident.to_string());
        visit::visit_item_enum(self, i);
    }

    fn visit_item_union(&mut self, i: &'ast syn::ItemUnion) {
        self.sh.facts.types.push(i.ident.to_string());
        visit::visit_item_union(self, i);
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.sh.facts.types.push(t.ident.to_string());
        self.sh.owners.push(Some(t.ident.to_string()));
        visit::visit_item_trait(self, t);
        self.sh.owners.pop();
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let test = has_test_attr(&i.attrs);
        let self_name = type_name(&i.self_ty);
        if let Some((_, trait_path, _)) = &i.trait_ {
            let trait_name = trait_path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            let k = self.sh.k;
            let logging_type = if k.response_traits.contains(&trait_name) {
                self_name.clone()
            } else if trait_name == "From" && self_name.as_ref().is_some_and(|n| k.response_from_targets.contains(n)) {
                from_source(trait_path)
            } else {
                None
            };
            if let Some(type_name) = logging_type {
                let env = self.env();
                let logs = LogCond::any(
                    i.items
                        .iter()
                        .filter_map(|item| match item {
                            syn::ImplItem::Fn(f) => Some(body::logs_anywhere(&env, &f.block)),
                            _ => None,
                        })
                        .collect(),
                );
                self.sh.facts.response_impls.push(ResponseImpl { type_name, logs });
            }
        }
        if !test && (self.sh.test_depth == 0 || self.sh.k.include_tests) {
            if let Some(mw) = super::scope::service_middleware(&self.env(), i, self_name.as_deref()) {
                self.sh.facts.middleware.push(mw);
            }
        }
        self.sh.test_depth += usize::from(test);
        self.sh.owners.push(self_name);
        self.sh.in_trait_impl.push(i.trait_.is_some());
        self.sh.impl_traits.push(
            i.trait_
                .as_ref()
                .and_then(|(_, p, _)| p.segments.last())
                .map(|s| s.ident.to_string()),
        );
        visit::visit_item_impl(self, i);
        self.sh.impl_traits.pop();
        self.sh.in_trait_impl.pop();
        self.sh.owners.pop();
        self.sh.test_depth -= usize::from(test);
    }

    fn visit_item_type(&mut self, t: &'ast syn::ItemType) {
        self.sh.facts.types.push(t.ident.to_string());
        // `type Result<T> = std::result::Result<T, Error>;`
        if let Type::Path(tp) = &*t.ty {
            let args = generic_types(&tp.path);
            let is_result = tp.path.segments.last().is_some_and(|s| s.ident == "Result");
            if is_result && args.len() >= 2 {
                if let Some(err) = type_name(args[1]) {
                    self.sh.facts.result_aliases.push((t.ident.to_string(), err));
                }
            }
        }
        visit::visit_item_type(self, t);
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        self.scopes.push(Scope::new(BodyRef::Block(b)));
        let locals = self.locals.len();
        for (i, stmt) in b.stmts.iter().enumerate() {
            if let Some(scope) = self.scopes.last_mut() {
                scope.stmt = i;
            }
            self.visit_stmt(stmt);
        }
        // A block's bindings end with it.
        self.locals.truncate(locals);
        self.scopes.pop();
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        let before = self.result_names.len();
        for input in &c.inputs {
            typed_results(input, &mut self.result_names);
        }
        // What `main` prints is reported to its operator; not what the closures it starts print.
        self.sh.deferred += 1;
        visit::visit_expr_closure(self, c);
        self.sh.deferred -= 1;
        self.result_names.truncate(before);
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        let cmp = matches!(b.op, BinOp::Eq(_) | BinOp::Ne(_));
        self.comparison += usize::from(cmp);
        visit::visit_expr_binary(self, b);
        self.comparison -= usize::from(cmp);
    }

    fn visit_item_macro(&mut self, i: &'ast syn::ItemMacro) {
        if i.mac.path.is_ident("macro_rules") {
            // A definition: its arms are read as such, not as code that runs here.
            if self.sh.test_depth == 0 {
                if let Some(def) = super::macro_defs::definition(&self.env(), i) {
                    self.sh.facts.macro_defs.push(def);
                }
            }
            return;
        }
        visit::visit_item_macro(self, i);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if self.env().is_log_macro(&mac.path) {
            return;
        }
        self.visit_macro_body(mac);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(Status::Server { standalone: true }) = self.env().status(&p.path) {
            self.standalone_server_error(segments(&p.path).join("::"), p.span());
        }
        visit::visit_expr_path(self, p);
    }

    fn visit_expr_async(&mut self, a: &'ast syn::ExprAsync) {
        self.sh.deferred += 1;
        visit::visit_expr_async(self, a);
        self.sh.deferred -= 1;
    }

    fn visit_expr_try(&mut self, t: &'ast syn::ExprTry) {
        // `inner(..).await?`: the function passes on `inner`'s error (read by resolve to tell
        // whether an error was logged where it arose).
        if let Some(index) = self.sh.fns.last().map(|f| f.index as usize) {
            if let Some(p) = self.produce(&t.expr) {
                let line = match strip_await(&t.expr) {
                    Expr::MethodCall(m) if p.callee.method => Some(paths::pos(m.method.span().start()).line),
                    _ => None,
                };
                let list = &mut self.sh.facts.fns[index].try_sources;
                let source = (p.callee, line);
                if list.len() < 64 && !list.contains(&source) {
                    list.push(source);
                }
            }
        }
        visit::visit_expr_try(self, t);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Some((Status::Server { standalone: true }, written)) = self.env().numeric_call(c) {
            self.standalone_server_error(written, c.span());
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        let error_arms = error_arms(m);
        self.visit_expr(&m.expr);
        // `match env::var("N") { Ok(v) => v.parse().unwrap_or(10), .. }`: `v` is a configured value.
        let before = self.config_names.len();
        if self.is_config(&m.expr) {
            for (arm, is_err) in m.arms.iter().zip(&error_arms) {
                if !is_err {
                    bindings(&arm.pat, &mut self.config_names);
                }
            }
        }
        let benign = error_arms.contains(&true) && self.benign(&m.expr);
        let sole = error_arms.iter().filter(|&&e| e).count() == 1;
        for (i, arm) in m.arms.iter().enumerate() {
            if let Some((_, guard)) = &arm.guard {
                self.visit_expr(guard);
            }
            let is_site = error_arms.get(i).copied().unwrap_or(false);
            // `Err(e) => match e {}`: an uninhabited error (`Infallible`), never taken.
            let uninhabited = matches!(&*arm.body, Expr::Match(inner) if inner.arms.is_empty());
            if is_site && !benign && !uninhabited {
                let mut names = Vec::new();
                bindings(&arm.pat, &mut names);
                let mut judged = self.judge(BodyRef::Expr(&arm.body), &names);
                let repair = is_variant_pat(&arm.pat, "Err").then(|| {
                    let lines = std::mem::take(&mut judged.log_lines);
                    self.repair_of(BodyRef::Expr(&arm.body), err_wildcard(&arm.pat), &names, lines)
                });
                let end = arm
                    .guard
                    .as_ref()
                    .map(|(_, g)| g.span())
                    .unwrap_or_else(|| arm.pat.span());
                let span = span_of(arm.pat.span(), end);
                let text = self.text(arm.pat.span(), end);
                let specific = arm.guard.is_some() || is_specific_err_pat(&arm.pat);
                self.push_site(
                    Site::new(SiteKind::MatchArm, span, text)
                        .specific(specific)
                        .covers(sole && !specific)
                        .source(&m.expr)
                        .repair(repair.flatten()),
                    judged,
                );
            }
            self.scopes.push(Scope::new(BodyRef::Expr(&arm.body)));
            if is_site {
                self.visit_in_site(|x| x.visit_expr(&arm.body));
            } else {
                self.visit_expr(&arm.body);
            }
            self.scopes.pop();
        }
        self.config_names.truncate(before);
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        let Some((kind, pat, scrutinee)) = if_let_kind(i) else {
            // `if res.is_err() { warn!(..) }`: the branches are the test's paths.
            // The operators between the test and the condition, innermost last.
            let mut cond = &*i.cond;
            let mut ops = Vec::new();
            loop {
                cond = match cond {
                    Expr::Unary(u) => {
                        ops.push(matches!(u.op, syn::UnOp::Not(_)).then_some(Op::Not));
                        &u.expr
                    }
                    Expr::Paren(p) => &p.expr,
                    Expr::Binary(b) if matches!(b.op, BinOp::And(_) | BinOp::Or(_)) => {
                        ops.push(Some(if matches!(b.op, BinOp::And(_)) { Op::And } else { Op::Or }));
                        &b.left
                    }
                    _ => break,
                };
            }
            if let Expr::MethodCall(m) = cond {
                if (m.method == "is_ok" || m.method == "is_err") && m.args.is_empty() {
                    let env = self.env();
                    // `if res.is_err() { warn!("{res:?}") }`: the tested variable holds the error.
                    let held: Vec<String> = match &*m.receiver {
                        Expr::Path(p) if p.path.segments.len() == 1 => vec![p.path.segments[0].ident.to_string()],
                        _ => Vec::new(),
                    };
                    // Only the branches an `Err` can take are its paths: `if r.is_ok() { info!(..) }`
                    // logs the success.
                    let start = if m.method == "is_err" {
                        ErrBranch::Then
                    } else {
                        ErrBranch::Else
                    };
                    let branch = ops.iter().rev().flatten().fold(start, |b, op| b.through(*op));
                    let mut scans = Vec::new();
                    if branch != ErrBranch::Else {
                        scans.push(body::scan_holding(&env, BodyRef::Block(&i.then_branch), &held));
                    }
                    if let (Some((_, e)), true) = (&i.else_branch, branch != ErrBranch::Then) {
                        scans.push(body::scan_holding(&env, BodyRef::Expr(e), &held));
                    }
                    let (logs, cause) = scans
                        .into_iter()
                        .map(|s| (LogCond::any(s.logs), LogCond::any(s.cause)))
                        .unzip();
                    self.sh.test_logs.insert(
                        m as *const ExprMethodCall as usize,
                        (LogCond::any(logs), LogCond::any(cause)),
                    );
                }
            }
            return visit::visit_expr_if(self, i);
        };
        self.visit_expr(scrutinee);
        let benign = self.benign(scrutinee);
        let mut names = Vec::new();
        bindings(pat, &mut names);
        match kind {
            IfLet::ErrThen => {
                if !benign {
                    let mut judged = self.judge(BodyRef::Block(&i.then_branch), &names);
                    let lines = std::mem::take(&mut judged.log_lines);
                    let repair = self.repair_of(BodyRef::Block(&i.then_branch), err_wildcard(pat), &names, lines);
                    let span = span_of(pat.span(), pat.span());
                    let text = format!("if let {}", self.text(pat.span(), pat.span()));
                    self.push_site(
                        Site::new(SiteKind::IfLetErr, span, text)
                            .specific(is_specific_err_pat(pat))
                            .covers(!is_specific_err_pat(pat))
                            .source(scrutinee)
                            .repair(repair),
                        judged,
                    );
                }
                self.visit_in_site(|x| x.visit_block(&i.then_branch));
                if let Some((_, e)) = &i.else_branch {
                    self.visit_expr(e);
                }
            }
            IfLet::OkElse => {
                let Some((else_token, else_expr)) = &i.else_branch else {
                    return;
                };
                let before = self.config_names.len();
                if self.is_config(scrutinee) {
                    self.config_names.extend(names.iter().cloned());
                }
                if !benign {
                    let judged = self.judge(BodyRef::Expr(else_expr), &[]);
                    let span = span_of(else_token.span, else_token.span);
                    let text = format!("if let {} .. else", self.text(pat.span(), pat.span()));
                    self.push_site(Site::new(SiteKind::IfLetElse, span, text).source(scrutinee), judged);
                }
                self.visit_block(&i.then_branch);
                self.config_names.truncate(before);
                self.visit_in_site(|x| x.visit_expr(else_expr));
            }
            IfLet::OkNoElse => {
                // `if let Ok(v) = &res { .. }` or `res.as_ref()`: the `Result` is only looked at
                // and lives on in `res`; it is judged where that ends.
                let borrowed = match strip_await(scrutinee) {
                    Expr::Reference(r) => matches!(&*r.expr, Expr::Path(p) if p.path.segments.len() == 1),
                    Expr::MethodCall(m) => {
                        (m.method == "as_ref" || m.method == "as_mut")
                            && matches!(&*m.receiver, Expr::Path(p) if p.path.segments.len() == 1)
                    }
                    _ => false,
                };
                if !benign && !borrowed {
                    let judged = Judged {
                        outcome: Outcome::Discarded,
                        logs: self.chain_logs(scrutinee),
                        converts_to: Vec::new(),
                        replaced: false,
                        propagates_if: LogCond::No,
                        builder: Vec::new(),
                        cause: LogCond::Yes,
                        binding: None,
                        log_lines: Vec::new(),
                    };
                    let span = span_of(pat.span(), pat.span());
                    let text = format!("if let {}", self.text(pat.span(), pat.span()));
                    self.push_site(Site::new(SiteKind::DiscardIfLet, span, text).source(scrutinee), judged);
                }
                let before = self.config_names.len();
                if self.is_config(scrutinee) {
                    self.config_names.extend(names.iter().cloned());
                }
                self.visit_block(&i.then_branch);
                self.config_names.truncate(before);
            }
        }
    }

    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        if let syn::Stmt::Expr(e, Some(_)) = s {
            self.detached_task(e);
        }
        visit::visit_stmt(self, s);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let Some((init, diverge)) = let_else(l) {
            self.visit_expr(init);
            if !self.benign(init) {
                let judged = self.judge(BodyRef::Expr(diverge), &[]);
                let else_span = l
                    .init
                    .as_ref()
                    .and_then(|i| i.diverge.as_ref())
                    .map(|(t, _)| t.span)
                    .unwrap_or_else(|| l.span());
                let text = format!("let {} = .. else", self.text(l.pat.span(), l.pat.span()));
                self.push_site(
                    Site::new(SiteKind::LetElse, span_of(else_span, else_span), text).source(init),
                    judged,
                );
            }
            self.visit_in_site(|x| x.visit_expr(diverge));
            self.forget_bound(&l.pat);
            return;
        }
        if let (syn::Pat::Wild(_), Some(init)) = (&l.pat, &l.init) {
            self.discard_let(l.let_token.span, &init.expr);
        }
        visit::visit_local(self, l);
        // Recorded after its value is visited: `let res = res.map(..)` reads the earlier `res`.
        let name = match &l.pat {
            syn::Pat::Ident(i) if i.subpat.is_none() => Some(i.ident.to_string()),
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(i) if i.subpat.is_none() => Some(i.ident.to_string()),
                _ => None,
            },
            _ => None,
        };
        if let (Some(name), Some(init)) = (name, &l.init) {
            self.locals.push((name, &init.expr));
        }
        typed_results(&l.pat, &mut self.result_names);
        self.forget_bound(&l.pat);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if matches!(&*a.left, Expr::Infer(_)) {
            self.discard_let(a.left.span(), &a.right);
        }
        visit::visit_expr_assign(self, a);
        if let Some(v) = result_var(&a.left) {
            self.forget_vars(&[v]);
        }
    }

    fn visit_expr_method_call(&mut self, m: &'ast ExprMethodCall) {
        // Closures handed a configured value (`env::var("N").map(|v| v.parse())`) hold one.
        let before = self.config_names.len();
        if m.args.iter().any(|a| matches!(a, Expr::Closure(_))) && self.is_config(&m.receiver) {
            for arg in &m.args {
                if let Expr::Closure(c) = arg {
                    let mut names = Vec::new();
                    c.inputs.iter().for_each(|p| bindings(p, &mut names));
                    self.config_names.extend(names);
                }
            }
        }
        self.method_call(m);
        self.config_names.truncate(before);
    }
}

impl<'ast> Extractor<'_, '_, 'ast> {
    fn method_call(&mut self, m: &'ast ExprMethodCall) {
        let key = m as *const ExprMethodCall as usize;
        self.service_scope(m);

        // `.ok()` discards the error; `.ok().ok_or(..)` replaces it by another error.
        let consumed = self.sh.ok_consumed.remove(&key);
        if m.method == "ok" && m.args.is_empty() && consumed != Some(OkUse::Panics) && !self.benign(&m.receiver) {
            let replaced = consumed == Some(OkUse::Replaced);
            let judged = Judged {
                outcome: if replaced {
                    Outcome::Propagated
                } else {
                    Outcome::Discarded
                },
                logs: self.chain_logs(&m.receiver),
                converts_to: Vec::new(),
                replaced,
                propagates_if: LogCond::No,
                builder: Vec::new(),
                cause: LogCond::Yes,
                binding: None,
                log_lines: Vec::new(),
            };
            self.push_site(
                Site::new(SiteKind::DiscardOk, method_span(m), self.method_text(m))
                    .detail(if replaced { "ok().ok_or" } else { "ok" })
                    .source(&m.receiver)
                    .repair(Some(chain_repair(m))),
                judged,
            );
        }
        // `.ok().ok_or(..)` turns the error into another error; `.ok().unwrap()` panics on it.
        let use_of_ok = match m.method.to_string().as_str() {
            "ok_or" | "ok_or_else" => Some(OkUse::Replaced),
            "unwrap" | "expect" => Some(OkUse::Panics),
            _ => None,
        };
        if let (Some(use_of_ok), Expr::MethodCall(inner)) = (use_of_ok, strip_await(&m.receiver)) {
            if inner.method == "ok" && inner.args.is_empty() {
                self.sh
                    .ok_consumed
                    .insert(inner as *const ExprMethodCall as usize, use_of_ok);
            }
        }
        self.value_fallback(m);

        let Some(handler) = combinator(m) else {
            return visit::visit_expr_method_call(self, m);
        };
        let method = m.method.to_string();
        if !self.benign(&m.receiver) {
            let mut judged = self.judge_handler(&method, handler);
            let repair = match handler {
                Expr::Closure(c) if c.inputs.len() == 1 => {
                    let mut names = Vec::new();
                    bindings(&c.inputs[0], &mut names);
                    let wildcard = matches!(&c.inputs[0], syn::Pat::Wild(_)).then_some(&c.inputs[0]);
                    let lines = std::mem::take(&mut judged.log_lines);
                    self.repair_of(BodyRef::Expr(&c.body), wildcard, &names, lines)
                }
                _ => None,
            };
            // A log earlier in the chain (`.inspect_err(..)`) is that site's: it carries the
            // error as far as this one is concerned.
            let chain = self.chain_logs(&m.receiver);
            judged.cause = LogCond::any(vec![judged.cause, chain.clone()]);
            judged.logs = LogCond::any(vec![judged.logs, chain]);
            let covers = method == "inspect_err";
            self.push_site(
                Site::new(SiteKind::Combinator, method_span(m), self.method_text(m))
                    .detail(method)
                    .covers(covers)
                    .source(&m.receiver)
                    .repair(repair),
                judged,
            );
        }
        self.visit_expr(&m.receiver);
        self.visit_in_site(|x| x.visit_expr(handler));
        for arg in m.args.iter().skip(1) {
            self.visit_expr(arg);
        }
    }
}

impl<'ast> Extractor<'_, '_, 'ast> {
    /// A 5xx built outside any error path (`written` as shown): a site of its own, logged when
    /// its block does, unless the function only maps errors to status codes.
    fn standalone_server_error(&mut self, written: String, at: PmSpan) {
        let status_only = self.sh.fns.last().is_some_and(|f| f.status_only);
        if self.site_depth > 0 || self.comparison > 0 || status_only {
            return;
        }
        let logs = self.scope_logs();
        let judged = Judged {
            outcome: Outcome::ServerError(written.clone()),
            logs,
            converts_to: Vec::new(),
            replaced: false,
            propagates_if: LogCond::No,
            builder: Vec::new(),
            cause: LogCond::Yes,
            binding: None,
            log_lines: Vec::new(),
        };
        self.push_site(
            Site::new(SiteKind::ServerError, span_of(at, at), written.clone()).detail(written),
            judged,
        );
    }

    /// A method call as a site shows it: `.name(args)`, folded. Built only for a site: most
    /// method calls are none.
    fn method_text(&self, m: &ExprMethodCall) -> String {
        format!(".{}", self.text(m.method.span(), m.paren_token.span.close()))
    }

    /// `.unwrap_or(..)`, `.unwrap_or_default()`, `.is_ok()`, `.is_err()`. An `Option` has the
    /// first two, and the last two are tests: they are sites only when the producer is known to
    /// return a `Result` (decided in resolve), and a tested variable only when nothing else
    /// reads it (`if res.is_err() { return res; }` keeps the error).
    fn value_fallback(&mut self, m: &'ast ExprMethodCall) {
        let (branches, branches_cause) = self
            .sh
            .test_logs
            .remove(&(m as *const ExprMethodCall as usize))
            .unwrap_or((LogCond::No, LogCond::No));
        let name = m.method.to_string();
        let unit = |e: &Expr| matches!(e, Expr::Tuple(t) if t.elems.is_empty());
        let (kind, outcome) = match (name.as_str(), m.args.first()) {
            ("unwrap_or", Some(v)) if m.args.len() == 1 && unit(v) => (SiteKind::Combinator, Outcome::Discarded),
            ("unwrap_or", Some(_)) if m.args.len() == 1 => (SiteKind::Combinator, Outcome::Fallback),
            ("unwrap_or_default", None) => (SiteKind::Combinator, Outcome::Fallback),
            ("is_ok" | "is_err", None) => (SiteKind::Test, Outcome::Fallback),
            _ => return,
        };
        // `.ok().unwrap_or(..)`: the `.ok()` is the site.
        if matches!(strip_await(&m.receiver), Expr::MethodCall(inner) if inner.method == "ok" && inner.args.is_empty())
        {
            return;
        }
        if kind == SiteKind::Test {
            if let Expr::Path(p) = &*m.receiver {
                if p.path.segments.len() != 1 || self.fn_mentions(&p.path.segments[0].ident.to_string()) > 2 {
                    return;
                }
            }
        }
        if self.benign(&m.receiver) {
            return;
        }
        // `if res.is_err() { warn!(..) }`: the branches see the error only through the tested
        // variable; a log earlier in the chain (`.inspect_err(..)`) is that site's.
        let chain = self.chain_logs(&m.receiver);
        let judged = Judged {
            outcome,
            logs: LogCond::any(vec![chain.clone(), branches]),
            converts_to: Vec::new(),
            replaced: false,
            propagates_if: LogCond::No,
            builder: Vec::new(),
            cause: LogCond::any(vec![chain, branches_cause]),
            binding: None,
            log_lines: Vec::new(),
        };
        self.push_site(
            Site::new(kind, method_span(m), self.method_text(m))
                .detail(name)
                .source(&m.receiver)
                .needs_result()
                .repair((kind == SiteKind::Combinator).then(|| chain_repair(m))),
            judged,
        );
    }

    /// How many times the enclosing function's body names `name`.
    fn fn_mentions(&self, name: &str) -> usize {
        fn count(tokens: proc_macro2::TokenStream, name: &str) -> usize {
            tokens
                .into_iter()
                .map(|t| match t {
                    proc_macro2::TokenTree::Ident(i) => usize::from(i == name),
                    proc_macro2::TokenTree::Group(g) => count(g.stream(), name),
                    _ => 0,
                })
                .sum()
        }
        match self.fn_block {
            Some(b) => count(quote::ToTokens::to_token_stream(b), name),
            None => usize::MAX,
        }
    }

    /// A middleware installed (`.wrap(..)`, `.layer(..)`), and a 5xx built with a number
    /// (`.status(500)`) outside any error path.
    fn service_scope(&mut self, m: &ExprMethodCall) {
        if self.sh.test_depth > 0 && !self.sh.k.include_tests {
            return;
        }
        if let Some(mw) = super::scope::installed(&self.env(), m, || method_span(m)) {
            self.sh.facts.middleware.push(mw);
        }
        if let Some((Status::Server { standalone: true }, written)) = self.env().numeric_method(m) {
            self.standalone_server_error(written, m.method.span());
        }
    }

    /// `tokio::spawn(fallible())` whose handle is dropped (a statement, `let _ =`): a site when
    /// the task's output is a `Result` — by construction (an async block or closure ending in
    /// `Ok(..)` after a `?`), or when the spawned call is an in-workspace function returning one
    /// (its callee is the site's source, decided in resolve). Returns whether `value` is a spawn.
    fn detached_task(&mut self, value: &'ast Expr) -> bool {
        let Expr::Call(call) = value else { return false };
        let Some(path) = expr_path(&call.func) else {
            return false;
        };
        let raw = segments(path);
        let full = self.sh.uses.expand(raw.clone());
        if !self.sh.k.spawn.iter().any(|p| p.matches(&full) || p.matches(&raw)) {
            return false;
        }
        let Some(task) = call.args.first() else { return true };
        let (output, by_construction) = match task {
            Expr::Async(a) => task_output(&a.block),
            Expr::Closure(c) => match &*c.body {
                Expr::Block(b) => task_output(&b.block),
                other => (Some(other), false),
            },
            other => (Some(other), false),
        };
        let Some(output) = output else { return true };
        let output = strip_await(output);
        // A function called by its path (`launch(..)`, `server::run(..)`): a method's receiver
        // type is unknown, so the function it means is not.
        let is_call = match output {
            Expr::Call(c) => expr_path(&c.func).is_some(),
            _ => false,
        };
        if !by_construction && !is_call {
            return true;
        }
        let (func, returned) = (span_whole(&call.func), span_whole(output));
        let span = span_one_line(func, call.paren_token.span.open());
        let text = self.text(func, func);
        let detail = self.text(returned, returned);
        let judged = Judged {
            outcome: Outcome::Discarded,
            logs: LogCond::No,
            converts_to: Vec::new(),
            replaced: false,
            propagates_if: LogCond::No,
            builder: Vec::new(),
            cause: LogCond::Yes,
            binding: None,
            log_lines: Vec::new(),
        };
        let mut site = Site::new(SiteKind::DetachedTask, span, text).detail(detail);
        if !by_construction {
            site = site.source(output);
        }
        self.push_site(site, judged);
        true
    }

    /// `let _ = call()` and `_ = call()`: the error vanishes.
    fn discard_let(&mut self, start: PmSpan, value: &'ast Expr) {
        if self.detached_task(value) {
            return;
        }
        let value_stripped = strip_await(value);
        let callee = match value_stripped {
            // `let _ = x.unwrap();` panics on the error instead of discarding it.
            Expr::MethodCall(m) if self.sh.k.panic_methods.iter().any(|p| m.method == p) => None,
            Expr::Call(c) => expr_path(&c.func).map(|p| Callee {
                path: self.sh.uses.expand(segments(p)),
                method: false,
            }),
            Expr::MethodCall(m) => Some(Callee {
                path: vec![m.method.to_string()],
                method: true,
            }),
            // `let _ = x?;` keeps the error flowing; a plain value or a macro is not a Result we know of.
            _ => None,
        };
        let Some(callee) = callee else { return };
        let name = callee.path.last().map(String::as_str).unwrap_or("");
        if self.benign(value_stripped) || self.sh.k.not_results.iter().any(|n| n == name) {
            return;
        }
        let (whole, stripped) = (span_whole(value), span_whole(value_stripped));
        let span = span_one_line(start, whole);
        let text = format!("let _ = {}", self.text(whole, whole));
        let detail = self.text(stripped, stripped);
        let judged = Judged {
            outcome: Outcome::Discarded,
            logs: self.chain_logs(value_stripped),
            converts_to: Vec::new(),
            replaced: false,
            propagates_if: LogCond::No,
            builder: Vec::new(),
            cause: LogCond::Yes,
            binding: None,
            log_lines: Vec::new(),
        };
        self.push_site(
            Site::new(SiteKind::DiscardLet, span, text)
                .detail(detail)
                .source(value_stripped),
            judged,
        );
    }

    fn judge_handler(&self, method: &str, handler: &Expr) -> Judged {
        let env = self.env();
        match handler {
            Expr::Closure(c) => {
                let mut names = Vec::new();
                c.inputs.iter().for_each(|p| bindings(p, &mut names));
                let mut judged = self.judge(BodyRef::Expr(&c.body), &names);
                if method == "inspect_err" {
                    // Passes the error through unchanged: it is judged where it ends.
                    judged.outcome = Outcome::Propagated;
                } else if method == "map_err"
                    && !matches!(judged.outcome, Outcome::ServerError(_) | Outcome::ClientError)
                {
                    // The result is still an `Err`: the error flows on, converted — or replaced by
                    // another when the closure ignores it (`|_| AppError::NotFound`).
                    judged.outcome = Outcome::Propagated;
                    judged.replaced = !body_mentions(BodyRef::Expr(&c.body), &names);
                }
                judged
            }
            other => {
                let Some(path) = expr_path(other) else {
                    return Judged {
                        outcome: Outcome::Propagated,
                        logs: LogCond::No,
                        converts_to: Vec::new(),
                        replaced: false,
                        propagates_if: LogCond::No,
                        builder: Vec::new(),
                        cause: LogCond::Yes,
                        binding: None,
                        log_lines: Vec::new(),
                    };
                };
                let outcome = match env.status(path) {
                    Some(Status::Server { .. }) => Outcome::ServerError(segments(path).join("::")),
                    Some(Status::Client) => Outcome::ClientError,
                    None => Outcome::Propagated,
                };
                let is_fn = path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident.to_string().starts_with(|c: char| c.is_lowercase()));
                let replaced = outcome == Outcome::ClientError;
                Judged {
                    outcome,
                    logs: if is_fn { self.handler_logs(other) } else { LogCond::No },
                    converts_to: type_of_constructor(path).into_iter().collect(),
                    // A 4xx status given for the error, which it never sees.
                    replaced,
                    propagates_if: LogCond::No,
                    builder: Vec::new(),
                    // The function is handed the error: what it logs carries it.
                    cause: LogCond::Yes,
                    binding: None,
                    log_lines: Vec::new(),
                }
            }
        }
    }
}

/// What a spawned block hands back: its tail expression, and whether that is a `Result` by
/// construction (`Ok(..)` after a `?` in the block).
fn task_output(block: &syn::Block) -> (Option<&Expr>, bool) {
    let Some(syn::Stmt::Expr(tail, None)) = block.stmts.last() else {
        return (None, false);
    };
    let is_ok = matches!(strip_await(tail), Expr::Call(c)
        if expr_path(&c.func).and_then(|p| p.segments.last()).is_some_and(|s| s.ident == "Ok"));
    if !is_ok {
        return (Some(tail), false);
    }
    struct Tries(bool);
    impl<'ast> Visit<'ast> for Tries {
        fn visit_expr_try(&mut self, _: &'ast syn::ExprTry) {
            self.0 = true;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut tries = Tries(false);
    block.stmts.iter().for_each(|s| tries.visit_stmt(s));
    (Some(tail), tries.0)
}

/// Where a method call's site is shown: from the method's name to its closing parenthesis, or
/// the name alone when the arguments run over lines. Built only for a site.
/// `Err(_)`: the wildcard that drops the error.
fn err_wildcard(pat: &syn::Pat) -> Option<&syn::Pat> {
    match pat {
        syn::Pat::TupleStruct(t) if t.path.segments.last().is_some_and(|s| s.ident == "Err") && t.elems.len() == 1 => {
            matches!(&t.elems[0], syn::Pat::Wild(_)).then_some(&t.elems[0])
        }
        _ => None,
    }
}

/// A method call on a `Result` (`.ok()`, `.unwrap_or(..)`): a fix logs in an `.inspect_err(..)`
/// put before it.
fn chain_repair(m: &ExprMethodCall) -> Repair {
    Repair {
        slot: Some(Slot::Chain {
            at: paths::pos(m.dot_token.span.start()),
        }),
        rename: None,
        name: "e".into(),
        log_lines: Vec::new(),
    }
}

fn method_span(m: &ExprMethodCall) -> crate::diagnostic::Span {
    span_one_line(m.method.span(), m.paren_token.span.close())
}

// ---------------------------------------------------------------------------------------------
// Attributes and types

/// `#[test]`, `#[tokio::test]`, `#[rstest]`, `#[cfg(test)]`, ...
pub fn has_test_attr(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        let path = a.path();
        let last = path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        if path.is_ident("cfg") {
            let tokens = a.meta.require_list().map(|l| l.tokens.to_string()).unwrap_or_default();
            return tokens == "test"
                || (tokens.starts_with("all") && tokens.contains("test") && !tokens.contains("not"));
        }
        matches!(last.as_str(), "test" | "rstest" | "test_case")
    })
}

/// `#[instrument(err)]`, `#[tracing::instrument(skip(db), err(Display))]`.
fn has_instrument_err(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().segments.last().is_some_and(|s| s.ident == "instrument")
            && a.meta.require_list().is_ok_and(|l| {
                l.tokens
                    .clone()
                    .into_iter()
                    .any(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "err"))
            })
    })
}

fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        // `Result<T, ()>`: an error that carries nothing.
        Type::Tuple(t) if t.elems.is_empty() => Some("()".into()),
        Type::Reference(r) => type_name(&r.elem),
        Type::Paren(p) => type_name(&p.elem),
        Type::Group(g) => type_name(&g.elem),
        _ => None,
    }
}

/// The local variable an expression reads a `Result` from: `x`, `&x`, `x.as_ref()`,
/// `x.clone()`.
fn result_var(e: &Expr) -> Option<String> {
    match e {
        Expr::Reference(r) => result_var(&r.expr),
        Expr::Paren(p) => result_var(&p.expr),
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(
                    m.method.to_string().as_str(),
                    "as_ref" | "as_mut" | "as_deref" | "clone"
                ) =>
        {
            result_var(&m.receiver)
        }
        Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let name = p.path.segments[0].ident.to_string();
            name.starts_with(|c: char| c.is_lowercase() || c == '_').then_some(name)
        }
        _ => None,
    }
}

/// A method taking `self` that returns a status code type (`fn error_code(&self) -> Code`): a
/// table from the error's variants to codes, not a response.
fn maps_to_code(k: &Knowledge, sig: &syn::Signature) -> bool {
    let takes_self = sig.inputs.first().is_some_and(|i| matches!(i, syn::FnArg::Receiver(_)));
    let ReturnType::Type(_, ty) = &sig.output else {
        return false;
    };
    takes_self && type_name(ty).is_some_and(|t| crate::knowledge::service::is_code_type(&k.code_types, &t))
}

/// `From<AppError>` → `AppError`.
fn from_source(trait_path: &syn::Path) -> Option<String> {
    generic_types(trait_path).first().and_then(|t| type_name(t))
}

/// Sentinel for "the error type of the crate's `Result<T>` alias", resolved workspace-wide.
pub const RESULT_ALIAS: &str = "<Result>";

/// Whether a return type is a `Result`, and its error type's name when it is written.
fn return_type(output: &ReturnType) -> (Option<bool>, Option<String>) {
    let ReturnType::Type(_, ty) = output else {
        return (Some(false), None);
    };
    match &**ty {
        Type::Path(tp) => {
            let Some(last) = tp.path.segments.last() else {
                return (None, None);
            };
            let name = last.ident.to_string();
            if !name.ends_with("Result") {
                return (Some(false), None);
            }
            let args = generic_types(&tp.path);
            let err = if args.len() >= 2 {
                type_name(args[1])
            } else if name == "Result" && tp.path.segments.len() == 1 {
                Some(RESULT_ALIAS.to_string())
            } else {
                None
            };
            (Some(true), err)
        }
        Type::ImplTrait(_) => (None, None),
        _ => (Some(false), None),
    }
}

//! Reading one error path: does it log, build a 5xx or 4xx, propagate the error, or drop it?
//! Also the structural "every path logs" analysis of function bodies, and the predicates that
//! recognise error-path sites (shared with the extractor so both agree on what is nested).

use syn::visit::{self, Visit};
use syn::{BinOp, Expr, ExprMatch, ExprMethodCall, Pat, Stmt};

use super::logcond::{Callee, LogCond};
use super::macros::{self, MacroBody};
use super::paths::{expr_path, segments, strip_await, UseMap};
use crate::knowledge::{Knowledge, NumericStatus, PathPattern, StatusPattern};

/// Knowledge plus the file's imports: what names mean in this file.
pub struct Env<'a> {
    pub k: &'a Knowledge,
    pub uses: &'a UseMap,
    /// Print macros report to the program's user here (see [`super::scope::PrintScope`]).
    pub prints: bool,
    /// Read macro bodies that do not parse in pieces ([`macros::parse_pieces`]): off in test
    /// code, whose error paths are not counted.
    pub pieces: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A 5xx; `standalone` when it is a site even outside any error path.
    Server {
        standalone: bool,
    },
    Client,
}

impl Env<'_> {
    /// A macro's body as the error-path analyses read it.
    pub fn macro_body(&self, mac: &syn::Macro) -> Option<macros::Body> {
        if self.pieces {
            macros::parse_pieces(mac)
        } else {
            macros::parse(mac)
        }
    }

    pub fn expand(&self, path: &syn::Path) -> Vec<String> {
        self.uses.expand(segments(path))
    }

    pub fn is_log_macro(&self, path: &syn::Path) -> bool {
        let raw = segments(path);
        let full = self.uses.expand(raw.clone());
        let Some(last) = full.last() else { return false };
        if self
            .k
            .extra_log_macros
            .iter()
            .any(|p| p.matches(&full) || p.matches(&raw))
        {
            return true;
        }
        if (self.k.print_counts || self.prints) && raw.len() == 1 && self.k.print_macros.contains(last) {
            return true;
        }
        if !self.k.log_macros.contains(last) {
            return false;
        }
        if full.len() >= 2 {
            let prefix = &full[..full.len() - 1];
            // `tracing::error!`, `log::warn!`, a bare name imported from a logging crate, or
            // a logging crate reached through a re-export (`sketching::tracing::warn!`).
            if self.k.log_crates.iter().any(|c| ends_with_path(prefix, c)) {
                return true;
            }
            if raw.len() == 1 && full.last() == raw.last() {
                // `use actix_web::error;` imports a module: macros are another namespace, so
                // the bare `error!` is not that import. It is read as a bare name below.
            } else {
                // `crate::log::warn!`: a re-export inside the crate of a logging macro.
                return matches!(full[0].as_str(), "crate" | "self" | "super");
            }
        }
        // A bare name: a glob import of a logging crate, or a crate-wide `#[macro_use]`.
        self.uses.globs_from(&self.k.log_crates) || self.k.bare_log_macros.contains(last)
    }

    /// A call of a macro that may be the workspace's own (`err!(..)`, `crate::fail!(..)`), as
    /// a callee the resolve phase looks up among the workspace's `macro_rules!` definitions.
    /// `None` for the macros obsdebt already knows: logging, propagating, panicking, printing,
    /// and the standard library's.
    pub fn macro_callee(&self, path: &syn::Path) -> Option<Callee> {
        let last = path.segments.last()?;
        if super::macro_defs::is_std_macro(&last.ident) {
            return None;
        }
        if self.is_log_macro(path)
            || self.is_propagate_macro(path)
            || self.is_panic_macro(path)
            || self.is_print_macro(path)
        {
            return None;
        }
        Some(Callee {
            path: self.expand(path),
            method: false,
        })
    }

    /// A print to the operator's terminal (`eprintln!`, `println!`).
    pub fn is_print_macro(&self, path: &syn::Path) -> bool {
        path.segments.len() == 1 && self.k.print_macros.iter().any(|m| path.segments[0].ident == m)
    }

    /// A call that ends the process (`std::process::exit(1)`).
    pub fn is_exit_call(&self, full: &[String]) -> bool {
        self.k.exit_functions.iter().any(|p| p.matches(full))
    }

    pub fn is_log_function(&self, full: &[String]) -> bool {
        self.k.log_functions.iter().any(|p| p.matches(full))
    }

    fn matches_any(patterns: &[PathPattern], raw: &[String], full: &[String]) -> bool {
        patterns.iter().any(|p| p.matches(full) || p.matches(raw))
    }

    pub fn status(&self, path: &syn::Path) -> Option<Status> {
        // Every status pattern ends with a known name: most paths are rejected on it, unbuilt.
        let last = path.segments.last()?;
        if !self.k.indexes().status_lasts.contains(last.ident.to_string().as_str()) {
            return None;
        }
        let raw = segments(path);
        let full = self.uses.expand(raw.clone());
        let uses_crate = |c: &str| self.uses.roots.contains(c);
        let any = |patterns: &[StatusPattern]| patterns.iter().any(|p| p.matches(&raw, &full, &uses_crate));
        if any(&self.k.server_errors) {
            Some(Status::Server { standalone: true })
        } else if any(&self.k.server_errors_in_error_paths) {
            Some(Status::Server { standalone: false })
        } else if any(&self.k.client_errors) {
            Some(Status::Client)
        } else {
            None
        }
    }

    /// A status built from a 5xx number (`StatusCode::from_u16(500)`, rocket's
    /// `Status::new(500)`), and the call as written.
    pub fn numeric_call(&self, c: &syn::ExprCall) -> Option<(Status, String)> {
        let path = expr_path(&c.func)?;
        let status = numeric_server_status(c.args.first()?)?;
        let raw = segments(path);
        let full = self.uses.expand(raw.clone());
        self.k
            .numeric_status
            .iter()
            .any(|n| matches!(n, NumericStatus::Call(p) if p.matches(&full) || p.matches(&raw)))
            .then(|| (status.0, format!("{}({})", raw.join("::"), status.1)))
    }

    /// `.status(500)` and the like, and the call as written.
    pub fn numeric_method(&self, m: &ExprMethodCall) -> Option<(Status, String)> {
        if m.args.len() != 1 {
            return None;
        }
        let status = numeric_server_status(&m.args[0])?;
        self.k
            .numeric_status
            .iter()
            .any(|n| matches!(n, NumericStatus::Method(name) if m.method == name))
            .then(|| (status.0, format!(".{}({})", m.method, status.1)))
    }

    pub fn is_propagate_macro(&self, path: &syn::Path) -> bool {
        let raw = segments(path);
        Self::matches_any(&self.k.propagate_macros, &raw, &self.uses.expand(raw.clone()))
    }

    pub fn is_panic_macro(&self, path: &syn::Path) -> bool {
        path.segments
            .last()
            .is_some_and(|s| self.k.panic_macros.iter().any(|m| s.ident == m))
    }
}

/// Whether `path` ends with the segments of `pattern` (`tracing`, `slog_scope`, `a::b`).
fn ends_with_path(path: &[String], pattern: &str) -> bool {
    let mut at = path.len();
    for seg in pattern.rsplit("::") {
        if at == 0 || path[at - 1] != seg {
            return false;
        }
        at -= 1;
    }
    true
}

/// A 5xx integer literal (`500`, `502u16`): a server status, standalone unless it is 503 (often
/// a deliberate answer, as `server_errors_in_error_paths` says), and its digits.
fn numeric_server_status(arg: &Expr) -> Option<(Status, u64)> {
    let lit = match arg {
        Expr::Lit(l) => l,
        Expr::Paren(p) => return numeric_server_status(&p.expr),
        Expr::Group(g) => return numeric_server_status(&g.expr),
        _ => return None,
    };
    let syn::Lit::Int(i) = &lit.lit else { return None };
    let n: u64 = i.base10_parse().ok()?;
    (500..=599)
        .contains(&n)
        .then_some((Status::Server { standalone: n != 503 }, n))
}

// ---------------------------------------------------------------------------------------------
// Site predicates

fn last_ident(path: &syn::Path) -> Option<String> {
    path.segments.last().map(|s| s.ident.to_string())
}

/// `Err(..)` / `Result::Err(..)`, through parentheses and or-patterns.
pub fn is_variant_pat(pat: &Pat, variant: &str) -> bool {
    match pat {
        Pat::TupleStruct(t) => last_ident(&t.path).as_deref() == Some(variant),
        Pat::Paren(p) => is_variant_pat(&p.pat, variant),
        Pat::Or(o) => o.cases.iter().any(|c| is_variant_pat(c, variant)),
        _ => false,
    }
}

/// `_` or a binding. An identifier starting with a capital is a unit struct or constant
/// (`Err(AuthRedirect)`), as Rust's naming conventions make it: a specific pattern.
fn is_catch_all(pat: &Pat) -> bool {
    match pat {
        Pat::Wild(_) => true,
        Pat::Ident(i) => i.subpat.is_none() && !i.ident.to_string().starts_with(|c: char| c.is_uppercase()),
        _ => false,
    }
}

/// For each arm of `m`, whether it receives an `Err`: `Err(..)` arms, or, when the match has
/// `Ok(..)` arms and no `Err(..)` arm, its catch-all arms (`_`, `e`). One flag per arm, read by
/// index: a match with many arms is not searched once per arm.
pub fn error_arms(m: &ExprMatch) -> Vec<bool> {
    let err: Vec<bool> = m.arms.iter().map(|a| is_variant_pat(&a.pat, "Err")).collect();
    if err.contains(&true) {
        return err;
    }
    if !m.arms.iter().any(|a| is_variant_pat(&a.pat, "Ok")) {
        return vec![false; m.arms.len()];
    }
    m.arms.iter().map(|a| is_catch_all(&a.pat)).collect()
}

/// Names bound by an error pattern (`Err(e)` → `e`; `Err(Db(inner))` → `inner`; `other` → `other`).
pub fn bindings(pat: &Pat, out: &mut Vec<String>) {
    match pat {
        Pat::Ident(i) => {
            out.push(i.ident.to_string());
            if let Some((_, sub)) = &i.subpat {
                bindings(sub, out);
            }
        }
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| bindings(p, out)),
        Pat::Tuple(t) => t.elems.iter().for_each(|p| bindings(p, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| bindings(&f.pat, out)),
        Pat::Or(o) => o.cases.iter().for_each(|p| bindings(p, out)),
        Pat::Paren(p) => bindings(&p.pat, out),
        Pat::Reference(r) => bindings(&r.pat, out),
        Pat::Type(t) => bindings(&t.pat, out),
        _ => {}
    }
}

/// An `Err(..)` pattern that names a specific error (`Err(sqlx::Error::RowNotFound)`), as
/// opposed to a catch-all (`Err(_)`, `Err(e)`).
pub fn is_specific_err_pat(pat: &Pat) -> bool {
    match pat {
        Pat::TupleStruct(t) if last_ident(&t.path).as_deref() == Some("Err") => {
            t.elems.iter().any(|p| !is_catch_all(strip_ref(p)))
        }
        Pat::Paren(p) => is_specific_err_pat(&p.pat),
        // `Ok(()) | Err(NotFound | Invalid)`: every `Err` case names a variant.
        Pat::Or(o) => {
            let mut errs = o.cases.iter().filter(|c| is_variant_pat(c, "Err")).peekable();
            errs.peek().is_some() && errs.all(is_specific_err_pat)
        }
        _ => false,
    }
}

fn strip_ref(pat: &Pat) -> &Pat {
    match pat {
        Pat::Reference(r) => strip_ref(&r.pat),
        Pat::Paren(p) => strip_ref(&p.pat),
        Pat::Ident(i) if i.subpat.is_some() => i.subpat.as_ref().map(|(_, p)| strip_ref(p)).unwrap_or(pat),
        _ => pat,
    }
}

/// How an `if let` receives an `Err`, if it does.
pub enum IfLet {
    /// `if let Err(..) = x { then }`
    ErrThen,
    /// `if let Ok(..) = x { } else { .. }`
    OkElse,
    /// `if let Ok(..) = x { }` with no else
    OkNoElse,
}

pub fn if_let_kind(i: &syn::ExprIf) -> Option<(IfLet, &Pat, &Expr)> {
    let Expr::Let(l) = &*i.cond else { return None };
    if is_variant_pat(&l.pat, "Err") {
        Some((IfLet::ErrThen, &l.pat, &l.expr))
    } else if is_variant_pat(&l.pat, "Ok") {
        let kind = if i.else_branch.is_some() {
            IfLet::OkElse
        } else {
            IfLet::OkNoElse
        };
        Some((kind, &l.pat, &l.expr))
    } else {
        None
    }
}

/// The combinators that receive an error, with the handler argument.
pub fn combinator(m: &ExprMethodCall) -> Option<&Expr> {
    let name = m.method.to_string();
    let first = m.args.first()?;
    let one_param_closure = matches!(first, Expr::Closure(c) if c.inputs.len() == 1);
    let is_path = expr_path(first).is_some();
    match name.as_str() {
        "map_err" | "inspect_err" if m.args.len() == 1 && (one_param_closure || is_path) => Some(first),
        // Option has these too, with a closure taking no argument: only `|e|` is a Result's.
        "or_else" | "unwrap_or_else" if m.args.len() == 1 && one_param_closure => Some(first),
        "map_or_else" if m.args.len() == 2 && one_param_closure => Some(first),
        _ => None,
    }
}

/// `let Ok(v) = x else { .. }`
pub fn let_else(local: &syn::Local) -> Option<(&Expr, &Expr)> {
    let init = local.init.as_ref()?;
    let (_, diverge) = init.diverge.as_ref()?;
    is_variant_pat(&local.pat, "Ok").then_some((&*init.expr, &**diverge))
}

// ---------------------------------------------------------------------------------------------
// Scanning a path's body

/// What a path's body does, ignoring nested error paths (they are sites of their own).
#[derive(Debug, Default)]
pub struct Scan {
    pub logs: Vec<LogCond>,
    /// What carries the error value to a log line: a log macro naming it (`Yes`), or a call or
    /// workspace macro given it, which logs it if it always logs (decided in resolve). Empty
    /// when nothing on the path is handed the error.
    pub cause: Vec<LogCond>,
    /// The log macro calls on the path, for a fix ([`scan_holding`] only).
    pub log_lines: Vec<super::LogLine>,
    /// The first 5xx built, as written.
    pub server_error: Option<String>,
    pub client_error: bool,
    pub panics: bool,
    pub propagate_macro: bool,
    /// Prints to the operator (`eprintln!`) and ends the process (`std::process::exit`).
    pub prints: bool,
    pub exits: bool,
}

impl Scan {
    /// The path reports to the operator, then ends the process.
    pub fn prints_and_exits(&self) -> bool {
        self.prints && self.exits
    }
}

pub struct Scanner<'e, 'k> {
    env: &'e Env<'k>,
    pub scan: Scan,
    /// Look into nested error paths too (for "does this impl log anywhere").
    pub into_nested: bool,
    comparison: usize,
    /// The names that hold the error on this path: its bindings, then locals built from them
    /// (`let msg = e.to_string()`). Empty when the error is not bound, or not asked about.
    watch: Vec<String>,
    /// Record where the path's log macro calls are ([`Scan::log_lines`]).
    lines: bool,
}

impl<'e, 'k> Scanner<'e, 'k> {
    pub fn new(env: &'e Env<'k>) -> Self {
        Scanner {
            env,
            scan: Scan::default(),
            into_nested: false,
            comparison: 0,
            watch: Vec::new(),
            lines: false,
        }
    }

    /// Whether `e` names the error (one of [`Scanner::watch`]).
    fn mentions(&self, e: &Expr) -> bool {
        !self.watch.is_empty() && expr_mentions(e, &self.watch)
    }

    fn macro_mentions(&self, mac: &syn::Macro) -> bool {
        !self.watch.is_empty() && tokens_mention(mac.tokens.clone(), &self.watch)
    }

    pub fn logs(&self) -> LogCond {
        LogCond::any(self.scan.logs.clone())
    }

    fn scan_macro_body(&mut self, mac: &syn::Macro) {
        match self.env.macro_body(mac).as_deref() {
            Some(MacroBody::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(MacroBody::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
            None => {}
        }
    }
}

impl<'ast> Visit<'ast> for Scanner<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {
        // Items nested in a body run elsewhere, not on this path.
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if self.env.is_log_macro(&mac.path) {
            self.scan.logs.push(LogCond::Yes);
            if self.lines {
                self.scan.log_lines.push(log_line(self.env, mac));
            }
            if self.macro_mentions(mac) {
                self.scan.cause.push(LogCond::Yes);
            }
        } else if self.env.is_propagate_macro(&mac.path) {
            self.scan.propagate_macro = true;
        } else if self.env.is_panic_macro(&mac.path) {
            self.scan.panics = true;
        } else {
            if self.env.is_print_macro(&mac.path) {
                self.scan.prints = true;
                if self.macro_mentions(mac) {
                    self.scan.cause.push(LogCond::Yes);
                }
            } else if let Some(callee) = self.env.macro_callee(&mac.path) {
                // A workspace macro that logs in every arm logs here (decided in resolve).
                if self.macro_mentions(mac) {
                    self.scan.cause.push(LogCond::Macro(callee.clone()));
                }
                self.scan.logs.push(LogCond::Macro(callee));
            }
            self.scan_macro_body(mac);
        }
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if self.comparison == 0 {
            match self.env.status(&p.path) {
                Some(Status::Server { .. }) if self.scan.server_error.is_none() => {
                    self.scan.server_error = Some(
                        p.path
                            .segments
                            .iter()
                            .map(|s| s.ident.to_string())
                            .collect::<Vec<_>>()
                            .join("::"),
                    );
                }
                Some(Status::Client) => self.scan.client_error = true,
                _ => {}
            }
        }
        visit::visit_expr_path(self, p);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if self.comparison == 0 && self.scan.server_error.is_none() {
            if let Some((_, written)) = self.env.numeric_call(c) {
                self.scan.server_error = Some(written);
            }
        }
        if let Some(path) = expr_path(&c.func) {
            let full = self.env.expand(path);
            let given = c.args.iter().any(|a| self.mentions(a));
            if self.env.is_log_function(&full) {
                self.scan.logs.push(LogCond::Yes);
                if given {
                    self.scan.cause.push(LogCond::Yes);
                }
            } else if self.env.is_exit_call(&full) {
                self.scan.exits = true;
            } else {
                let callee = Callee {
                    path: full,
                    method: false,
                };
                if given {
                    self.scan.cause.push(LogCond::Call(callee.clone()));
                }
                self.scan.logs.push(LogCond::Call(callee));
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast ExprMethodCall) {
        if self.comparison == 0 && self.scan.server_error.is_none() {
            if let Some((_, written)) = self.env.numeric_method(m) {
                self.scan.server_error = Some(written);
            }
        }
        let callee = Callee {
            path: vec![m.method.to_string()],
            method: true,
        };
        // `e.log()`, `reporter.capture(&e)`: the method is handed the error.
        if self.mentions(&m.receiver) || m.args.iter().any(|a| self.mentions(a)) {
            self.scan.cause.push(LogCond::Call(callee.clone()));
        }
        self.scan.logs.push(LogCond::Call(callee));
        if !self.into_nested && combinator(m).is_some() {
            // The handler is a nested error path; the receiver and other arguments are ours.
            self.visit_expr(&m.receiver);
            m.args.iter().skip(1).for_each(|a| self.visit_expr(a));
            return;
        }
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        let cmp = matches!(b.op, BinOp::Eq(_) | BinOp::Ne(_));
        self.comparison += usize::from(cmp);
        visit::visit_expr_binary(self, b);
        self.comparison -= usize::from(cmp);
    }

    fn visit_expr_match(&mut self, m: &'ast ExprMatch) {
        // `match e { Db(inner) => .. }`: the arms hold the error on.
        if self.mentions(&m.expr) {
            m.arms.iter().for_each(|a| bindings(&a.pat, &mut self.watch));
        }
        if self.into_nested {
            return visit::visit_expr_match(self, m);
        }
        let nested = error_arms(m);
        self.visit_expr(&m.expr);
        for (i, arm) in m.arms.iter().enumerate() {
            if !nested.get(i).copied().unwrap_or(false) {
                if let Some((_, g)) = &arm.guard {
                    self.visit_expr(g);
                }
                self.visit_expr(&arm.body);
            }
        }
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        if let Expr::Let(l) = &*i.cond {
            if self.mentions(&l.expr) {
                bindings(&l.pat, &mut self.watch);
            }
        }
        if self.into_nested {
            return visit::visit_expr_if(self, i);
        }
        match if_let_kind(i) {
            Some((IfLet::ErrThen, _, scrutinee)) => {
                self.visit_expr(scrutinee);
                if let Some((_, e)) = &i.else_branch {
                    self.visit_expr(e);
                }
            }
            Some((IfLet::OkElse, _, scrutinee)) => {
                self.visit_expr(scrutinee);
                self.visit_block(&i.then_branch);
            }
            _ => visit::visit_expr_if(self, i),
        }
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        // `for err in errors { error!(?err) }`
        if self.mentions(&f.expr) {
            bindings(&f.pat, &mut self.watch);
        }
        visit::visit_expr_for_loop(self, f);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        // `msg.result = format!("{e:?}")`: `msg` carries the error on.
        if self.mentions(&a.right) {
            let mut place = &*a.left;
            while let Expr::Field(f) = place {
                place = &f.base;
            }
            if let Expr::Path(p) = place {
                if let Some(ident) = p.path.get_ident() {
                    self.watch.push(ident.to_string());
                }
            }
        }
        visit::visit_expr_assign(self, a);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        match let_else(l) {
            Some((init, _)) if !self.into_nested => self.visit_expr(init),
            _ => visit::visit_local(self, l),
        }
        // `let msg = format!("{e}")`: `msg` carries the error on.
        if l.init.as_ref().is_some_and(|i| self.mentions(&i.expr)) {
            bindings(&l.pat, &mut self.watch);
        }
    }
}

/// Where a log macro call is open to an added argument.
fn log_line(env: &Env, mac: &syn::Macro) -> super::LogLine {
    use proc_macro2::{Spacing, TokenTree};
    let open = match &mac.delimiter {
        syn::MacroDelimiter::Paren(p) => p.span.open(),
        syn::MacroDelimiter::Brace(b) => b.span.open(),
        syn::MacroDelimiter::Bracket(b) => b.span.open(),
    };
    let tokens: Vec<TokenTree> = mac.tokens.clone().into_iter().collect();
    let keyed = matches!(
        (tokens.first(), tokens.get(1)),
        (Some(TokenTree::Ident(_)), Some(TokenTree::Punct(p))) if p.as_char() == ':' && p.spacing() == Spacing::Alone
    );
    let literal_end = tokens.iter().find_map(|t| match t {
        TokenTree::Literal(l) if l.to_string().starts_with('"') => {
            let mut end = super::paths::pos(l.span().end());
            end.column -= 1;
            Some(end)
        }
        _ => None,
    });
    let full = env.expand(&mac.path);
    super::LogLine {
        open: super::paths::pos(open.end()),
        literal_end,
        keyed,
        krate: (full.len() >= 2).then(|| full[0].clone()),
    }
}

/// Whether `tokens` contain an identifier among `names` (macro arguments included: `format!("{e}")`
/// names `e` only inside a string, which is checked too).
pub fn tokens_mention(tokens: proc_macro2::TokenStream, names: &[String]) -> bool {
    use proc_macro2::TokenTree;
    tokens.into_iter().any(|t| match t {
        TokenTree::Ident(i) => names.iter().any(|n| i == n),
        TokenTree::Group(g) => tokens_mention(g.stream(), names),
        TokenTree::Literal(l) => {
            let text = l.to_string();
            text.starts_with('"') && names.iter().any(|n| format_names(&text, n))
        }
        TokenTree::Punct(_) => false,
    })
}

/// Whether a format string names `name` inline: `{name}`, `{name:?}`, `{name:#}`.
fn format_names(text: &str, name: &str) -> bool {
    text.match_indices('{').any(|(i, _)| {
        let rest = &text[i + 1..];
        rest.strip_prefix(name)
            .is_some_and(|after| after.starts_with('}') || after.starts_with(':'))
    })
}

/// Whether `e` names one of `names`: a path of that one name (`e`, `&e`, `e.to_string()`), or
/// a macro whose tokens do.
pub fn expr_mentions(e: &Expr, names: &[String]) -> bool {
    struct Finder<'n> {
        names: &'n [String],
        found: bool,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr(&mut self, e: &'ast Expr) {
            if !self.found {
                visit::visit_expr(self, e);
            }
        }
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if p.qself.is_none() && p.path.segments.len() == 1 {
                let ident = &p.path.segments[0].ident;
                self.found |= self.names.iter().any(|n| ident == n);
            }
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            self.found |= tokens_mention(m.tokens.clone(), self.names);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut f = Finder { names, found: false };
    f.visit_expr(e);
    f.found
}

/// An error path's body: an expression (arm, closure) or a block (`if let`, `else`).
#[derive(Clone, Copy)]
pub enum BodyRef<'a> {
    Expr(&'a Expr),
    Block(&'a syn::Block),
}

/// Scans an error path's body (nested error paths excluded).
pub fn scan(env: &Env, body: BodyRef) -> Scan {
    scan_holding(env, body, &[])
}

/// [`scan`], also finding what on the path is handed the error bound to `names`
/// ([`Scan::cause`]).
pub fn scan_holding(env: &Env, body: BodyRef, names: &[String]) -> Scan {
    let mut s = Scanner::new(env);
    s.watch = names.to_vec();
    s.lines = true;
    match body {
        BodyRef::Expr(e) => s.visit_expr(e),
        BodyRef::Block(b) => s.visit_block(b),
    }
    s.scan
}

/// Any logging anywhere in `block`, nested error paths included.
pub fn logs_anywhere(env: &Env, block: &syn::Block) -> LogCond {
    let mut s = Scanner::new(env);
    s.into_nested = true;
    s.visit_block(block);
    s.logs()
}

// ---------------------------------------------------------------------------------------------
// Propagation

/// Expressions whose value leaves the path: the tail (through blocks, `if`, `match`) and every
/// `return`. Closures, async blocks and nested items are not followed.
fn result_exprs<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::Block(b) => block_tail(&b.block, out),
        Expr::Unsafe(u) => block_tail(&u.block, out),
        Expr::If(i) => {
            block_tail(&i.then_branch, out);
            if let Some((_, e)) = &i.else_branch {
                result_exprs(e, out);
            }
        }
        Expr::Match(m) => m.arms.iter().for_each(|a| result_exprs(&a.body, out)),
        Expr::Paren(p) => result_exprs(&p.expr, out),
        Expr::Group(g) => result_exprs(&g.expr, out),
        Expr::Return(r) => {
            if let Some(v) = &r.expr {
                result_exprs(v, out);
            }
        }
        other => out.push(other),
    }
}

fn block_tail<'a>(b: &'a syn::Block, out: &mut Vec<&'a Expr>) {
    if let Some(Stmt::Expr(e, None)) = b.stmts.last() {
        result_exprs(e, out);
    }
}

/// Methods that keep a value for later: an error passed to one of them flows on.
const STORING_METHODS: &[&str] = &[
    "push",
    "push_back",
    "push_front",
    "insert",
    "send",
    "try_send",
    "extend",
    "set",
    "replace",
];

/// `return` values, `?` operands and stored values inside a body (not inside closures or async
/// blocks).
pub struct Exits<'a> {
    /// The values the path leaves with: its tail (through blocks, `if`, `match`) and every
    /// `return`'s value.
    results: Vec<&'a Expr>,
    returns: Vec<&'a Expr>,
    tries: Vec<&'a Expr>,
    /// Right-hand sides of assignments and arguments of storing methods.
    stores: Vec<&'a Expr>,
}

impl<'a> Visit<'a> for Exits<'a> {
    fn visit_expr_return(&mut self, r: &'a syn::ExprReturn) {
        if let Some(v) = &r.expr {
            result_exprs(v, &mut self.returns);
        }
        visit::visit_expr_return(self, r);
    }
    fn visit_expr_try(&mut self, t: &'a syn::ExprTry) {
        self.tries.push(&t.expr);
        visit::visit_expr_try(self, t);
    }
    fn visit_expr_assign(&mut self, a: &'a syn::ExprAssign) {
        self.stores.push(&a.right);
        visit::visit_expr_assign(self, a);
    }
    fn visit_expr_method_call(&mut self, m: &'a ExprMethodCall) {
        if STORING_METHODS.iter().any(|s| m.method == s) {
            self.stores.extend(m.args.iter());
        }
        visit::visit_expr_method_call(self, m);
    }
    fn visit_expr_closure(&mut self, _: &'a syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'a syn::ExprAsync) {}
    fn visit_item(&mut self, _: &'a syn::Item) {}
}

/// Whether `e` mentions one of `names` as a plain variable, also inside macro arguments and
/// as an inline format argument (`format!("failed: {e}")`, `anyhow!("{e:?}")`).
pub fn mentions(e: &Expr, names: &[String]) -> bool {
    struct M<'n>(&'n [String], bool);
    impl<'ast> Visit<'ast> for M<'_> {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if p.path.segments.len() == 1 && self.0.iter().any(|n| p.path.segments[0].ident == n) {
                self.1 = true;
            }
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if self.1 {
                return;
            }
            match macros::parse_pieces(mac).as_deref() {
                Some(MacroBody::Exprs(exprs)) => {
                    for e in exprs {
                        if let Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s), ..
                        }) = e
                        {
                            self.1 |= inline_format_args(&s.value()).any(|a| self.0.iter().any(|n| n == a));
                        }
                        self.visit_expr(e);
                    }
                }
                Some(MacroBody::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
                None => {}
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    if names.is_empty() {
        return false;
    }
    let mut m = M(names, false);
    m.visit_expr(e);
    m.1
}

/// The names a format string captures inline: `"{e}"`, `"{err:?}"`, `"{e:#}"` (not `{{`, `{0}`,
/// `{}`).
fn inline_format_args(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || loop {
        let at = rest.find('{')?;
        let after = &rest[at + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let (name, tail) = after.split_at(len);
        rest = tail;
        let is_ident = name.starts_with(|c: char| c.is_alphabetic() || c == '_');
        if is_ident && (tail.starts_with('}') || tail.starts_with(':')) {
            return Some(name);
        }
    })
}

/// The error value itself, possibly wrapped: `e`, `Some(e)`, `Box::new(e)`, `Wrap(e)`, `e.into()`,
/// or formatted into a constructor (`Event::Failed(format!("{e}"))`).
fn by_value(e: &Expr, names: &[String]) -> bool {
    match strip_await(e) {
        Expr::Call(c) => {
            c.args.iter().any(|a| by_value(a, names))
                || (constructed_type(e).is_some() && c.args.iter().any(|a| mentions(a, names)))
        }
        Expr::MethodCall(m) => m.method == "into" && is_binding(&m.receiver, names),
        Expr::Tuple(t) => t.elems.iter().any(|a| by_value(a, names)),
        Expr::Struct(s) => s.fields.iter().any(|f| by_value(&f.expr, names)),
        other => is_binding(other, names),
    }
}

fn is_binding(e: &Expr, names: &[String]) -> bool {
    expr_path(strip_await(e)).is_some_and(|p| p.segments.len() == 1 && names.iter().any(|n| p.segments[0].ident == n))
}

/// The error type a constructor expression builds: `AppError::Db(e)` → `AppError`,
/// `AppError::from(e)` → `AppError`, `Wrap(e)` → `Wrap`, `Error { .. }` → `Error`.
pub fn constructed_type(e: &Expr) -> Option<String> {
    let path = match strip_await(e) {
        Expr::Call(c) => expr_path(&c.func)?,
        Expr::Struct(s) => return last_ident(&s.path),
        Expr::Path(p) => &p.path,
        _ => return None,
    };
    type_of_constructor(path)
}

/// `AppError::Db` / `AppError::from` → `AppError`; `Wrap` → `Wrap`; `wrap` → none.
pub fn type_of_constructor(path: &syn::Path) -> Option<String> {
    let segs = segments(path);
    match segs.len() {
        0 => None,
        1 => segs[0]
            .chars()
            .next()
            .filter(|c| c.is_uppercase())
            .map(|_| segs[0].clone()),
        n => {
            let owner = &segs[n - 2];
            owner.chars().next().filter(|c| c.is_uppercase()).map(|_| owner.clone())
        }
    }
}

const CONVERSIONS: &[&str] = &[
    "into",
    "into_response",
    "context",
    "with_context",
    "wrap_err",
    "wrap_err_with",
];

/// A call of a constructor (`Wrap(..)`, `Outcome::Failed(..)`) or a struct literal.
fn is_constructor(e: &Expr) -> bool {
    match strip_await(e) {
        e @ Expr::Call(_) => constructed_type(e).is_some(),
        Expr::Struct(_) => true,
        _ => false,
    }
}

fn is_err_ctor(e: &Expr) -> Option<&syn::ExprCall> {
    match strip_await(e) {
        Expr::Call(c) if expr_path(&c.func).and_then(last_ident).as_deref() == Some("Err") => Some(c),
        _ => None,
    }
}

/// Whether a value that leaves the path carries the error on (adding the error types it is
/// converted into to `types`):
/// - an `Err(..)`, also wrapped (`Poll::Ready(Err(e))`, `Some(Err(e))`, `Ok(Err(e))`) or
///   followed by a method (`Err(x).context(..)`);
/// - the error itself, converted (`e.into()`, `e.context(..)`) or in a constructor
///   (`AppError::from(e)`, `Wrap(e)`, `Failed { source: e }`);
/// - the error formatted into a constructor: `ToolOutcome::Error(format!("failed: {e}"))`
///   hands the failure to the caller as the path's result;
/// - a tuple with one of these (`(Outcome::Error(msg), None)`), or a propagating macro.
fn carries(env: &Env, r: &Expr, names: &[String], types: &mut Vec<String>) -> bool {
    carries_in(env, r, names, types, true)
}

/// [`carries`]; `formatted` is false inside a response body (`Json(..)`), where the error's
/// text is only a message for the client.
fn carries_in(env: &Env, r: &Expr, names: &[String], types: &mut Vec<String>, formatted: bool) -> bool {
    let r = strip_await(r);
    if let Some(c) = is_err_ctor(r) {
        types.extend(c.args.first().and_then(constructed_type));
        return true;
    }
    if is_binding(r, names) {
        return true;
    }
    match r {
        Expr::MethodCall(m) if is_err_ctor(&m.receiver).is_some() => true,
        Expr::MethodCall(m) => {
            (is_binding(&m.receiver, names) && CONVERSIONS.contains(&m.method.to_string().as_str()))
                // `other().unwrap_or_else(|e2| format!("{e}, then {e2}"))`: the fallback value
                // is the error's text.
                || m.args.iter().any(|a| {
                    matches!(a, Expr::Closure(c) if carries_in(env, &c.body, names, types, formatted))
                })
        }
        // The path's value is the error's text (`format!("failed: {e}")`), handed to the caller.
        Expr::Macro(m) if formatted && m.mac.path.is_ident("format") && mentions(r, names) => true,
        Expr::Macro(m) => env.is_propagate_macro(&m.mac.path),
        Expr::Block(b) => match b.block.stmts.last() {
            Some(Stmt::Expr(e, None)) => carries_in(env, e, names, types, formatted),
            _ => false,
        },
        Expr::Tuple(t) => {
            let mut any = false;
            for e in &t.elems {
                any |= carries_in(env, e, names, types, formatted);
            }
            any
        }
        Expr::Call(c) => {
            let Some(ty) = constructed_type(r) else { return false };
            let formatted = formatted && !env.k.body_types.contains(&ty);
            let (mut direct, mut wrapped) = (false, false);
            for a in &c.args {
                if is_binding(a, names) {
                    direct = true;
                } else if carries_in(env, a, names, types, formatted) {
                    wrapped = true;
                } else if formatted && !is_constructor(a) && mentions(a, names) {
                    // A constructor argument was read by the call above, at its own level.
                    direct = true;
                }
            }
            if direct {
                types.push(ty);
            }
            direct || wrapped
        }
        Expr::Struct(s) => {
            let ty = constructed_type(r);
            let formatted = formatted && !ty.as_ref().is_some_and(|t| env.k.body_types.contains(t));
            let (mut direct, mut wrapped) = (false, false);
            for f in &s.fields {
                if is_binding(&f.expr, names) {
                    direct = true;
                } else if carries_in(env, &f.expr, names, types, formatted) {
                    wrapped = true;
                } else if formatted && !is_constructor(&f.expr) && mentions(&f.expr, names) {
                    direct = true;
                }
            }
            if direct {
                types.extend(ty);
            }
            direct || wrapped
        }
        _ => false,
    }
}

/// How a path's body can leave: the values it leaves with, `?` operands and stored values,
/// read once and shared by [`propagation_of`] and [`builder_methods`].
pub fn exits(body: BodyRef<'_>) -> Exits<'_> {
    let mut exits = Exits {
        results: Vec::new(),
        returns: Vec::new(),
        tries: Vec::new(),
        stores: Vec::new(),
    };
    match body {
        BodyRef::Expr(e) => {
            result_exprs(e, &mut exits.results);
            exits.visit_expr(e);
        }
        BodyRef::Block(b) => {
            block_tail(b, &mut exits.results);
            exits.visit_block(b);
        }
    }
    let returns = std::mem::take(&mut exits.returns);
    exits.results.extend(returns);
    exits
}

/// Whether the error flows on from a path whose error is bound to `names`, and the error
/// types it is converted into on the way.
pub fn propagation(env: &Env, body: BodyRef, names: &[String]) -> (bool, Vec<String>) {
    propagation_of(env, &exits(body), names)
}

/// [`propagation`] of a body whose [`exits`] are read.
pub fn propagation_of(env: &Env, exits: &Exits, names: &[String]) -> (bool, Vec<String>) {
    let mut propagates = false;
    let mut types = Vec::new();
    for r in &exits.results {
        propagates |= carries(env, r, names, &mut types);
    }
    // `self.last_error = Some(e)`, `failures.push(e)`: the error is kept and flows on.
    if exits.stores.iter().any(|s| by_value(s, names)) {
        propagates = true;
    }
    // `Err(e)?`, `res.map_err(..)?` on the error itself, `Err(AppError::X)?`.
    for t in &exits.tries {
        let t = strip_await(t);
        let is_err_call =
            matches!(t, Expr::Call(c) if expr_path(&c.func).and_then(last_ident).as_deref() == Some("Err"));
        if is_err_call || mentions(t, names) {
            propagates = true;
            if let Expr::Call(c) = t {
                types.extend(c.args.first().and_then(constructed_type));
            }
        }
    }
    types.sort();
    types.dedup();
    (propagates, types)
}

/// Calls of possibly-workspace macros that can end the path (a statement, or the value the path
/// leaves with; not inside closures, async blocks or items): the path propagates when one of
/// them returns an `Err` in every arm (`Err(e) => err!("..")`, decided in resolve).
pub fn leaving_macros(env: &Env, body: BodyRef) -> LogCond {
    struct V<'e, 'k> {
        env: &'e Env<'k>,
        out: Vec<LogCond>,
    }
    impl V<'_, '_> {
        fn take(&mut self, mac: &syn::Macro) {
            if let Some(c) = self.env.macro_callee(&mac.path) {
                self.out.push(LogCond::Macro(c));
            }
        }
    }
    impl<'ast> Visit<'ast> for V<'_, '_> {
        fn visit_stmt(&mut self, s: &'ast Stmt) {
            match s {
                Stmt::Macro(m) => self.take(&m.mac),
                Stmt::Expr(Expr::Macro(m), _) => self.take(&m.mac),
                _ => {}
            }
            visit::visit_stmt(self, s);
        }
        fn visit_arm(&mut self, a: &'ast syn::Arm) {
            if let Expr::Macro(m) = &*a.body {
                self.take(&m.mac);
            }
            visit::visit_arm(self, a);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
        fn visit_macro(&mut self, _: &'ast syn::Macro) {}
    }
    let mut v = V { env, out: Vec::new() };
    match body {
        BodyRef::Expr(e) => {
            if let Expr::Macro(m) = e {
                v.take(&m.mac);
            }
            v.visit_expr(e);
        }
        BodyRef::Block(b) => v.visit_block(b),
    }
    LogCond::any(v.out)
}

/// Methods called on the error value itself in what the path leaves with (`e.with_code(500)`,
/// `Err(e.with_status(..))`): a builder method of a logging error type that returns `Self`
/// keeps the value a logging error (decided in resolve). Empty when no result has that form.
pub fn builder_methods(exits: &Exits, names: &[String]) -> Vec<String> {
    if names.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for r in &exits.results {
        let mut r = strip_await(r);
        if let Expr::Call(c) = r {
            if expr_path(&c.func).and_then(last_ident).as_deref() == Some("Err") && c.args.len() == 1 {
                r = strip_await(&c.args[0]);
            }
        }
        let mut methods = Vec::new();
        let mut at = r;
        while let Expr::MethodCall(m) = at {
            if m.method != "into" {
                methods.push(m.method.to_string());
            }
            at = strip_await(&m.receiver);
        }
        if !methods.is_empty() && is_binding(at, names) {
            out.extend(methods);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A body with nothing in it: `{}` or `()`.
pub fn is_empty_body(body: BodyRef) -> bool {
    match body {
        BodyRef::Block(b) => b.stmts.is_empty(),
        BodyRef::Expr(e) => is_empty_expr(e),
    }
}

fn is_empty_expr(e: &Expr) -> bool {
    match e {
        Expr::Block(b) => b.block.stmts.is_empty(),
        Expr::Tuple(t) => t.elems.is_empty(),
        Expr::Paren(p) => is_empty_expr(&p.expr),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// "Every path logs", for function bodies
//
// A path that does not come back also counts: one that panics (the panic prints its message),
// and one that ends the process after printing to the operator or logging (`eprintln!(..);
// std::process::exit(1)`). `printed` says a print ran earlier on the path.

pub fn always_logs_block(env: &Env, b: &syn::Block) -> LogCond {
    stmts_logs(env, &b.stmts, false)
}

pub fn always_logs_stmt(env: &Env, s: &Stmt) -> LogCond {
    stmt_logs(env, s, false)
}

/// Statements run in order: a print in one is seen by those after it.
pub fn stmts_logs(env: &Env, stmts: &[Stmt], mut printed: bool) -> LogCond {
    let mut parts = Vec::with_capacity(stmts.len());
    for s in stmts {
        parts.push(stmt_logs(env, s, printed));
        printed = printed || stmt_prints(env, s);
    }
    LogCond::any(parts)
}

/// A statement that prints to the operator: `eprintln!(..);`.
fn stmt_prints(env: &Env, s: &Stmt) -> bool {
    match s {
        Stmt::Macro(m) => env.is_print_macro(&m.mac.path),
        Stmt::Expr(Expr::Macro(m), _) => env.is_print_macro(&m.mac.path),
        _ => false,
    }
}

fn stmt_logs(env: &Env, s: &Stmt, printed: bool) -> LogCond {
    match s {
        Stmt::Local(l) => l
            .init
            .as_ref()
            .map(|i| expr_logs(env, &i.expr, printed))
            .unwrap_or(LogCond::No),
        Stmt::Expr(e, _) => expr_logs(env, e, printed),
        Stmt::Macro(m) => macro_logs(env, &m.mac, printed),
        Stmt::Item(_) => LogCond::No,
    }
}

fn macro_logs(env: &Env, mac: &syn::Macro, printed: bool) -> LogCond {
    if env.is_log_macro(&mac.path) || env.is_panic_macro(&mac.path) {
        return LogCond::Yes;
    }
    let own = env.macro_callee(&mac.path).map(LogCond::Macro).unwrap_or(LogCond::No);
    let args = match env.macro_body(mac).as_deref() {
        Some(MacroBody::Exprs(exprs)) => LogCond::any(exprs.iter().map(|e| expr_logs(env, e, printed)).collect()),
        Some(MacroBody::Stmts(stmts)) => stmts_logs(env, stmts, printed),
        None => LogCond::No,
    };
    LogCond::any(vec![own, args])
}

fn expr_logs(env: &Env, e: &Expr, printed: bool) -> LogCond {
    let sub = |x: &Expr| expr_logs(env, x, printed);
    match e {
        Expr::Macro(m) => macro_logs(env, &m.mac, printed),
        Expr::Call(c) => {
            let mut parts: Vec<LogCond> = c.args.iter().map(sub).collect();
            if let Some(path) = expr_path(&c.func) {
                let full = env.expand(path);
                parts.push(if env.is_log_function(&full) {
                    LogCond::Yes
                } else if env.is_exit_call(&full) {
                    // Ends the process: reported when a print ran before it on this path.
                    if printed {
                        LogCond::Yes
                    } else {
                        LogCond::No
                    }
                } else {
                    LogCond::Call(Callee {
                        path: full,
                        method: false,
                    })
                });
            }
            LogCond::any(parts)
        }
        Expr::MethodCall(m) => {
            let mut parts = vec![sub(&m.receiver)];
            parts.extend(m.args.iter().map(sub));
            parts.push(LogCond::Call(Callee {
                path: vec![m.method.to_string()],
                method: true,
            }));
            LogCond::any(parts)
        }
        Expr::Block(b) => stmts_logs(env, &b.block.stmts, printed),
        Expr::Unsafe(u) => stmts_logs(env, &u.block.stmts, printed),
        Expr::If(i) => {
            let branches = match &i.else_branch {
                Some((_, els)) => LogCond::all(vec![stmts_logs(env, &i.then_branch.stmts, printed), sub(els)]),
                None => LogCond::No,
            };
            LogCond::any(vec![sub(&i.cond), branches])
        }
        Expr::Match(m) => LogCond::any(vec![
            sub(&m.expr),
            LogCond::all(m.arms.iter().map(|a| sub(&a.body)).collect()),
        ]),
        Expr::Return(r) => r.expr.as_deref().map(sub).unwrap_or(LogCond::No),
        Expr::Try(t) => sub(&t.expr),
        Expr::Await(a) => sub(&a.base),
        Expr::Paren(p) => sub(&p.expr),
        Expr::Group(g) => sub(&g.expr),
        Expr::Reference(r) => sub(&r.expr),
        Expr::Field(f) => sub(&f.base),
        Expr::Let(l) => sub(&l.expr),
        Expr::Assign(a) => sub(&a.right),
        Expr::Unary(u) => sub(&u.expr),
        Expr::Cast(c) => sub(&c.expr),
        // The right operand of `&&`/`||` may not run.
        Expr::Binary(b) => match b.op {
            BinOp::And(_) | BinOp::Or(_) => sub(&b.left),
            _ => LogCond::any(vec![sub(&b.left), sub(&b.right)]),
        },
        Expr::Tuple(t) => LogCond::any(t.elems.iter().map(sub).collect()),
        Expr::Array(a) => LogCond::any(a.elems.iter().map(sub).collect()),
        Expr::Struct(s) => LogCond::any(s.fields.iter().map(|f| sub(&f.expr)).collect()),
        _ => LogCond::No,
    }
}

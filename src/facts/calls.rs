//! What a function body calls, which engines it builds, and which handlers it registers.
//!
//! Initialisers that run once (`OnceLock::get_or_init(..)`, `LazyLock::new(..)`,
//! `lazy_static!`) are not entered: what they build is built once. Closures are entered: they
//! run when the function does. A closure handed to a routing call (`get(|| async { .. })`) is a
//! handler of its own, collected apart.

use proc_macro2::Span as PmSpan;
use syn::visit::{self, Visit};
use syn::{Expr, ExprMethodCall};

use super::body::Env;
use super::held::{self, Fields, Held, Locals, Typer};
use super::macros::{self, MacroBody};
use super::paths::{chain_root, expr_path, segments, span_one_line, strip_await, LineIndex};
use crate::diagnostic::Span;

use super::{CallSite, Callee, EngineSite, HandlerHow, HandlerMark, PendingEngine, Registration, ReturnsBuilder};

pub struct Collected {
    pub calls: Vec<CallSite>,
    /// Names of methods called on values other than `self` (not followed; counted).
    pub value_methods: Vec<String>,
    pub engines: Vec<EngineSite>,
    pub registrations: Vec<Registration>,
    /// Closures registered as handlers: their own calls and engines.
    pub inline_handlers: Vec<(HandlerMark, Collected, crate::diagnostic::Span)>,
    /// Finishing calls on what workspace functions returned.
    pub pending: Vec<PendingEngine>,
    /// The function returns an unfinished engine builder.
    pub returns_builder: Option<ReturnsBuilder>,
}

impl Collected {
    fn new() -> Self {
        Collected {
            calls: Vec::new(),
            value_methods: Vec::new(),
            engines: Vec::new(),
            registrations: Vec::new(),
            inline_handlers: Vec::new(),
            pending: Vec::new(),
            returns_builder: None,
        }
    }
}

pub struct Collector<'a, 'k> {
    env: &'a Env<'k>,
    lines: &'a LineIndex<'a>,
    crates_used: &'a [String],
    module: &'a [String],
    framework: Option<String>,
    out: Collected,
    /// Route of the enclosing routing call (`.route("/users", ..)`).
    route: Vec<String>,
    /// What is known of the links of the method chain being visited, by address, so that a chain
    /// is walked once however long it is (walking it again at every link is quadratic). Each
    /// entry is taken when its link is visited; both are cleared when a macro's body is done.
    chains: ChainMemo,
    /// The names in `out.value_methods`, looked up by hash: a body may call thousands.
    value_methods_seen: rustc_hash::FxHashSet<String>,
    fields: &'a Fields,
    owner: Option<&'a str>,
    /// What the bindings in scope hold.
    locals: Locals,
    /// What each method-chain link holds, by address (see [`Typer::held_of`]).
    held: rustc_hash::FxHashMap<usize, Held>,
    /// Closures around the node: their `return`s are not the function's.
    closures: usize,
    /// Locals bound from `self`'s state or a static (`let guard = self.pools.write().await`).
    state_locals: Vec<String>,
    /// Locals bound from a call's value, with the call's extent.
    call_vars: Vec<(String, Span)>,
    /// Extents of values stored into `self`'s state or a static (`self.pool.lock().add(channel)`):
    /// what is built there fills a cache or pool, once per miss, not once per request.
    stored: Vec<Span>,
}

/// Methods that put a value into a container.
const STORE_METHODS: &[&str] = &[
    "insert",
    "add",
    "push",
    "push_back",
    "put",
    "set",
    "replace",
    "store",
    "get_or_insert",
    "swap",
];

/// `data.feeds` for a receiver written as a variable and its fields.
fn receiver_text(e: &Expr) -> Option<String> {
    match strip_await(e) {
        Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        Expr::Field(f) => {
            let base = receiver_text(&f.base)?;
            Some(match &f.member {
                syn::Member::Named(n) => format!("{base}.{n}"),
                syn::Member::Unnamed(i) => format!("{base}.{}", i.index),
            })
        }
        Expr::Reference(r) => receiver_text(&r.expr),
        _ => None,
    }
}

fn within(outer: &Span, inner: &Span) -> bool {
    (outer.line, outer.column) <= (inner.line, inner.column)
        && (inner.line, inner.column) <= (outer.end_line, outer.end_column)
}

/// The root call's path (`reqwest::Client::builder` in `reqwest::Client::builder().timeout(..)
/// .build()`) below each link, and the route given down the chain.
#[derive(Default)]
struct ChainMemo {
    roots: rustc_hash::FxHashMap<usize, Option<std::rc::Rc<[String]>>>,
    routes: rustc_hash::FxHashMap<usize, Option<String>>,
}

/// The next link down a method chain, as [`chain_root`] walks it (through `.await` and `?`).
fn next_link(mut e: &Expr) -> Option<&ExprMethodCall> {
    loop {
        e = match strip_await(e) {
            Expr::MethodCall(m) => return Some(m),
            Expr::Try(t) => &t.expr,
            _ => return None,
        }
    }
}

fn link_key(m: &ExprMethodCall) -> usize {
    m as *const ExprMethodCall as usize
}

const HTTP_METHODS: &[&str] = &["get", "post", "put", "delete", "patch", "head", "options", "trace"];

fn string_lit(e: &Expr) -> Option<String> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s), ..
        }) => Some(s.value()),
        Expr::Reference(r) => string_lit(&r.expr),
        _ => None,
    }
}

impl<'a, 'k> Collector<'a, 'k> {
    pub fn new(
        env: &'a Env<'k>,
        lines: &'a LineIndex<'a>,
        crates_used: &'a [String],
        module: &'a [String],
        framework: Option<String>,
        fields: &'a Fields,
        owner: Option<&'a str>,
    ) -> Self {
        Collector {
            env,
            lines,
            crates_used,
            module,
            framework,
            out: Collected::new(),
            route: Vec::new(),
            chains: ChainMemo::default(),
            value_methods_seen: Default::default(),
            fields,
            owner,
            locals: Locals::default(),
            held: Default::default(),
            closures: 0,
            state_locals: Vec::new(),
            call_vars: Vec::new(),
            stored: Vec::new(),
        }
    }

    /// Whether `e` reads `self`'s state, a static, or a local bound from one of them.
    fn rooted_in_state(&self, mut e: &Expr) -> bool {
        loop {
            e = match e {
                Expr::MethodCall(m) => &m.receiver,
                Expr::Field(f) => &f.base,
                Expr::Await(a) => &a.base,
                Expr::Try(t) => &t.expr,
                Expr::Paren(p) => &p.expr,
                Expr::Reference(r) => &r.expr,
                Expr::Unary(u) => &u.expr,
                Expr::Path(p) => {
                    let Some(last) = p.path.segments.last() else {
                        return false;
                    };
                    let name = last.ident.to_string();
                    return p.path.is_ident("self")
                        || (p.path.segments.len() == 1 && self.state_locals.contains(&name))
                        || name.chars().all(|c| c.is_uppercase() || c == '_' || c.is_ascii_digit());
                }
                _ => return false,
            }
        }
    }

    /// A value stored into state: its whole extent, or the call a local was bound from.
    fn note_stored(&mut self, arg: &Expr) {
        let mut a = arg;
        while let Expr::MethodCall(m) = a {
            if m.method == "clone" || m.method == "into" {
                a = &m.receiver;
            } else {
                break;
            }
        }
        match a {
            Expr::Path(p) => {
                if let Some(id) = p.path.get_ident() {
                    let name = id.to_string();
                    if let Some((_, span)) = self.call_vars.iter().rev().find(|(n, _)| *n == name) {
                        self.stored.push(*span);
                    }
                }
            }
            Expr::Call(_) | Expr::MethodCall(_) | Expr::Await(_) | Expr::Try(_) => {
                self.stored.push(super::paths::expr_span(a));
            }
            _ => {}
        }
    }

    /// The typer borrows what the collector borrows, not the collector: it can be used while
    /// the collector's own state is updated.
    fn typer(&self) -> Typer<'a> {
        Typer {
            k: self.env.k,
            uses: self.env.uses,
            fields: self.fields,
            owner: self.owner,
        }
    }

    fn held_of(&mut self, e: &Expr) -> Held {
        self.typer().held_of(&self.locals, &mut self.held, e)
    }

    /// Visits a block's statements up to an unconditional `return`: what follows never runs.
    fn visit_live_stmts(&mut self, stmts: &[syn::Stmt]) {
        for s in stmts {
            self.visit_stmt(s);
            if matches!(s, syn::Stmt::Expr(Expr::Return(_), _)) {
                break;
            }
        }
    }

    /// Walks a function: its parameters are bound, then its body; what the body returns tells
    /// whether it hands back an unfinished builder.
    pub fn visit_fn(&mut self, sig: &syn::Signature, block: &syn::Block) {
        let mut locals = Locals::default();
        self.typer().bind_params(&mut locals, sig);
        self.locals = locals;
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            if let Held::Builder(b) = self.typer().annotated(&self.locals, ty) {
                self.out.returns_builder = Some(b.returned(self.env.k));
            }
        }
        let mark = self.locals.mark();
        self.visit_live_stmts(&block.stmts);
        if let Some(t) = held::tail(block) {
            self.note_returned(t);
        }
        self.locals.restore(mark);
        if !self.stored.is_empty() {
            let stored = std::mem::take(&mut self.stored);
            self.out.engines.retain(|e| !stored.iter().any(|s| within(s, &e.span)));
            self.out.calls.retain(|c| !stored.iter().any(|s| within(s, &c.span)));
            self.out.pending.retain(|p| !stored.iter().any(|s| within(s, &p.span)));
        }
    }

    fn note_returned(&mut self, e: &Expr) {
        if self.out.returns_builder.is_none() {
            if let Held::Builder(b) = self.held_of(e) {
                self.out.returns_builder = Some(b.returned(self.env.k));
            }
        }
    }

    /// A finishing call (`.build()`) on a builder made across statements, a parameter or field
    /// of a builder type, or on what a workspace function returned (decided in resolve).
    fn finishing_call(&mut self, m: &ExprMethodCall, name: &str, receiver: &Held) {
        match receiver {
            Held::Builder(b) if b.finishes(self.env.k, name) => {
                let (span, text) = match &b.origin {
                    Some((span, text)) => (*span, format!("{text}()…{name}")),
                    None => (
                        span_one_line(m.method.span(), m.paren_token.span.close()),
                        format!(".{name}"),
                    ),
                };
                if !self.out.engines.iter().any(|e| e.span == span) {
                    self.out.engines.push(EngineSite {
                        builds: b.builds(self.env.k).to_string(),
                        text,
                        span,
                        via_glob: None,
                    });
                }
            }
            Held::Value {
                recv,
                span: Some(span),
                text,
            } => {
                let span = *span;
                if let super::RecvRoot::Call(path) = &recv.root {
                    if !self.out.pending.iter().any(|p| p.span == span) {
                        self.out.pending.push(PendingEngine {
                            root: path.clone(),
                            method: name.to_string(),
                            span,
                            text: format!("{text}()…{name}"),
                        });
                    }
                }
            }
            _ => {}
        }
    }

    /// The path of the call at the root of `m`'s chain (`chain_root(&m.receiver)`), handed down
    /// to the next link.
    fn root_path(&mut self, m: &ExprMethodCall) -> Option<std::rc::Rc<[String]>> {
        let root = match self.chains.roots.remove(&link_key(m)) {
            Some(known) => known,
            None => match chain_root(&m.receiver) {
                Expr::Call(c) => expr_path(&c.func).map(|p| segments(p).into()),
                _ => None,
            },
        };
        if let Some(next) = next_link(&m.receiver) {
            self.chains.roots.insert(link_key(next), root.clone());
        }
        root
    }

    /// `chain_route(&m.receiver)`, each link computed once: the links down to one already known
    /// are collected, then filled in from the bottom up.
    fn route_below(&mut self, m: &ExprMethodCall) -> Option<String> {
        if let Some(known) = self.chains.routes.remove(&link_key(m)) {
            return known;
        }
        let mut links: Vec<&ExprMethodCall> = vec![m];
        let mut below = loop {
            let last = links[links.len() - 1];
            match strip_await(&last.receiver) {
                Expr::MethodCall(next) => match self.chains.routes.get(&link_key(next)) {
                    Some(known) => {
                        let own = self.route_of_link(next);
                        break own.or_else(|| known.clone());
                    }
                    None => links.push(next),
                },
                other => break self.chain_route(other),
            }
        };
        // `below` is the route under the last link; going up, a link's own route comes first.
        let mut result = None;
        for (i, link) in links.iter().enumerate().rev() {
            if i == 0 {
                result = below.clone();
            } else {
                self.chains.routes.insert(link_key(link), below.clone());
                below = self.route_of_link(link).or(below);
            }
        }
        result
    }

    /// The route a routing method gives (`.route("/x", ..)`), when it is written as a literal.
    fn route_of_link(&self, m: &ExprMethodCall) -> Option<String> {
        let route_methods = &self.handlers().route_methods;
        if route_methods.iter().any(|r| m.method == r) {
            m.args.first().and_then(string_lit)
        } else {
            None
        }
    }

    pub fn finish(self) -> Collected {
        self.out
    }

    fn handlers(&self) -> &crate::knowledge::Handlers {
        &self.env.k.handlers
    }

    fn uses_crate(&self, names: &[String]) -> bool {
        names.iter().any(|n| self.crates_used.contains(n))
    }

    /// Glob-expanded alternatives of a bare type name's path (`use reqwest::*; Client::new()`).
    fn glob_resolutions(&self, raw: &[String], full: &[String]) -> Vec<(Vec<String>, String)> {
        let mut via_glob = Vec::new();
        if full == raw && raw[0].starts_with(|c: char| c.is_uppercase()) {
            for g in &self.env.uses.globs {
                if g.first()
                    .is_some_and(|c| !matches!(c.as_str(), "crate" | "self" | "super"))
                {
                    let mut p = g.clone();
                    p.extend(raw.iter().cloned());
                    via_glob.push((p, raw[0].clone()));
                }
            }
        }
        via_glob
    }

    fn engine_for_root(&self, raw: &[String], method: Option<&str>) -> Option<(String, Option<String>)> {
        let full = self.env.uses.expand(raw.to_vec());
        self.engine_for(raw, &full, method)
    }

    /// The engine a call builds, from its written and expanded paths. Most calls name no engine
    /// crate: they are rejected on their first segment before any pattern is tried.
    fn engine_for(&self, raw: &[String], full: &[String], method: Option<&str>) -> Option<(String, Option<String>)> {
        let engines = &self.env.k.engines.constructors;
        let bare_type = full == raw && raw[0].starts_with(|c: char| c.is_uppercase());
        let k = self.env.k;
        let index = k.indexes();
        let hit = |p: &[String]| {
            let first = p.first()?;
            index.engine_constructors(first).iter().map(|&i| &engines[i]).find(|c| {
                c.root_matches(p)
                    && match (&c.method, method) {
                        (None, None) => true,
                        (Some(g), Some(m)) => g.is_match(m),
                        _ => false,
                    }
            })
        };
        if !bare_type && index.engine_constructors(&full[0]).is_empty() {
            return None;
        }
        let globs = self.glob_resolutions(raw, full);
        if let Some(c) = hit(full) {
            return Some((c.builds.clone(), None));
        }
        globs
            .iter()
            .find_map(|(p, bare)| hit(p).map(|c| (c.builds.clone(), Some(bare.clone()))))
    }

    fn push_engine(&mut self, builds: String, text: String, start: PmSpan, end: PmSpan, via_glob: Option<String>) {
        let span = span_one_line(start, end);
        self.out.engines.push(EngineSite {
            builds,
            text,
            span,
            via_glob,
        });
    }

    fn is_once_constructor(&self, raw: &[String], full: &[String]) -> bool {
        self.handlers()
            .once_constructors
            .iter()
            .any(|p| p.matches(full) || p.matches(raw))
    }

    /// The route given by a routing call down the receiver chain (`web::resource("/x").route(..)`).
    fn chain_route(&self, mut e: &Expr) -> Option<String> {
        let route_methods = &self.handlers().route_methods;
        loop {
            e = match strip_await(e) {
                Expr::MethodCall(m) => {
                    if route_methods.iter().any(|r| m.method == r) {
                        if let Some(s) = m.args.first().and_then(string_lit) {
                            return Some(s);
                        }
                    }
                    &m.receiver
                }
                Expr::Call(c) => {
                    let last = expr_path(&c.func)
                        .and_then(|p| p.segments.last())
                        .map(|s| s.ident.to_string());
                    if last.is_some_and(|l| route_methods.contains(&l)) {
                        return c.args.first().and_then(string_lit);
                    }
                    return None;
                }
                _ => return None,
            }
        }
    }

    fn http_method_of(name: &str) -> Option<String> {
        HTTP_METHODS.contains(&name).then(|| name.to_uppercase())
    }

    /// Records the handlers among a routing call's arguments; returns the indices it consumed
    /// (inline closures, collected as handlers of their own).
    fn register(&mut self, args: &[&Expr], method: Option<String>) -> Vec<usize> {
        let route = self.route.last().cloned();
        let mut consumed = Vec::new();
        for (i, arg) in args.iter().enumerate() {
            match arg {
                Expr::Path(p) if p.qself.is_none() => {
                    let path = self.env.uses.expand(segments(&p.path));
                    self.out.registrations.push(Registration {
                        path,
                        module: self.module.to_vec(),
                        method: method.clone(),
                        route: route.clone(),
                        framework: self.framework.clone(),
                    });
                }
                Expr::Closure(c) => {
                    let mut inner = Collector::new(
                        self.env,
                        self.lines,
                        self.crates_used,
                        self.module,
                        self.framework.clone(),
                        self.fields,
                        self.owner,
                    );
                    inner.visit_expr(&c.body);
                    let label = match (&method, &route) {
                        (Some(m), Some(r)) => Some(format!("{m} {r}")),
                        (None, Some(r)) => Some(r.clone()),
                        _ => None,
                    };
                    let mark = HandlerMark {
                        how: HandlerHow::Inline,
                        framework: self.framework.clone(),
                        route: label,
                    };
                    let span = super::paths::span_of(c.or1_token.span, c.or1_token.span);
                    self.out.inline_handlers.push((mark, inner.finish(), span));
                    consumed.push(i);
                }
                _ => {}
            }
        }
        consumed
    }
}

impl<'ast> Visit<'ast> for Collector<'_, '_> {
    fn visit_item(&mut self, _: &'ast syn::Item) {
        // Nested items are functions of their own.
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        let mark = self.locals.mark();
        self.visit_live_stmts(&b.stmts);
        self.locals.restore(mark);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        for a in &l.attrs {
            self.visit_attribute(a);
        }
        if let Some(init) = &l.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
        }
        if let (Some((name, _)), Some(init)) = (held::let_binding(&l.pat), &l.init) {
            if self.rooted_in_state(&init.expr) {
                self.state_locals.push(name.clone());
            }
            let mut e = &*init.expr;
            loop {
                e = match e {
                    Expr::Await(a) => &a.base,
                    Expr::Try(t) => &t.expr,
                    _ => break,
                };
            }
            if matches!(e, Expr::Call(_) | Expr::MethodCall(_)) {
                self.call_vars.push((name, super::paths::expr_span(e)));
            }
        }
        match held::let_binding(&l.pat) {
            Some((name, ty)) => {
                let held = match (ty, &l.init) {
                    (Some(ty), _) => match self.typer().annotated(&self.locals, ty) {
                        Held::Unknown => l.init.as_ref().map_or(Held::Unknown, |i| self.held_of(&i.expr)),
                        h => h,
                    },
                    (None, Some(init)) => self.held_of(&init.expr),
                    (None, None) => Held::Unknown,
                };
                self.locals.bind(name, held);
            }
            None => self.visit_pat(&l.pat),
        }
    }

    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        // A binding whose value is not followed: it shadows what the name held.
        self.locals.bind(p.ident.to_string(), Held::Unknown);
        visit::visit_pat_ident(self, p);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        visit::visit_expr_assign(self, a);
        if let Expr::Path(p) = &*a.left {
            if let Some(id) = p.path.get_ident() {
                let held = self.held_of(&a.right);
                self.locals.assign(&id.to_string(), held);
            }
        }
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        let mark = self.locals.mark();
        self.closures += 1;
        visit::visit_expr_closure(self, c);
        self.closures -= 1;
        self.locals.restore(mark);
    }

    fn visit_arm(&mut self, a: &'ast syn::Arm) {
        let mark = self.locals.mark();
        visit::visit_arm(self, a);
        self.locals.restore(mark);
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        let mark = self.locals.mark();
        self.visit_expr(&i.cond);
        self.visit_block(&i.then_branch);
        self.locals.restore(mark);
        if let Some((_, e)) = &i.else_branch {
            self.visit_expr(e);
        }
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        let mark = self.locals.mark();
        visit::visit_expr_for_loop(self, f);
        self.locals.restore(mark);
    }

    fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
        let mark = self.locals.mark();
        visit::visit_expr_while(self, w);
        self.locals.restore(mark);
    }

    fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
        visit::visit_expr_return(self, r);
        if let (Some(e), 0) = (&r.expr, self.closures) {
            self.note_returned(e);
        }
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let Some(path) = expr_path(&c.func) else {
            return visit::visit_expr_call(self, c);
        };
        let raw = segments(path);
        let full = self.env.uses.expand(raw.clone());
        if self.is_once_constructor(&raw, &full) {
            return;
        }
        let text = raw.join("::");
        if let Some((builds, via_glob)) = self.engine_for(&raw, &full, None) {
            self.push_engine(
                builds,
                text.clone(),
                super::paths::span_whole(&c.func),
                c.paren_token.span.close(),
                via_glob,
            );
        }
        self.out.calls.push(CallSite {
            callee: Callee {
                path: full.clone(),
                method: false,
            },
            on_self: false,
            span: span_one_line(super::paths::span_whole(&c.func), c.paren_token.span.close()),
            text,
            recv: None,
        });
        let last = full.last().cloned().unwrap_or_default();
        let mut pushed_route = false;
        if self.handlers().route_methods.contains(&last) {
            if let Some(r) = c.args.first().and_then(string_lit) {
                self.route.push(r);
                pushed_route = true;
            }
        }
        let mut skip = Vec::new();
        if self.handlers().registration_calls.contains(&last) {
            let args: Vec<&Expr> = c.args.iter().collect();
            // Middleware wraps every route of what it is layered on: it has no route of its own.
            let routes = std::mem::take(&mut self.route);
            if !self.handlers().middleware_calls.contains(&last) {
                self.route = routes.clone();
            }
            skip = self.register(&args, Self::http_method_of(&last));
            self.route = routes;
        }
        for (i, a) in c.args.iter().enumerate() {
            if !skip.contains(&i) {
                self.visit_expr(a);
            }
        }
        if pushed_route {
            self.route.pop();
        }
    }

    fn visit_expr_method_call(&mut self, m: &'ast ExprMethodCall) {
        let name = m.method.to_string();
        let root = self.root_path(m);
        let route_below = self.route_below(m);
        if self.handlers().once_methods.contains(&name) {
            // `CLIENT.get_or_init(|| Client::new())`: the initialiser runs once.
            return self.visit_expr(&m.receiver);
        }
        let root_engine = root
            .as_deref()
            .and_then(|p| self.engine_for_root(p, Some(&name)).map(|e| (e, p)));
        let at_root_engine = root_engine.is_some();
        if let Some(((builds, via_glob), root_path)) = root_engine {
            let text = format!("{}()…{name}", root_path.join("::"));
            self.push_engine(builds, text, m.method.span(), m.paren_token.span.close(), via_glob);
        } else if let Some(em) = self
            .env
            .k
            .engines
            .methods
            .iter()
            .find(|em| em.method == name && self.uses_crate(&em.crates))
        {
            let root_is_engine = root.as_deref().is_some_and(|p| self.engine_for_root(p, None).is_some());
            if !root_is_engine {
                let builds = em.builds.clone();
                self.push_engine(
                    builds,
                    format!(".{name}"),
                    m.method.span(),
                    m.paren_token.span.close(),
                    None,
                );
            }
        }
        if STORE_METHODS.contains(&name.as_str()) && self.rooted_in_state(&m.receiver) {
            for a in &m.args {
                self.note_stored(a);
            }
        }
        let finishing = !at_root_engine && self.env.k.indexes().is_finish_name(&name);
        let on_self = matches!(strip_await(&m.receiver), Expr::Path(p) if p.path.is_ident("self"));
        // What the receiver holds, asked once for both uses below.
        let receiver = if finishing || !on_self {
            self.held_of(&m.receiver)
        } else {
            Held::Unknown
        };
        if finishing {
            self.finishing_call(m, &name, &receiver);
        }
        // `self.method()` is followed; a method on another value is, when what the value is can
        // be told (a typed parameter, a field, what a call returned); the rest are kept as names,
        // for the record of what was not followed.
        let recv = match (on_self, receiver) {
            (false, Held::Value { recv, .. }) => Some((*recv).clone()),
            _ => None,
        };
        if on_self || recv.is_some() {
            let text = if on_self {
                format!("self.{name}")
            } else {
                match (receiver_text(&m.receiver), chain_root(&m.receiver)) {
                    (Some(r), _) => format!("{r}.{name}"),
                    (None, Expr::Call(c)) => match expr_path(&c.func) {
                        Some(p) => format!("{}()…{name}", segments(p).join("::")),
                        None => format!("….{name}"),
                    },
                    _ => format!("….{name}"),
                }
            };
            // A chain on what a call returned is shown from that call (`Builder::new()` on the
            // line the chain starts).
            let span = match chain_root(&m.receiver) {
                Expr::Call(c) if matches!(&recv, Some(r) if matches!(r.root, super::RecvRoot::Call(_))) => {
                    span_one_line(super::paths::span_whole(&c.func), c.paren_token.span.close())
                }
                _ => span_one_line(m.method.span(), m.paren_token.span.close()),
            };
            self.out.calls.push(CallSite {
                callee: Callee {
                    path: vec![name.clone()],
                    method: true,
                },
                on_self,
                span,
                text,
                recv,
            });
        } else if self.value_methods_seen.insert(name.clone()) {
            self.out.value_methods.push(name.clone());
        }

        let h = self.handlers();
        let route_here = if h.route_methods.contains(&name) {
            m.args.first().and_then(string_lit)
        } else {
            None
        };
        let route = route_here.clone().or(route_below);
        let is_registration = h.registration_methods.contains(&name)
            || (h.warp_methods.contains(&name) && self.crates_used.iter().any(|c| c == "warp"));
        if let Some(r) = &route {
            self.route.push(r.clone());
        }
        let mut skip = Vec::new();
        if is_registration {
            // `web::get().to(h)`
            let method = Self::http_method_of(&name).or_else(|| {
                root.as_deref()
                    .and_then(|p| p.last())
                    .and_then(|s| Self::http_method_of(s))
            });
            let args: Vec<&Expr> = m.args.iter().collect();
            skip = self.register(&args, method);
        }
        self.visit_expr(&m.receiver);
        for (i, a) in m.args.iter().enumerate() {
            if !skip.contains(&i) {
                self.visit_expr(a);
            }
        }
        if route.is_some() {
            self.route.pop();
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        let h = self.handlers();
        if h.once_macros.contains(&name) || self.env.is_log_macro(&mac.path) {
            return;
        }
        if h.registration_macros.contains(&name) {
            // `routes![a, b::c]`
            use syn::parse::Parser;
            let paths = syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated;
            if let Ok(list) = paths.parse2(mac.tokens.clone()) {
                for p in list {
                    let path = self.env.uses.expand(segments(&p));
                    self.out.registrations.push(Registration {
                        path,
                        module: self.module.to_vec(),
                        method: None,
                        route: None,
                        framework: self.framework.clone(),
                    });
                }
            }
            return;
        }
        match macros::parse(mac).as_deref() {
            Some(MacroBody::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(MacroBody::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
            None => {}
        }
        // The body's tree is freed now: no address of it may be looked up again.
        self.chains = ChainMemo::default();
        self.held.clear();
    }
}

//! Whose code a file is and what runs around its handlers: generated files, where print macros
//! report to the program's user, and middleware that logs failed responses.

use proc_macro2::{TokenStream, TokenTree};
use serde::{Deserialize, Serialize};
use syn::visit::{self, Visit};
use syn::{Expr, ExprMethodCall};

use super::body::{bindings, Env};
use super::paths::{expr_path, segments, strip_await};
use crate::diagnostic::Span;

/// How far into a file its generator's marker is looked for: the first lines of its first KiB.
const GENERATED_LINES: usize = 5;
const GENERATED_BYTES: usize = 1024;

/// A file whose first lines say `@generated` (prost, tonic-build, diesel's `schema.rs`, ...): its
/// error paths are the generator's, not the service's, and none is a site.
pub fn is_generated(source: &str) -> bool {
    let mut end = source.len().min(GENERATED_BYTES);
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    source[..end]
        .lines()
        .take(GENERATED_LINES)
        .any(|l| l.contains("@generated"))
}

/// Where a file's print macros (`println!`, `eprintln!`, ...) report to the program's user, so
/// that they count as logging: decided from the package layout before the file is read
/// (`check.rs`), and for [`PrintScope::UnlessServer`] from the file's own imports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PrintScope {
    /// Service code: printing is not logging (unless `[logging] print = true`).
    #[default]
    Service,
    /// A terminal program's code: its package, and every package that depends on it, use no
    /// server framework.
    Terminal,
    /// A binary target's own file (`src/main.rs`, `src/bin/**`) in a package whose library
    /// holds the rest: a terminal command unless the file itself uses a server framework.
    UnlessServer,
}

impl PrintScope {
    /// Whether prints count in a file that uses `framework` (its first web framework, if any).
    pub fn prints(self, framework: Option<&str>) -> bool {
        match self {
            PrintScope::Service => false,
            PrintScope::Terminal => true,
            PrintScope::UnlessServer => framework.is_none(),
        }
    }

    /// The suffix of a content key: facts extracted under another scope are other facts.
    pub fn key_suffix(self) -> &'static str {
        match self {
            PrintScope::Service => "",
            PrintScope::Terminal => "-pt",
            PrintScope::UnlessServer => "-pb",
        }
    }
}

/// What a middleware records of a failed response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Records {
    /// The error itself (tracing-actix-web's `TracingLogger`, a `Service` that logs the status
    /// message): the 5xx paths it covers are logged.
    Cause,
    /// Only that the request failed, with its status (tower-http's `TraceLayer`).
    Status,
}

/// A middleware the file installs or defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Middleware {
    /// The knowledge pattern it matched (`TraceLayer`), or the workspace type whose `Service`
    /// impl logs.
    pub name: String,
    pub records: Records,
    pub span: Span,
}

/// The middleware `.wrap(X)` / `.layer(X)` installs, if the knowledge knows it.
pub fn installed(env: &Env, m: &ExprMethodCall, span: impl FnOnce() -> Span) -> Option<Middleware> {
    let sl = &env.k.service_logging;
    if m.args.len() != 1 || !sl.install_methods.iter().any(|n| m.method == n) {
        return None;
    }
    let ty = constructor_type(env, &m.args[0])?;
    if sl.cause.iter().any(|p| p.matches(&ty)) {
        return Some(Middleware {
            name: ty.join("::"),
            records: Records::Cause,
            span: span(),
        });
    }
    sl.status_only.iter().find(|l| l.path.matches(&ty)).map(|l| Middleware {
        name: l.path.0.join("::"),
        records: Records::Status,
        span: span(),
    })
}

/// The type a middleware expression is built from, with the file's imports applied:
/// `TracingLogger::default()` and `TraceLayer::new_for_http().on_failure(..)` name
/// `TracingLogger` and `TraceLayer`.
fn constructor_type(env: &Env, e: &Expr) -> Option<Vec<String>> {
    let mut e = strip_await(e);
    loop {
        e = match e {
            Expr::MethodCall(m) => strip_await(&m.receiver),
            Expr::Call(c) => {
                let path = expr_path(&c.func)?;
                let mut full = env.uses.expand(segments(path));
                // `Type::new` → `Type`: constructors are lower case, types are not.
                while full.len() > 1 && full.last().is_some_and(|s| s.starts_with(|c: char| c.is_lowercase())) {
                    full.pop();
                }
                return Some(full);
            }
            Expr::Path(p) => return Some(env.uses.expand(segments(&p.path))),
            Expr::Paren(p) => &p.expr,
            _ => return None,
        };
    }
}

/// `impl Service<..> for LoggingMiddleware<S>` whose `call` logs, at an error level, what a
/// failed response carries: a middleware that records the cause of every 5xx it sees.
pub fn service_middleware(env: &Env, imp: &syn::ItemImpl, self_name: Option<&str>) -> Option<Middleware> {
    let sl = &env.k.service_logging;
    let (_, trait_path, _) = imp.trait_.as_ref()?;
    let trait_name = trait_path.segments.last()?.ident.to_string();
    if !sl.service_traits.contains(&trait_name) {
        return None;
    }
    let call = imp.items.iter().find_map(|item| match item {
        syn::ImplItem::Fn(f) if sl.service_methods.iter().any(|n| f.sig.ident == n) => Some(f),
        _ => None,
    })?;
    let mut finder = CauseLog {
        env,
        bound: Vec::new(),
        found: false,
    };
    finder.visit_block(&call.block);
    finder.found.then(|| Middleware {
        name: self_name.unwrap_or(&trait_name).to_string(),
        records: Records::Cause,
        span: super::paths::span_of(call.sig.ident.span(), call.sig.ident.span()),
    })
}

/// Looks for an error-level log line that carries a failed response's cause: a cause method's
/// result (`status.message()`), or a name bound from one (`if let Some(e) = res.error()`).
struct CauseLog<'e, 'k> {
    env: &'e Env<'k>,
    bound: Vec<String>,
    found: bool,
}

impl CauseLog<'_, '_> {
    fn is_cause_call(&self, e: &Expr) -> bool {
        struct Finder<'a>(&'a [String], bool);
        impl<'ast> Visit<'ast> for Finder<'_> {
            fn visit_expr_method_call(&mut self, m: &'ast ExprMethodCall) {
                if m.args.is_empty() && self.0.iter().any(|n| m.method == n) {
                    self.1 = true;
                }
                visit::visit_expr_method_call(self, m);
            }
        }
        let mut f = Finder(&self.env.k.service_logging.cause_methods, false);
        f.visit_expr(e);
        f.1
    }

    fn bind_if_cause(&mut self, pat: &syn::Pat, value: &Expr) {
        if self.is_cause_call(value) {
            bindings(pat, &mut self.bound);
        }
    }

    /// A token stream that calls a cause method (`. message ( )`) or names a bound cause.
    fn tokens_carry_cause(&self, tokens: TokenStream) -> bool {
        let methods = &self.env.k.service_logging.cause_methods;
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, t) in trees.iter().enumerate() {
            match t {
                TokenTree::Group(g) if self.tokens_carry_cause(g.stream()) => return true,
                TokenTree::Ident(id) => {
                    let after_dot = i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
                    let called = matches!(trees.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Parenthesis && g.stream().is_empty());
                    if after_dot && called && methods.iter().any(|m| id == m) {
                        return true;
                    }
                    if !after_dot && self.bound.iter().any(|b| id == b) {
                        return true;
                    }
                }
                TokenTree::Literal(lit) if self.literal_names_cause(&lit.to_string()) => return true,
                _ => {}
            }
        }
        false
    }

    /// A format string capturing a bound cause inline: `"failed: {e}"`, `"{err:?}"`.
    fn literal_names_cause(&self, lit: &str) -> bool {
        if !lit.ends_with('"') || self.bound.is_empty() {
            return false;
        }
        lit.split('{').skip(1).any(|rest| {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let after = rest[name.len()..].chars().next();
            matches!(after, Some('}' | ':')) && self.bound.contains(&name)
        })
    }
}

impl<'ast> Visit<'ast> for CauseLog<'_, '_> {
    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let Some(init) = &l.init {
            self.bind_if_cause(&l.pat, &init.expr);
        }
        visit::visit_local(self, l);
    }

    fn visit_expr_let(&mut self, l: &'ast syn::ExprLet) {
        self.bind_if_cause(&l.pat, &l.expr);
        visit::visit_expr_let(self, l);
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        if self.is_cause_call(&m.expr) {
            for arm in &m.arms {
                bindings(&arm.pat, &mut self.bound);
            }
        }
        visit::visit_expr_match(self, m);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let at_error = mac
            .path
            .segments
            .last()
            .is_some_and(|s| self.env.k.service_logging.error_macros.iter().any(|m| s.ident == m));
        if at_error && self.env.is_log_macro(&mac.path) && self.tokens_carry_cause(mac.tokens.clone()) {
            self.found = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_marker_is_read_in_the_first_lines_of_the_first_kib() {
        assert!(is_generated(
            "// This file is @generated by prost-build.\npub struct A;\n"
        ));
        assert!(is_generated("// Copyright\n//\n// @generated\nfn f() {}\n"));
        assert!(!is_generated(&format!("{}// @generated\n", "//\n".repeat(5))));
        assert!(!is_generated(&format!("// {}\n// @generated\n", "x".repeat(2000))));
        assert!(!is_generated("fn f() {}\n"));
        // A multi-byte character at the KiB boundary is not cut.
        assert!(!is_generated(&"é".repeat(600)));
    }

    #[test]
    fn print_scopes_decide_with_the_file_s_framework() {
        assert!(!PrintScope::Service.prints(None));
        assert!(PrintScope::Terminal.prints(Some("axum")));
        assert!(PrintScope::UnlessServer.prints(None));
        assert!(!PrintScope::UnlessServer.prints(Some("axum")));
        let keys: std::collections::HashSet<_> = [PrintScope::Service, PrintScope::Terminal, PrintScope::UnlessServer]
            .iter()
            .map(|p| p.key_suffix())
            .collect();
        assert_eq!(keys.len(), 3, "each scope caches apart");
    }
}

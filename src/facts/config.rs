//! Configuration facts: constants with literal values, environment variables read
//! with their defaults, and configuration-looking values written inline (URLs, `host:port`,
//! durations given to a setting). Test code is skipped.

use proc_macro2::Span as PmSpan;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{BinOp, Expr, Lit, UnOp};

use super::body::Env;
use super::extract::has_test_attr;
use super::macros::{self, MacroBody};
use super::paths::{chain_root, expr_path, segments, span_one_line, strip_await};
use super::{ConfigFact, ConfigKind, ConfigValue, Shape};
use crate::knowledge::config::is_host_port;

pub struct ConfigCollector<'a, 'k> {
    env: &'a Env<'k>,
    pub out: Vec<ConfigFact>,
    /// The name a value is being given to (method, function, field, binding).
    context: Vec<String>,
    /// Environment reads already recorded through a default method on them.
    handled: rustc_hash::FxHashSet<usize>,
}

fn show_duration(ms: u128) -> String {
    match ms {
        0 => "0s".into(),
        m if m % 3_600_000 == 0 => format!("{}h", m / 3_600_000),
        m if m % 60_000 == 0 => format!("{}min", m / 60_000),
        m if m % 1000 == 0 => format!("{}s", m / 1000),
        m => format!("{m}ms"),
    }
}

pub fn number(n: i128) -> ConfigValue {
    ConfigValue {
        norm: format!("num:{n}"),
        shown: n.to_string(),
        shape: Shape::Number,
    }
}

pub fn duration(ms: u128) -> ConfigValue {
    ConfigValue {
        norm: format!("dur:{ms}"),
        shown: show_duration(ms),
        shape: Shape::Duration,
    }
}

impl<'a, 'k> ConfigCollector<'a, 'k> {
    pub fn new(env: &'a Env<'k>) -> Self {
        ConfigCollector {
            env,
            out: Vec::new(),
            context: Vec::new(),
            handled: Default::default(),
        }
    }

    fn ck(&self) -> &crate::knowledge::ConfigKnowledge {
        &self.env.k.config
    }

    fn text_value(&self, s: &str) -> ConfigValue {
        if let Ok(n) = s.trim().parse::<i128>() {
            return number(n);
        }
        let trimmed = s.trim_end_matches('/');
        let shape = if self.ck().is_url(s) {
            Shape::Url
        } else if is_host_port(s) {
            Shape::HostPort
        } else {
            Shape::Text
        };
        let kept = if shape == Shape::Url { trimmed } else { s };
        ConfigValue {
            norm: format!("str:{kept}"),
            shown: format!("\"{s}\""),
            shape,
        }
    }

    /// The value of a constant expression: literals, arithmetic on them, `Duration::from_*(N)`,
    /// `concat!` of literals.
    fn eval(&self, e: &Expr) -> Option<ConfigValue> {
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Str(s) => Some(self.text_value(&s.value())),
                Lit::Int(i) => i.base10_parse::<i128>().ok().map(number),
                Lit::Float(f) => Some(ConfigValue {
                    norm: format!("num:{}", f.base10_digits()),
                    shown: f.base10_digits().to_string(),
                    shape: Shape::Number,
                }),
                Lit::Bool(b) => Some(ConfigValue {
                    norm: format!("bool:{}", b.value),
                    shown: b.value.to_string(),
                    shape: Shape::Bool,
                }),
                _ => None,
            },
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Group(g) => self.eval(&g.expr),
            Expr::Reference(r) => self.eval(&r.expr),
            Expr::Cast(c) => self.eval(&c.expr),
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => {
                let n = self.int(&u.expr)?;
                Some(number(-n))
            }
            Expr::Binary(b) => {
                let (l, r) = (self.int(&b.left)?, self.int(&b.right)?);
                let v = match b.op {
                    BinOp::Add(_) => l.checked_add(r)?,
                    BinOp::Sub(_) => l.checked_sub(r)?,
                    BinOp::Mul(_) => l.checked_mul(r)?,
                    BinOp::Div(_) if r != 0 => l / r,
                    BinOp::Shl(_) if (0..64).contains(&r) => l.checked_shl(r as u32)?,
                    _ => return None,
                };
                Some(number(v))
            }
            Expr::Call(c) => self.duration_call(c),
            Expr::Macro(m) if m.mac.path.is_ident("concat") => {
                let parsed = macros::parse(&m.mac)?;
                let MacroBody::Exprs(parts) = parsed else { return None };
                let mut s = String::new();
                for p in &parts {
                    match p {
                        Expr::Lit(syn::ExprLit { lit: Lit::Str(x), .. }) => s.push_str(&x.value()),
                        Expr::Lit(syn::ExprLit { lit: Lit::Int(x), .. }) => s.push_str(x.base10_digits()),
                        _ => return None,
                    }
                }
                Some(self.text_value(&s))
            }
            _ => None,
        }
    }

    fn int(&self, e: &Expr) -> Option<i128> {
        match self.eval(e)? {
            ConfigValue {
                shape: Shape::Number,
                norm,
                ..
            } => norm.strip_prefix("num:")?.parse().ok(),
            _ => None,
        }
    }

    /// `Duration::from_secs(30)` → 30 000 ms.
    fn duration_call(&self, c: &syn::ExprCall) -> Option<ConfigValue> {
        let path = expr_path(&c.func)?;
        let segs = segments(path);
        let last = segs.last()?;
        let unit = *self.ck().durations.get(last)?;
        if segs.len() >= 2 && segs[segs.len() - 2] != "Duration" {
            return None;
        }
        let arg = c.args.first()?;
        let ms = match self.eval(arg)? {
            ConfigValue {
                shape: Shape::Number,
                norm,
                ..
            } => {
                let n: f64 = norm.strip_prefix("num:")?.parse().ok()?;
                (n * unit as f64).round()
            }
            _ => return None,
        };
        (ms >= 0.0).then(|| duration(ms as u128))
    }

    fn push(&mut self, fact: ConfigFact) {
        self.out.push(fact);
    }

    fn is_env_reader(&self, path: &syn::Path) -> bool {
        let raw = segments(path);
        let full = self.env.uses.expand(raw.clone());
        self.ck()
            .env_readers
            .iter()
            .any(|p| p.matches(&full) || (raw.len() > 1 && p.matches(&raw)))
    }

    /// The key of an environment read: a string literal, or a constant's name.
    fn key_of(&self, arg: Option<&Expr>) -> (Option<String>, Option<String>) {
        match arg.map(strip_await) {
            Some(Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. })) => (Some(s.value()), None),
            Some(Expr::Reference(r)) => self.key_of(Some(&r.expr)),
            Some(e) => match expr_path(e) {
                Some(p) if p.segments.len() == 1 => (None, Some(p.segments[0].ident.to_string())),
                _ => (None, None),
            },
            None => (None, None),
        }
    }

    /// A default given to a read: a literal, `"x".into()`, `String::from("x")`, `|_| "x"`, or
    /// a constant (returned as its name).
    fn default_of(&self, e: &Expr) -> (Option<ConfigValue>, Option<String>) {
        match strip_await(e) {
            Expr::Closure(c) => self.default_of(&c.body),
            Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
                syn::Stmt::Expr(inner, None) => self.default_of(inner),
                _ => (None, None),
            },
            Expr::MethodCall(m)
                if m.args.is_empty() && matches!(m.method.to_string().as_str(), "into" | "to_string" | "to_owned") =>
            {
                self.default_of(&m.receiver)
            }
            Expr::Call(c)
                if c.args.len() == 1
                    && expr_path(&c.func).is_some_and(|p| {
                        p.segments
                            .last()
                            .is_some_and(|s| s.ident == "from" || s.ident == "Some")
                    }) =>
            {
                self.default_of(&c.args[0])
            }
            other => match self.eval(other) {
                Some(v) => (Some(v), None),
                None => match expr_path(other) {
                    Some(p)
                        if p.segments.len() == 1
                            && p.segments[0].ident.to_string().starts_with(|c: char| c.is_uppercase()) =>
                    {
                        (None, Some(p.segments[0].ident.to_string()))
                    }
                    _ => (None, None),
                },
            },
        }
    }

    fn env_read(&mut self, call: &syn::ExprCall, default: Option<&Expr>, empty_default: bool) {
        let (key, key_ref) = self.key_of(call.args.first());
        let (value, default_ref) = match default {
            Some(d) => self.default_of(d),
            None if empty_default => (Some(self.text_value("")), None),
            None => (None, None),
        };
        self.push(ConfigFact {
            kind: ConfigKind::EnvRead,
            name: None,
            key,
            key_ref,
            value,
            default_ref,
            cfg: None,
            span: span_one_line(call.span(), call.span()),
        });
    }

    fn with_context<F: FnOnce(&mut Self)>(&mut self, name: Option<String>, f: F) {
        match name {
            Some(n) => {
                self.context.push(n);
                f(self);
                self.context.pop();
            }
            None => f(self),
        }
    }

    fn config_context(&self) -> Option<String> {
        self.context.last().filter(|n| self.ck().name_is_config(n)).cloned()
    }

    fn item_value(
        &mut self,
        kind: ConfigKind,
        name: String,
        expr: &Expr,
        span: PmSpan,
        attrs: &[syn::Attribute],
    ) -> bool {
        let cfg = attrs
            .iter()
            .filter(|a| a.path().is_ident("cfg"))
            .map(|a| a.meta.require_list().map(|l| l.tokens.to_string()).unwrap_or_default())
            .reduce(|a, b| format!("{a}, {b}"));
        let Some(mut value) = self.eval(expr) else { return false };
        if value.shape == Shape::Number {
            if let (Some(unit), Some(n)) = (self.ck().unit_of(&name), value.norm.strip_prefix("num:")) {
                if let Ok(n) = n.parse::<u128>() {
                    value = ConfigValue {
                        shown: value.shown.clone(),
                        ..duration(n * u128::from(unit))
                    };
                }
            }
        }
        let strong = matches!(value.shape, Shape::Url | Shape::HostPort | Shape::Duration);
        if self.ck().name_is_config(&name) || strong {
            self.push(ConfigFact {
                kind,
                name: Some(name),
                key: None,
                key_ref: None,
                value: Some(value),
                default_ref: None,
                cfg,
                span: span_one_line(span, span),
            });
        }
        true
    }
}

impl<'ast> Visit<'ast> for ConfigCollector<'_, '_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !has_test_attr(&m.attrs) {
            visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !has_test_attr(&f.attrs) {
            visit::visit_item_fn(self, f);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !has_test_attr(&f.attrs) {
            visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if !has_test_attr(&i.attrs) {
            visit::visit_item_impl(self, i);
        }
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        if !self.item_value(
            ConfigKind::Const,
            c.ident.to_string(),
            &c.expr,
            c.ident.span(),
            &c.attrs,
        ) {
            visit::visit_item_const(self, c);
        }
    }

    fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
        if !self.item_value(
            ConfigKind::Const,
            c.ident.to_string(),
            &c.expr,
            c.ident.span(),
            &c.attrs,
        ) {
            visit::visit_impl_item_const(self, c);
        }
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        if !self.item_value(
            ConfigKind::Static,
            s.ident.to_string(),
            &s.expr,
            s.ident.span(),
            &s.attrs,
        ) {
            visit::visit_item_static(self, s);
        }
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        // clap: `#[arg(long, env = "PORT", default_value = "8080")]`
        for a in &f.attrs {
            let is_clap = a
                .path()
                .segments
                .last()
                .is_some_and(|s| self.ck().clap_attributes.contains(&s.ident.to_string()));
            let Ok(list) = a.meta.require_list() else { continue };
            if !is_clap {
                continue;
            }
            let args = syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
            let Ok(metas) = syn::parse::Parser::parse2(args, list.tokens.clone()) else {
                continue;
            };
            let mut key = None;
            let mut default = None;
            let mut span = a.span();
            for m in &metas {
                let syn::Meta::NameValue(nv) = m else { continue };
                if nv.path.is_ident("env") {
                    if let Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) = &nv.value {
                        key = Some(s.value());
                        span = s.span();
                    }
                } else if nv.path.is_ident("default_value") || nv.path.is_ident("default_value_t") {
                    default = self.eval(&nv.value);
                }
            }
            if let Some(key) = key {
                self.push(ConfigFact {
                    kind: ConfigKind::EnvRead,
                    name: None,
                    key: Some(key),
                    key_ref: None,
                    value: default,
                    default_ref: None,
                    cfg: None,
                    span: span_one_line(span, span),
                });
            }
        }
        visit::visit_field(self, f);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        let name = match &l.pat {
            syn::Pat::Ident(i) => Some(i.ident.to_string()),
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(i) => Some(i.ident.to_string()),
                _ => None,
            },
            _ => None,
        };
        self.with_context(name, |s| visit::visit_local(s, l));
    }

    fn visit_field_value(&mut self, f: &'ast syn::FieldValue) {
        let name = match &f.member {
            syn::Member::Named(n) => Some(n.to_string()),
            syn::Member::Unnamed(_) => None,
        };
        self.with_context(name, |s| visit::visit_field_value(s, f));
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        if self.ck().default_methods.contains(&name) {
            if let Expr::Call(root) = chain_root(&m.receiver) {
                let key = root as *const syn::ExprCall as usize;
                if expr_path(&root.func).is_some_and(|p| self.is_env_reader(p)) && !self.handled.contains(&key) {
                    self.handled.insert(key);
                    let default = if name == "unwrap_or_default" {
                        None
                    } else {
                        m.args.first()
                    };
                    self.env_read(root, default, name == "unwrap_or_default");
                    // The default is part of the read, not a value written on its own.
                    return self.visit_expr(&m.receiver);
                }
            }
        }
        self.visit_expr(&m.receiver);
        self.with_context(Some(name), |s| m.args.iter().for_each(|a| s.visit_expr(a)));
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Some(path) = expr_path(&c.func) {
            let key = c as *const syn::ExprCall as usize;
            if self.is_env_reader(path) {
                if !self.handled.contains(&key) {
                    self.env_read(c, None, false);
                }
                return;
            }
            if let Some(v) = self.duration_call(c) {
                if let Some(name) = self.config_context() {
                    self.push(ConfigFact {
                        kind: ConfigKind::Literal,
                        name: Some(name),
                        key: None,
                        key_ref: None,
                        value: Some(v),
                        default_ref: None,
                        cfg: None,
                        span: span_one_line(c.span(), c.span()),
                    });
                }
                return;
            }
            let name = path.segments.last().map(|s| s.ident.to_string());
            self.visit_expr(&c.func);
            self.with_context(name, |s| c.args.iter().for_each(|a| s.visit_expr(a)));
            return;
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_lit(&mut self, l: &'ast syn::ExprLit) {
        let Lit::Str(s) = &l.lit else { return };
        let text = s.value();
        // A format string: its literal prefix is the base URL (`"http://pricing:8080/prices/{sku}"`).
        let fixed = text.split('{').next().unwrap_or("");
        let v = self.text_value(fixed);
        if matches!(v.shape, Shape::Url | Shape::HostPort) {
            let name = self.context.last().cloned();
            self.push(ConfigFact {
                kind: ConfigKind::Literal,
                name,
                key: None,
                key_ref: None,
                value: Some(v),
                default_ref: None,
                cfg: None,
                span: span_one_line(s.span(), s.span()),
            });
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        if self.env.is_log_macro(&mac.path) || self.env.is_panic_macro(&mac.path) {
            // A URL in a log line or a panic message is not a setting.
            return;
        }
        if self.ck().env_macros.contains(&name) {
            if let Ok(lit) = syn::parse2::<syn::LitStr>(
                mac.tokens
                    .clone()
                    .into_iter()
                    .next()
                    .map(Into::into)
                    .unwrap_or_default(),
            ) {
                self.push(ConfigFact {
                    kind: ConfigKind::EnvRead,
                    name: None,
                    key: Some(lit.value()),
                    key_ref: None,
                    value: None,
                    default_ref: None,
                    cfg: None,
                    span: span_one_line(mac.path.span(), mac.delimiter.span().close()),
                });
            }
            return;
        }
        match macros::parse(mac) {
            Some(MacroBody::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(MacroBody::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
            None => {}
        }
    }

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {
        // Strings in attributes (docs, serde renames, routes) are not settings.
    }
}

//! Configuration facts: constants with literal values, environment variables read
//! with their defaults (directly or through a workspace helper), configuration keys given their
//! defaults and the fields of settings `Default` impls, and configuration-looking values written
//! inline (URLs, `host:port`, durations given to a setting, literals passed to a parameter named
//! like a setting). Test code and compile-time `env!` reads are skipped.

use proc_macro2::Span as PmSpan;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{BinOp, Expr, Lit, UnOp};

use super::body::Env;
use super::extract::has_test_attr;
use super::macros::{self, MacroBody};
use super::paths::{chain_root, expr_path, segments, span_one_line, strip_await};
use super::{ConfigFact, ConfigKind, ConfigValue, EnvHelper, SettingParams, Shape};
use crate::knowledge::config::is_host_port;

pub struct ConfigCollector<'a, 'k> {
    env: &'a Env<'k>,
    pub out: Vec<ConfigFact>,
    pub cfg_mods: Vec<(Vec<String>, String)>,
    pub env_helpers: Vec<EnvHelper>,
    pub setting_params: Vec<SettingParams>,
    /// The name a value is being given to (method, function, field, binding).
    context: Vec<String>,
    /// Environment reads already recorded through a default method on them.
    handled: rustc_hash::FxHashSet<usize>,
    /// `#[cfg(..)]` of the enclosing items.
    cfgs: Vec<String>,
    /// Inline modules around the item.
    module: Vec<String>,
    /// The enclosing `impl`'s type, and whether it is `impl Default`.
    owner: Option<String>,
    default_impl: bool,
    /// The function being read: its first parameter, whether it reads the variable that parameter
    /// names, the functions it passes it to, and its locals with a known value.
    func: Option<FnState>,
}

#[derive(Default)]
struct FnState {
    name: String,
    first: Option<String>,
    direct: bool,
    calls: Vec<String>,
    /// Locals with a known value, and where that value is written.
    locals: Vec<(String, ConfigValue, PmSpan)>,
    /// `fn default()` of an `impl Default`: its struct literal's fields are defaults.
    is_default: bool,
}

/// Methods that pass a value through unchanged for comparison (`"x".to_string()`,
/// `path.to_str()`).
const PASS_THROUGH: &[&str] = &[
    "into",
    "to_string",
    "to_owned",
    "to_str",
    "to_string_lossy",
    "clone",
    "display",
    "as_str",
    "unwrap",
    "into_owned",
];

/// `get_env("DATA_FOLDER")`: a call whose first argument looks like an environment variable.
fn env_like(key: &str) -> bool {
    key.len() >= 2
        && key.starts_with(|c: char| c.is_ascii_uppercase())
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn cfg_text(attrs: &[syn::Attribute]) -> Option<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .map(|a| a.meta.require_list().map(|l| l.tokens.to_string()).unwrap_or_default())
        .reduce(|a, b| format!("{a}, {b}"))
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

/// A text's value: a URL kept without its trailing `/`s, so that `http://a/` and `http://a`
/// are one.
fn string_value(s: &str, shape: Shape) -> ConfigValue {
    let kept = if shape == Shape::Url {
        s.trim_end_matches('/')
    } else {
        s
    };
    ConfigValue {
        norm: format!("str:{kept}"),
        shown: format!("\"{s}\""),
        shape,
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
            cfg_mods: Vec::new(),
            env_helpers: Vec::new(),
            setting_params: Vec::new(),
            context: Vec::new(),
            handled: Default::default(),
            cfgs: Vec::new(),
            module: Vec::new(),
            owner: None,
            default_impl: false,
            func: None,
        }
    }

    /// A fact of `kind` at `span`, under the enclosing items' `cfg`.
    fn fact(&self, kind: ConfigKind, span: PmSpan) -> ConfigFact {
        ConfigFact {
            kind,
            name: None,
            key: None,
            key_ref: None,
            value: None,
            default_ref: None,
            cfg: (!self.cfgs.is_empty()).then(|| self.cfgs.join(", ")),
            span: span_one_line(span, span),
            owner: None,
            via: None,
            arg: None,
        }
    }

    /// Runs `f` with `attrs`' cfg pushed.
    fn under_cfg<F: FnOnce(&mut Self)>(&mut self, attrs: &[syn::Attribute], f: F) {
        match cfg_text(attrs) {
            Some(c) => {
                self.cfgs.push(c);
                f(self);
                self.cfgs.pop();
            }
            None => f(self),
        }
    }

    /// Where the value of `e` is written: the local it names (through conversions), else `e`.
    fn origin(&self, e: &Expr) -> PmSpan {
        let mut cur = strip_await(e);
        while let Expr::MethodCall(m) = cur {
            if !(m.args.is_empty() && PASS_THROUGH.contains(&m.method.to_string().as_str())) {
                break;
            }
            cur = strip_await(&m.receiver);
        }
        if let Expr::Path(p) = cur {
            if let (Some(id), Some(f)) = (p.path.get_ident(), self.func.as_ref()) {
                if let Some((_, _, span)) = f.locals.iter().rev().find(|(n, ..)| id == n) {
                    return *span;
                }
            }
        }
        e.span()
    }

    /// A value as given to a setting, for comparing defaults: a constant expression, or one seen
    /// through conversions (`String::from("x")`, `"x".into()`, `Some(x)`), a local with a known
    /// value, or a file joined to a directory (`data_dir.join("kv.db")`).
    fn value_of(&self, e: &Expr) -> Option<ConfigValue> {
        match strip_await(e) {
            Expr::MethodCall(m) if m.args.is_empty() && PASS_THROUGH.contains(&m.method.to_string().as_str()) => {
                self.value_of(&m.receiver)
            }
            Expr::MethodCall(m) if m.method == "join" && m.args.len() == 1 => match &m.args[0] {
                Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => {
                    let s = s.value();
                    Some(ConfigValue {
                        norm: format!("join:{s}"),
                        shown: format!("….join(\"{s}\")"),
                        shape: Shape::Text,
                    })
                }
                _ => None,
            },
            Expr::Call(c)
                if c.args.len() == 1
                    && expr_path(&c.func)
                        .and_then(|p| p.segments.last())
                        .is_some_and(|s| s.ident == "from" || s.ident == "Some" || s.ident == "new") =>
            {
                self.value_of(&c.args[0])
            }
            Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = p.path.segments[0].ident.to_string();
                let f = self.func.as_ref()?;
                f.locals
                    .iter()
                    .rev()
                    .find(|(n, ..)| *n == name)
                    .map(|(_, v, _)| v.clone())
            }
            other => self.eval(other),
        }
    }

    fn ck(&self) -> &crate::knowledge::ConfigKnowledge {
        &self.env.k.config
    }

    fn text_value(&self, s: &str) -> ConfigValue {
        if let Ok(n) = s.trim().parse::<i128>() {
            return number(n);
        }
        string_value(s, self.string_shape(s))
    }

    /// The shape of a text that is not a number: a URL, a `host:port`, or text.
    fn string_shape(&self, s: &str) -> Shape {
        if self.ck().is_url(s) {
            Shape::Url
        } else if is_host_port(s) {
            Shape::HostPort
        } else {
            Shape::Text
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
                let MacroBody::Exprs(parts) = &*parsed else { return None };
                let mut s = String::new();
                for p in parts {
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

    fn env_read(&mut self, call: &syn::ExprCall, default: Option<&Expr>, empty_default: bool, via: Option<String>) {
        let (key, key_ref) = self.key_of(call.args.first());
        let (value, default_ref) = match default {
            Some(d) => self.default_of(d),
            None if empty_default => (Some(self.text_value("")), None),
            None => (None, None),
        };
        let mut f = self.fact(ConfigKind::EnvRead, call.span());
        f.key = key;
        f.key_ref = key_ref;
        f.value = value;
        f.default_ref = default_ref;
        f.via = via;
        self.push(f);
    }

    /// The workspace function a call may read the environment through: `get_env("KEY")`.
    fn helper_call(&self, c: &syn::ExprCall) -> Option<String> {
        let path = expr_path(&c.func)?;
        match c.args.first().map(strip_await) {
            Some(Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. })) if env_like(&s.value()) => {
                path.segments.last().map(|s| s.ident.to_string())
            }
            _ => None,
        }
    }

    /// Whether `e` is the enclosing function's first parameter (`key`, `&key`).
    fn is_first_param(&self, e: Option<&Expr>) -> bool {
        let Some(first) = self.func.as_ref().and_then(|f| f.first.as_deref()) else {
            return false;
        };
        let Some(mut e) = e else { return false };
        while let Expr::Reference(r) = e {
            e = &r.expr;
        }
        expr_path(e).is_some_and(|p| p.is_ident(first))
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
            let mut f = self.fact(kind, span);
            if let Some(c) = cfg_text(attrs) {
                f.cfg = Some(match f.cfg {
                    Some(outer) => format!("{outer}, {c}"),
                    None => c,
                });
            }
            f.name = Some(name);
            f.value = Some(value);
            self.push(f);
        }
        true
    }

    /// A function: its cfg, its parameters named like settings, and whether it is an
    /// environment helper.
    fn visit_fn(&mut self, sig: &syn::Signature, attrs: &[syn::Attribute], body: &syn::Block) {
        let mut params = Vec::new();
        let mut first = None;
        for (i, arg) in sig
            .inputs
            .iter()
            .filter(|a| matches!(a, syn::FnArg::Typed(_)))
            .enumerate()
        {
            let syn::FnArg::Typed(t) = arg else { continue };
            let syn::Pat::Ident(id) = &*t.pat else { continue };
            let name = id.ident.to_string();
            if i == 0 {
                first = Some(name.clone());
            }
            if self.ck().param_is_setting(&name) {
                params.push((i as u32, name));
            }
        }
        let name = sig.ident.to_string();
        if !params.is_empty() {
            self.setting_params.push(SettingParams {
                owner: self.owner.clone(),
                name: name.clone(),
                params,
            });
        }
        let outer = self.func.replace(FnState {
            name,
            first,
            is_default: self.default_impl && sig.ident == "default",
            ..FnState::default()
        });
        self.under_cfg(attrs, |s| s.visit_block(body));
        let done = std::mem::replace(&mut self.func, outer).unwrap_or_default();
        if done.direct || !done.calls.is_empty() {
            let mut calls = done.calls;
            calls.sort();
            calls.dedup();
            self.env_helpers.push(EnvHelper {
                name: done.name,
                direct: done.direct,
                calls,
            });
        }
    }

    /// Entries of a settings table declared through a macro: `name: Type, .., default;` inside
    /// braces, three or more of them.
    fn settings_table(&mut self, mac: &syn::Macro, name: &str) {
        use proc_macro2::{Delimiter, TokenStream, TokenTree};
        fn entries(ts: TokenStream, out: &mut Vec<(proc_macro2::Ident, TokenStream)>) {
            let mut piece: Vec<TokenTree> = Vec::new();
            let flush = |piece: &mut Vec<TokenTree>, out: &mut Vec<(proc_macro2::Ident, TokenStream)>| {
                // Doc comments and attributes (`#[..]`) before the entry.
                let mut at = piece.as_slice();
                while let [TokenTree::Punct(p), TokenTree::Group(_), rest @ ..] = at {
                    if p.as_char() != '#' {
                        break;
                    }
                    at = rest;
                }
                if let [TokenTree::Ident(id), TokenTree::Punct(colon), rest @ ..] = at {
                    if colon.as_char() == ':' && colon.spacing() == proc_macro2::Spacing::Alone {
                        // The default is the last comma-separated part.
                        let parts: Vec<&[TokenTree]> = rest
                            .split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
                            .collect();
                        if parts.len() >= 2 {
                            let last: TokenStream = parts[parts.len() - 1].iter().cloned().collect();
                            out.push((id.clone(), last));
                        }
                    }
                }
                piece.clear();
            };
            for t in ts {
                match &t {
                    TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                        flush(&mut piece, out);
                        entries(g.stream(), out);
                    }
                    TokenTree::Punct(p) if p.as_char() == ';' => flush(&mut piece, out),
                    _ => piece.push(t),
                }
            }
            flush(&mut piece, out);
        }
        let mut found = Vec::new();
        entries(mac.tokens.clone(), &mut found);
        if found.len() < 3 {
            return;
        }
        for (id, tokens) in found {
            let Ok(e) = syn::parse2::<Expr>(tokens) else { continue };
            let Some(v) = self.value_of(&e) else { continue };
            let mut f = self.fact(ConfigKind::DefaultField, id.span());
            f.name = Some(id.to_string());
            f.owner = Some(format!("{name}!"));
            f.value = Some(v);
            self.push(f);
        }
    }

    /// `900..=1100`: a range between two integer literals, neither of them 0 or 1.
    fn literal_range(&self, e: &Expr) -> Option<ConfigValue> {
        let Expr::Range(r) = e else { return None };
        let (lo, hi) = (self.int(r.start.as_deref()?)?, self.int(r.end.as_deref()?)?);
        if lo.abs() <= 1 || hi.abs() <= 1 {
            return None;
        }
        let op = match r.limits {
            syn::RangeLimits::Closed(_) => "..=",
            syn::RangeLimits::HalfOpen(_) => "..",
        };
        Some(ConfigValue {
            norm: format!("range:{lo}{op}{hi}"),
            shown: format!("{lo}{op}{hi}"),
            shape: Shape::Text,
        })
    }

    /// A literal passed by position to a call that names no setting: kept with its callee and
    /// index, named later by the callee's parameters.
    fn positional(&mut self, callee: String, args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>) {
        for (i, a) in args.iter().enumerate() {
            let v = match a {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Int(_) | Lit::Float(_),
                    ..
                }) => self.eval(a),
                Expr::Call(c) => self.duration_call(c),
                _ => None,
            };
            let Some(v) = v.filter(|v| !matches!(v.norm.as_str(), "num:0" | "num:1" | "num:-1")) else {
                continue;
            };
            let mut f = self.fact(ConfigKind::Literal, a.span());
            f.owner = Some(callee.clone());
            f.arg = Some(i as u32);
            f.value = Some(v);
            self.push(f);
        }
    }
}

impl<'ast> Visit<'ast> for ConfigCollector<'_, '_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if has_test_attr(&m.attrs) {
            return;
        }
        if m.content.is_none() {
            if let Some(c) = cfg_text(&m.attrs) {
                let mut path = self.module.clone();
                path.push(m.ident.to_string());
                self.cfg_mods.push((path, c));
            }
            return;
        }
        self.module.push(m.ident.to_string());
        self.under_cfg(&m.attrs, |s| visit::visit_item_mod(s, m));
        self.module.pop();
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !has_test_attr(&f.attrs) {
            let outer = self.owner.take();
            let was_default = std::mem::replace(&mut self.default_impl, false);
            self.visit_fn(&f.sig, &f.attrs, &f.block);
            self.owner = outer;
            self.default_impl = was_default;
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !has_test_attr(&f.attrs) {
            self.visit_fn(&f.sig, &f.attrs, &f.block);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if has_test_attr(&i.attrs) {
            return;
        }
        let owner = match &*i.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        let is_default = i
            .trait_
            .as_ref()
            .and_then(|(_, p, _)| p.segments.last())
            .is_some_and(|s| s.ident == "Default");
        let outer = std::mem::replace(&mut self.owner, owner);
        let was_default = std::mem::replace(&mut self.default_impl, is_default);
        self.under_cfg(&i.attrs, |s| visit::visit_item_impl(s, i));
        self.owner = outer;
        self.default_impl = was_default;
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
            let mut default_span = a.span();
            for m in &metas {
                let syn::Meta::NameValue(nv) = m else { continue };
                if nv.path.is_ident("env") {
                    if let Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) = &nv.value {
                        key = Some(s.value());
                        span = s.span();
                    }
                } else if nv.path.is_ident("default_value") || nv.path.is_ident("default_value_t") {
                    default = self.eval(&nv.value);
                    default_span = nv.value.span();
                }
            }
            match key {
                Some(key) => {
                    let mut fact = self.fact(ConfigKind::EnvRead, span);
                    fact.key = Some(key);
                    fact.value = default;
                    self.push(fact);
                }
                // `#[arg(long, default_value = "0.0.0.0:3000")] bind`: the flag's default, a value
                // like any other given to the field's name.
                None => {
                    if let (Some(v), Some(field)) = (default, &f.ident) {
                        let mut fact = self.fact(ConfigKind::Literal, default_span);
                        fact.name = Some(field.to_string());
                        fact.value = Some(v);
                        self.push(fact);
                    }
                }
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
        self.with_context(name.clone(), |s| visit::visit_local(s, l));
        if let (Some(name), Some(init)) = (name, &l.init) {
            if let Some(v) = self.value_of(&init.expr) {
                let span = self.origin(&init.expr);
                if let Some(f) = self.func.as_mut() {
                    f.locals.push((name, v, span));
                }
            }
        }
    }

    fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
        let in_default = self.func.as_ref().is_some_and(|f| f.is_default);
        let names_owner = e.path.is_ident("Self")
            || (e.path.segments.last().map(|s| s.ident.to_string()) == self.owner && self.owner.is_some());
        if !(in_default && names_owner) {
            return visit::visit_expr_struct(self, e);
        }
        // `impl Default for Metrics { fn default() -> Self { Self { port: 9001, .. } } }`
        for fv in &e.fields {
            let syn::Member::Named(field) = &fv.member else {
                continue;
            };
            match self.value_of(&fv.expr) {
                Some(v) => {
                    let mut f = self.fact(ConfigKind::DefaultField, self.origin(&fv.expr));
                    f.name = Some(field.to_string());
                    f.owner = self.owner.clone();
                    f.value = Some(v);
                    self.push(f);
                }
                None => self.visit_field_value(fv),
            }
        }
        if let Some(rest) = &e.rest {
            self.visit_expr(rest);
        }
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
        if self.ck().subprocess_methods.contains(&name) {
            // `Command::new("x").env("KEY", "v")`: the other program's configuration.
            return self.visit_expr(&m.receiver);
        }
        if m.args.len() == 2 && self.ck().key_setters.contains(&name) {
            if let Expr::Lit(syn::ExprLit { lit: Lit::Str(k), .. }) = &m.args[0] {
                // `.set_default("metrics.port", 9001)`
                let mut f = self.fact(ConfigKind::Key, self.origin(&m.args[1]));
                f.key = Some(k.value());
                f.value = self.value_of(&m.args[1]);
                self.push(f);
                return self.visit_expr(&m.receiver);
            }
        }
        if self.ck().default_methods.contains(&name) {
            if let Expr::Call(root) = chain_root(&m.receiver) {
                let key = root as *const syn::ExprCall as usize;
                let reader = expr_path(&root.func).is_some_and(|p| self.is_env_reader(p));
                let via = if reader { None } else { self.helper_call(root) };
                if reader && self.is_first_param(root.args.first()) {
                    if let Some(f) = self.func.as_mut() {
                        f.direct = true;
                    }
                    return self.visit_expr(&m.receiver);
                }
                if (reader || via.is_some()) && !self.handled.contains(&key) {
                    self.handled.insert(key);
                    let default = if name == "unwrap_or_default" {
                        None
                    } else {
                        m.args.first()
                    };
                    self.env_read(root, default, name == "unwrap_or_default", via);
                    // The default is part of the read, not a value written on its own.
                    return self.visit_expr(&m.receiver);
                }
            }
        }
        if self.ck().range_methods.contains(&name) {
            if let Some(v) = m.args.first().and_then(|a| self.literal_range(a)) {
                let mut f = self.fact(ConfigKind::Literal, m.args[0].span());
                f.name = Some(name.clone());
                f.value = Some(v);
                self.push(f);
            }
        }
        self.visit_expr(&m.receiver);
        if !self.ck().name_is_config(&name) {
            self.positional(name.clone(), &m.args);
        }
        self.with_context(Some(name), |s| m.args.iter().for_each(|a| s.visit_expr(a)));
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Some(path) = expr_path(&c.func) {
            let key = c as *const syn::ExprCall as usize;
            if self.is_env_reader(path) {
                if self.is_first_param(c.args.first()) {
                    if let Some(f) = self.func.as_mut() {
                        f.direct = true;
                    }
                } else if !self.handled.contains(&key) {
                    self.env_read(c, None, false, None);
                }
                return;
            }
            if let Some(v) = self.duration_call(c) {
                if let Some(name) = self.config_context() {
                    let mut f = self.fact(ConfigKind::Literal, c.span());
                    f.name = Some(name);
                    f.value = Some(v);
                    self.push(f);
                }
                return;
            }
            let name = path.segments.last().map(|s| s.ident.to_string());
            if let Some(n) = &name {
                if self.is_first_param(c.args.first()) {
                    let n = n.clone();
                    if let Some(f) = self.func.as_mut() {
                        f.calls.push(n);
                    }
                } else if !self.handled.contains(&key) {
                    if let Some(via) = self.helper_call(c) {
                        self.env_read(c, None, false, Some(via));
                    }
                }
                if !self.ck().name_is_config(n) {
                    let callee = segments(path).join("::");
                    self.positional(callee, &c.args);
                }
            }
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
        // A number has neither shape (it holds no `:`); most literals are text, and their value
        // is not built.
        let shape = self.string_shape(fixed);
        if matches!(shape, Shape::Url | Shape::HostPort) {
            let mut f = self.fact(ConfigKind::Literal, s.span());
            f.name = self.context.last().cloned();
            f.value = Some(string_value(fixed, shape));
            self.push(f);
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
            // `env!("KEY")` is fixed when the program is built: not runtime configuration.
            return;
        }
        let whole = macros::parse(mac);
        if whole.is_none() && name != "macro_rules" {
            self.settings_table(mac, &name);
        }
        match whole.or_else(|| macros::parse_pieces(mac)).as_deref() {
            Some(MacroBody::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(MacroBody::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
            None => {}
        }
    }

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {
        // Strings in attributes (docs, serde renames, routes) are not settings.
    }
}

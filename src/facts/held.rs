//! What a function's local variables, parameters and `self`'s fields hold, as far as its text
//! tells: an unfinished engine builder, a value of a named type, or what a call returned. Enough
//! to follow `let mut b = Client::builder(); ..; b.build()`, a method called on a `State<Db>`
//! parameter, and a chain on a helper's return value, without a type checker.

use std::rc::Rc;

use rustc_hash::FxHashMap as HashMap;
use syn::{Expr, FnArg, Pat, Type};

use super::paths::{expr_path, segments, UseMap};
use super::{Recv, RecvRoot, ReturnsBuilder};
use crate::diagnostic::Span;
use crate::knowledge::Knowledge;

/// Shared-state wrappers a method call sees through: `Arc<Db>`'s methods are `Db`'s.
const WRAPPERS: &[&str] = &[
    "Arc",
    "Rc",
    "Box",
    "Data",
    "State",
    "Extension",
    "Mutex",
    "RwLock",
    "ReqData",
    "Cow",
    "Pin",
];

/// Methods that hand back the value they are called on, or what it wraps.
const PASS_THROUGH: &[&str] = &[
    "clone",
    "as_ref",
    "as_mut",
    "borrow",
    "borrow_mut",
    "lock",
    "read",
    "write",
    "deref",
    "get_ref",
    "into_inner",
    "to_owned",
    "unwrap",
    "expect",
];

/// Struct fields of a file: struct name → (field name or index, the field type's path as written,
/// wrappers peeled).
pub type Fields = HashMap<String, Vec<(String, Vec<String>)>>;

/// The struct fields declared in `file` (inline modules included), for `self.field` receivers.
pub fn fields_of(file: &syn::File) -> Fields {
    struct V(Fields);
    impl<'ast> syn::visit::Visit<'ast> for V {
        fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
            let list: Vec<(String, Vec<String>)> = s
                .fields
                .iter()
                .enumerate()
                .filter_map(|(i, f)| {
                    let name = f.ident.as_ref().map_or_else(|| i.to_string(), ToString::to_string);
                    peel(&f.ty).map(|p| (name, p))
                })
                .collect();
            if !list.is_empty() {
                self.0.entry(s.ident.to_string()).or_default().extend(list);
            }
        }
    }
    let mut v = V(Fields::default());
    syn::visit::visit_file(&mut v, file);
    v.0
}

/// A type's path with references, parentheses and shared-state wrappers peeled; a trait object
/// or `impl Trait` gives the trait. `None` for what has no methods of its own (`Option<T>`,
/// `Vec<T>`, tuples, slices).
pub fn peel(ty: &Type) -> Option<Vec<String>> {
    match ty {
        Type::Reference(r) => peel(&r.elem),
        Type::Paren(p) => peel(&p.elem),
        Type::Group(g) => peel(&g.elem),
        Type::TraitObject(t) => first_trait(&t.bounds),
        Type::ImplTrait(t) => first_trait(&t.bounds),
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            if WRAPPERS.contains(&name.as_str()) {
                return super::paths::segment_types(last).first().and_then(|t| peel(t));
            }
            if matches!(
                name.as_str(),
                "Option" | "Vec" | "HashMap" | "BTreeMap" | "HashSet" | "Result"
            ) {
                return None;
            }
            Some(segments(&p.path))
        }
        _ => None,
    }
}

fn first_trait(bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>) -> Option<Vec<String>> {
    bounds.iter().find_map(|b| match b {
        syn::TypeParamBound::Trait(t) => Some(segments(&t.path)),
        _ => None,
    })
}

/// The declared return type a method called on the result belongs to: `Result<T, E>`,
/// `Option<T>` and wrappers peeled, `Self` named, `use` aliases expanded.
pub fn ret_type(output: &syn::ReturnType, uses: &UseMap, owner: Option<&str>) -> Option<Vec<String>> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let mut ty: &Type = ty;
    // `Result<T, E>` / `Option<T>` / a `Result` alias with one argument.
    if let Type::Path(p) = ty {
        if let Some(last) = p.path.segments.last() {
            let n = last.ident.to_string();
            if n == "Result" || n == "Option" || n.ends_with("Result") {
                ty = super::paths::segment_types(last).first().copied()?;
            }
        }
    }
    let path = peel(ty)?;
    Some(name_self(uses.expand(path), owner))
}

fn name_self(path: Vec<String>, owner: Option<&str>) -> Vec<String> {
    match (path.as_slice(), owner) {
        ([s], Some(o)) if s == "Self" => vec![o.to_string()],
        _ => path,
    }
}

/// Which engine knowledge a builder value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuilderKind {
    /// `constructors[i]`, whose root was called and whose final method was not.
    Ctor(usize),
    /// `builders[i]`: a value of a builder type.
    Type(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builder {
    pub kind: BuilderKind,
    /// The root call that made it in this function (`reqwest::Client::builder()`), and its text.
    pub origin: Option<(Span, Rc<str>)>,
}

impl Builder {
    pub fn finishes(&self, k: &Knowledge, method: &str) -> bool {
        match self.kind {
            BuilderKind::Ctor(i) => k.engines.constructors[i]
                .method
                .as_ref()
                .is_some_and(|g| g.is_match(method)),
            BuilderKind::Type(i) => k.engines.builders[i].finish.iter().any(|g| g.is_match(method)),
        }
    }

    pub fn builds<'k>(&self, k: &'k Knowledge) -> &'k str {
        match self.kind {
            BuilderKind::Ctor(i) => &k.engines.constructors[i].builds,
            BuilderKind::Type(i) => &k.engines.builders[i].builds,
        }
    }

    pub fn returned(&self, k: &Knowledge) -> ReturnsBuilder {
        let finish = match self.kind {
            BuilderKind::Ctor(i) => k.engines.constructors[i]
                .method
                .iter()
                .map(|g| g.as_str().to_string())
                .collect(),
            BuilderKind::Type(i) => k.engines.builders[i]
                .finish
                .iter()
                .map(|g| g.as_str().to_string())
                .collect(),
        };
        ReturnsBuilder {
            builds: self.builds(k).to_string(),
            finish,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    Unknown,
    Builder(Rc<Builder>),
    /// A value resolve can type; `span` and `text` are the root call's, for a call's result.
    Value {
        recv: Rc<Recv>,
        span: Option<Span>,
        text: Rc<str>,
    },
}

/// The bindings in scope while one function body is walked, innermost last.
#[derive(Default)]
pub struct Locals {
    vars: Vec<(String, Held)>,
    /// Generic parameters and their first trait bound (`S: Store`).
    bounds: Vec<(String, Vec<String>)>,
}

impl Locals {
    pub fn mark(&self) -> usize {
        self.vars.len()
    }

    pub fn restore(&mut self, mark: usize) {
        self.vars.truncate(mark);
    }

    pub fn bind(&mut self, name: String, held: Held) {
        self.vars.push((name, held));
    }

    /// `b = b.timeout(..)`: the innermost binding of `name` now holds `held`.
    pub fn assign(&mut self, name: &str, held: Held) {
        if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            slot.1 = held;
        }
    }

    pub fn get(&self, name: &str) -> Option<&Held> {
        self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, h)| h)
    }

    /// A generic parameter stands for its bound's trait.
    fn bound(&self, path: &[String]) -> Option<&Vec<String>> {
        match path {
            [one] => self.bounds.iter().find(|(n, _)| n == one).map(|(_, b)| b),
            _ => None,
        }
    }
}

/// What one function's text tells of its values.
pub struct Typer<'a> {
    pub k: &'a Knowledge,
    pub uses: &'a UseMap,
    pub fields: &'a Fields,
    pub owner: Option<&'a str>,
}

impl Typer<'_> {
    /// A type path as the file names it, expanded; a generic parameter becomes its bound.
    fn typed(&self, locals: &Locals, raw: Vec<String>) -> Vec<String> {
        if let Some(b) = locals.bound(&raw) {
            return self.uses.expand(b.clone());
        }
        name_self(self.uses.expand(raw), self.owner)
    }

    /// What a value of type `path` holds: a builder of a builder type, else a typed value.
    fn of_type(&self, path: Vec<String>) -> Held {
        if let Some(i) = self
            .k
            .engines
            .builders
            .iter()
            .position(|b| crate::knowledge::path_matches(&b.ty, &path))
        {
            return Held::Builder(Rc::new(Builder {
                kind: BuilderKind::Type(i),
                origin: None,
            }));
        }
        let text: Rc<str> = path.join("::").into();
        Held::Value {
            recv: Rc::new(Recv {
                root: RecvRoot::Type(path),
                through: Vec::new(),
            }),
            span: None,
            text,
        }
    }

    /// Binds the parameters of a signature (`State(db): State<Db>` binds `db` to `Db`) and its
    /// generic bounds.
    pub fn bind_params(&self, locals: &mut Locals, sig: &syn::Signature) {
        for p in &sig.generics.params {
            if let syn::GenericParam::Type(t) = p {
                if let Some(b) = first_trait(&t.bounds) {
                    locals.bounds.push((t.ident.to_string(), b));
                }
            }
        }
        if let Some(w) = &sig.generics.where_clause {
            for pred in &w.predicates {
                if let syn::WherePredicate::Type(t) = pred {
                    if let (Some(name), Some(b)) = (peel(&t.bounded_ty), first_trait(&t.bounds)) {
                        if let [n] = name.as_slice() {
                            locals.bounds.push((n.clone(), b));
                        }
                    }
                }
            }
        }
        for input in &sig.inputs {
            let FnArg::Typed(t) = input else { continue };
            let Some(name) = param_name(&t.pat) else { continue };
            let held = peel(&t.ty).map_or(Held::Unknown, |p| self.of_type(self.typed(locals, p)));
            locals.bind(name, held);
        }
    }

    /// What a `let` with a written type binds.
    pub fn annotated(&self, locals: &Locals, ty: &Type) -> Held {
        peel(ty).map_or(Held::Unknown, |p| self.of_type(self.typed(locals, p)))
    }

    /// The type of `self.<member>`, from the owner's struct declared in this file.
    fn field(&self, locals: &Locals, owner: &str, member: &syn::Member) -> Held {
        let name = match member {
            syn::Member::Named(n) => n.to_string(),
            syn::Member::Unnamed(i) => i.index.to_string(),
        };
        self.fields
            .get(owner)
            .and_then(|fs| fs.iter().find(|(n, _)| *n == name))
            .map_or(Held::Unknown, |(_, p)| self.of_type(self.typed(locals, p.clone())))
    }

    /// What `e` evaluates to. `memo` keeps each method-chain link's answer, by address, so that a
    /// chain is walked once however many of its links ask.
    pub fn held_of(&self, locals: &Locals, memo: &mut HashMap<usize, Held>, e: &Expr) -> Held {
        match e {
            Expr::Await(a) => self.held_of(locals, memo, &a.base),
            Expr::Try(t) => self.held_of(locals, memo, &t.expr),
            Expr::Paren(p) => self.held_of(locals, memo, &p.expr),
            Expr::Group(g) => self.held_of(locals, memo, &g.expr),
            Expr::Reference(r) => self.held_of(locals, memo, &r.expr),
            Expr::Path(p) if p.qself.is_none() => {
                if p.path.is_ident("self") {
                    return self.owner.map_or(Held::Unknown, |o| self.of_type(vec![o.to_string()]));
                }
                match p.path.get_ident() {
                    Some(id) => locals.get(&id.to_string()).cloned().unwrap_or(Held::Unknown),
                    None => Held::Unknown,
                }
            }
            Expr::Field(f) => {
                let base = super::paths::strip_await(&f.base);
                if matches!(base, Expr::Path(p) if p.path.is_ident("self")) {
                    return self.owner.map_or(Held::Unknown, |o| self.field(locals, o, &f.member));
                }
                match self.held_of(locals, memo, &f.base) {
                    Held::Value { recv, .. } if recv.through.is_empty() => match &recv.root {
                        RecvRoot::Type(t) => match t.last() {
                            Some(last) => self.field(locals, last, &f.member),
                            None => Held::Unknown,
                        },
                        RecvRoot::Call(_) => Held::Unknown,
                    },
                    _ => Held::Unknown,
                }
            }
            Expr::Struct(s) if s.qself.is_none() => self.of_type(self.typed(locals, segments(&s.path))),
            Expr::Call(c) => self.held_of_call(locals, memo, c),
            Expr::MethodCall(m) => {
                let key = m as *const syn::ExprMethodCall as usize;
                if let Some(h) = memo.get(&key) {
                    return h.clone();
                }
                let h = self.held_of_method(locals, memo, m);
                memo.insert(key, h.clone());
                h
            }
            Expr::If(i) => {
                let then = tail(&i.then_branch).map_or(Held::Unknown, |t| self.held_of(locals, memo, t));
                if then != Held::Unknown {
                    return then;
                }
                match &i.else_branch {
                    Some((_, e)) => self.held_of(locals, memo, e),
                    None => Held::Unknown,
                }
            }
            Expr::Match(m) => m
                .arms
                .iter()
                .map(|a| self.held_of(locals, memo, &a.body))
                .find(|h| *h != Held::Unknown)
                .unwrap_or(Held::Unknown),
            Expr::Block(b) => tail(&b.block).map_or(Held::Unknown, |t| self.held_of(locals, memo, t)),
            _ => Held::Unknown,
        }
    }

    fn held_of_call(&self, locals: &Locals, memo: &mut HashMap<usize, Held>, c: &syn::ExprCall) -> Held {
        let Some(path) = expr_path(&c.func) else {
            return Held::Unknown;
        };
        let raw = segments(path);
        let full = self.uses.expand(raw.clone());
        let last = full.last().map(String::as_str).unwrap_or_default();
        // `Ok(b)`, `Some(b)`, `Arc::new(b)`: the value they wrap.
        if c.args.len() == 1
            && (matches!(last, "Ok" | "Some")
                || (last == "new" && full.len() >= 2 && WRAPPERS.contains(&full[full.len() - 2].as_str())))
        {
            return self.held_of(locals, memo, &c.args[0]);
        }
        let span = super::paths::span_one_line(super::paths::span_whole(&c.func), c.paren_token.span.close());
        let constructors = &self.k.engines.constructors;
        let first = full.first().map(String::as_str).unwrap_or_default();
        if let Some(i) = self.k.indexes().engine_constructors(first).iter().copied().find(|&i| {
            let k = &constructors[i];
            k.method.is_some() && k.root_matches(&full)
        }) {
            return Held::Builder(Rc::new(Builder {
                kind: BuilderKind::Ctor(i),
                origin: Some((span, raw.join("::").into())),
            }));
        }
        // `Self(inner)`, `Wrapper(inner)`: a tuple struct's value.
        if last.starts_with(|ch: char| ch.is_uppercase()) {
            return self.of_type(self.typed(locals, full));
        }
        Held::Value {
            recv: Rc::new(Recv {
                root: RecvRoot::Call(full),
                through: Vec::new(),
            }),
            span: Some(span),
            text: raw.join("::").into(),
        }
    }

    fn held_of_method(&self, locals: &Locals, memo: &mut HashMap<usize, Held>, m: &syn::ExprMethodCall) -> Held {
        let name = m.method.to_string();
        match self.held_of(locals, memo, &m.receiver) {
            Held::Builder(b) if b.finishes(self.k, &name) => Held::Unknown,
            Held::Builder(b) => Held::Builder(b),
            value @ Held::Value { .. } if PASS_THROUGH.contains(&name.as_str()) => value,
            Held::Value { recv, span, text } if recv.through.len() < 4 => {
                let mut r = (*recv).clone();
                r.through.push(name);
                Held::Value {
                    recv: Rc::new(r),
                    span,
                    text,
                }
            }
            _ => Held::Unknown,
        }
    }
}

/// The name a parameter binds: `db`, `mut db`, `State(db)`, `web::Data(db)`.
fn param_name(p: &Pat) -> Option<String> {
    match p {
        Pat::Ident(i) if i.subpat.is_none() => Some(i.ident.to_string()),
        Pat::TupleStruct(t) if t.elems.len() == 1 => param_name(&t.elems[0]),
        Pat::Reference(r) => param_name(&r.pat),
        Pat::Paren(p) => param_name(&p.pat),
        _ => None,
    }
}

/// The name a simple `let` binds (`b`, `mut b`), with its written type.
pub fn let_binding(p: &Pat) -> Option<(String, Option<&Type>)> {
    match p {
        Pat::Ident(i) if i.subpat.is_none() => Some((i.ident.to_string(), None)),
        Pat::Type(t) => match &*t.pat {
            Pat::Ident(i) if i.subpat.is_none() => Some((i.ident.to_string(), Some(&*t.ty))),
            _ => None,
        },
        _ => None,
    }
}

/// A block's tail expression.
pub fn tail(b: &syn::Block) -> Option<&Expr> {
    match b.stmts.last() {
        Some(syn::Stmt::Expr(e, None)) => Some(e),
        _ => None,
    }
}

//! Marking functions as handlers from their attributes and signatures, and as startup code.

use syn::{Attribute, FnArg, ReturnType, Type};

use super::{HandlerHow, HandlerMark};
use crate::knowledge::Handlers;

fn last_segment(path: &syn::Path) -> String {
    path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
}

fn first_string(tokens: &proc_macro2::TokenStream) -> Option<String> {
    let first = tokens.clone().into_iter().next()?;
    let lit: syn::LitStr = syn::parse2(first.into()).ok()?;
    Some(lit.value())
}

/// `key = "value"` inside an attribute's arguments.
fn named_string(tokens: &proc_macro2::TokenStream, key: &str) -> Option<String> {
    let toks: Vec<proc_macro2::TokenTree> = tokens.clone().into_iter().collect();
    toks.windows(3).find_map(|w| match (&w[0], &w[1], &w[2]) {
        (proc_macro2::TokenTree::Ident(i), proc_macro2::TokenTree::Punct(p), lit) if i == key && p.as_char() == '=' => {
            syn::parse2::<syn::LitStr>(lit.clone().into()).ok().map(|l| l.value())
        }
        _ => None,
    })
}

/// The first bare identifier among an attribute's arguments (`get` in `#[utoipa::path(get, ..)]`).
fn first_ident(tokens: &proc_macro2::TokenStream) -> Option<String> {
    match tokens.clone().into_iter().next()? {
        proc_macro2::TokenTree::Ident(i) => Some(i.to_string()),
        _ => None,
    }
}

/// The framework an attribute names (`actix_web::get`, `rocket::post`), if qualified.
fn attr_framework(h: &Handlers, path: &syn::Path) -> Option<String> {
    let first = path.segments.first()?.ident.to_string();
    if path.segments.len() < 2 {
        return None;
    }
    h.frameworks
        .iter()
        .find(|f| f.crates.contains(&first))
        .map(|f| f.name.clone())
}

/// A handler mark from route attributes (`#[get("/x")]`, `#[handler]`, `#[oai(..)]`).
pub fn from_attributes(h: &Handlers, attrs: &[Attribute], file_framework: Option<&str>) -> Option<HandlerMark> {
    let mut mark: Option<HandlerMark> = None;
    let mut doc_route: Option<String> = None;
    for a in attrs {
        let name = last_segment(a.path());
        let Ok(list) = a.meta.require_list() else { continue };
        let framework = attr_framework(h, a.path()).or_else(|| file_framework.map(str::to_string));
        if h.route_attrs.contains(&name) {
            let Some(path) = first_string(&list.tokens) else {
                continue;
            };
            let route = if name == "route" {
                match named_string(&list.tokens, "method") {
                    Some(m) => format!("{} {path}", m.to_uppercase()),
                    None => path,
                }
            } else {
                format!("{} {path}", name.to_uppercase())
            };
            mark = Some(HandlerMark {
                how: HandlerHow::Attribute,
                framework,
                route: Some(route),
            });
        } else if h.marker_attrs.contains(&name) && mark.is_none() {
            mark = Some(HandlerMark {
                how: HandlerHow::Attribute,
                framework,
                route: None,
            });
        } else if h.openapi_attrs.contains(&name) {
            let path = named_string(&list.tokens, "path");
            let method = named_string(&list.tokens, "method").map(|m| m.to_uppercase());
            let route = match (method, path) {
                (Some(m), Some(p)) => Some(format!("{m} {p}")),
                (None, Some(p)) => Some(p),
                _ => None,
            };
            mark = Some(HandlerMark {
                how: HandlerHow::Attribute,
                framework: Some("poem".into()),
                route,
            });
        } else if h.route_doc_attrs.contains(&name) && a.path().segments.len() >= 2 {
            // `#[utoipa::path(get, path = "/users")]`: the route of a handler found otherwise.
            if let Some(p) = named_string(&list.tokens, "path") {
                doc_route = Some(match first_ident(&list.tokens) {
                    Some(m) if m != "path" => format!("{} {p}", m.to_uppercase()),
                    _ => p,
                });
            }
        }
    }
    if let (Some(m), Some(r)) = (&mut mark, doc_route) {
        if m.route.is_none() {
            m.route = Some(r);
        }
    }
    mark
}

fn type_last(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) => p.path.segments.last(),
        Type::Reference(r) => type_last(&r.elem),
        Type::Paren(p) => type_last(&p.elem),
        Type::Group(g) => type_last(&g.elem),
        _ => None,
    }
}

fn generic_first(seg: &syn::PathSegment) -> Option<&Type> {
    super::paths::segment_types(seg).first().copied()
}

/// A tonic service method: `Request<..>` in, `Result<Response<..>, Status>` out.
pub fn is_tonic_method(sig: &syn::Signature) -> bool {
    let takes_request = sig.inputs.iter().any(|a| match a {
        FnArg::Typed(t) => type_last(&t.ty).is_some_and(|s| s.ident == "Request"),
        FnArg::Receiver(_) => false,
    });
    let ReturnType::Type(_, ret) = &sig.output else {
        return false;
    };
    let Some(seg) = type_last(ret) else { return false };
    if seg.ident != "Result" {
        return false;
    }
    let args = super::paths::segment_types(seg);
    takes_request
        && args.len() == 2
        && type_last(args[0]).is_some_and(|s| s.ident == "Response")
        && type_last(args[1]).is_some_and(|s| s.ident == "Status")
}

fn type_path(ty: &Type) -> Option<&syn::Path> {
    match ty {
        Type::Path(p) if p.qself.is_none() => Some(&p.path),
        Type::Reference(r) => type_path(&r.elem),
        Type::Paren(p) => type_path(&p.elem),
        Type::Group(g) => type_path(&g.elem),
        _ => None,
    }
}

/// Whether a parameter type, with `use` aliases expanded, can be a framework's extractor: a type
/// of a framework or extractor crate, or a bare name in a file that uses one (or glob-imports another crate). `oauth2::HttpRequest`
/// is not actix's `HttpRequest`, nor is the workspace's `crate::state::State` axum's.
fn from_extractor_crate(h: &Handlers, uses: &super::paths::UseMap, ty: &Type) -> bool {
    let Some(path) = type_path(ty) else { return true };
    let is_extractor_crate = |c: &str| {
        h.extractor_crates.iter().any(|e| e == c) || h.frameworks.iter().any(|f| f.crates.iter().any(|k| k == c))
    };
    let full = uses.expand(super::paths::segments(path));
    match full.first().map(String::as_str) {
        // A bare name: a framework's only in a file that names one (or imports by glob).
        _ if full.len() < 2 => {
            uses.globs.iter().any(|g| {
                g.first()
                    .is_some_and(|c| !matches!(c.as_str(), "crate" | "self" | "super"))
            }) || uses.roots.iter().any(|c| is_extractor_crate(c))
        }
        // The workspace's own `State` is not axum's.
        Some("crate" | "self" | "super") | None => false,
        Some(first) => is_extractor_crate(first),
    }
}

/// An `async fn` taking an extractor (`State<..>`, `Json<..>`, `web::Data<..>`, `&State<..>`).
pub fn has_extractor_params(h: &Handlers, uses: &super::paths::UseMap, sig: &syn::Signature) -> bool {
    sig.asyncness.is_some()
        && sig.inputs.iter().any(|a| match a {
            FnArg::Typed(t) => {
                from_extractor_crate(h, uses, &t.ty)
                    && type_last(&t.ty).is_some_and(|s| {
                        let name = s.ident.to_string();
                        // `Request` alone is hyper's or tonic's: count it with a generic body only.
                        if name == "Request" {
                            return generic_first(s).is_some() || matches!(&*t.ty, Type::Reference(_));
                        }
                        // Extractors are taken by value; a borrowed one is a helper's parameter
                        // (`fn forward(req: &HttpRequest)`), but for rocket's `&State<T>`.
                        if matches!(&*t.ty, Type::Reference(_)) && name != "State" {
                            return false;
                        }
                        h.extractors.contains(&name)
                    })
            }
            FnArg::Receiver(_) => false,
        })
}

/// `main`, `#[tokio::main]`, `#[actix_web::main]`, `#[launch]`.
pub fn is_startup(h: &Handlers, name: &str, attrs: &[Attribute]) -> bool {
    h.startup_fns.iter().any(|f| f == name) || attrs.iter().any(|a| h.startup_attrs.contains(&last_segment(a.path())))
}

/// A method of a trait impl that runs on every request: middleware (`Service::call`, a fairing's
/// `on_request`, an interceptor) or a request extractor (`FromRequestParts::from_request_parts`).
pub fn is_middleware_method(h: &Handlers, trait_name: &str, method: &str) -> bool {
    h.middleware_methods
        .iter()
        .any(|m| m.split_once("::") == Some((trait_name, method)))
}

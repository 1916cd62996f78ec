//! syn does not parse macro bodies. Error paths inside `tokio::select!`, `join!`, `vec!`,
//! `format!` arguments or a user's macro are analysed when the tokens parse as expressions or
//! statements. For the error-path analyses, a body that does not ([`parse_pieces`]) is read in
//! pieces: the runs of tokens between top-level `,`, `;` and `=>` (then `:`) that parse, and,
//! inside the runs that do not, the groups that do (`db_run! { conn: sqlite { .. } }`,
//! `try_join_with_pool!(pool => (a, b))`). What does not parse at all is skipped silently.
//!
//! Everything is read from one token buffer, trying each reading on a fork: building syn's
//! buffer costs the size of the whole body, so it is built once per macro, not once per try.
//!
//! Several fact builders read the same macro (sites, calls, the always-logs pass,
//! configuration). Within [`with_bodies`] each body is parsed once and shared.

use std::cell::RefCell;
use std::rc::Rc;

use proc_macro2::Delimiter;
use syn::buffer::Cursor;
use syn::parse::discouraged::Speculative;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{braced, bracketed, parenthesized, token, Expr, Stmt, Token};

/// What a macro's tokens parsed as.
pub enum MacroBody {
    Exprs(Vec<Expr>),
    Stmts(Vec<Stmt>),
}

/// A parsed body, shared by every reader of the macro.
pub type Body = Rc<MacroBody>;

/// Where a macro is, as the key of its parsed body: the node's address (stable while the tree
/// that holds it lives: the file's, or a body kept in the store), its tokens' position in the
/// source, and how it is read.
type Key = (usize, usize, usize, bool);

thread_local! {
    /// The bodies parsed inside the innermost [`with_bodies`] on this thread; `None` outside.
    static BODIES: RefCell<Option<rustc_hash::FxHashMap<Key, Option<Body>>>> = const { RefCell::new(None) };
}

/// Runs `f` with a store of parsed bodies: each macro under `f` is parsed once, however many
/// fact builders read it. The store, and every body in it, is dropped when `f` returns (or
/// unwinds); an outer store is put back.
pub fn with_bodies<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(Option<rustc_hash::FxHashMap<Key, Option<Body>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            // The store's bodies are freed here, after `f`'s last use of them.
            let _mine = BODIES.with(|b| std::mem::replace(&mut *b.borrow_mut(), outer));
        }
    }
    let _restore = Restore(BODIES.with(|b| b.borrow_mut().replace(Default::default())));
    f()
}

fn key(mac: &syn::Macro, in_pieces: bool) -> Key {
    // The byte range, not the line and column: those cost a count of the line's characters.
    let range = mac.delimiter.span().join().byte_range();
    (std::ptr::from_ref(mac) as usize, range.start, range.end, in_pieces)
}

/// The macro's tokens as one expression list or as statements (`tokio::select!` branches
/// read as such).
pub fn parse(mac: &syn::Macro) -> Option<Body> {
    shared(mac, false)
}

/// [`parse`], and for a body that does not parse, the pieces of it that do, as statements
/// (an expression piece is a statement without `;`). Token templates are not read in pieces:
/// a `macro_rules!` body or any body with `$` metavariables, and a `quote!`-style body with
/// `#name` / `#(..)` interpolations: their pieces are code for elsewhere, not code that runs here.
pub fn parse_pieces(mac: &syn::Macro) -> Option<Body> {
    shared(mac, !mac.path.is_ident("macro_rules"))
}

fn shared(mac: &syn::Macro, in_pieces: bool) -> Option<Body> {
    let key = key(mac, in_pieces);
    let stored = BODIES.with(|b| b.borrow().as_ref().map(|m| m.get(&key).cloned()));
    match stored {
        // No store: parse for this caller alone.
        None => parse_with(mac, in_pieces).map(Rc::new),
        Some(Some(body)) => body,
        Some(None) => {
            // Parsed outside the borrow: a body may hold macros, but parsing reads none.
            let body = parse_with(mac, in_pieces).map(Rc::new);
            BODIES.with(|b| {
                if let Some(m) = b.borrow_mut().as_mut() {
                    m.insert(key, body.clone());
                }
            });
            body
        }
    }
}

fn parse_with(mac: &syn::Macro, in_pieces: bool) -> Option<MacroBody> {
    let name = &mac.path.segments.last()?.ident;
    if name == "select" {
        if let Ok(exprs) = parse_select.parse2(mac.tokens.clone()) {
            return Some(MacroBody::Exprs(exprs));
        }
    }
    let read = |input: ParseStream| -> syn::Result<Option<MacroBody>> {
        if let Some(body) = whole(input) {
            return Ok(Some(body));
        }
        if !in_pieces || input.step(|c| Ok((is_template(*c), *c)))? {
            return Ok(None);
        }
        let mut out = Vec::new();
        pieces(input, &mut out, 0)?;
        Ok((!out.is_empty()).then_some(MacroBody::Stmts(out)))
    };
    // A body that is neither is left unread: `parse2` reports the tokens left, and that is `None`.
    read.parse2(mac.tokens.clone()).ok().flatten()
}

/// The rest of `input` as one expression list or as statements, read on forks; `input` is
/// advanced to its end when one reading takes all of it.
fn whole(input: ParseStream) -> Option<MacroBody> {
    let fork = input.fork();
    if let Ok(list) = Punctuated::<Expr, Token![,]>::parse_terminated(&fork) {
        if fork.is_empty() {
            input.advance_to(&fork);
            return Some(MacroBody::Exprs(list.into_iter().collect()));
        }
    }
    let fork = input.fork();
    if let Ok(stmts) = syn::Block::parse_within(&fork) {
        if fork.is_empty() {
            input.advance_to(&fork);
            return Some(MacroBody::Stmts(stmts));
        }
    }
    None
}

/// How deep [`pieces`] goes into groups that do not parse: each level reads its tokens a few
/// times at most, so the work stays linear in the body.
const PIECE_DEPTH: usize = 8;

/// `$x` / `$(..)` (a macro definition's metavariables) or `#x` / `#(..)` (`quote!`
/// interpolation) anywhere in the tokens. `#[attr]` and `#![attr]` are attributes.
fn is_template(mut c: Cursor) -> bool {
    let mut after_hash = false;
    while !c.eof() {
        if let Some((p, next)) = c.punct() {
            if p.as_char() == '$' {
                return true;
            }
            after_hash = p.as_char() == '#';
            c = next;
            continue;
        }
        if let Some((inner, delimiter, _, next)) = c.any_group() {
            if (after_hash && delimiter == Delimiter::Parenthesis) || is_template(inner) {
                return true;
            }
            after_hash = false;
            c = next;
            continue;
        }
        if after_hash && c.ident().is_some() {
            return true;
        }
        after_hash = false;
        match c.token_tree() {
            Some((_, next)) => c = next,
            None => break,
        }
    }
    false
}

/// `,` `;` or `=>`: where a run of a body that does not parse ends.
fn at_separator(input: ParseStream) -> bool {
    input.peek(Token![,]) || input.peek(Token![;]) || input.peek(Token![=>])
}

/// A `:` that is not half of a `::`.
fn at_lone_colon(input: ParseStream) -> bool {
    input.peek(Token![:]) && !input.peek(Token![::])
}

/// Steps over one token tree.
fn step_over(input: ParseStream) -> syn::Result<()> {
    input.step(|c| Ok(((), c.token_tree().map_or(*c, |(_, next)| next))))
}

/// Reads a body that does not parse: run by run, each a statement or expression that parses
/// up to its separator, else its `:`-separated parts and the groups inside it.
fn pieces(input: ParseStream, out: &mut Vec<Stmt>, depth: usize) -> syn::Result<()> {
    while !input.is_empty() {
        if input.peek(Token![=>]) {
            input.parse::<Token![=>]>()?;
        } else if input.peek(Token![,]) || input.peek(Token![;]) {
            step_over(input)?;
        } else if !piece(input, out) {
            rest_of_run(input, out, depth)?;
        }
    }
    Ok(())
}

/// A statement, or an expression that ends the run, from here: pushed and consumed. An
/// expression is tried first (one try for most runs); `let` and items are statements.
fn piece(input: ParseStream, out: &mut Vec<Stmt>) -> bool {
    if !input.peek(Token![let]) {
        let fork = input.fork();
        if let Ok(e) = fork.parse::<Expr>() {
            if fork.peek(Token![;]) {
                let Ok(semi) = fork.parse::<Token![;]>() else {
                    return false;
                };
                input.advance_to(&fork);
                out.push(Stmt::Expr(e, Some(semi)));
                return true;
            }
            // A block-like expression (`if`, `match`, a loop, a block) ends its statement.
            let ends = fork.is_empty() || at_separator(&fork) || at_lone_colon(&fork) || block_like(&e);
            if ends {
                input.advance_to(&fork);
                out.push(Stmt::Expr(e, None));
            }
            return ends;
        }
    }
    let fork = input.fork();
    match fork.parse::<Stmt>() {
        Ok(stmt) => {
            input.advance_to(&fork);
            out.push(stmt);
            true
        }
        Err(_) => false,
    }
}

/// An expression from here to the end of the part (`,` `;` `=>` `:` or the end).
fn expression(input: ParseStream, out: &mut Vec<Stmt>) -> bool {
    let fork = input.fork();
    match fork.parse::<Expr>() {
        Ok(e) if fork.is_empty() || at_separator(&fork) || at_lone_colon(&fork) => {
            input.advance_to(&fork);
            out.push(Stmt::Expr(e, None));
            true
        }
        _ => false,
    }
}

fn block_like(e: &Expr) -> bool {
    matches!(
        e,
        Expr::If(_)
            | Expr::Match(_)
            | Expr::Block(_)
            | Expr::Unsafe(_)
            | Expr::While(_)
            | Expr::Loop(_)
            | Expr::ForLoop(_)
            | Expr::TryBlock(_)
            | Expr::Const(_)
    )
}

/// The rest of a run that does not parse, up to its separator: after each lone `:` the part
/// that follows is tried as an expression; groups are read inside.
fn rest_of_run(input: ParseStream, out: &mut Vec<Stmt>, depth: usize) -> syn::Result<()> {
    while !input.is_empty() && !at_separator(input) {
        if at_lone_colon(input) {
            input.parse::<Token![:]>()?;
            expression(input, out);
        } else {
            group_or_token(input, out, depth)?;
        }
    }
    Ok(())
}

/// One token tree of a run that does not parse: a group is read as a whole body, else in
/// pieces; any other token is stepped over.
fn group_or_token(input: ParseStream, out: &mut Vec<Stmt>, depth: usize) -> syn::Result<()> {
    let is_group = input.peek(token::Brace) || input.peek(token::Paren) || input.peek(token::Bracket);
    if depth >= PIECE_DEPTH || !is_group {
        return step_over(input);
    }
    let content;
    if input.peek(token::Brace) {
        braced!(content in input);
    } else if input.peek(token::Paren) {
        parenthesized!(content in input);
    } else {
        bracketed!(content in input);
    }
    match whole(&content) {
        Some(MacroBody::Exprs(exprs)) => out.extend(exprs.into_iter().map(|e| Stmt::Expr(e, None))),
        Some(MacroBody::Stmts(stmts)) => out.extend(stmts),
        None => pieces(&content, out, depth + 1)?,
    }
    Ok(())
}

/// `tokio::select! { biased; pat = fut (, if cond)? => handler, ..., else => handler }`:
/// returns the futures, conditions and handlers.
fn parse_select(input: ParseStream) -> syn::Result<Vec<Expr>> {
    let mut out = Vec::new();
    if input.peek(syn::Ident) && input.peek2(Token![;]) {
        input.parse::<syn::Ident>()?;
        input.parse::<Token![;]>()?;
    }
    while !input.is_empty() {
        if input.peek(Token![else]) {
            input.parse::<Token![else]>()?;
        } else {
            syn::Pat::parse_single(input)?;
            input.parse::<Token![=]>()?;
            out.push(input.call(Expr::parse_without_eager_brace)?);
            if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                out.push(input.call(Expr::parse_without_eager_brace)?);
            }
        }
        input.parse::<Token![=>]>()?;
        let handler: Expr = input.parse()?;
        let is_block = matches!(handler, Expr::Block(_));
        out.push(handler);
        if input.is_empty() {
            break;
        }
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        } else if !is_block {
            return Err(input.error("expected `,` between select! branches"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(src: &str) -> syn::Macro {
        syn::parse_str(src).unwrap()
    }

    #[test]
    fn select_branches_parse() {
        let m = mac(
            "tokio::select! { biased; r = rx.recv() => { handle(r) }, _ = sleep(d), if armed => stop(), else => () }",
        );
        match parse(&m).as_deref() {
            Some(MacroBody::Exprs(e)) => assert_eq!(e.len(), 6),
            _ => panic!("select! should parse"),
        }
    }

    #[test]
    fn format_args_and_statements_parse_and_tracing_fields_do_not() {
        assert!(matches!(parse(&mac("format!(\"{}\", a.ok())")).as_deref(), Some(MacroBody::Exprs(v)) if v.len() == 2));
        assert!(matches!(
            parse(&mac("vec![x; 3]")).as_deref(),
            Some(MacroBody::Stmts(_))
        ));
        assert!(parse(&mac("info!(error = %e, \"failed\")")).is_none());
    }

    #[test]
    fn inside_a_store_each_body_is_parsed_once_and_outside_every_time() {
        let m = mac("vec![a.ok(), b]");
        let (first, again, pieces) =
            with_bodies(|| (parse(&m).unwrap(), parse(&m).unwrap(), parse_pieces(&m).unwrap()));
        assert!(Rc::ptr_eq(&first, &again), "the second reader gets the stored body");
        assert!(!Rc::ptr_eq(&first, &pieces), "a reading in pieces is stored apart");
        assert!(
            !Rc::ptr_eq(&parse(&m).unwrap(), &parse(&m).unwrap()),
            "no store: parsed per call"
        );
        // The store is gone with its scope, and an outer one comes back after an inner one.
        with_bodies(|| {
            let outer = parse(&m).unwrap();
            with_bodies(|| assert!(!Rc::ptr_eq(&outer, &parse(&m).unwrap())));
            assert!(Rc::ptr_eq(&outer, &parse(&m).unwrap()));
        });
    }
}

//! syn does not parse macro bodies. Error paths inside `tokio::select!`, `join!`, `vec!`,
//! `format!` arguments or a user's macro are analysed when the tokens parse as expressions or
//! statements. For the error-path analyses, a body that does not ([`parse_pieces`]) is read in
//! pieces: the runs of tokens between top-level `,`, `;` and `=>` (then `:`) that parse, and,
//! inside the runs that do not, the groups that do (`db_run! { conn: sqlite { .. } }`,
//! `try_join_with_pool!(pool => (a, b))`). What does not parse at all is skipped silently.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Stmt, Token};

/// What a macro's tokens parsed as.
pub enum MacroBody {
    Exprs(Vec<Expr>),
    Stmts(Vec<Stmt>),
}

pub fn parse(mac: &syn::Macro) -> Option<MacroBody> {
    let name = mac.path.segments.last()?.ident.to_string();
    if name == "select" {
        if let Ok(exprs) = parse_select.parse2(mac.tokens.clone()) {
            return Some(MacroBody::Exprs(exprs));
        }
    }
    whole(mac.tokens.clone())
}

/// [`parse`], and for a body that does not parse, the pieces of it that do, as statements
/// (an expression piece is a statement without `;`). Token templates are not read in pieces:
/// a `macro_rules!` body or any body with `$` metavariables, and a `quote!`-style body with
/// `#name` / `#(..)` interpolations: their pieces are code for elsewhere, not code that runs here.
pub fn parse_pieces(mac: &syn::Macro) -> Option<MacroBody> {
    if let Some(body) = parse(mac) {
        return Some(body);
    }
    if mac.path.is_ident("macro_rules") || is_template(mac.tokens.clone()) {
        return None;
    }
    let mut out = Vec::new();
    pieces(mac.tokens.clone(), &mut out, 0);
    (!out.is_empty()).then_some(MacroBody::Stmts(out))
}

/// How deep [`pieces`] goes into groups that do not parse: each level reads its tokens a few
/// times at most, so the work stays linear in the body.
const PIECE_DEPTH: usize = 8;

/// `$x` / `$(..)` (a macro definition's metavariables) or `#x` / `#(..)` (`quote!`
/// interpolation) anywhere in the tokens. `#[attr]` and `#![attr]` are attributes.
fn is_template(tokens: TokenStream) -> bool {
    let mut prev_hash = false;
    for tt in tokens {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == '$' => return true,
            TokenTree::Ident(_) if prev_hash => return true,
            TokenTree::Group(g) if prev_hash && g.delimiter() == Delimiter::Parenthesis => return true,
            TokenTree::Group(g) if is_template(g.stream()) => return true,
            _ => {}
        }
        prev_hash = matches!(&tt, TokenTree::Punct(p) if p.as_char() == '#');
    }
    false
}

/// A top-level separator at `tokens[i]`, and how many tokens it takes: `,` `;` (1) or `=>` (2).
fn separator(tokens: &[TokenTree], i: usize) -> Option<usize> {
    let TokenTree::Punct(p) = &tokens[i] else { return None };
    match p.as_char() {
        ',' | ';' => Some(1),
        '=' if p.spacing() == Spacing::Joint => {
            matches!(tokens.get(i + 1), Some(TokenTree::Punct(q)) if q.as_char() == '>').then_some(2)
        }
        _ => None,
    }
}

/// Splits a body that does not parse at its top-level separators and reads each run.
fn pieces(stream: TokenStream, out: &mut Vec<Stmt>, depth: usize) {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut start = 0;
    let mut i = 0;
    while i < tokens.len() {
        match separator(&tokens, i) {
            Some(len) => {
                // A `;` stays with its statement (`let x = f();`).
                let semi = matches!(&tokens[i], TokenTree::Punct(p) if p.as_char() == ';');
                let end = if semi { i + 1 } else { i };
                run(&tokens[start..end], out, depth);
                i += len;
                start = i;
            }
            None => i += 1,
        }
    }
    run(&tokens[start..], out, depth);
}

/// One run between separators: statements, else an expression, else its `:`-separated parts
/// (`conn: { .. }`, `"key": value`), else the groups inside it.
fn run(tokens: &[TokenTree], out: &mut Vec<Stmt>, depth: usize) {
    if tokens.is_empty() {
        return;
    }
    let stream: TokenStream = tokens.iter().cloned().collect();
    if let Ok(stmts) = syn::Block::parse_within.parse2(stream.clone()) {
        out.extend(stmts);
        return;
    }
    if let Ok(e) = Expr::parse_without_eager_brace.parse2(stream) {
        out.push(Stmt::Expr(e, None));
        return;
    }
    let colons = lone_colons(tokens);
    if colons.is_empty() {
        groups(tokens, out, depth);
        return;
    }
    let mut start = 0;
    for at in colons.into_iter().chain([tokens.len()]) {
        let part = &tokens[start..at];
        let stream: TokenStream = part.iter().cloned().collect();
        match Expr::parse_without_eager_brace.parse2(stream) {
            Ok(e) if !part.is_empty() => out.push(Stmt::Expr(e, None)),
            _ => groups(part, out, depth),
        }
        start = at + 1;
    }
}

/// Positions of `:` that are not half of a `::`.
fn lone_colons(tokens: &[TokenTree]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let TokenTree::Punct(p) = &tokens[i] {
            if p.as_char() == ':' {
                let double = p.spacing() == Spacing::Joint
                    && matches!(tokens.get(i + 1), Some(TokenTree::Punct(q)) if q.as_char() == ':');
                if double {
                    i += 2;
                    continue;
                }
                out.push(i);
            }
        }
        i += 1;
    }
    out
}

/// The groups of a run that does not parse: each read as a whole body, else in pieces.
fn groups(tokens: &[TokenTree], out: &mut Vec<Stmt>, depth: usize) {
    if depth >= PIECE_DEPTH {
        return;
    }
    for tt in tokens {
        let TokenTree::Group(g) = tt else { continue };
        match whole(g.stream()) {
            Some(MacroBody::Exprs(exprs)) => out.extend(exprs.into_iter().map(|e| Stmt::Expr(e, None))),
            Some(MacroBody::Stmts(stmts)) => out.extend(stmts),
            None => pieces(g.stream(), out, depth + 1),
        }
    }
}

/// A token stream as one expression list or as statements.
fn whole(tokens: TokenStream) -> Option<MacroBody> {
    let exprs = Punctuated::<Expr, Token![,]>::parse_terminated;
    if let Ok(list) = exprs.parse2(tokens.clone()) {
        return Some(MacroBody::Exprs(list.into_iter().collect()));
    }
    syn::Block::parse_within.parse2(tokens).ok().map(MacroBody::Stmts)
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
        match parse(&m) {
            Some(MacroBody::Exprs(e)) => assert_eq!(e.len(), 6),
            _ => panic!("select! should parse"),
        }
    }

    #[test]
    fn format_args_and_statements_parse_and_tracing_fields_do_not() {
        assert!(matches!(parse(&mac("format!(\"{}\", a.ok())")), Some(MacroBody::Exprs(v)) if v.len() == 2));
        assert!(matches!(parse(&mac("vec![x; 3]")), Some(MacroBody::Stmts(_))));
        assert!(parse(&mac("info!(error = %e, \"failed\")")).is_none());
    }
}

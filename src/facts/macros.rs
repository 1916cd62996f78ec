//! syn does not parse macro bodies. Error paths inside `tokio::select!`, `join!`, `vec!`,
//! `format!` arguments or a user's macro are analysed when the tokens parse as expressions or
//! statements; a body that does not parse is skipped silently (it is not Rust we can read).

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
    let exprs = Punctuated::<Expr, Token![,]>::parse_terminated;
    if let Ok(list) = exprs.parse2(mac.tokens.clone()) {
        return Some(MacroBody::Exprs(list.into_iter().collect()));
    }
    syn::Block::parse_within
        .parse2(mac.tokens.clone())
        .ok()
        .map(MacroBody::Stmts)
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

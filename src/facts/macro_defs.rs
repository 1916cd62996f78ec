//! The workspace's own `macro_rules!` macros, read by what their arms do.
//!
//! A call `err!(..)` is judged by the definitions of `err` in the workspace: a macro logs when
//! every arm logs (a logging macro, a logging helper, or another workspace macro that logs), and
//! propagates when every arm returns an `Err` (`return Err(..)`, an `Err(..)` it evaluates to,
//! or another workspace macro that propagates). Each arm's transcriber is read as Rust once its
//! metavariables are replaced by plain names (`$msg` → `msg`, `$crate` → `crate`, a repetition
//! `$( .. ),*` → its contents once); an arm that still does not parse does neither. Calls inside
//! an arm stay references ([`LogCond::Call`], [`LogCond::Macro`]), decided in the resolve phase,
//! so that these facts remain a function of the file alone.

use proc_macro2::{Delimiter, Group, Ident, Spacing, TokenStream, TokenTree};
use serde::{Deserialize, Serialize};
use syn::parse::Parser;

use super::body::{self, BodyRef, Env};
use super::logcond::LogCond;

/// One `macro_rules!` definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MacroDef {
    pub name: String,
    /// `#[macro_export]`: reachable from the other crates of the workspace.
    pub exported: bool,
    /// Every arm, in order.
    pub arms: Vec<MacroArm>,
}

/// What one arm's expansion does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MacroArm {
    /// Every path through the expansion logs.
    pub logs: LogCond,
    /// The expansion returns (or evaluates to) an `Err`; [`LogCond::Macro`] here means "that
    /// macro propagates".
    pub propagates: LogCond,
}

/// The standard library's macros: never a workspace macro, not looked up.
pub fn is_std_macro(name: &Ident) -> bool {
    const STD: &[&str] = &[
        "format",
        "format_args",
        "vec",
        "write",
        "writeln",
        "assert",
        "assert_eq",
        "assert_ne",
        "debug_assert",
        "debug_assert_eq",
        "debug_assert_ne",
        "matches",
        "concat",
        "stringify",
        "include",
        "include_str",
        "include_bytes",
        "env",
        "option_env",
        "cfg",
        "line",
        "column",
        "file",
        "module_path",
        "compile_error",
        "dbg",
        "thread_local",
        "macro_rules",
    ];
    STD.iter().any(|s| name == s)
}

/// The definition an item macro makes, if it is a `macro_rules!`.
pub fn definition(env: &Env, item: &syn::ItemMacro) -> Option<MacroDef> {
    if !item.mac.path.is_ident("macro_rules") {
        return None;
    }
    let name = item.ident.as_ref()?.to_string();
    let exported = item.attrs.iter().any(|a| a.path().is_ident("macro_export"));
    let arms = transcribers(item.mac.tokens.clone())
        .into_iter()
        .map(|t| arm(env, t))
        .collect();
    Some(MacroDef { name, exported, arms })
}

/// The transcriber of each `(matcher) => { transcriber };` rule.
fn transcribers(tokens: TokenStream) -> Vec<TokenStream> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        // matcher, `=`, `>`, transcriber
        let is_rule = matches!(&trees[i], TokenTree::Group(_))
            && matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '=' && p.spacing() == Spacing::Joint)
            && matches!(trees.get(i + 2), Some(TokenTree::Punct(p)) if p.as_char() == '>');
        if is_rule {
            if let Some(TokenTree::Group(g)) = trees.get(i + 3) {
                out.push(g.stream());
                i += 4;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Reads one transcriber.
fn arm(env: &Env, transcriber: TokenStream) -> MacroArm {
    let none = MacroArm {
        logs: LogCond::No,
        propagates: LogCond::No,
    };
    let Ok(stmts) = syn::Block::parse_within.parse2(plain(transcriber)) else {
        return none;
    };
    if stmts.is_empty() {
        return none;
    }
    let block = syn::Block {
        brace_token: Default::default(),
        stmts,
    };
    let logs = body::always_logs_block(env, &block);
    let (returns_err, _) = body::propagation(env, BodyRef::Block(&block), &[]);
    let propagates = if returns_err {
        LogCond::Yes
    } else {
        body::leaving_macros(env, BodyRef::Block(&block))
    };
    MacroArm { logs, propagates }
}

/// The transcriber with its metavariables as plain names: `$x` → `x`, `$crate` → `crate`,
/// `$( .. ) sep? op` → the repeated tokens once.
pub fn plain(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    let is_op =
        |t: Option<&TokenTree>| matches!(t, Some(TokenTree::Punct(p)) if matches!(p.as_char(), '*' | '+' | '?'));
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Punct(p) if p.as_char() == '$' => match trees.get(i + 1) {
                Some(TokenTree::Ident(id)) => {
                    // Right after a name (`ErrorEvent $fields`), a metavariable is a token tree
                    // that completes it — an empty `{}` stands for it; elsewhere, a name.
                    let after_name = matches!(out.last(), Some(TokenTree::Ident(prev)) if !is_keyword(prev));
                    if after_name && id != "crate" {
                        out.push(TokenTree::Group(Group::new(Delimiter::Brace, TokenStream::new())));
                    } else {
                        out.push(TokenTree::Ident(id.clone()));
                    }
                    i += 2;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    out.extend(plain(g.stream()));
                    i += 2;
                    if is_op(trees.get(i)) {
                        i += 1;
                    } else if is_op(trees.get(i + 1)) {
                        i += 2;
                    }
                }
                _ => i += 1,
            },
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), plain(g.stream()));
                inner.set_span(g.span());
                out.push(TokenTree::Group(inner));
                i += 1;
            }
            other => {
                out.push(other.clone());
                i += 1;
            }
        }
    }
    out.into_iter().collect()
}

/// `let`, `fn`, `mut`, `as`, `return`, ...: what a name may follow.
fn is_keyword(id: &Ident) -> bool {
    syn::parse2::<syn::Ident>(TokenTree::Ident(id.clone()).into()).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::paths::UseMap;
    use crate::knowledge::Knowledge;

    fn defs(src: &str) -> Vec<MacroDef> {
        let file = syn::parse_file(src).unwrap();
        let k = Knowledge::defaults();
        let uses = UseMap::build(&file);
        let env = Env {
            k: &k,
            uses: &uses,
            prints: false,
            pieces: false,
        };
        file.items
            .iter()
            .filter_map(|i| match i {
                syn::Item::Macro(m) => definition(&env, m),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn metavariables_become_plain_names() {
        let ts: TokenStream = "let m = $msg; $crate::f($($a),*); g($($b)*); h(Event $ev); let $x = 1"
            .parse()
            .unwrap();
        assert_eq!(
            plain(ts).to_string(),
            "let m = msg ; crate :: f (a) ; g (b) ; h (Event { }) ; let x = 1"
        );
    }

    #[test]
    fn arms_that_log_and_return_err() {
        let d = defs(
            "#[macro_export]
macro_rules! fail {
    ($msg:expr) => {{ let m = $msg; tracing::error!(\"{m}\"); return Err($crate::Error::new(m)); }};
    ($m:expr, $($arg:tt)+) => {{ log::warn!($($arg)+); return Err(Error::new($m)) }};
}
macro_rules! quiet { ($e:expr) => { return Err($e) }; }
macro_rules! wrap { ($($t:tt)*) => { fail!($($t)*) } }
macro_rules! items { ($n:ident) => { struct $n; } }",
        );
        assert_eq!(d.len(), 4);
        assert!(d[0].exported && d[0].arms.len() == 2);
        assert!(d[0]
            .arms
            .iter()
            .all(|a| a.logs == LogCond::Yes && a.propagates == LogCond::Yes));
        assert!(!d[1].arms[0].logs.eval(&mut |_| false));
        assert_eq!(d[1].arms[0].propagates, LogCond::Yes);
        assert!(matches!(&d[2].arms[0].logs, LogCond::Macro(c) if c.path == ["fail"]));
        assert!(matches!(&d[2].arms[0].propagates, LogCond::Macro(c) if c.path == ["fail"]));
        assert_eq!(d[3].arms[0].logs, LogCond::No);
        assert_eq!(d[3].arms[0].propagates, LogCond::No);
    }
}

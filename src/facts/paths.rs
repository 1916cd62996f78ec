//! Paths as segment lists, the file's `use` map, and source-text helpers.

use rustc_hash::FxHashMap as HashMap;

use proc_macro2::{LineColumn, Span as PmSpan};
use syn::{Expr, UseTree};

use crate::diagnostic::Span;

/// The file's `use` declarations: alias → full path, plus glob imports. Built from every `use`
/// in the file (nested modules and function bodies included): a file-wide approximation.
#[derive(Debug, Default)]
pub struct UseMap {
    pub aliases: HashMap<String, Vec<String>>,
    pub globs: Vec<Vec<String>>,
    /// First segments of every `use` and written path: the crates (and modules) the file names.
    pub roots: std::collections::BTreeSet<String>,
}

impl UseMap {
    pub fn build(file: &syn::File) -> UseMap {
        let mut map = UseMap::declared_in(file);
        map.finish();
        map
    }

    /// The declarations and paths of `file`, a whole file or a part of one: parts' maps are
    /// [merged](UseMap::merge) in order, then [finished](UseMap::finish).
    pub fn declared_in(file: &syn::File) -> UseMap {
        struct Collector(UseMap);
        impl<'ast> syn::visit::Visit<'ast> for Collector {
            fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
                add_tree(&mut self.0, Vec::new(), &u.tree);
            }
            fn visit_item_extern_crate(&mut self, e: &'ast syn::ItemExternCrate) {
                self.0.roots.insert(e.ident.to_string());
                if let Some((_, alias)) = &e.rename {
                    self.0.aliases.insert(alias.to_string(), vec![e.ident.to_string()]);
                }
            }
            fn visit_path(&mut self, p: &'ast syn::Path) {
                if let Some(first) = p.segments.first() {
                    if p.segments.len() > 1 {
                        self.0.roots.insert(first.ident.to_string());
                    }
                }
                syn::visit::visit_path(self, p);
            }
            fn visit_macro(&mut self, m: &'ast syn::Macro) {
                self.visit_path(&m.path);
            }
        }
        let mut c = Collector(UseMap::default());
        syn::visit::visit_file(&mut c, file);
        c.0
    }

    /// Adds the map of the next part of the same file: a later `use` of a name wins, as it does
    /// within one part.
    pub fn merge(&mut self, next: UseMap) {
        self.aliases.extend(next.aliases);
        self.globs.extend(next.globs);
        self.roots.extend(next.roots);
    }

    /// Counts the crates of the imports among the roots.
    pub fn finish(&mut self) {
        let from_uses: Vec<String> = self
            .aliases
            .values()
            .chain(self.globs.iter())
            .filter_map(|p| p.first().cloned())
            .collect();
        self.roots.extend(from_uses);
    }

    /// Expands the first segment through the aliases (`StatusCode` → `axum::http::StatusCode`).
    pub fn expand(&self, path: Vec<String>) -> Vec<String> {
        let Some(first) = path.first() else { return path };
        match self.aliases.get(first) {
            Some(full) if full.last() != Some(first) || full.len() > 1 => {
                let mut out = full.clone();
                out.extend(path.into_iter().skip(1));
                out
            }
            _ => path,
        }
    }

    /// Whether the file glob-imports from one of `crates` (`use tracing::*;`).
    pub fn globs_from(&self, crates: &[String]) -> bool {
        self.globs
            .iter()
            .any(|g| g.first().is_some_and(|c| crates.iter().any(|k| k == c)))
    }
}

/// The names a `use` tree brings in and the paths they stand for; a glob's name is `*` and its
/// path the module.
pub fn use_leaves(prefix: Vec<String>, tree: &UseTree, out: &mut Vec<(String, Vec<String>)>) {
    match tree {
        UseTree::Path(p) => {
            let mut prefix = prefix;
            prefix.push(p.ident.to_string());
            use_leaves(prefix, &p.tree, out);
        }
        UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last().cloned() {
                    out.push((last, prefix));
                }
            } else {
                let mut path = prefix;
                path.push(name.clone());
                out.push((name, path));
            }
        }
        UseTree::Rename(r) => {
            let mut path = prefix;
            path.push(r.ident.to_string());
            out.push((r.rename.to_string(), path));
        }
        UseTree::Glob(_) => out.push(("*".to_string(), prefix)),
        UseTree::Group(g) => {
            for t in &g.items {
                use_leaves(prefix.clone(), t, out);
            }
        }
    }
}

fn add_tree(map: &mut UseMap, mut prefix: Vec<String>, tree: &UseTree) {
    match tree {
        UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            add_tree(map, prefix, &p.tree);
        }
        UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last().cloned() {
                    map.aliases.insert(last, prefix);
                }
            } else {
                prefix.push(name.clone());
                map.aliases.insert(name, prefix);
            }
        }
        UseTree::Rename(r) => {
            let name = r.ident.to_string();
            if name != "self" {
                prefix.push(name);
            }
            let alias = r.rename.to_string();
            if alias != "_" {
                map.aliases.insert(alias, prefix);
            }
        }
        UseTree::Glob(_) => map.globs.push(prefix),
        UseTree::Group(g) => {
            for t in &g.items {
                add_tree(map, prefix.clone(), t);
            }
        }
    }
}

pub fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// The path of an expression that names something (`a::b`), if it is one.
pub fn expr_path(expr: &Expr) -> Option<&syn::Path> {
    match expr {
        Expr::Path(p) => Some(&p.path),
        Expr::Paren(p) => expr_path(&p.expr),
        Expr::Group(g) => expr_path(&g.expr),
        _ => None,
    }
}

/// Strips `.await`, parentheses, groups and blocks that only wrap one expression
/// (`unsafe { dotenv() }`).
pub fn strip_await(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Await(a) => &a.base,
            Expr::Paren(p) => &p.expr,
            Expr::Group(g) => &g.expr,
            Expr::Unsafe(u) if u.block.stmts.len() == 1 => match &u.block.stmts[0] {
                syn::Stmt::Expr(e, None) => e,
                _ => return expr,
            },
            Expr::Block(b) if b.block.stmts.len() == 1 && b.label.is_none() => match &b.block.stmts[0] {
                syn::Stmt::Expr(e, None) => e,
                _ => return expr,
            },
            _ => return expr,
        }
    }
}

/// The call at the root of a method chain, through `.await` and `?`
/// (`PgPoolOptions::new()` in `PgPoolOptions::new().max_connections(5).connect(..).await?`).
pub fn chain_root(mut e: &Expr) -> &Expr {
    loop {
        e = match strip_await(e) {
            Expr::MethodCall(m) => &m.receiver,
            Expr::Try(t) => &t.expr,
            other => return other,
        }
    }
}

/// The type arguments of a path's last segment (`Result<T, E>` → `[T, E]`).
pub fn generic_types(path: &syn::Path) -> Vec<&syn::Type> {
    path.segments.last().map(segment_types).unwrap_or_default()
}

/// The type arguments of one path segment.
pub fn segment_types(seg: &syn::PathSegment) -> Vec<&syn::Type> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The last name of an expression, used to match a receiver against globs (`self.tx` → `tx`,
/// `io::stdout()` → `stdout`, `state.events.sender()` → `sender`).
pub fn last_name(expr: &Expr) -> Option<String> {
    match strip_await(expr) {
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(n) => Some(n.to_string()),
            syn::Member::Unnamed(_) => last_name(&f.base),
        },
        Expr::MethodCall(m) => Some(m.method.to_string()),
        Expr::Call(c) => last_name(&c.func),
        Expr::Reference(r) => last_name(&r.expr),
        Expr::Try(t) => last_name(&t.expr),
        _ => None,
    }
}

/// Maps proc-macro2 line/column pairs (1-based lines, 0-based char columns) to byte offsets.
pub struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
    /// For each line holding non-ASCII text: the byte offset (from the line's start) of every
    /// [`CHECKPOINT`]th character, so that a column is found without scanning a long line from
    /// its start each time (a 1 MB line with thousands of sites would make that quadratic).
    wide: rustc_hash::FxHashMap<usize, Vec<u32>>,
}

const CHECKPOINT: usize = 64;

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        let mut wide = rustc_hash::FxHashMap::default();
        for (i, &start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map_or(source.len(), |next| next - 1);
            let line = &source[start..end];
            if !line.is_ascii() {
                let points = line.char_indices().step_by(CHECKPOINT).map(|(b, _)| b as u32).collect();
                wide.insert(i, points);
            }
        }
        LineIndex { source, starts, wide }
    }

    /// The byte offset of a 1-based line and 0-based character column (clamped to the line).
    pub fn offset(&self, lc: LineColumn) -> usize {
        let index = lc.line.saturating_sub(1);
        let Some(&start) = self.starts.get(index) else {
            return self.source.len();
        };
        let end = self.starts.get(index + 1).map_or(self.source.len(), |next| next - 1);
        let Some(points) = self.wide.get(&index) else {
            return (start + lc.column).min(end);
        };
        let k = (lc.column / CHECKPOINT).min(points.len().saturating_sub(1));
        let from = start + points.get(k).copied().unwrap_or(0) as usize;
        let rest = lc.column - k * CHECKPOINT;
        from + self.source[from..end]
            .char_indices()
            .nth(rest)
            .map_or(end - from, |(i, _)| i)
    }

    /// The leading whitespace of a 1-based line.
    pub fn indent(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let rest = &self.source[start..];
        let end = rest.find(|c: char| c != ' ' && c != '\t').unwrap_or(rest.len());
        &rest[..end]
    }

    /// Source text between two positions, whitespace runs folded to one space, at most 80
    /// characters (only as much of the text is read as is shown).
    pub fn text(&self, start: LineColumn, end: LineColumn) -> String {
        let (a, b) = (self.offset(start), self.offset(end));
        let raw = self.source.get(a..b.max(a)).unwrap_or("");
        let mut folded = String::new();
        let mut chars = 0;
        for word in raw.split_whitespace() {
            if !folded.is_empty() {
                folded.push(' ');
                chars += 1;
            }
            folded.push_str(word);
            chars += word.chars().count();
            if chars > 80 {
                break;
            }
        }
        truncate(&folded, 80)
    }
}

pub fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max_chars - 1).collect();
        format!("{cut}…")
    }
}

/// From `start` to `end` when both are on one line; otherwise just `start`, so that an
/// underline never runs over a whole multi-line closure.
pub fn span_one_line(start: PmSpan, end: PmSpan) -> Span {
    // Each position is looked up in proc-macro2's source map: once each here.
    let (s, e) = (start.start(), end.end());
    if s.line == e.line {
        span_between(s, e)
    } else {
        span_between(s, start.end())
    }
}

/// The span of a whole expression: what `syn::spanned::Spanned::span` gives, without printing
/// the expression back into tokens to find its first and last (that costs as much as the
/// expression is long, and is paid again at each enclosing expression asked). Forms whose ends
/// are not read here fall back to `span()`.
pub fn expr_span(e: &Expr) -> Span {
    let whole = span_whole(e);
    span_of(whole, whole)
}

/// [`expr_span`] as a proc-macro2 span, from the first token to the last.
pub fn span_whole(e: &Expr) -> PmSpan {
    match (first_token(e), last_token(e)) {
        (Some(first), Some(last)) => first.join(last).unwrap_or_else(|| syn::spanned::Spanned::span(e)),
        _ => syn::spanned::Spanned::span(e),
    }
}

/// The span of an expression's first token, for the forms that start with their first child
/// or a token of their own (and carry no attributes, which would come first).
fn first_token(e: &Expr) -> Option<PmSpan> {
    match e {
        Expr::Path(p) if p.attrs.is_empty() && p.qself.is_none() => path_start(&p.path),
        Expr::Macro(m) if m.attrs.is_empty() => path_start(&m.mac.path),
        Expr::Call(c) if c.attrs.is_empty() => first_token(&c.func),
        Expr::MethodCall(m) if m.attrs.is_empty() => first_token(&m.receiver),
        Expr::Field(f) if f.attrs.is_empty() => first_token(&f.base),
        Expr::Await(a) if a.attrs.is_empty() => first_token(&a.base),
        Expr::Try(t) if t.attrs.is_empty() => first_token(&t.expr),
        Expr::Index(i) if i.attrs.is_empty() => first_token(&i.expr),
        Expr::Paren(p) if p.attrs.is_empty() => Some(p.paren_token.span.open()),
        Expr::Lit(l) if l.attrs.is_empty() => Some(l.lit.span()),
        Expr::Reference(r) if r.attrs.is_empty() => Some(r.and_token.span),
        _ => None,
    }
}

/// The span of an expression's last token, for the forms that end with a token of their own.
fn last_token(e: &Expr) -> Option<PmSpan> {
    match e {
        Expr::Path(p) if p.qself.is_none() => path_end(&p.path),
        Expr::Macro(m) => Some(match &m.mac.delimiter {
            syn::MacroDelimiter::Paren(d) => d.span.close(),
            syn::MacroDelimiter::Brace(d) => d.span.close(),
            syn::MacroDelimiter::Bracket(d) => d.span.close(),
        }),
        Expr::Call(c) => Some(c.paren_token.span.close()),
        Expr::MethodCall(m) => Some(m.paren_token.span.close()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(id) => Some(id.span()),
            syn::Member::Unnamed(i) => Some(i.span),
        },
        Expr::Await(a) => Some(a.await_token.span),
        Expr::Try(t) => Some(t.question_token.span),
        Expr::Index(i) => Some(i.bracket_token.span.close()),
        Expr::Paren(p) => Some(p.paren_token.span.close()),
        Expr::Lit(l) => Some(l.lit.span()),
        Expr::Reference(r) => last_token(&r.expr),
        _ => None,
    }
}

/// A path's first token: its leading `::` or its first segment.
fn path_start(path: &syn::Path) -> Option<PmSpan> {
    match &path.leading_colon {
        Some(colons) => Some(colons.spans[0]),
        None => path.segments.first().map(|s| s.ident.span()),
    }
}

/// A path's last token, when its last segment has no generic arguments.
fn path_end(path: &syn::Path) -> Option<PmSpan> {
    let last = path.segments.last()?;
    last.arguments.is_none().then(|| last.ident.span())
}

thread_local! {
    /// The file's line where the text being analysed on this thread starts: 1, or a later line
    /// for a part of a large file parsed on its own (its spans count lines from its start).
    static FIRST_LINE: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

/// Runs `f` with the spans it converts placed from line `first` of the file on: `f` analyses a
/// part of the file that starts on that line (and at its first column).
pub fn with_first_line<T>(first: u32, f: impl FnOnce() -> T) -> T {
    struct Restore(u32);
    impl Drop for Restore {
        fn drop(&mut self) {
            FIRST_LINE.with(|l| l.set(self.0));
        }
    }
    let _restore = Restore(FIRST_LINE.with(|l| l.replace(first)));
    f()
}

/// A position as a diagnostic gives it (1-based column, placed from the part's first line on).
pub fn pos(lc: LineColumn) -> super::Pos {
    let s = span_between(lc, lc);
    super::Pos {
        line: s.line,
        column: s.column,
    }
}

pub fn span_of(start: PmSpan, end: PmSpan) -> Span {
    span_between(start.start(), end.end())
}

/// The span from position `s` to position `e`, placed from the part's first line on.
fn span_between(s: LineColumn, e: LineColumn) -> Span {
    let before = FIRST_LINE.with(|l| l.get()).saturating_sub(1);
    Span {
        line: (s.line as u32).saturating_add(before),
        column: s.column as u32 + 1,
        end_line: (e.line as u32).saturating_add(before),
        end_column: e.column as u32 + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expr_span` reads an expression's ends from its own tokens; it must give what printing
    /// the expression back and joining its first and last token gives, for every form.
    #[test]
    fn expr_span_is_the_span_of_the_printed_expression() {
        use syn::visit::Visit;
        struct Every(usize, usize);
        impl<'a> Visit<'a> for Every {
            fn visit_expr(&mut self, e: &'a Expr) {
                let printed = syn::spanned::Spanned::span(e);
                assert_eq!(expr_span(e), span_of(printed, printed), "{}", quote::quote!(#e));
                self.0 += 1;
                self.1 += usize::from(first_token(e).is_some() && last_token(e).is_some());
                syn::visit::visit_expr(self, e);
            }
        }
        let file: syn::File = syn::parse_str(
            r#"
            fn f() {
                let a = ::std::env::var("A").unwrap_or_default();
                let b = (client).get(&url).send().await?.json::<T>().await?;
                let c = #[allow(unused)] make(1, 2)[0].field.0;
                let d = Vec::<u8>::new();
                let e = <T as Default>::default();
                let f = format!("{}", x) + &vec![1, 2][0].to_string();
                let g = -x.abs() as i64;
                let h = &mut state.pool;
                let i = || async move { call().await };
                let j = if x { y } else { z }.len();
                let k = S { a: 1 }.build();
                let l = "text".len() + 'c'.len_utf8() + 1.5f64.floor() as usize;
                let m = (a, b).0.clone();
                let n = [x; 3].iter().map(|v| v * 2).collect::<Vec<_>>();
            }
            "#,
        )
        .unwrap();
        let mut every = Every(0, 0);
        every.visit_file(&file);
        assert!(
            every.0 > 60 && every.1 > 40,
            "{} expressions, {} read from their ends",
            every.0,
            every.1
        );
    }

    #[test]
    fn use_map_expands_aliases_renames_and_groups() {
        let file: syn::File =
            syn::parse_str("use axum::http::StatusCode; use tracing::{self, error as log_error}; use log::*;").unwrap();
        let map = UseMap::build(&file);
        assert_eq!(
            map.expand(vec!["StatusCode".into(), "OK".into()]),
            vec!["axum", "http", "StatusCode", "OK"]
        );
        assert_eq!(map.expand(vec!["log_error".into()]), vec!["tracing", "error"]);
        assert_eq!(
            map.expand(vec!["tracing".into(), "info".into()]),
            vec!["tracing", "info"]
        );
        assert!(map.globs_from(&["log".into()]));
        assert!(!map.globs_from(&["slog".into()]));
    }

    #[test]
    fn line_index_handles_multibyte_columns() {
        let src = "let é = 1;\nlet x = é;\n";
        let idx = LineIndex::new(src);
        let off = idx.offset(LineColumn { line: 2, column: 8 });
        assert_eq!(&src[off..off + 2], "é");
    }

    #[test]
    fn line_index_agrees_with_a_scan_of_the_line_at_every_column() {
        // Long mixed lines (past several checkpoints), an ASCII line, CRLF, an empty last line.
        let long: String = (0..300)
            .map(|i| {
                if i % 7 == 0 {
                    'é'
                } else if i % 11 == 0 {
                    '😀'
                } else {
                    'a'
                }
            })
            .collect();
        let src = format!("{long}\r\nplain ascii line\n\n{long}x");
        let idx = LineIndex::new(&src);
        let mut line_start = 0;
        for (n, line) in src.split('\n').enumerate() {
            for column in 0..line.chars().count() + 3 {
                let scanned = line_start + line.char_indices().nth(column).map_or(line.len(), |(i, _)| i);
                let lc = LineColumn { line: n + 1, column };
                assert_eq!(idx.offset(lc), scanned, "line {} column {column}", n + 1);
            }
            line_start += line.len() + 1;
        }
        assert_eq!(idx.offset(LineColumn { line: 99, column: 0 }), src.len());
    }
}

//! Large files, analysed in parts. syn's tree of a file takes some 90 times the file's size (the
//! token buffer it parses from, 20 times), so a 50 MB file took 4.5 GB to parse whole. A file of
//! [`PARTS_FROM`] bytes or more is cut between top-level items into parts of about
//! [`PART_SIZE`] bytes, each parsed and analysed on its own: only one part's tree per thread
//! exists at a time.
//!
//! What the items share is gathered first: a file's `use` declarations and the crates its paths
//! name hold for all of it, wherever they are written, so each part is parsed twice, once for
//! those and once to extract its facts with them. Parts are parsed in parallel. A part that does
//! not parse (a cut that was not between items, or a syntax error) sends the file back to the
//! whole-file parse, which gives the facts or the error it always gave.

use rayon::prelude::*;

use super::extract::{extract_items, has_test_attr, FileScope};
use super::paths::{with_first_line, UseMap};
use super::scope::PrintScope;
use super::FileFacts;
use crate::knowledge::Knowledge;

/// Files from this size on are analysed in parts: a whole file's tree would take 90 MB or more.
pub const PARTS_FROM: usize = 1 << 20;

/// About the size of a part; a part ends at the first cut after it.
pub const PART_SIZE: usize = 256 << 10;

/// The facts of `source`, read in parts of about `part_size` bytes; `None` when it is one part
/// or a part does not parse (then the whole file is parsed).
pub fn extract_in_parts(
    source: &str,
    k: &Knowledge,
    test_target: bool,
    prints: PrintScope,
    part_size: usize,
) -> Option<FileFacts> {
    let parts = cut(source, part_size);
    if parts.len() < 2 {
        return None;
    }
    let declared = each_part(&parts, |file, _| {
        Some((
            UseMap::declared_in(file),
            has_test_attr(&file.attrs),
            super::held::fields_of(file),
        ))
    })?;
    // Inner attributes (`#![cfg(test)]`) are the first part's: a later part with some was no cut.
    let test_file = declared.first().is_some_and(|(_, test, _)| *test);
    let mut uses = UseMap::default();
    let mut fields = super::held::Fields::default();
    for (map, _, f) in declared {
        uses.merge(map);
        for (k, v) in f {
            fields.entry(k).or_default().extend(v);
        }
    }
    uses.finish();
    let mut scope = FileScope::new(uses, k, test_file).printing(prints);
    scope.fields = fields;
    // Each part's lists are encoded at once: the whole file's are never held decoded.
    let extracted = each_part(&parts, |file, part| {
        let mut facts = with_first_line(part.first_line, || {
            extract_items(file, part.text, k, test_target, &scope)
        });
        facts.pack();
        Some(facts)
    })?;
    Some(scope.finish(FileFacts::from_parts(extracted)?))
}

/// A run of whole items of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Part<'a> {
    text: &'a str,
    /// The file's line where it starts (at its first column).
    first_line: u32,
    /// The first part holds the file's BOM, shebang and inner attributes.
    first: bool,
}

/// Parses each part and runs `f` on its tree, in parallel on the pool the caller runs on (on
/// its own thread otherwise: the stack of other threads may be too small for deep code). Spans
/// are dropped after each part: no syn tree outlives `f`, and no code that holds one waits for
/// rayon, so that no other task can run on its thread while it lives.
fn each_part<T: Send>(parts: &[Part], f: impl Fn(&syn::File, &Part) -> Option<T> + Sync) -> Option<Vec<T>> {
    let one = |part: &Part| {
        let parsed = if part.first {
            syn::parse_file(part.text).ok()
        } else {
            // Only the file's start may hold a BOM, a shebang or inner attributes.
            syn::parse_str::<syn::File>(part.text)
                .ok()
                .filter(|f| f.attrs.is_empty())
        };
        let out = parsed.and_then(|file| f(&file, part));
        proc_macro2::extra::invalidate_current_thread_spans();
        out
    };
    if rayon::current_thread_index().is_some() {
        parts.par_iter().map(one).collect()
    } else {
        parts.iter().map(one).collect()
    }
}

/// Cuts `source` into parts of at least `part_size` bytes (the last may be shorter). A cut is a
/// line start after a line that ends, outside brackets, strings and comments, with `}` or `;`:
/// the end of an item. A cut that is not (`const X: u8 = { 1 }` with its `;` on the next line)
/// leaves a part that does not parse.
fn cut(source: &str, part_size: usize) -> Vec<Part<'_>> {
    use crate::lexer::{Kind, Scanner};
    let b = source.as_bytes();
    let mut starts = vec![(0usize, 1u32)];
    // Bracket depth, and the last character of code (comments aside; 0 after a cut).
    let (mut depth, mut last) = (0usize, 0u8);
    for t in Scanner::new(source) {
        match t.kind {
            Kind::Newline => {
                let from = starts.last().map_or(0, |s| s.0);
                if depth == 0 && matches!(last, b'}' | b';') && t.end - from >= part_size && t.end < b.len() {
                    starts.push((t.end, t.line + 1));
                    // Lines of comments or blanks alone after a cut are no item's end.
                    last = 0;
                }
            }
            Kind::LineComment { .. } | Kind::BlockComment => {}
            Kind::Literal | Kind::Lifetime | Kind::Word => last = b'a',
            Kind::Punct(c) => {
                match c {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                last = c;
            }
        }
    }
    let ends = starts.iter().skip(1).map(|s| s.0).chain([b.len()]);
    starts
        .iter()
        .zip(ends)
        .enumerate()
        .map(|(n, (&(start, first_line), end))| Part {
            text: &source[start..end],
            first_line,
            first: n == 0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str, size: usize) -> Vec<&str> {
        cut(source, size).iter().map(|p| p.text).collect()
    }

    #[test]
    fn cuts_fall_between_items_only() {
        let src = "use a::b;\nfn f() {\n    g();\n}\nconst X: u8 = { 1 }\n;\nstruct S;\n";
        assert_eq!(
            texts(src, 1),
            [
                "use a::b;\n",
                "fn f() {\n    g();\n}\n",
                "const X: u8 = { 1 }\n",
                ";\n",
                "struct S;\n"
            ]
        );
        assert_eq!(
            texts(src, 25),
            [
                "use a::b;\nfn f() {\n    g();\n}\n",
                "const X: u8 = { 1 }\n;\nstruct S;\n"
            ]
        );
        assert_eq!(texts(src, 1000), [src]);
        let parts = cut(src, 1);
        assert_eq!(parts.iter().map(|p| p.first_line).collect::<Vec<_>>(), [1, 2, 5, 6, 7]);
        assert!(parts[0].first && !parts[1].first);
    }

    #[test]
    fn no_cut_inside_strings_characters_or_comments() {
        let src = concat!(
            "fn a() { let s = \"x;\n}\"; }\n",
            "fn b() { let r = r#\"\";\n}\"#; }\n",
            "fn c() { let c = '}'; let e = '\\''; let l: &'static str = \"\"; }\n",
            "/* }\n;\n */ fn d() {}\n",
            "// }\n",
            "fn e() {}\n",
        );
        assert_eq!(
            texts(src, 1),
            [
                "fn a() { let s = \"x;\n}\"; }\n",
                "fn b() { let r = r#\"\";\n}\"#; }\n",
                "fn c() { let c = '}'; let e = '\\''; let l: &'static str = \"\"; }\n",
                "/* }\n;\n */ fn d() {}\n",
                "// }\nfn e() {}\n",
            ]
        );
    }

    #[test]
    fn parts_give_the_facts_of_the_whole_file() {
        // Every fixture, cut at every item: the same facts, spans and function numbers included.
        let k = Knowledge::defaults();
        let mut files = Vec::new();
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            entries.sort();
            for p in entries {
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|e| e == "rs") {
                    out.push(p);
                }
            }
        }
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
            &mut files,
        );
        let mut compared = 0;
        for path in &files {
            let src = std::fs::read_to_string(path).unwrap();
            for test_target in [false, true] {
                // The whole file's tree is dropped before the parts drop this thread's spans.
                let Ok(whole) = syn::parse_file(&src).map(|f| super::super::extract(&f, &src, &k, test_target)) else {
                    continue;
                };
                if let Some(parts) = extract_in_parts(&src, &k, test_target, PrintScope::Service, 1) {
                    assert_eq!(parts, whole, "{}", path.display());
                    compared += 1;
                }
            }
        }
        assert!(compared > 50, "{compared} files compared");
    }

    #[test]
    fn a_part_that_does_not_parse_sends_the_file_back_whole() {
        let k = Knowledge::defaults();
        // Cut after `{ 1 }`, the `;` alone does not parse; a later `#![..]` or `//!` is no cut.
        for src in [
            "fn f() {}\nconst X: u8 = { 1 }\n;\n",
            "fn f() {}\n#![allow(dead_code)]\nfn g() {}\n",
            "fn f() {}\n//! doc\nfn g() {}\n",
            "fn f() {}\nfn g() {\n",
        ] {
            assert_eq!(extract_in_parts(src, &k, false, PrintScope::Service, 1), None, "{src}");
        }
        let good = "#![cfg(test)]\nfn f() { let _ = a(); }\nfn g() { b().ok(); }\n";
        let parts = extract_in_parts(good, &k, false, PrintScope::Service, 1).expect("two parts");
        let whole = super::super::extract(&syn::parse_file(good).unwrap(), good, &k, false);
        assert_eq!(parts, whole);
        assert!(
            parts.fns.iter().all(|f| f.is_test),
            "inner attributes hold for every part"
        );
    }
}

//! Randomised testing on stable Rust (proptest, bounded case counts): fixture files mutated —
//! lines and tokens deleted, duplicated, swapped — and arbitrary bytes. Properties: no panic,
//! analysing the same text twice gives the same facts, every file of a run is accounted for.

use std::path::{Path, PathBuf};

use obsdebt::collect::{analyse_source, FileError};
use obsdebt::knowledge::Knowledge;
use proptest::prelude::*;

fn fixture_sources() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"), &mut paths);
    paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}

#[derive(Debug, Clone)]
enum Op {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    DeleteToken(usize),
    DuplicateToken(usize),
    SwapTokens(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<usize>().prop_map(Op::DeleteLine),
        any::<usize>().prop_map(Op::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::SwapLines(a, b)),
        any::<usize>().prop_map(Op::DeleteToken),
        any::<usize>().prop_map(Op::DuplicateToken),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::SwapTokens(a, b)),
    ]
}

fn mutate(src: &str, ops: &[Op]) -> String {
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    for op in ops {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match *op {
            Op::DeleteLine(i) => {
                lines.remove(i % n);
            }
            Op::DuplicateLine(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Op::SwapLines(a, b) => lines.swap(a % n, b % n),
            Op::DeleteToken(i) | Op::DuplicateToken(i) | Op::SwapTokens(i, _) => {
                let text = lines.join("\n");
                let mut tokens: Vec<&str> = text
                    .split_inclusive(|c: char| c.is_whitespace() || "(){}[];,.".contains(c))
                    .collect();
                if tokens.is_empty() {
                    continue;
                }
                let t = tokens.len();
                match *op {
                    Op::DeleteToken(_) => {
                        tokens.remove(i % t);
                    }
                    Op::DuplicateToken(_) => {
                        let tok = tokens[i % t];
                        tokens.insert(i % t, tok);
                    }
                    Op::SwapTokens(a, b) => tokens.swap(a % t, b % t),
                    _ => unreachable!(),
                }
                lines = tokens.concat().lines().map(str::to_string).collect();
            }
        }
    }
    lines.join("\n")
}

/// Analyses without obsdebt's own panic guard, so that a panic fails the property.
fn analyse(src: &str, k: &Knowledge) -> Result<Result<obsdebt::facts::FileFacts, FileError>, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyse_source(src, k, false)))
        .map_err(|p| obsdebt::collect::panic_message(&*p))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_never_panic_and_analyse_the_same_twice(pick in any::<usize>(), ops in prop::collection::vec(op(), 1..8)) {
        let sources = fixture_sources();
        let src = mutate(&sources[pick % sources.len()], &ops);
        let k = Knowledge::defaults();
        let first = analyse(&src, &k);
        prop_assert!(first.is_ok(), "panic: {:?}\n--- source ---\n{}", first.err(), src);
        let second = analyse(&src, &k).unwrap();
        prop_assert_eq!(first.unwrap(), second);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.rs");
        std::fs::write(&path, &bytes).unwrap();
        let job = obsdebt::collect::Job {
            path: &path,
            test_target: false,
            prints: Default::default(),
            known_key: None,
        };
        let k = Knowledge::defaults();
        let a = obsdebt::collect::collect_one(&job, &k);
        prop_assert!(!matches!(a, Err(FileError::Internal(_))), "{:?}", a);
        prop_assert_eq!(a, obsdebt::collect::collect_one(&job, &k));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_file_of_a_run_is_accounted_for(
        picks in prop::collection::vec(any::<usize>(), 1..6),
        ops in prop::collection::vec(op(), 0..6),
        garbage in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let sources = fixture_sources();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"p\"\nversion = \"0.1.0\"\n").unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        for (i, pick) in picks.iter().enumerate() {
            std::fs::write(dir.path().join(format!("src/m{i}.rs")), mutate(&sources[pick % sources.len()], &ops)).unwrap();
        }
        std::fs::write(dir.path().join("src/garbage.rs"), &garbage).unwrap();
        let opts = obsdebt::check::CheckOptions { paths: vec![dir.path().to_path_buf()], threads: 2, ..Default::default() };
        let out = match obsdebt::check::run(&opts) {
            Ok(o) => o,
            Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
        };
        let r = &out.report;
        prop_assert_eq!(r.files_scanned, picks.len() + 1);
        prop_assert!(out.internal_errors.is_empty(), "{:?}", out.internal_errors);
        // Every file not analysed carries a finding that says why.
        for p in &r.not_analysed {
            prop_assert!(r.diagnostics.iter().any(|d| &d.path == p && d.rule == "parse-error"), "{} has no parse-error", p);
        }
    }
}

/// Pieces that move the pre-scan's measures near its limits: brackets (balanced or not),
/// operators, casts, `else`, and literals and comments that hide brackets from the lexer.
const PIECES: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ".a()", " as u8", " else ", ",", ";", "x", "+", "::", "'a'", "\"(((\"", "\")))\"",
    "// ]]]\n", "/* {{ */", "r#\"]\"#", "\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The byte-count shortcut never lets a file through that the pre-scan would reject.
    #[test]
    fn a_file_surely_shallow_is_within_the_pre_scans_limits(
        picks in prop::collection::vec((0..PIECES.len(), 1usize..400), 1..40),
    ) {
        let src: String = picks.iter().map(|&(i, n)| PIECES[i].repeat(n)).collect();
        if obsdebt::collect::surely_shallow(&src) {
            let n = obsdebt::collect::nesting_depth(&src);
            prop_assert!(n.brackets <= obsdebt::collect::MAX_NESTING, "{n:?}");
            prop_assert!(n.chain <= obsdebt::collect::MAX_CHAIN, "{n:?}");
        }
    }
}

/// The shortcut takes ordinary files (every fixture file) and leaves the deep ones to the
/// pre-scan.
#[test]
fn ordinary_files_are_surely_shallow_and_deep_ones_are_not() {
    for src in fixture_sources() {
        assert!(obsdebt::collect::surely_shallow(&src), "{}", &src[..src.len().min(200)]);
    }
    assert!(!obsdebt::collect::surely_shallow(&"(".repeat(1001)));
    assert!(!obsdebt::collect::surely_shallow(&format!(
        "fn g() {{ x{}; }}",
        ".a".repeat(20_000)
    )));
}

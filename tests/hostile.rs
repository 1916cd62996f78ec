//! Hostile input: each case is built in a temporary directory and the outcome asserted — a
//! clear diagnostic naming the file, the rest of the run unaffected, never a crash.

mod common;

use common::{diagnostic_paths, obsdebt, temp_tree};
use serde_json::Value;

const PKG: &str = "[package]\nname = \"h\"\nversion = \"0.1.0\"\n";
/// A file with one finding, to show that the rest of the run is unaffected.
const GOOD: &str = "fn ok() { let _ = save(); }\n";

fn json(dir: &std::path::Path) -> (i32, Value, String) {
    let (code, out, err) = obsdebt(dir, &["check", "--output-format", "json"]);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}\n{err}"));
    (code, v, err)
}

fn diag<'a>(v: &'a Value, path: &str) -> &'a Value {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == path)
        .unwrap_or_else(|| panic!("no finding for {path}: {v}"))
}

fn good_still_reported(v: &Value) {
    assert_eq!(
        diag(v, "src/good.rs")["rule"],
        "swallowed-error",
        "the other file is still analysed"
    );
}

#[test]
fn binary_garbage_and_invalid_utf8_are_parse_errors() {
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/good.rs", GOOD)]);
    std::fs::write(dir.path().join("src/bytes.rs"), [0xff, 0xfe, 0x00, 0x9c, 0x80, 0x41]).unwrap();
    std::fs::write(dir.path().join("src/latin1.rs"), b"fn caf\xe9() {}\n").unwrap();
    std::fs::write(dir.path().join("src/noise.rs"), "}}} fn ( ;; \u{1b}[31m ]]").unwrap();
    let (code, v, _) = json(dir.path());
    assert_eq!(code, 1, "parse errors are findings, not I/O errors");
    for (file, words) in [
        ("src/bytes.rs", "not valid UTF-8"),
        ("src/latin1.rs", "not valid UTF-8"),
        ("src/noise.rs", "cannot parse"),
    ] {
        let d = diag(&v, file);
        assert_eq!(d["rule"], "parse-error");
        assert!(d["message"].as_str().unwrap().contains(words), "{d}");
    }
    assert_eq!(v["files"]["parse_errors"], 3);
    good_still_reported(&v);
}

#[test]
fn unterminated_literals_and_comments_give_the_position() {
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/good.rs", GOOD),
        ("src/string.rs", "fn f() {\n    let s = \"never closed;\n}\n"),
        ("src/comment.rs", "fn f() {}\n/* never closed\n"),
    ]);
    let (code, v, _) = json(dir.path());
    assert_eq!(code, 1);
    for file in ["src/string.rs", "src/comment.rs"] {
        let d = diag(&v, file);
        assert_eq!(d["rule"], "parse-error");
        assert!(d["line"].as_u64().unwrap() >= 1);
    }
    good_still_reported(&v);
}

#[test]
fn twenty_thousand_levels_of_nesting_do_not_crash() {
    let n = 20_000;
    let blocks = format!("fn f() {}{}\n", "{".repeat(n), "}".repeat(n));
    let parens = format!("fn f() {{ let x = {}1{}; }}\n", "(".repeat(n), ")".repeat(n));
    let chain = format!(
        "fn f() -> i32 {{ {} }}\nfn g() {{ x{}; }}\n",
        vec!["1"; n].join(" + "),
        ".a()".repeat(n)
    );
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/good.rs", GOOD),
        ("src/blocks.rs", &blocks),
        ("src/parens.rs", &parens),
        ("src/chain.rs", &chain),
    ]);
    let (code, v, err) = json(dir.path());
    assert_eq!(code, 1, "{err}");
    for file in ["src/blocks.rs", "src/parens.rs"] {
        let d = diag(&v, file);
        assert_eq!(d["rule"], "parse-error");
        assert!(
            d["message"]
                .as_str()
                .unwrap()
                .contains("levels deep; obsdebt analyses at most 1000"),
            "{d}"
        );
    }
    let d = diag(&v, "src/chain.rs");
    assert_eq!(d["rule"], "parse-error");
    assert!(d["message"].as_str().unwrap().contains("nested too deep"), "{d}");
    good_still_reported(&v);
}

/// One file alone is parsed on a deep-stack worker too (not on the main thread's 8 MB stack):
/// nesting that syn handles there is analysed, deeper nesting is a `parse-error`, never a signal.
#[test]
fn a_one_file_workspace_never_overflows_the_stack() {
    let analysed = [
        (
            "generics",
            format!("type T = {}u8{};\n", "Vec<".repeat(1100), ">".repeat(1100)),
        ),
        ("closures", format!("fn f() {{ let c = {}1; }}\n", "|| ".repeat(780))),
        ("negations", format!("fn f() -> bool {{ {}true }}\n", "!".repeat(6400))),
        ("chain", format!("fn g() {{ x{}; }}\n", ".a()".repeat(5000))),
    ];
    let rejected = [
        (
            "deep generics",
            format!("type T = {}u8{};\n", "Vec<".repeat(2000 * 10), ">".repeat(2000 * 10)),
        ),
        ("long chain", format!("fn g() {{ x{}; }}\n", ".a()".repeat(50_000))),
        (
            "generics and a chain",
            format!(
                "type T = {}u8{};\nfn g() {{ x{}; }}\n",
                "Vec<".repeat(2000),
                ">".repeat(2000),
                ".a()".repeat(50_000)
            ),
        ),
        // A raw byte string ending in a backslash hides no brackets from the pre-scan.
        (
            "raw byte string",
            format!(
                "const S: &[u8] = br\"\\\";\nfn f() {{ let x = {}1{}; }}\nconst T: &str = \"x\";\n",
                "(".repeat(1500),
                ")".repeat(1500)
            ),
        ),
    ];
    for (what, src) in analysed.iter().chain(&rejected) {
        let dir = temp_tree(&[("Cargo.toml", PKG), ("src/lib.rs", src)]);
        let (code, out, err) = obsdebt(dir.path(), &["check", "--output-format", "json", "--no-cache"]);
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{what}: exit {code}: {e}\n{err}"));
        let not_analysed = v["files"]["not_analysed"].as_array().unwrap();
        if analysed.iter().any(|(w, _)| w == what) {
            assert_eq!(code, 0, "{what}: {err}");
            assert!(not_analysed.is_empty(), "{what}: {v}");
        } else {
            assert_eq!(code, 1, "{what}: {err}");
            let d = diag(&v, "src/lib.rs");
            assert_eq!(d["rule"], "parse-error", "{what}");
            assert!(d["message"].as_str().unwrap().contains("nested"), "{what}: {d}");
        }
    }
}

/// A file far above the size at which obsdebt parses in parts (1 MiB): seven parts, each
/// parsed on its own, and a finding on the very last line still carries its true line number.
/// (It was 20 MB once; seven parts go through the same code path for a third of the time.)
#[test]
fn a_seven_megabyte_file_with_70k_functions() {
    let mut big = String::with_capacity(8 << 20);
    for i in 0..70_000 {
        big.push_str(&format!(
            "pub fn f{i}(x: u64) -> Option<u64> {{ if x > {i} {{ None }} else {{ Some(x.wrapping_add({i})) }} }}\n"
        ));
    }
    big.push_str("fn last() { let v = load().ok(); }\n");
    assert!(big.len() >= 6 << 20, "{} bytes", big.len());
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/good.rs", GOOD), ("src/big.rs", &big)]);
    let (code, v, err) = json(dir.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(diag(&v, "src/big.rs")["line"], 70_001);
    good_still_reported(&v);
}

#[test]
fn empty_files_and_a_directory_named_like_a_file() {
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/good.rs", GOOD),
        ("src/empty.rs", ""),
        ("src/odd.rs/inner.rs", GOOD),
    ]);
    let (code, v, _) = json(dir.path());
    assert_eq!(code, 0);
    assert_eq!(
        v["files"]["scanned"], 3,
        "the empty file is analysed; `odd.rs/` is a directory, walked"
    );
    assert_eq!(diag(&v, "src/odd.rs/inner.rs")["rule"], "swallowed-error");
    good_still_reported(&v);
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_broken_links_are_io_errors_with_the_reason() {
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/good.rs", GOOD)]);
    let src = dir.path().join("src");
    std::os::unix::fs::symlink("b.rs", src.join("a.rs")).unwrap();
    std::os::unix::fs::symlink("a.rs", src.join("b.rs")).unwrap();
    std::os::unix::fs::symlink("gone.rs", src.join("broken.rs")).unwrap();
    std::os::unix::fs::symlink("good.rs", src.join("alias.rs")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("shared.rs"), GOOD).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("shared.rs"), src.join("shared.rs")).unwrap();
    let (code, v, err) = json(dir.path());
    assert_eq!(code, 2, "I/O errors exit with 2");
    assert!(
        diag(&v, "src/a.rs")["message"]
            .as_str()
            .unwrap()
            .contains("symbolic links"),
        "{v}"
    );
    assert!(diag(&v, "src/broken.rs")["message"]
        .as_str()
        .unwrap()
        .contains("No such file"));
    assert!(err.contains("src/a.rs: Too many levels of symbolic links"), "{err}");
    assert_eq!(
        diag(&v, "src/shared.rs")["rule"],
        "swallowed-error",
        "a link to a file elsewhere is read through it"
    );
    let paths = diagnostic_paths(&v);
    assert!(
        !paths.contains(&"src/alias.rs"),
        "a link to a file of the tree is read once, as the file: {paths:?}"
    );
    good_still_reported(&v);
}

#[test]
fn a_file_gone_before_it_is_read_is_an_io_error() {
    // The window between the walk and the read, exercised on the read itself.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vanished.rs");
    let job = obsdebt::collect::Job {
        path: &path,
        test_target: false,
        prints: Default::default(),
        known_key: None,
    };
    let r = obsdebt::collect::collect_one(&job, &obsdebt::knowledge::Knowledge::defaults());
    match r {
        Err(obsdebt::collect::FileError::Io(m)) => assert!(m.contains("No such file"), "{m}"),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_io_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/good.rs", GOOD), ("src/secret.rs", GOOD)]);
    let secret = dir.path().join("src/secret.rs");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&secret).is_ok() {
        // Running as root: permissions do not stop reads, so there is nothing to observe.
        return;
    }
    let (code, v, _) = json(dir.path());
    assert_eq!(code, 2);
    assert!(diag(&v, "src/secret.rs")["message"]
        .as_str()
        .unwrap()
        .contains("Permission denied"));
    good_still_reported(&v);
}

#[test]
fn a_panic_becomes_an_internal_error_and_the_rest_is_reported() {
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/good.rs", GOOD), ("src/boom.rs", GOOD)]);
    for phase in ["collect", "report"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"))
            .args(["check", "--output-format", "json"])
            .current_dir(dir.path())
            .env(obsdebt::rules::internal_error::INJECT_ENV, format!("{phase}:boom.rs"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{phase}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let d = diag(&v, "src/boom.rs");
        assert_eq!(d["rule"], "internal-error");
        assert!(d["message"].as_str().unwrap().contains("injected panic"), "{d}");
        assert!(d["help"].as_str().unwrap().contains("report it"), "{d}");
        good_still_reported(&v);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("src/boom.rs: obsdebt failed while analysing this file"),
            "{err}"
        );
    }
}

#[test]
fn a_closed_stdout_exits_quietly() {
    let mut files = vec![("Cargo.toml".to_string(), PKG.to_string())];
    for i in 0..200 {
        files.push((
            format!("src/m{i}.rs"),
            "fn f() { let _ = a(); let _ = b(); }\n".to_string(),
        ));
    }
    let tree: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let dir = temp_tree(&tree);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"))
        .arg("check")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // `obsdebt check | head -0`
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{err}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn control_characters_from_source_never_reach_the_output_raw() {
    let evil = "const BASE_URL: &str = \"http://api\\u{1b}[2J.internal:80\";\nfn a() { let u = \"http://api\\u{1b}[2J.internal:80/x\"; }\n";
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/evil.rs", evil)]);
    std::fs::write(dir.path().join("src/esc\u{1b}[31mname.rs"), GOOD).unwrap();
    for format in [
        "full", "concise", "json", "sarif", "github", "gitlab", "markdown", "rdjson",
    ] {
        let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", format, "--color", "never"]);
        assert!(!out.contains('\u{1b}'), "{format} printed a raw ESC:\n{out}");
        assert!(out.contains("1b"), "{format} shows the escaped character:\n{out}");
    }
}

#[test]
fn output_is_identical_for_1_2_and_8_threads_and_across_runs() {
    // A corpus made of every fixture, three times over.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let dir = tempfile::tempdir().unwrap();
    for copy in 0..3 {
        let target = dir.path().join(format!("copy{copy}"));
        copy_dir(&root, &target);
    }
    let run = |threads: &str| obsdebt(dir.path(), &["check", "--threads", threads, "--output-format", "json"]).1;
    let one = run("1");
    assert!(one.len() > 10_000, "the corpus produced a real report");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
    assert_eq!(one, run("2"), "repeated runs agree");
    let full = |t: &str| obsdebt(dir.path(), &["check", "--threads", t]).1;
    assert_eq!(full("1"), full("8"));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

#[test]
fn results_with_and_without_the_cache_are_byte_identical() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root, &dir.path().join("services"));
    let cache = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["check", "--output-format", "json"];
        args.extend_from_slice(extra);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"))
            .args(&args)
            .current_dir(dir.path())
            .env("OBSDEBT_CACHE_DIR", cache.path())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let uncached = run(&["--no-cache"]);
    assert!(
        std::fs::read_dir(cache.path()).unwrap().next().is_none(),
        "--no-cache writes nothing"
    );
    let populating = run(&[]);
    let entries = walk_count(cache.path());
    assert!(entries > 20, "the cache was written ({entries} entries)");
    let cached = run(&[]);
    assert_eq!(uncached, populating);
    assert_eq!(uncached, cached);
    // A corrupt cache is ignored and rebuilt, never trusted.
    corrupt_all(cache.path());
    assert_eq!(uncached, run(&[]));
    // One changed file: its new facts are used, the rest come from the cache.
    let main = dir.path().join("services/axum-orders/src/routes/health.rs");
    let text = std::fs::read_to_string(&main).unwrap().replace(
        "Err(_) => StatusCode::SERVICE_UNAVAILABLE",
        "Err(e) => { tracing::warn!(%e); StatusCode::SERVICE_UNAVAILABLE }",
    );
    std::fs::write(&main, text).unwrap();
    let after = run(&[]);
    assert_ne!(after, cached);
    assert_eq!(after, run(&["--no-cache"]));
}

fn walk_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk_count(&e.path())
            } else {
                1
            }
        })
        .sum()
}

fn corrupt_all(dir: &std::path::Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            corrupt_all(&e.path());
        } else if e.file_name() != "CACHEDIR.TAG" && e.file_name() != ".gitignore" {
            std::fs::write(e.path(), b"\x01\x02not an entry").unwrap();
        }
    }
}

/// The diagnostics (rule, path, line, message) and crate coverage rows of a JSON report whose
/// paths start with `prefix`, with the prefix removed.
fn world_view(v: &Value, prefix: &str) -> (Vec<String>, Vec<String>) {
    let strip = |p: &str| p.strip_prefix(prefix).map(str::to_string);
    let diags = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| {
            let path = strip(d["path"].as_str()?)?;
            Some(format!("{} {path}:{} {}", d["rule"], d["line"], d["message"]))
        })
        .collect();
    let crates = v["coverage"]["crates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| {
            let path = strip(c["path"].as_str()?)?;
            Some(format!(
                "{} {path} {} {} {}",
                c["name"], c["logged"], c["unlogged"], c["percent"]
            ))
        })
        .collect();
    (diags, crates)
}

#[test]
fn two_workspaces_side_by_side_give_each_the_numbers_it_has_alone() {
    // `alpha` calls a method, a crate function and a helper that it does not define as logging;
    // `beta` defines a method and a crate of the same names that do log, and a method that
    // builds an HTTP client. Checked together, nothing of `beta` may resolve for `alpha`.
    let ws = "[workspace]\nmembers = [\"app\", \"shared\"]\n";
    let shared = "[package]\nname = \"shared\"\nversion = \"0.1.0\"\n";
    let app = "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\nshared = { path = \"../shared\" }\n";
    let dir = temp_tree(&[
        ("alpha/Cargo.toml", ws),
        ("alpha/shared/Cargo.toml", shared),
        ("alpha/shared/src/lib.rs", "pub fn note(e: &str) { let _ = e; }\n"),
        ("alpha/app/Cargo.toml", app),
        (
            "alpha/app/src/main.rs",
            "use axum::extract::State;\n\
             async fn orders(State(s): State<Svc>) -> u32 {\n\
             \x20   let _c = s.client();\n\
             \x20   match s.load().await {\n\
             \x20       Ok(n) => n,\n\
             \x20       Err(e) => { s.report(&e); 0 }\n\
             \x20   }\n\
             }\n\
             fn count() -> u32 {\n\
             \x20   match std::fs::read_to_string(\"n\") {\n\
             \x20       Ok(t) => t.len() as u32,\n\
             \x20       Err(e) => { shared::note(&e.to_string()); 0 }\n\
             \x20   }\n\
             }\n\
             fn main() { let _r = axum::Router::new().route(\"/orders\", axum::routing::get(orders)); }\n",
        ),
        ("beta/Cargo.toml", ws),
        ("beta/shared/Cargo.toml", shared),
        (
            "beta/shared/src/lib.rs",
            "pub fn note(e: &str) { tracing::error!(error = %e, \"failed\"); }\n",
        ),
        ("beta/app/Cargo.toml", app),
        (
            "beta/app/src/main.rs",
            "struct Svc;\n\
             impl Svc {\n\
             \x20   fn report(&self, e: &str) { tracing::error!(error = %e, \"failed\"); }\n\
             \x20   fn client(&self) -> reqwest::Client { reqwest::Client::new() }\n\
             }\n\
             fn main() {}\n",
        ),
        ("beta/.gitignore", ""),
    ]);
    let alone = |sub: &str| {
        let (code, out, err) = obsdebt(
            &dir.path().join(sub),
            &["check", "--output-format", "json", "--no-cache"],
        );
        assert!(code == 0 || code == 1, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        world_view(&v, "")
    };
    let (code, out, err) = obsdebt(dir.path(), &["check", "--output-format", "json", "--no-cache"]);
    assert!(code == 0 || code == 1, "{err}");
    let together: Value = serde_json::from_str(&out).unwrap();
    let alpha = alone("alpha");
    assert!(
        alpha.0.iter().filter(|d| d.contains("unlogged-error")).count() == 2,
        "alpha alone: both error arms are unlogged: {alpha:?}"
    );
    assert!(!alpha.0.iter().any(|d| d.contains("engine-in-handler")), "{alpha:?}");
    assert_eq!(world_view(&together, "alpha/"), alpha, "alpha beside beta");
    assert_eq!(world_view(&together, "beta/"), alone("beta"), "beta beside alpha");
}

/// File names that are not UTF-8 and would display alike (`\u{fffd}.rs`) are two files: both
/// are analysed, each shown with its own bytes escaped.
#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_never_collide() {
    use std::os::unix::ffi::OsStrExt;
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/lib.rs", "")]);
    for (name, body) in [
        (&b"src/\xff.rs"[..], "fn a() { let _ = save(); }\n"),
        (&b"src/\xfe.rs"[..], "fn b() { let _ = load(); }\n"),
        ("src/\u{fffd}.rs".as_bytes(), "fn c() { let _ = sync(); }\n"),
    ] {
        std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(name)), body).unwrap();
    }
    let (_, v, err) = json(dir.path());
    let mut paths = diagnostic_paths(&v);
    paths.sort();
    assert_eq!(paths, vec!["src/\\xfe.rs", "src/\\xff.rs", "src/\u{fffd}.rs"], "{err}");
    assert_eq!(v["files"]["scanned"], 4, "the three and lib.rs");
}

/// A panic in a printer loses no report: `full` falls back to the concise lines, any format
/// exits 2 with an internal error on stderr, never 101.
#[test]
fn a_panic_while_printing_keeps_the_findings() {
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/good.rs", GOOD)]);
    for format in ["full", "json"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"))
            .args(["check", "--output-format", format])
            .current_dir(dir.path())
            .env(obsdebt::rules::internal_error::INJECT_ENV, format!("print:{format}"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            stderr.contains("internal error while printing the report"),
            "{format}: {stderr}"
        );
        if format == "full" {
            assert!(stdout.contains("src/good.rs:1:"), "the concise lines: {stdout}");
            assert!(stderr.contains("shown in the concise format"), "{stderr}");
        }
    }
}

//! Hostile I/O: a damaged cache, outputs that are links, pipes and devices, inputs that are not
//! regular files, and what killed runs leave behind. Each case asserts the outcome: the same
//! result a run without the cache gives, a clear error naming the file, never a hang or a crash.

mod common;

use std::path::{Path, PathBuf};

use common::temp_tree;
use obsdebt::check::{self, CheckOptions};
use obsdebt::report::{self, Format, RenderOptions};

const MANIFEST: &str = "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\n";
/// A small service whose one file has facts of each kind held packed (an error-path site, a call,
/// a method called on a value) and one finding; small, so that flipping every bit of its cache
/// entries takes seconds.
const MAIN: &str = "fn main() { let _ = db.save(load()); }\n";

/// One in-process run of `check` on `dir`: the JSON report, every field of the report (what
/// each printer reads: its `Debug` form) and the errors that would make the exit code 2. With
/// `store`, the result is stored for the next run.
fn check_in_process(dir: &Path, cache: bool, store: bool) -> (String, String, Vec<String>) {
    let opts = CheckOptions {
        paths: vec![dir.to_path_buf()],
        cache,
        ..Default::default()
    };
    // One pool for every run of the test, as in the binary (not one built per run).
    obsdebt::collect::init_global_pool(0);
    let out = match check::run(&opts) {
        Ok(out) => out,
        Err(e) => panic!("check failed: {e:?}"),
    };
    if store {
        out.store_result();
    }
    let render = RenderOptions {
        color: false,
        quiet: false,
        statistics: false,
        max_annotations: 10,
    };
    let json = report::render(&out.report, Format::Json, &render);
    let errors = out.io_errors.iter().chain(&out.internal_errors).cloned().collect();
    (json, format!("{:?}", out.report), errors)
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The cache directory of a run on `dir` (the cache sits at the workspace root).
fn cache_files(dir: &Path) -> Vec<PathBuf> {
    assert!(
        std::env::var_os("OBSDEBT_CACHE_DIR").is_none(),
        "these tests find the cache at the workspace root: unset OBSDEBT_CACHE_DIR"
    );
    let mut files = Vec::new();
    files_under(&dir.join(".obsdebt_cache"), &mut files);
    files
}

fn is_run_entry(p: &Path) -> bool {
    p.parent().and_then(|d| d.file_name()).is_some_and(|n| n == "runs")
}

fn is_fact_entry(p: &Path) -> bool {
    let name = p.file_name().unwrap().to_string_lossy();
    !is_run_entry(p) && !name.starts_with('.') && name != "CACHEDIR.TAG"
}

/// Flips every bit of `entry` in turn (split over a few threads, each on its own copy of the
/// service) and checks that each run gives the uncached result: a damaged entry is a miss, never
/// trusted, never a crash.
fn every_bit_flip_is_a_miss(store: bool, pick: fn(&Path) -> bool) {
    const WORKERS: usize = 4;
    let trees: Vec<_> = (0..WORKERS)
        .map(|_| temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN)]))
        .collect();
    // Each copy: its uncached result, then one run filling its cache, and the entry's bytes.
    let prepared: Vec<_> = trees
        .iter()
        .map(|t| {
            let uncached = check_in_process(t.path(), false, false);
            assert!(uncached.2.is_empty(), "{:?}", uncached.2);
            assert!(uncached.0.contains("swallowed-error"), "{}", uncached.0);
            assert_eq!(check_in_process(t.path(), true, store), uncached);
            let entries: Vec<PathBuf> = cache_files(t.path()).into_iter().filter(|p| pick(p)).collect();
            assert_eq!(entries.len(), 1, "one entry of the kind wanted: {entries:?}");
            let bytes = std::fs::read(&entries[0]).unwrap();
            (uncached, entries[0].clone(), bytes)
        })
        .collect();
    let bits = prepared[0].2.len() * 8;
    assert!(bits > 0);
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = prepared
            .iter()
            .zip(&trees)
            .enumerate()
            .map(|(w, ((uncached, entry, bytes), tree))| {
                s.spawn(move || {
                    let mut failed = Vec::new();
                    for bit in (w..bytes.len() * 8).step_by(WORKERS) {
                        let mut damaged = bytes.clone();
                        damaged[bit / 8] ^= 1 << (bit % 8);
                        std::fs::write(entry, &damaged).unwrap();
                        let got = check_in_process(tree.path(), true, store);
                        if &got != uncached {
                            failed.push(format!("bit {bit}: {:?}", got.2));
                        } else if std::fs::read(entry).unwrap() != *bytes {
                            failed.push(format!("bit {bit}: the entry was not rebuilt"));
                        }
                    }
                    failed
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {bits} single-bit flips changed the result, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    // The entry rebuilt is in use: a stored run is reused, a file entry read instead of the file.
    let (tree, (_, entry, _)) = (&trees[0], &prepared[0]);
    let before = inode(entry);
    let out = check::run(&CheckOptions {
        paths: vec![tree.path().to_path_buf()],
        cache: true,
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(out.timings.reused, store, "the stored run is reused");
    assert_eq!(inode(entry), before, "the entry was read, not written again");
}

/// The file's inode number (an entry rewritten is a new file, renamed into place).
#[cfg(unix)]
fn inode(p: &Path) -> Option<u64> {
    Some(std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).ok()?))
}

#[cfg(not(unix))]
fn inode(_: &Path) -> Option<u64> {
    None
}

#[test]
fn every_single_bit_flip_of_a_file_entry_gives_the_uncached_result() {
    every_bit_flip_is_a_miss(false, is_fact_entry);
}

#[test]
fn every_single_bit_flip_of_a_stored_run_gives_the_uncached_result() {
    every_bit_flip_is_a_miss(true, is_run_entry);
}

/// Runs the obsdebt binary in `cwd`, killed after `secs` seconds: a hang fails the test instead
/// of stalling the suite. Output goes through files (a pipe nobody reads could block it).
fn obsdebt_within(secs: u64, cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tempfile::tempdir().unwrap();
    let (o, e) = (out.path().join("stdout"), out.path().join("stderr"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&o).unwrap())
        .stderr(std::fs::File::create(&e).unwrap())
        .spawn()
        .expect("run obsdebt");
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > std::time::Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("obsdebt {args:?} hung (killed after {secs} s)");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    (status.code().unwrap_or(-1), read(&o), read(&e))
}

/// A JSON report as the binary writes it: what `-o` should leave behind.
fn is_report(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v["schema"] == "obsdebt/v1")
}

/// `mkfifo`/`mknod` from the system; false when they are missing or not allowed.
fn make_node(args: &[&str]) -> bool {
    std::process::Command::new(args[0])
        .args(&args[1..])
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn output_through_a_symbolic_link_writes_its_target_and_keeps_the_link() {
    use std::os::unix::fs::symlink;
    let dir = temp_tree(&[
        ("Cargo.toml", MANIFEST),
        ("src/main.rs", MAIN),
        ("reports/last.json", "old\n"),
    ]);
    let d = dir.path();
    symlink("reports/last.json", d.join("out.json")).unwrap();
    // A link to a link, and a link whose target does not exist yet.
    symlink("out.json", d.join("twice.json")).unwrap();
    symlink("reports/new.json", d.join("dangling.json")).unwrap();
    for link in ["out.json", "twice.json", "dangling.json"] {
        let (code, stdout, stderr) = obsdebt_within(60, d, &["check", "--output-format", "json", "-o", link]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            std::fs::symlink_metadata(d.join(link))
                .unwrap()
                .file_type()
                .is_symlink(),
            "{link} is still a link"
        );
        let target = if link == "dangling.json" {
            "reports/new.json"
        } else {
            "reports/last.json"
        };
        let written = std::fs::read_to_string(d.join(target)).unwrap();
        assert!(is_report(&written), "{target} holds the report: {written}");
        std::fs::write(d.join("reports/last.json"), "old\n").unwrap();
    }
    // Nothing else was left beside the links or their targets.
    let mut names: Vec<String> = std::fs::read_dir(d.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["last.json", "new.json"]);
}

#[cfg(unix)]
#[test]
fn output_to_a_named_pipe_writes_into_the_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN)]);
    let fifo = dir.path().join("report.pipe");
    if !make_node(&["mkfifo", fifo.to_str().unwrap()]) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    // A reader, as `obsdebt check -o pipe & cat pipe` would have.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let (code, _, stderr) = obsdebt_within(
        60,
        dir.path(),
        &["check", "--output-format", "json", "-o", "report.pipe"],
    );
    let is_fifo = std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo();
    assert!(is_fifo, "the pipe is still a pipe, not a regular file ({stderr})");
    assert_eq!(code, 0, "{stderr}");
    let read = reader.join().unwrap();
    assert!(is_report(&read), "the reader got the report: {read}");
}

#[cfg(unix)]
#[test]
fn output_to_a_device_writes_into_the_device_and_dev_null_stays_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN)]);
    let run = |out: &str| obsdebt_within(60, dir.path(), &["check", "--output-format", "json", "-o", out]);
    let is_char_device = |p: &Path| std::fs::symlink_metadata(p).unwrap().file_type().is_char_device();
    // First a null device of our own (major 1, minor 3 on Linux), so that nothing of the system's
    // is touched unless obsdebt is known to leave devices alone.
    let own = dir.path().join("null");
    if make_node(&["mknod", own.to_str().unwrap(), "c", "1", "3"]) {
        let (code, stdout, stderr) = run("null");
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.is_empty());
        assert!(is_char_device(&own), "the device is still a device");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "no temporary file left: {names:?}");
    } else if running_as_root() {
        eprintln!("skipped: no device node of our own to try first, and as root /dev/null could be replaced");
        return;
    }
    if !is_char_device(Path::new("/dev/null")) {
        eprintln!("skipped: /dev/null is not a device on this machine (something else replaced it)");
        return;
    }
    let (code, _, stderr) = run("/dev/null");
    assert_eq!(code, 0, "{stderr}");
    assert!(is_char_device(Path::new("/dev/null")), "/dev/null is still a device");
}

#[cfg(unix)]
/// Whether this process runs as root (the owner of `/proc/self`); true when that cannot be told.
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(true, |m| m.uid() == 0)
}

/// A check of `dir` in JSON with `args`, killed if it takes over 20 s.
fn check_json_within(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["check", "--output-format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = obsdebt_within(20, dir, &all);
    let v = serde_json::from_str(&out).unwrap_or(serde_json::Value::Null);
    (code, v, err)
}

#[cfg(unix)]
#[test]
fn a_named_pipe_given_or_found_is_an_error_naming_it_never_a_hang() {
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN)]);
    let fifo = dir.path().join("src/pipe.rs");
    if !make_node(&["mkfifo", fifo.to_str().unwrap()]) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    // Named on the command line.
    let (code, _, stderr) = check_json_within(dir.path(), &["src/pipe.rs"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("src/pipe.rs: not a regular file (a named pipe)"),
        "{stderr}"
    );
    // Found by the walk: reported, and the rest of the run is unaffected.
    for extra in [&[][..], &["--no-cache"][..]] {
        let (code, v, stderr) = check_json_within(dir.path(), extra);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("src/pipe.rs: not a regular file (a named pipe)"),
            "{stderr}"
        );
        assert_eq!(v["files"]["not_analysed"], serde_json::json!(["src/pipe.rs"]), "{v}");
        let rules: Vec<_> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["path"].as_str().unwrap(), d["rule"].as_str().unwrap()))
            .collect();
        assert_eq!(
            rules,
            [("src/main.rs", "swallowed-error"), ("src/pipe.rs", "parse-error")]
        );
    }
    // As the configuration.
    let (code, _, stderr) = check_json_within(dir.path(), &["--config", "src/pipe.rs"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("src/pipe.rs"), "{stderr}");
    assert!(stderr.contains("not a regular file (a named pipe)"), "{stderr}");
}

#[test]
fn a_configuration_file_over_the_size_limit_is_an_error() {
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN)]);
    // 17 MiB of nothing (a sparse file: no disk is used).
    let big = std::fs::File::create(dir.path().join("lint.toml")).unwrap();
    big.set_len(17 << 20).unwrap();
    let (code, _, stderr) = check_json_within(dir.path(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("lint.toml"), "{stderr}");
    assert!(
        stderr.contains("the file is 17.0 MiB; a configuration file is read up to 1 MiB"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_device_as_the_configuration_is_an_error_and_is_not_read() {
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN)]);
    // Under a memory limit: reading /dev/zero to its end must not take the machine with it.
    let bin = env!("CARGO_BIN_EXE_obsdebt");
    let script = format!("ulimit -v 4000000; exec '{bin}' check --config /dev/zero");
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("/dev/zero") && stderr.contains("not a regular file (a character device)"),
        "{stderr}"
    );
}

#[test]
fn a_source_file_over_the_size_limit_is_not_analysed_and_says_why() {
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN)]);
    let big = std::fs::File::create(dir.path().join("src/generated.rs")).unwrap();
    big.set_len(65 << 20).unwrap();
    let (code, v, stderr) = check_json_within(dir.path(), &[]);
    assert_eq!(code, 1, "a parse-error finding, not an I/O failure: {stderr}");
    assert_eq!(
        v["files"]["not_analysed"],
        serde_json::json!(["src/generated.rs"]),
        "{v}"
    );
    let generated = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "src/generated.rs")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(generated["rule"], "parse-error");
    assert_eq!(
        generated["message"],
        "the file is too large to analyse: 65.0 MiB; obsdebt reads source files up to 64 MiB"
    );
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["path"] == "src/main.rs"),
        "the other file is still analysed: {v}"
    );
}

#[test]
fn temporary_files_left_by_killed_runs_are_removed_and_live_ones_kept() {
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN)]);
    let first = check_in_process(dir.path(), true, true);
    let files = cache_files(dir.path());
    let entry = files.iter().find(|p| is_fact_entry(p)).expect("a file entry").clone();
    let run = files.iter().find(|p| is_run_entry(p)).expect("a stored run").clone();
    let (entries, runs) = (entry.parent().unwrap(), run.parent().unwrap());
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let make = |path: PathBuf, old: bool| {
        let f = std::fs::File::create(&path).unwrap();
        if old {
            f.set_modified(hour_ago).unwrap();
        }
        path
    };
    // As a run killed an hour ago leaves them (named as `atomic::write_atomically` names them),
    // and as a run writing right now has them.
    let stale = [
        make(entries.join(".0123abcd-2a.4242.ThreadId(3).tmp"), true),
        make(runs.join(".5678ef01-1f.4242.ThreadId(1).tmp"), true),
    ];
    let live = [
        make(entries.join(".9abc-2a.4343.ThreadId(2).tmp"), false),
        make(runs.join(".def0-1f.4343.ThreadId(1).tmp"), false),
    ];
    // Entries themselves are never removed for their age.
    std::fs::File::options()
        .write(true)
        .open(&entry)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    assert_eq!(check_in_process(dir.path(), true, false), first);
    for p in &stale {
        assert!(!p.exists(), "removed: {}", p.display());
    }
    for p in &live {
        assert!(p.exists(), "kept: {}", p.display());
    }
    assert!(entry.exists() && run.exists(), "entries are kept");
}

#[cfg(target_os = "linux")]
#[test]
fn output_through_a_link_to_the_standard_output_reaches_the_pipe() {
    // A link of our own as /dev/stdout is: to /proc/self/fd/1, itself a link naming no path
    // (`pipe:[…]`) when the standard output is a pipe.
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN)]);
    std::os::unix::fs::symlink("/proc/self/fd/1", dir.path().join("stdout")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"))
        .args(["check", "--output-format", "json", "-o", "stdout"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(is_report(&String::from_utf8_lossy(&out.stdout)), "{stderr}");
    let link = std::fs::symlink_metadata(dir.path().join("stdout")).unwrap();
    assert!(link.file_type().is_symlink(), "still a link");
}

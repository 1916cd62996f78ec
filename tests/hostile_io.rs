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
                        let got = check_in_process(tree.path(), true, false);
                        if &got != uncached {
                            failed.push(format!("bit {bit}: {:?}", got.2));
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
    assert!(is_char_device(Path::new("/dev/null")));
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

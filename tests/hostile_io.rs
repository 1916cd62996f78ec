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

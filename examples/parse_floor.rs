//! The parse floor: read and `syn::parse_file` every `.rs` file under the given paths on rayon,
//! and nothing else. obsdebt's own cost is measured against this (`scripts/bench.sh`).
//!
//! `cargo run --release --example parse_floor -- PATH... [--threads N]`

use rayon::prelude::*;

/// mimalloc: obsdebt allocates and frees many small syntax-tree nodes from several threads at
/// once, where glibc's allocator spends a third of the run (see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut paths = Vec::new();
    let mut threads = 0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--threads" {
            threads = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        } else {
            paths.push(a);
        }
    }
    let mut files = Vec::new();
    for p in &paths {
        for entry in ignore::WalkBuilder::new(p).build().flatten() {
            if entry.path().extension().is_some_and(|e| e == "rs") && entry.file_type().is_some_and(|t| t.is_file()) {
                files.push(entry.into_path());
            }
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(256 << 20)
        .build()
        .expect("thread pool");
    let parsed: usize = pool.install(|| {
        files
            .par_iter()
            .map(|f| {
                let ok = std::fs::read_to_string(f)
                    .ok()
                    .map(|s| syn::parse_file(&s).is_ok())
                    .unwrap_or(false);
                proc_macro2::extra::invalidate_current_thread_spans();
                usize::from(ok)
            })
            .sum()
    });
    println!("parsed {parsed} of {} files", files.len());
}

//! Phase 1, collect: read, parse and extract each file's facts, in parallel.
//!
//! Each file is parsed and analysed inside one task and only plain data comes back; syn trees
//! are not `Send` and are dropped before the task ends. proc-macro2 keeps a thread-local table
//! of every span it has seen: it is cleared after each file so memory does not grow with the
//! size of the workspace.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache::Cache;
use crate::diagnostic::Span;
use crate::facts::{self, FileFacts};
use crate::knowledge::Knowledge;

/// Why a file was not analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileError {
    /// obsdebt itself failed on the file (a bug): the panic's message.
    Internal(String),
    /// The file could not be read (the OS reason).
    Io(String),
    /// Not UTF-8 text.
    Utf8(String),
    /// syn could not parse it.
    Parse { message: String, span: Span },
    /// Larger than obsdebt reads ([`crate::input::MAX_SOURCE`]): its size in bytes.
    TooLarge(u64),
}

impl FileError {
    pub fn message(&self) -> String {
        match self {
            FileError::Io(m) => format!("cannot read the file: {m}"),
            FileError::Internal(m) => format!("obsdebt failed while analysing this file: {m}"),
            FileError::Utf8(m) => format!("the file is not valid UTF-8: {m}"),
            FileError::Parse { message, .. } => format!("cannot parse the file: {message}"),
            FileError::TooLarge(size) => format!(
                "the file is too large to analyse: {}; obsdebt reads source files up to {} MiB",
                crate::input::show_size(*size),
                crate::input::MAX_SOURCE >> 20
            ),
        }
    }

    pub fn span(&self) -> Span {
        match self {
            FileError::Parse { span, .. } => *span,
            _ => Span {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            },
        }
    }
}

/// One file to collect.
pub struct Job<'a> {
    pub path: &'a std::path::Path,
    pub test_target: bool,
    /// The content key read moments ago (the check for an unchanged run): a cached entry under
    /// it is used without reading the file again. The facts then describe the file as it was
    /// when that key was read, and so does the key the run is stored under.
    pub known_key: Option<String>,
}

/// syn recurses on nesting: workers get deep stacks so that deep input parses or fails cleanly
/// instead of overflowing.
const WORKER_STACK: usize = 256 << 20;

/// Set once the global rayon pool has `WORKER_STACK` stacks.
static GLOBAL_POOL: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// Makes rayon's global pool `threads` threads (0: one per core) with deep stacks, so that every
/// parallel step of a run, not only this one, keeps to `--threads`. Only the first call has an
/// effect; returns whether the global pool is obsdebt's.
pub fn init_global_pool(threads: usize) -> bool {
    if GLOBAL_POOL.get().is_some() {
        return true;
    }
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(WORKER_STACK)
        .build_global()
        .is_ok();
    if built {
        let _ = GLOBAL_POOL.set(rayon::current_num_threads());
    }
    built
}

/// Reads and analyses every job on `threads` threads (0: one per core). The output is in job
/// order whatever the thread count: each file's facts and, with a cache, the content key of the
/// bytes that were analysed.
pub fn collect(
    jobs: &[Job],
    k: &Knowledge,
    threads: usize,
    cache: Option<&Cache>,
) -> (Vec<Result<FileFacts, FileError>>, Vec<Option<String>>) {
    let run = || {
        jobs.par_iter()
            .map(|job| collect_keyed(job, k, cache))
            .unzip::<_, _, Vec<_>, Vec<_>>()
    };
    if GLOBAL_POOL.get().is_some_and(|&n| threads == 0 || threads == n) {
        return run();
    }
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(WORKER_STACK)
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

/// The content key of every job's file (`None` when it cannot be read), read and hashed in
/// parallel: enough to know whether anything changed since a run.
pub fn content_keys(jobs: &[Job]) -> Vec<Option<String>> {
    jobs.par_iter()
        .map(|job| {
            let bytes = read_source(job.path).ok()?;
            Some(crate::cache::content_key(&bytes, job.test_target))
        })
        .collect()
}

/// One file, with a panic in the analysis caught and turned into [`FileError::Internal`]: the
/// other files' results are unaffected.
pub fn collect_one(job: &Job, k: &Knowledge) -> Result<FileFacts, FileError> {
    collect_keyed(job, k, None).0
}

/// [`collect_one`], reading and writing the cache when there is one; with the content key of
/// the bytes analysed (with a cache).
fn collect_keyed(job: &Job, k: &Knowledge, cache: Option<&Cache>) -> (Result<FileFacts, FileError>, Option<String>) {
    let mut key = None;
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_and_analyse(job, k, cache, &mut key)
    })) {
        Ok(r) => (r, key),
        Err(payload) => {
            proc_macro2::extra::invalidate_current_thread_spans();
            (Err(FileError::Internal(panic_message(&*payload))), None)
        }
    }
}

pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

fn read_and_analyse(
    job: &Job,
    k: &Knowledge,
    cache: Option<&Cache>,
    key_out: &mut Option<String>,
) -> Result<FileFacts, FileError> {
    crate::rules::internal_error::inject("collect", &job.path.to_string_lossy());
    // Sites and calls are most of a file's facts; a run holds them encoded until they are read
    // (facts::packed), so that the whole workspace's never pile up decoded.
    let packed = |mut r: Result<FileFacts, FileError>| {
        if let Ok(f) = &mut r {
            f.pack();
        }
        r
    };
    // The cached result under `key`, which then identifies the file in the run's key.
    let mut cached = |key: &String| {
        let hit = cache?.get(key)?;
        *key_out = Some(key.clone());
        Some(packed(hit))
    };
    // The key read moments ago needs no second read of the file.
    if let Some(hit) = job.known_key.as_ref().and_then(&mut cached) {
        return hit;
    }
    let bytes = read_source(job.path)?;
    let key = cache.map(|_| crate::cache::content_key(&bytes, job.test_target));
    if let Some(hit) = key.as_ref().and_then(&mut cached) {
        return hit;
    }
    // Packed first: the cache entry then stores the sites as they are held.
    let result = packed(analyse_bytes(bytes, k, job.test_target));
    if let (Some(c), Some(key)) = (cache, &key) {
        c.put(key, &result);
    }
    // Only a result that depends on the content alone identifies the file in a run's key.
    if !matches!(result, Err(FileError::Io(_) | FileError::Internal(_))) {
        *key_out = key;
    }
    result
}

/// A source file's bytes: only a regular file (a named pipe would wait for a writer, a device
/// never end), and only up to [`crate::input::MAX_SOURCE`].
fn read_source(path: &std::path::Path) -> Result<Vec<u8>, FileError> {
    use crate::input::InputError;
    crate::input::read_regular(path, crate::input::MAX_SOURCE).map_err(|e| match e {
        InputError::TooLarge { size, .. } => FileError::TooLarge(size),
        e => FileError::Io(e.to_string()),
    })
}

fn analyse_bytes(bytes: Vec<u8>, k: &Knowledge, test_target: bool) -> Result<FileFacts, FileError> {
    let source = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        FileError::Utf8(format!("invalid byte at offset {valid}"))
    })?;
    analyse_source(&source, k, test_target)
}

/// Deepest bracket nesting obsdebt parses. syn and the analysis recurse once per level; far
/// beyond anything written by hand (generated code included), and well inside the worker stack.
pub const MAX_NESTING: usize = 1000;

/// The deepest `(`/`[`/`{` nesting of `source`, outside strings, characters and comments, and the
/// line where it is first reached.
pub fn nesting_depth(source: &str) -> (usize, u32) {
    let b = source.as_bytes();
    let (mut i, mut depth, mut max, mut line, mut max_line) = (0usize, 0usize, 0usize, 1u32, 1u32);
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut level = 0usize;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        level += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        level -= 1;
                        i += 2;
                        if level == 0 {
                            break;
                        }
                    } else {
                        line += u32::from(b[i] == b'\n');
                        i += 1;
                    }
                }
                continue;
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                // r"..." / r#"..."#
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) == Some(&b'"') {
                    j += 1;
                    loop {
                        match b.get(j) {
                            None => break,
                            Some(b'"') if b[j + 1..].iter().take(hashes).filter(|c| **c == b'#').count() == hashes => {
                                j += 1 + hashes;
                                break;
                            }
                            Some(c) => {
                                line += u32::from(*c == b'\n');
                                j += 1;
                            }
                        }
                    }
                    i = j;
                    continue;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    line += u32::from(b.get(i) == Some(&b'\n'));
                    i += 1;
                }
            }
            b'\'' => {
                // A character literal ('a', '\n', '\u{..}'), or a lifetime ('a).
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 2;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    max = depth;
                    max_line = line;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    (max, max_line)
}

/// Parses and extracts one file's text: the pure core of the collect phase.
pub fn analyse_source(source: &str, k: &Knowledge, test_target: bool) -> Result<FileFacts, FileError> {
    let (depth, line) = nesting_depth(source);
    if depth > MAX_NESTING {
        return Err(FileError::Parse {
            message: format!("brackets are nested {depth} levels deep; obsdebt analyses at most {MAX_NESTING}"),
            span: Span {
                line,
                column: 1,
                end_line: line,
                end_column: 1,
            },
        });
    }
    let result = match facts::extract_file(source, k, test_target) {
        Ok(mut f) => {
            f.suppressions = crate::suppress::parse(source);
            Ok(f)
        }
        Err(e) => {
            let (start, end) = (e.span().start(), e.span().end());
            Err(FileError::Parse {
                message: e.to_string(),
                span: Span {
                    line: start.line.max(1) as u32,
                    column: start.column as u32 + 1,
                    end_line: end.line.max(1) as u32,
                    end_column: end.column as u32 + 1,
                },
            })
        }
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}

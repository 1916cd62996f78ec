//! Phase 1, collect: read, parse and extract each file's facts, in parallel.
//!
//! Each file is parsed and analysed inside one task and only plain data comes back; syn trees
//! are not `Send` and are dropped before the task ends. proc-macro2 keeps a thread-local table
//! of every span it has seen: it is cleared after each file so memory does not grow with the
//! size of the workspace.

use rayon::prelude::*;

use crate::cache::Cache;
use crate::diagnostic::Span;
use crate::facts::{self, FileFacts};
use crate::knowledge::Knowledge;

pub use crate::facts::FileError;

/// A small source touching most kinds of facts. Its encoded facts are hashed into the cache
/// directory's name, so that any change to the layout of facts (a field added, removed or
/// reordered) or to what is extracted starts a new cache: postcard is not self-describing, and an
/// old entry must never be decoded as a new one.
const LAYOUT_SAMPLE: &str = r#"
use axum::http::StatusCode;
const DATABASE_URL: &str = "postgres://db/app";
#[get("/x")]
async fn h(State(s): State<S>) -> Result<String, AppError> {
    let p = sqlx::PgPool::connect(DATABASE_URL).await;
    let v = match load() { Ok(v) => v, Err(e) => { tracing::warn!(%e); 0 } };
    let w = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    let _ = save();
    self.helper();
    Err(StatusCode::INTERNAL_SERVER_ERROR)
}
// obsdebt: allow(swallowed-error) -- sample
"#;

/// The digest of the facts' layout the cache directory is named after (see [`LAYOUT_SAMPLE`]).
pub fn facts_layout(k: &Knowledge) -> u64 {
    let facts = analyse_source(LAYOUT_SAMPLE, k, false);
    let bytes = postcard::to_stdvec(&facts).unwrap_or_default();
    crate::diagnostic::fnv1a(&bytes)
}

/// One file to collect.
pub struct Job<'a> {
    pub path: &'a std::path::Path,
    pub test_target: bool,
    /// Whether the file's print macros report to a user (from its package's layout).
    pub prints: facts::PrintScope,
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
    progress: &crate::progress::Progress,
) -> (Vec<Result<FileFacts, FileError>>, Vec<Option<String>>) {
    // Inside a scope so that the work runs on the pool's deep-stack workers: a parallel iterator
    // over one item would run on the calling thread (the main thread's stack is 8 MB).
    let run = || {
        rayon::scope(|_| {
            jobs.par_iter()
                .map(|job| {
                    let done = collect_keyed(job, k, cache);
                    progress.tick();
                    done
                })
                .unzip::<_, _, Vec<_>, Vec<_>>()
        })
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
            Some(job_key(&bytes, job))
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
    let key = cache.map(|_| job_key(&bytes, job));
    if let Some(hit) = key.as_ref().and_then(&mut cached) {
        return hit;
    }
    // Packed first: the cache entry then stores the sites as they are held.
    let result = packed(analyse_bytes(bytes, k, job.test_target, job.prints));
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

/// The content key of a job's bytes: the facts also depend on how the file is read.
fn job_key(bytes: &[u8], job: &Job) -> String {
    let mut key = crate::cache::content_key(bytes, job.test_target);
    key.push_str(job.prints.key_suffix());
    key
}

fn analyse_bytes(
    bytes: Vec<u8>,
    k: &Knowledge,
    test_target: bool,
    prints: facts::PrintScope,
) -> Result<FileFacts, FileError> {
    let source = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        FileError::Utf8(format!("invalid byte at offset {valid}"))
    })?;
    analyse_source_as(&source, k, test_target, prints)
}

/// Deepest bracket nesting obsdebt parses. syn and the analysis recurse once per level; far
/// beyond anything written by hand (generated code included), and well inside the worker stack.
pub const MAX_NESTING: usize = 1000;

/// Largest [`Nesting::chain`] obsdebt parses. Chains without brackets nest too: generics
/// (`Vec<Vec<..>>`), closures (`|| || ..`), unary and binary operators, method chains, `as`
/// casts and `else if` chains each make syn's tree one level deeper, and it is visited and
/// dropped recursively. Measured on the 256 MB worker stack in a debug build, the most costly
/// of them (generics) overflows at about 40,000 levels; each such level counts at least 2 here.
pub const MAX_CHAIN: usize = 20_000;

/// What the pre-scan of a file measured: bounds on how deep syn's tree can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nesting {
    /// The deepest `(`/`[`/`{` nesting, and the line where it is first reached.
    pub brackets: usize,
    pub brackets_line: u32,
    /// An upper bound on the depth of one expression or type: for each enclosing bracket, 10,
    /// plus the operators (every punctuation character but brackets, `,` and `;`) and the `as`
    /// and `else` keywords since the last `,` or `;` (or the end of a previous item or
    /// statement block) of its level. And the line where the largest is first reached.
    pub chain: usize,
    pub chain_line: u32,
}

/// Whether `source` is certainly within both bounds, from a count of its bytes alone (no
/// lexing): most files are. Every bracket token is one `(`/`[`/`{` byte, so the nesting is at
/// most their number; [`Nesting::chain`] counts each operator token (one ASCII punctuation
/// byte) and each `as`/`else` word at most once, plus 10 per enclosing bracket, so it is at
/// most the punctuation bytes, plus the `as` and `else` substrings, plus 10 per `(`/`[`/`{`.
/// Bytes inside strings and comments only add to these counts.
pub fn surely_shallow(source: &str) -> bool {
    // Per byte: 1 for punctuation, 11 for an opening bracket (itself and its 10), in one table.
    const WEIGHT: [u8; 256] = {
        let mut w = [0u8; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            if b.is_ascii_punctuation() && b != b'_' {
                w[c] = if matches!(b, b'(' | b'[' | b'{') { 11 } else { 1 };
            }
            c += 1;
        }
        w
    };
    // One pass over the bytes: the weight, the opening brackets, and the `as`/`else` substrings
    // (every such word is one, so counting substrings, overlapping or not, bounds them).
    let b = source.as_bytes();
    let (mut weight, mut opens, mut words) = (0usize, 0usize, 0usize);
    for (i, &c) in b.iter().enumerate() {
        let w = WEIGHT[usize::from(c)];
        weight += usize::from(w);
        opens += usize::from(w == 11);
        words += usize::from(
            (c == b'a' && b.get(i + 1) == Some(&b's')) || (c == b'e' && b.get(i + 1..i + 4) == Some(&b"lse"[..])),
        );
    }
    opens <= MAX_NESTING && weight + words <= MAX_CHAIN
}

/// Measures `source` outside strings, characters and comments (see [`Nesting`]).
pub fn nesting_depth(source: &str) -> Nesting {
    use crate::lexer::{Kind, Scanner};
    let mut n = Nesting {
        brackets: 0,
        brackets_line: 1,
        chain: 0,
        chain_line: 1,
    };
    // Per open bracket: the chain cost below it. `count` is the current level's own cost.
    let mut outer: Vec<usize> = Vec::new();
    let (mut below, mut count) = (0usize, 0usize);
    // A `}` just closed a block at this level: a following item or statement starts afresh.
    let mut after_block = false;
    for token in Scanner::new(source) {
        let word = &source[token.start..token.end];
        if after_block
            && !matches!(
                token.kind,
                Kind::Newline | Kind::LineComment { .. } | Kind::BlockComment
            )
        {
            after_block = false;
            let starts_afresh = match token.kind {
                Kind::Word => !matches!(word, "else" | "as"),
                Kind::Lifetime | Kind::Literal | Kind::Punct(b'#') => true,
                _ => false,
            };
            if starts_afresh {
                count = 0;
            }
        }
        match token.kind {
            Kind::Word if matches!(word, "as" | "else") => count += 1,
            Kind::Punct(b'(' | b'[' | b'{') => {
                outer.push(below);
                below += count + 10;
                count = 0;
                if outer.len() > n.brackets {
                    n.brackets = outer.len();
                    n.brackets_line = token.line;
                }
            }
            Kind::Punct(c @ (b')' | b']' | b'}')) => {
                if let Some(prev) = outer.pop() {
                    count = below - prev - 10;
                    below = prev;
                }
                after_block = c == b'}';
            }
            Kind::Punct(b',' | b';') => count = 0,
            Kind::Punct(c) if c.is_ascii_punctuation() => count += 1,
            _ => {}
        }
        if below + count > n.chain {
            n.chain = below + count;
            n.chain_line = token.line;
        }
    }
    n
}

/// Parses and extracts one file's text: the pure core of the collect phase.
pub fn analyse_source(source: &str, k: &Knowledge, test_target: bool) -> Result<FileFacts, FileError> {
    analyse_source_as(source, k, test_target, facts::PrintScope::Service)
}

/// [`analyse_source`] for a file whose print macros report to a user as `prints` says.
pub fn analyse_source_as(
    source: &str,
    k: &Knowledge,
    test_target: bool,
    prints: facts::PrintScope,
) -> Result<FileFacts, FileError> {
    let nesting = if surely_shallow(source) {
        None
    } else {
        Some(nesting_depth(source))
    };
    let too_deep = match nesting {
        Some(n) if n.brackets > MAX_NESTING => Some((
            format!(
                "brackets are nested {} levels deep; obsdebt analyses at most {MAX_NESTING}",
                n.brackets
            ),
            n.brackets_line,
        )),
        Some(n) if n.chain > MAX_CHAIN => Some((
            format!(
                "an expression or type is nested too deep to analyse safely (its chain of operators, \
                 casts, generics or closures measures {}; obsdebt analyses at most {MAX_CHAIN})",
                n.chain
            ),
            n.chain_line,
        )),
        _ => None,
    };
    if let Some((message, line)) = too_deep {
        return Err(FileError::Parse {
            message,
            span: Span {
                line,
                column: 1,
                end_line: line,
                end_column: 1,
            },
        });
    }
    let result = match facts::extract_file_as(source, k, test_target, prints) {
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

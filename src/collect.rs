//! Phase 1, collect: read, parse and extract each file's facts, in parallel.
//!
//! Each file is parsed and analysed inside one task and only plain data comes back; syn trees
//! are not `Send` and are dropped before the task ends. proc-macro2 keeps a thread-local table
//! of every span it has seen: it is cleared after each file so memory does not grow with the
//! size of the workspace.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Span;
use crate::facts::{self, FileFacts};
use crate::knowledge::Knowledge;

/// Why a file was not analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileError {
    /// The file could not be read (the OS reason).
    Io(String),
    /// Not UTF-8 text.
    Utf8(String),
    /// syn could not parse it.
    Parse { message: String, span: Span },
}

impl FileError {
    pub fn message(&self) -> String {
        match self {
            FileError::Io(m) => format!("cannot read the file: {m}"),
            FileError::Utf8(m) => format!("the file is not valid UTF-8: {m}"),
            FileError::Parse { message, .. } => format!("cannot parse the file: {message}"),
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
}

/// Reads and analyses every job on `threads` threads (0: one per core). The output is in job
/// order whatever the thread count.
pub fn collect(jobs: &[Job], k: &Knowledge, threads: usize) -> Vec<Result<FileFacts, FileError>> {
    let run = || jobs.par_iter().map(|job| collect_one(job, k)).collect::<Vec<_>>();
    // syn recurses on nesting: give workers deep stacks so that deep input parses or fails
    // cleanly instead of overflowing.
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(64 << 20)
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

pub fn collect_one(job: &Job, k: &Knowledge) -> Result<FileFacts, FileError> {
    let bytes = std::fs::read(job.path).map_err(|e| FileError::Io(e.to_string()))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        FileError::Utf8(format!("invalid byte at offset {valid}"))
    })?;
    analyse_source(&source, k, job.test_target)
}

/// Parses and extracts one file's text: the pure core of the collect phase.
pub fn analyse_source(source: &str, k: &Knowledge, test_target: bool) -> Result<FileFacts, FileError> {
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

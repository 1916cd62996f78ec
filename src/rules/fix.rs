//! The fixes of the error-path rules: the log line a reviewer would write, in the crate's own
//! logging crate, placed where the site's path starts (`SiteFact::repair`, found while the
//! syntax tree was at hand); or, for `log-without-error`, the error added to the log line that
//! is already there. Fixes are data on the diagnostic; `crate::fix` applies them.

use rustc_hash::FxHashMap;

use crate::diagnostic::{Applicability, Edit, Fix, Span};
use crate::facts::{LogLine, Outcome, Pos, Repair, SiteFact, Slot};

/// The logging crate a fix writes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogCrate {
    Tracing,
    Log,
}

/// How a crate logs: the crate it logs with, and whether any of its files names it (then a
/// macro called by its full path, `tracing::warn!`, is reachable; otherwise the fix is unsafe).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogStyle {
    pub krate: LogCrate,
    pub known: bool,
}

impl Default for LogStyle {
    fn default() -> Self {
        LogStyle {
            krate: LogCrate::Tracing,
            known: false,
        }
    }
}

/// Each crate's style, from the crates its files name: `tracing` where any file names it,
/// else `log`, else `tracing` unknown.
pub fn crate_styles<'a>(files: impl Iterator<Item = (usize, &'a [String])>) -> FxHashMap<usize, LogStyle> {
    let mut seen: FxHashMap<usize, (bool, bool)> = FxHashMap::default();
    for (krate, used) in files {
        let e = seen.entry(krate).or_default();
        e.0 |= used.iter().any(|c| c == "tracing");
        e.1 |= used.iter().any(|c| c == "log");
    }
    seen.into_iter()
        .map(|(krate, (tracing, log))| {
            let style = match (tracing, log) {
                (true, _) => LogStyle {
                    krate: LogCrate::Tracing,
                    known: true,
                },
                (false, true) => LogStyle {
                    krate: LogCrate::Log,
                    known: true,
                },
                _ => LogStyle::default(),
            };
            (krate, style)
        })
        .collect()
}

fn insertion(at: Pos, content: String) -> Edit {
    Edit {
        span: Span {
            line: at.line,
            column: at.column,
            end_line: at.line,
            end_column: at.column,
        },
        content,
    }
}

/// What failed, for the log message: the call that produced the `Result`.
fn message(site: &SiteFact) -> String {
    match site.source.as_ref().and_then(|c| c.path.last()) {
        Some(name) if name.chars().all(|c| c.is_alphanumeric() || c == '_') => format!("{name} failed"),
        _ => "operation failed".into(),
    }
}

/// The log statement for the error named `name` (no `;`).
fn statement(style: LogStyle, level: &str, name: &str, message: &str) -> String {
    match style.krate {
        LogCrate::Tracing => format!("tracing::{level}!(error = %{name}, \"{message}\")"),
        LogCrate::Log => format!("log::{level}!(\"{message}: {{{name}}}\")"),
    }
}

fn rename(repair: &Repair) -> Option<Edit> {
    repair.rename.map(|span| Edit {
        span,
        content: repair.name.clone(),
    })
}

/// A log statement written first on the site's path: `error` on a path that answers 5xx,
/// `warn` on one that falls back or discards. `None` where the site has no place for one (an
/// `else` of `if let Ok`, a `let _ =`).
pub fn insert_log(site: &SiteFact, style: LogStyle) -> Option<Fix> {
    let repair = site.repair.as_ref()?;
    let slot = repair.slot.as_ref()?;
    let level = if matches!(site.outcome, Outcome::ServerError(_)) {
        "error"
    } else {
        "warn"
    };
    let stmt = statement(style, level, &repair.name, &message(site));
    let mut edits: Vec<Edit> = rename(repair).into_iter().collect();
    let mut applicability = if style.known {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    match slot {
        Slot::Block {
            at,
            indent: Some(indent),
        } => edits.push(insertion(*at, format!("\n{indent}{stmt};"))),
        Slot::Block { at, indent: None } => edits.push(insertion(*at, format!(" {stmt};"))),
        Slot::Wrap { start, end } => {
            edits.push(insertion(*start, format!("{{ {stmt}; ")));
            edits.push(insertion(*end, " }".into()));
        }
        Slot::Chain { at } => {
            // `.inspect_err` needs a `Result` (Rust 1.76): the receiver is one only as far as
            // the analysis can tell.
            applicability = Applicability::Unsafe;
            edits.push(insertion(*at, format!(".inspect_err(|{}| {stmt})", repair.name)));
        }
    }
    edits.sort_by_key(|e| (e.span.line, e.span.column));
    Some(Fix {
        message: format!("log the error: `{stmt}`"),
        applicability,
        edits,
    })
}

/// The error added to the first log line on the path: a field (`error = %e`) for tracing, an
/// inline argument at the end of the message (`: {e}`) for log.
pub fn add_error(site: &SiteFact, style: LogStyle) -> Option<Fix> {
    let repair = site.repair.as_ref()?;
    let line: &LogLine = repair.log_lines.first()?;
    let krate = match line.krate.as_deref() {
        Some("tracing") => LogCrate::Tracing,
        Some("log") => LogCrate::Log,
        Some(_) => return None,
        None => style.krate,
    };
    let name = &repair.name;
    let (edit, shown) = match krate {
        LogCrate::Tracing if !line.keyed => (
            insertion(line.open, format!("error = %{name}, ")),
            format!("error = %{name}"),
        ),
        LogCrate::Log => (
            insertion(line.literal_end?, format!(": {{{name}}}")),
            format!("\": {{{name}}}\""),
        ),
        LogCrate::Tracing => return None,
    };
    let mut edits: Vec<Edit> = rename(repair).into_iter().collect();
    edits.push(edit);
    edits.sort_by_key(|e| (e.span.line, e.span.column));
    Some(Fix {
        message: format!("add the error to the log line: `{shown}`"),
        applicability: Applicability::Safe,
        edits,
    })
}

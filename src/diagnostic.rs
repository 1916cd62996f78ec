//! Diagnostics are plain data: rules produce them, printers render them.

use serde::{Deserialize, Serialize};

use crate::rule::{Level, Rule, RuleName};

/// A 1-based source range. `end_column` is exclusive, as in rustc's JSON output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Span {
    /// The span cut to its first line, for underlining in a one-line excerpt.
    pub fn first_line(self, line_len_chars: u32) -> Span {
        if self.end_line == self.line {
            self
        } else {
            Span {
                end_line: self.line,
                end_column: line_len_chars.max(self.column) + 1,
                ..self
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    /// What a rule at `level` reports at: nothing when it is off.
    pub fn of(level: Level) -> Option<Severity> {
        match level {
            Level::Off => None,
            Level::Warn => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary location attached to a diagnostic (a call chain step, another definition, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub path: String,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    #[serde(deserialize_with = "crate::rule::deserialize_name")]
    pub rule: RuleName,
    pub severity: Severity,
    pub message: String,
    /// What the underline means ("the error ends here without a log line").
    pub label: String,
    pub help: Option<String>,
    pub path: String,
    pub span: Span,
    pub related: Vec<Related>,
    /// Extra lines shown as `= note:` (a call chain, other handlers).
    pub notes: Vec<String>,
    /// Normalised source text of the site: the stable part of the fingerprint.
    pub site_text: String,
    /// Filled in by the report phase once all diagnostics are known.
    pub fingerprint: String,
    /// Edits that resolve the finding (`check --fix`), when the rule can write them.
    #[serde(default)]
    pub fix: Option<Fix>,
}

/// Whether `--fix` applies a fix by itself (`safe`), or only with `--unsafe-fixes`: a fix that
/// may not compile as written (a logging crate the crate does not name yet, a method that
/// assumes a `Result`) or changes more than a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    Safe,
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Text that replaces a range of the file; an empty range (`span` from a position to itself)
/// inserts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

/// A finding's fix: the edits, applied together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, for a person (`log the error with tracing::warn!`).
    pub message: String,
    pub applicability: Applicability,
    /// In file order, none overlapping.
    pub edits: Vec<Edit>,
}

/// Unicode's bidirectional formatting characters: embeddings and overrides (U+202A–U+202E),
/// isolates (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). Printed raw, they reorder
/// the text around them ("Trojan Source"), so that what is shown is not what is there.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A character [`printable`] escapes.
fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Text safe to print: control characters (an ESC starting an ANSI sequence, a stray CR or
/// NUL from a source file or a file name) and bidirectional formatting characters are written
/// as `\u{1b}`-style escapes.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if needs_escape(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

impl Diagnostic {
    /// A finding of `rule` at `span` of the file shown as `path`: what it says, and what the
    /// underline means. `site_text` is the stable part of its fingerprint (normalised source
    /// text, never a line number).
    pub fn new(
        rule: &'static Rule,
        severity: Severity,
        path: impl Into<String>,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        site_text: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule: rule.name,
            severity,
            message: message.into(),
            label: label.into(),
            help: None,
            path: path.into(),
            span,
            related: Vec::new(),
            notes: Vec::new(),
            site_text: site_text.into(),
            fingerprint: String::new(),
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: Option<Fix>) -> Diagnostic {
        self.fix = fix;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, related: Vec<Related>) -> Diagnostic {
        self.related = related;
        self
    }

    pub fn with_notes(mut self, notes: Vec<String>) -> Diagnostic {
        self.notes = notes;
        self
    }

    /// Escapes control characters in everything a printer shows.
    pub fn make_printable(&mut self) {
        let fix = |s: &mut String| {
            if let std::borrow::Cow::Owned(o) = printable(s) {
                *s = o;
            }
        };
        fix(&mut self.message);
        fix(&mut self.label);
        fix(&mut self.path);
        if let Some(h) = &mut self.help {
            fix(h);
        }
        for n in &mut self.notes {
            fix(n);
        }
        for r in &mut self.related {
            fix(&mut r.message);
            fix(&mut r.path);
        }
    }
}

/// 64-bit FNV-1a, written out so that fingerprints never change with a dependency's version.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Gives each diagnostic a fingerprint that survives edits elsewhere in the file: rule, path,
/// the whitespace-normalised text of the site and its occurrence index among identical sites.
/// Line numbers are deliberately left out. Expects `diags` in report order.
pub fn assign_fingerprints(diags: &mut [Diagnostic]) {
    use rayon::prelude::*;
    // Report order keeps each path's diagnostics together: occurrences are counted per path,
    // one path per task.
    diags.par_chunk_by_mut(|a, b| a.path == b.path).for_each(|group| {
        let mut seen: rustc_hash::FxHashMap<(&'static str, &str), u32> = Default::default();
        let prints: Vec<String> = group
            .iter()
            .map(|d| {
                let index = seen.entry((d.rule, d.site_text.as_str())).or_insert(0);
                let material = format!("{}\0{}\0{}\0{}", d.rule, d.path, d.site_text, index);
                *index += 1;
                format!("{:016x}", fnv1a(material.as_bytes()))
            })
            .collect();
        for (d, print) in group.iter_mut().zip(prints) {
            d.fingerprint = print;
        }
    });
}

//! `lint.toml`: discovery, parsing with spans, validation into a [`Config`].
//!
//! Unknown keys, wrong types, unknown rule names and invalid patterns are errors that point at
//! the line in the file; nothing is analysed with a half-read configuration.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::knowledge::{BenignPattern, Knowledge, PathPattern};
use crate::rule::{self, Level};

pub const FILE_NAME: &str = "lint.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    files: RawFiles,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    logging: RawLogging,
    #[serde(default)]
    discards: RawDiscards,
    #[serde(default)]
    coverage: RawCoverage,
    #[serde(default)]
    handlers: RawHandlers,
    #[serde(default)]
    engines: RawEngines,
    #[serde(default)]
    config: RawConfigSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfigSection {
    #[serde(default)]
    names: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHandlers {
    #[serde(default)]
    functions: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEngines {
    #[serde(default)]
    constructors: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLogging {
    #[serde(default)]
    macros: Vec<Spanned<String>>,
    #[serde(default)]
    functions: Vec<Spanned<String>>,
    #[serde(default)]
    print: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiscards {
    #[serde(default)]
    benign: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCoverage {
    fail_under: Option<Spanned<f64>>,
    #[serde(default)]
    ratchet: bool,
    #[serde(default)]
    include_tests: bool,
}

/// A configuration problem, located in the file when possible.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub path: String,
    /// The file's text, when it could be read, to render the offending line.
    pub source: Option<String>,
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Option<String>,
}

impl ConfigError {
    fn at(path: &str, source: &str, span: Range<usize>, message: String) -> ConfigError {
        ConfigError {
            path: path.to_string(),
            source: Some(source.to_string()),
            span: Some(span),
            message,
            help: None,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> ConfigError {
        self.help = Some(help.into());
        self
    }

    /// 1-based line and column of the error, when it has a span.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        let (source, span) = (self.source.as_ref()?, self.span.as_ref()?);
        let before = &source[..span.start.min(source.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        Some((line, col))
    }

    /// Renders the error rustc-style, pointing at the line in `lint.toml`.
    pub fn render(&self, styled: bool) -> String {
        use annotate_snippets::{AnnotationKind, Level as ALevel, Renderer, Snippet};
        let renderer = if styled { Renderer::styled() } else { Renderer::plain() };
        let title = format!("invalid configuration: {}", self.message);
        let mut group = ALevel::ERROR
            .primary_title(title.as_str())
            .element(annotate_snippets::Origin::path(self.path.as_str()));
        if let (Some(source), Some(span)) = (&self.source, &self.span) {
            let end = span.end.max(span.start + 1).min(source.len());
            let start = span.start.min(end);
            group = ALevel::ERROR.primary_title(title.as_str()).element(
                Snippet::source(source.as_str())
                    .path(self.path.as_str())
                    .annotation(AnnotationKind::Primary.span(start..end).label("here")),
            );
        }
        if let Some(help) = &self.help {
            group = group.element(ALevel::HELP.message(help.as_str()));
        }
        renderer.render(&[group])
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line_col() {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// The validated configuration of one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from; `None` when no `lint.toml` was found.
    pub path: Option<PathBuf>,
    /// Exclude globs are relative to this directory.
    pub root: PathBuf,
    pub knowledge: Knowledge,
    pub exclude: GlobSet,
    pub exclude_patterns: Vec<String>,
    /// Level of each rule, from the defaults and `[rules]`.
    pub levels: BTreeMap<&'static str, Level>,
    pub fail_under: Option<f64>,
    /// With `--baseline`, coverage may not drop below the earlier report's.
    pub ratchet: bool,
}

impl Config {
    pub fn defaults(root: PathBuf) -> Config {
        Config {
            path: None,
            root,
            knowledge: Knowledge::defaults(),
            exclude: GlobSet::empty(),
            exclude_patterns: Vec::new(),
            levels: rule::ALL.iter().map(|r| (r.name, r.default_level)).collect(),
            fail_under: None,
            ratchet: false,
        }
    }

    /// Whether `path` (absolute or relative to the current directory) is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        if self.exclude_patterns.is_empty() {
            return false;
        }
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        self.exclude.is_match(rel)
    }

    pub fn level(&self, rule: &str) -> Level {
        self.levels.get(rule).copied().unwrap_or(Level::Off)
    }
}

/// The nearest `lint.toml` from `start` upward.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let dir = if start.is_file() {
        start.parent()?.to_path_buf()
    } else {
        start
    };
    // The repository's root is as far as a project's configuration goes: a `lint.toml` above it
    // belongs to something else.
    let repository = crate::workspace::repository_root(&dir);
    for d in dir.ancestors() {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if repository.as_deref() == Some(d) {
            return None;
        }
    }
    None
}

/// Reads and validates the file at `path` (`display` is how it is named in messages).
pub fn load(path: &Path, display: &str) -> Result<Config, ConfigError> {
    let limit = crate::input::MAX_CONFIG;
    let text = crate::input::read_regular_text(path, limit).map_err(|e| ConfigError {
        path: display.to_string(),
        source: None,
        span: None,
        message: match e {
            crate::input::InputError::TooLarge { size, .. } => format!(
                "the file is {}; a configuration file is read up to {} MiB",
                crate::input::show_size(size),
                limit >> 20
            ),
            e => format!("cannot read the file: {e}"),
        },
        help: Some("pass an existing file to `--config`, or remove the flag to use the nearest lint.toml".into()),
    })?;
    let root = std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    let mut config = parse(&text, display, root)?;
    config.path = Some(path.to_path_buf());
    Ok(config)
}

/// Parses configuration text; `root` is the directory the exclude globs are relative to.
pub fn parse(text: &str, display: &str, root: PathBuf) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError {
        path: display.to_string(),
        source: Some(text.to_string()),
        span: e.span(),
        message: e.message().trim().to_string(),
        help: Some("run `obsdebt init` in an empty directory to see every option with its default".into()),
    })?;
    let mut config = Config::defaults(root);

    for (name, level) in &raw.rules {
        let Some(rule) = rule::find(name.get_ref()) else {
            return Err(
                ConfigError::at(display, text, name.span(), format!("unknown rule `{}`", name.get_ref()))
                    .with_help(format!("known rules: {}", rule::names().join(", "))),
            );
        };
        if rule.name == rule::INTERNAL_ERROR.name {
            return Err(ConfigError::at(
                display,
                text,
                name.span(),
                "`internal-error` cannot be configured".into(),
            )
            .with_help("internal errors are obsdebt's own bugs and are always reported"));
        }
        let Some(parsed) = Level::parse(level.get_ref()) else {
            return Err(ConfigError::at(
                display,
                text,
                level.span(),
                format!("`{}` is not a rule level", level.get_ref()),
            )
            .with_help("use \"error\", \"warn\" or \"off\""));
        };
        config.levels.insert(rule.name, parsed);
    }

    let mut globs = GlobSetBuilder::new();
    for pattern in &raw.files.exclude {
        let text_pattern = pattern.get_ref().trim_start_matches("./");
        // A pattern without a slash matches at any depth, as in .gitignore.
        let full = if text_pattern.contains('/') {
            text_pattern.to_string()
        } else {
            format!("**/{text_pattern}")
        };
        let glob = GlobBuilder::new(&full)
            .literal_separator(true)
            .build()
            .map_err(|e| ConfigError::at(display, text, pattern.span(), format!("invalid glob: {}", e.kind())))?;
        globs.add(glob);
        // `dir/**` should also exclude what is below `dir/` itself when written as `dir`.
        if !full.ends_with("/**") && !full.contains('*') {
            if let Ok(glob) = GlobBuilder::new(&format!("{full}/**")).literal_separator(true).build() {
                globs.add(glob);
            }
        }
        config.exclude_patterns.push(full);
    }
    config.exclude = globs.build().map_err(|e| ConfigError {
        path: display.to_string(),
        source: Some(text.to_string()),
        span: None,
        message: format!("invalid exclude globs: {e}"),
        help: None,
    })?;

    let k = &mut config.knowledge;
    for m in &raw.logging.macros {
        let name = m.get_ref().trim().trim_end_matches('!');
        if name.is_empty() {
            return Err(ConfigError::at(display, text, m.span(), "empty macro name".into()));
        }
        k.extra_log_macros.push(PathPattern::parse(name));
    }
    for f in &raw.logging.functions {
        if f.get_ref().trim().is_empty() {
            return Err(ConfigError::at(display, text, f.span(), "empty function path".into()));
        }
        k.log_functions.push(PathPattern::parse(f.get_ref()));
    }
    k.print_counts = raw.logging.print;
    for b in &raw.discards.benign {
        let pattern = BenignPattern::parse(b.get_ref()).map_err(|msg| ConfigError::at(display, text, b.span(), msg))?;
        k.benign.push(pattern);
    }
    k.include_tests = raw.coverage.include_tests;
    config.ratchet = raw.coverage.ratchet;
    for f in &raw.handlers.functions {
        let pattern = f.get_ref().trim();
        if pattern.is_empty() || !pattern.contains("::") {
            return Err(
                ConfigError::at(display, text, f.span(), format!("`{pattern}` is not a function path")).with_help(
                    "write the path from the crate root, e.g. \"crate::api::*\" or \"my_service::routes::list_users\"",
                ),
            );
        }
        k.handlers.custom.push(crate::knowledge::Glob::new(pattern));
    }
    for n in &raw.config.names {
        let word = n.get_ref().trim().to_uppercase();
        if word.is_empty() || word.contains(|c: char| !c.is_ascii_alphanumeric()) {
            return Err(
                ConfigError::at(display, text, n.span(), format!("`{}` is not a name word", n.get_ref())).with_help(
                    "give single words such as \"SHARD\" or \"TENANT\": a name containing one looks like configuration",
                ),
            );
        }
        k.config.name_words.push(word);
    }
    for c in &raw.engines.constructors {
        let ctor = crate::knowledge::engines::Constructor::parse(c.get_ref(), &format!("`{}`", c.get_ref().trim()))
            .map_err(|msg| ConfigError::at(display, text, c.span(), msg))?;
        k.engines.constructors.push(ctor);
    }
    if let Some(pct) = &raw.coverage.fail_under {
        let v = *pct.get_ref();
        if !(0.0..=100.0).contains(&v) {
            return Err(
                ConfigError::at(display, text, pct.span(), format!("`{v}` is not a percentage"))
                    .with_help("use a number from 0 to 100"),
            );
        }
        config.fail_under = Some(v);
    }
    Ok(config)
}

/// The commented starter file written by `obsdebt init`: its `{rules}` line becomes one
/// commented line per rule from the registry, at its default level (`internal-error` cannot be
/// set).
pub fn starter() -> String {
    let rules: Vec<String> = crate::rule::ALL
        .iter()
        .filter(|r| r.name != crate::rule::INTERNAL_ERROR.name)
        .map(|r| format!("# {} = \"{}\"", r.name, r.default_level.as_str()))
        .collect();
    include_str!("starter_lint.toml").replace("{rules}", &rules.join("\n"))
}

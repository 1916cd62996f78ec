//! The command line. Exit codes, as ruff: 0 clean; 1 findings at error level (or
//! warnings with `--deny-warnings`) or coverage under `--fail-under`; 2 usage, configuration,
//! I/O or internal error.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::check::{self, CheckError, CheckOptions};
use crate::coverage::show_percent;
use crate::diagnostic::Severity;
use crate::report::{self, Format, RenderOptions};
use crate::rule;

const ABOUT: &str = "Finds observability debt in Rust services: error paths that are not logged, \
engines built per request, duplicated configuration. Reads the sources, never compiles them.";

const AFTER_HELP: &str = "\
Exit codes:
  0  no findings at error level (and coverage not under --fail-under)
  1  findings at error level, warnings with --deny-warnings, or coverage under --fail-under
  2  usage, configuration or I/O error

Examples:
  obsdebt check                          check the current directory
  obsdebt check crates/api --fail-under 80
  obsdebt check src/routes.rs            report one file, analysing its workspace
  obsdebt rule unlogged-error            explain a rule
  obsdebt init                           write a commented lint.toml";

#[derive(Parser, Debug)]
#[command(name = "obsdebt", version, about = ABOUT, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Analyse Rust sources and report findings and logging coverage
    #[command(after_help = CHECK_AFTER_HELP)]
    Check(Box<CheckArgs>),
    /// Explain a rule (what it finds, why it matters, an example, how to fix); list rules without NAME
    Rule {
        /// Rule name, e.g. `unlogged-error`
        name: Option<String>,
    },
    /// Write a commented starter lint.toml in the current directory (never overwrites)
    Init,
}

const CHECK_AFTER_HELP: &str = "\
Paths default to the current directory. Directories are walked for .rs files, skipping
target/, hidden directories, .gitignore'd files and [files] exclude globs from lint.toml.
A file named on the command line is always read; the workspace around it is analysed too
(helpers and error types are found across files) but only that file's findings are reported.

Logging coverage = logged / (logged + unlogged) error paths. Propagated errors, expected
outcomes (a specific error variant turned into a normal value or a 4xx) and suppressed
findings are counted apart. Test code is not counted.

Suppress a finding with a comment on its line or the line above:
  // obsdebt: allow(swallowed-error) -- reason";

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check [default: .]
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(long = "output-format", visible_alias = "format", value_enum, default_value = "full")]
    pub output_format: Format,

    /// Write the report to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Configuration file [default: the nearest lint.toml from the first path upward, up to the repository root]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Only these rules (comma-separated), on top of lint.toml
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Turn these rules off (comma-separated), on top of lint.toml
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Exit 1 when logging coverage is below PCT (overrides [coverage] fail-under); with
    /// --diff-base, the coverage of the changed lines
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub fail_under: Option<f64>,

    /// Report and fail only on findings absent from this earlier JSON report; numbers show
    /// their change against it
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,

    /// Show the change of each number against this earlier JSON report (reports everything)
    #[arg(long, value_name = "REPORT.json", conflicts_with = "baseline")]
    pub compare: Option<PathBuf>,

    /// Findings and logging coverage of the lines changed since git REV ("patch coverage")
    #[arg(long, value_name = "REV")]
    pub diff_base: Option<String>,

    /// `github` format: annotations printed at most; the rest are counted in a notice
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_annotations: usize,

    /// Print one line per rule (count, name) and the summary lines, instead of each finding and the tables
    #[arg(long)]
    pub statistics: bool,

    /// Exit 0 even with findings (still 2 on errors)
    #[arg(long)]
    pub exit_zero: bool,

    /// Apply the safe fixes, then report what is left: the missing log line written where the
    /// error path starts, with the crate's logging crate (`tracing::warn!(error = %e, "…")`, or
    /// `log::warn!`), the error bound where the pattern drops it (`Err(_)` → `Err(e)`), or added
    /// to a log line that leaves it out. Runs again until nothing more applies
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, also apply the unsafe fixes: those that may need a logging crate
    /// the crate does not name yet, or that assume a `Result` (`.inspect_err(..)` before `.ok()`)
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes --fix would apply in its first pass as a unified diff, and write
    /// nothing; exit 1 when there are any
    #[arg(long)]
    pub diff: bool,

    /// Warnings also make the exit code 1
    #[arg(long, overrides_with = "no_deny_warnings")]
    pub deny_warnings: bool,

    /// Warnings do not fail the run (undoes an earlier --deny-warnings, e.g. a hook's)
    #[arg(long, overrides_with = "deny_warnings")]
    pub no_deny_warnings: bool,

    /// Do not fail on logging coverage (--fail-under, [coverage] fail-under, the ratchet): for
    /// checks of a few files, such as a pre-commit hook on staged files
    #[arg(long, conflicts_with = "coverage_gate_only")]
    pub no_coverage_gate: bool,

    /// Fail only on the logging coverage gates, never on findings: a project's coverage check
    #[arg(long)]
    pub coverage_gate_only: bool,

    /// Print the configuration this run would use, and the file it comes from, then exit
    #[arg(long)]
    pub show_settings: bool,

    /// When to use colour (NO_COLOR is honoured with `auto`)
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// Print only the diagnostics, no summary
    #[arg(short, long)]
    pub quiet: bool,

    /// Print the wall time of each phase (walk, collect, resolve, report, print), and the peak
    /// memory after each (Linux), on stderr
    #[arg(long)]
    pub timings: bool,

    /// Do not read or write the cache: each file's facts, and the last result for these paths,
    /// reused when nothing changed (.obsdebt_cache/ at the workspace root, or $OBSDEBT_CACHE_DIR;
    /// safe to delete)
    #[arg(long)]
    pub no_cache: bool,

    /// Worker threads [default: one per core]
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn parse_percent(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{s}` is not a percentage from 0 to 100"))
    }
}

/// Runs the command line and returns the exit code.
pub fn main<I: IntoIterator<Item = OsString>>(args: I) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Check(args) => run_check(*args),
        Command::Rule { name } => run_rule(name.as_deref()),
        Command::Init => run_init(),
    }
}

/// NO_COLOR set to anything non-empty turns automatic colour off (no-color.org).
fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && !no_color_env()
}

fn error(msg: &str) {
    let _ = writeln!(std::io::stderr(), "obsdebt: error: {msg}");
}

fn run_check(args: CheckArgs) -> i32 {
    // Every parallel step of the run (collect, report, print) uses `--threads` threads.
    crate::collect::init_global_pool(args.threads);
    let opts = CheckOptions {
        paths: args.paths.clone(),
        config: args.config.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        threads: args.threads,
        // `full` shows code; `rdjson` converts columns to bytes with the lines they are on.
        want_sources: matches!(args.output_format, Format::Full | Format::Rdjson),
        baseline: args.baseline.clone(),
        compare: args.compare.clone(),
        diff_base: args.diff_base.clone(),
        cache: !args.no_cache,
        progress: std::io::stderr().is_terminal() && !args.quiet,
        cwd: None,
    };
    if args.show_settings {
        return match check::settings(&opts) {
            Ok(config) => {
                let _ = write!(std::io::stdout(), "{}", show_settings(&config, &args.paths));
                0
            }
            Err(CheckError::Config(e)) => {
                let _ = write!(std::io::stderr(), "{}", e.render(stderr_color()));
                let _ = writeln!(std::io::stderr());
                2
            }
            Err(CheckError::Usage(m)) => {
                error(&m);
                2
            }
        };
    }
    if args.fix || args.diff {
        if let Some(code) = fix_passes(&args, &opts) {
            return code;
        }
    }
    let mut out = match check::run(&opts) {
        Ok(o) => o,
        Err(e) => return check_error(e),
    };
    out.report.gate_failures = gate_failures(&args, &out);
    out.report.gate_source = out.config.path.as_deref().map(crate::workspace::display);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => args.output.is_none() && std::io::stdout().is_terminal() && !no_color_env(),
    };
    let render_opts = RenderOptions {
        color,
        quiet: args.quiet,
        statistics: args.statistics,
        max_annotations: args.max_annotations,
    };
    let print_clock = std::time::Instant::now();
    // The result is stored for the next run while this one is printed.
    // Machine formats name files from the repository's top level, wherever obsdebt runs.
    let machine = matches!(
        args.output_format,
        Format::Sarif | Format::Gitlab | Format::Github | Format::Rdjson
    );
    let rebased = match (machine, repository_root(&args.paths)) {
        (true, Some((cwd, root))) => Some(crate::report::rebased(&out.report, &cwd, &root)),
        _ => None,
    };
    let shown = rebased.as_ref().unwrap_or(&out.report);
    let (parts, print_error) = std::thread::scope(|s| {
        s.spawn(|| out.store_result());
        render_guarded(shown, args.output_format, &render_opts)
    });
    let write_parts = |w: &mut dyn Write| -> std::io::Result<()> {
        for part in &parts {
            w.write_all(part.as_bytes())?;
        }
        w.flush()
    };
    let written = match &args.output {
        Some(path) => {
            crate::atomic::write_output(path, write_parts).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match write_parts(&mut stdout) {
                Ok(()) => Ok(()),
                // `obsdebt check | head`: the reader left; that is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return exit_code(&args, &out),
                Err(e) => Err(format!("cannot write the report: {e}")),
            }
        }
    };
    if let Err(m) = written {
        error(&m);
        return 2;
    }
    if args.timings {
        let t = &out.timings;
        let ms = |d: std::time::Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
        let _ = writeln!(
            std::io::stderr(),
            "timings: {} files{}; walk {}, collect (read + parse + extract, parallel) {}, resolve {}, report {}, print {}",
            t.files,
            if t.reused {
                ", unchanged since the last run (its result reused)"
            } else {
                ""
            },
            ms(t.walk),
            ms(t.collect),
            ms(t.resolve),
            ms(t.report),
            ms(print_clock.elapsed())
        );
        let peaks: Vec<Option<u64>> = t.peak_kib.iter().copied().chain([check::peak_memory_kib()]).collect();
        if peaks.iter().all(Option::is_some) {
            let mib = |k: Option<u64>| format!("{} MiB", k.unwrap_or(0).div_ceil(1024));
            let _ = writeln!(
                std::io::stderr(),
                "peak memory: after walk {}, collect {}, resolve {}, report {}, print {}",
                mib(peaks[0]),
                mib(peaks[1]),
                mib(peaks[2]),
                mib(peaks[3]),
                mib(peaks[4])
            );
        }
    }
    for e in out.io_errors.iter().chain(&out.internal_errors).chain(&print_error) {
        error(e);
    }
    if out.report.files_scanned == 0 && out.io_errors.is_empty() && !args.quiet {
        let where_ = if args.paths.is_empty() {
            ".".to_string()
        } else {
            args.paths
                .iter()
                .map(|p| crate::workspace::display(p))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            std::io::stderr(),
            "obsdebt: warning: no Rust files found in {where_} (after excludes and .gitignore); nothing was checked"
        );
    }
    let code = if print_error.is_some() {
        2
    } else {
        exit_code(&args, &out)
    };
    // The process ends here: freeing every fact one by one would only cost time.
    std::mem::forget(out);
    code
}

/// Renders the report; a panic in the printer (a bug in obsdebt) is an internal error, and the
/// findings are still printed in the concise format (for `full`) so that the report is not lost.
fn render_guarded(report: &report::Report, format: Format, opts: &RenderOptions) -> (Vec<String>, Option<String>) {
    let render = |format: Format| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::rules::internal_error::inject("print", &format!("{format:?}").to_lowercase());
            report::render_parts(report, format, opts)
        }))
    };
    let payload = match render(format) {
        Ok(parts) => return (parts, None),
        Err(payload) => payload,
    };
    let message = format!(
        "internal error while printing the report: {}; please report it at {}/issues",
        crate::collect::panic_message(&*payload),
        report::HOMEPAGE
    );
    let fallback = if format == Format::Full {
        render(Format::Concise).ok()
    } else {
        None
    };
    match fallback {
        Some(parts) => (
            parts,
            Some(format!("{message} (the findings are shown in the concise format)")),
        ),
        None => (Vec::new(), Some(message)),
    }
}

/// Says why a check could not run; its exit code.
fn check_error(e: CheckError) -> i32 {
    match e {
        CheckError::Config(e) => {
            let _ = write!(std::io::stderr(), "{}", e.render(stderr_color()));
            let _ = writeln!(std::io::stderr());
        }
        CheckError::Usage(m) => error(&m),
    }
    2
}

/// Passes of `--fix` at most: each applies the fixes that do not overlap one taken before it.
const MAX_FIX_PASSES: usize = 10;

/// `--fix`: checks and applies fixes until none is left (then the caller reports what remains);
/// `--diff`: prints the first pass's fixes. `Some(exit code)` when the run ends here.
fn fix_passes(args: &CheckArgs, opts: &CheckOptions) -> Option<i32> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let (mut fixed, mut files) = (0, std::collections::BTreeSet::new());
    for _ in 0..MAX_FIX_PASSES {
        let out = match check::run(opts) {
            Ok(o) => o,
            Err(e) => return Some(check_error(e)),
        };
        let plan = crate::apply::plan(&out.report, &cwd, args.unsafe_fixes);
        for p in &plan.problems {
            error(p);
        }
        if args.diff {
            let _ = write!(std::io::stdout(), "{}", crate::apply::unified_diff(&plan));
            let _ = writeln!(
                std::io::stderr(),
                "obsdebt: {} would be applied in {}",
                match plan.applied() {
                    1 => "1 fix".to_string(),
                    n => format!("{n} fixes"),
                },
                crate::report::summary::plural(plan.files.len(), "file")
            );
            return Some(i32::from(plan.applied() > 0));
        }
        if plan.applied() == 0 {
            break;
        }
        let failed = crate::apply::write(&plan);
        if !failed.is_empty() {
            failed.iter().for_each(|m| error(m));
            return Some(2);
        }
        fixed += plan.applied();
        files.extend(plan.files.into_iter().map(|f| f.display));
    }
    let _ = writeln!(
        std::io::stderr(),
        "obsdebt: fixed {} in {}",
        crate::report::summary::plural(fixed, "finding"),
        crate::report::summary::plural(files.len(), "file")
    );
    None
}

fn exit_code(args: &CheckArgs, out: &check::CheckOutput) -> i32 {
    if !out.io_errors.is_empty() || !out.internal_errors.is_empty() {
        return 2;
    }
    if args.exit_zero {
        return 0;
    }
    let report = &out.report;
    let deny_warnings = args.deny_warnings && !args.no_deny_warnings;
    let findings_fail = !args.coverage_gate_only
        && (report.count(Severity::Error) > 0 || (deny_warnings && report.count(Severity::Warning) > 0));
    for g in &report.gate_failures {
        let _ = writeln!(std::io::stderr(), "obsdebt: {g}");
    }
    i32::from(findings_fail || !report.gate_failures.is_empty())
}

/// The coverage gates the run fails, as sentences: the coverage (of the patch, with
/// --diff-base) under `--fail-under` or `[coverage] fail-under`, or a drop under the ratchet.
fn gate_failures(args: &CheckArgs, out: &check::CheckOutput) -> Vec<String> {
    let mut failed = Vec::new();
    if args.no_coverage_gate || args.exit_zero || out.report.logging_off {
        return failed;
    }
    let report = &out.report;
    if let Some(min) = args.fail_under.or(out.config.fail_under) {
        // With --diff-base the gate is the coverage of new code, as Codecov's patch status.
        let (pct, what) = match &report.patch {
            Some(p) => (p.counts.percent(), "patch coverage"),
            None => (report.total.percent(), "logging coverage"),
        };
        if let Some(pct) = pct.filter(|p| *p < min) {
            failed.push(format!(
                "{what} {} is under the required {min:.1}%",
                show_percent(Some(pct))
            ));
        }
    }
    if out.config.ratchet && args.baseline.is_some() {
        let before = report.previous.as_ref().and_then(|p| p.percent);
        if let (Some(now), Some(before)) = (report.total.percent(), before) {
            if now < before {
                failed.push(format!(
                    "logging coverage dropped from {} to {} ([coverage] ratchet = true)",
                    show_percent(Some(before)),
                    show_percent(Some(now))
                ));
            }
        }
    }
    failed
}

/// The current directory and the repository's top level (the directory holding `.git` above
/// it or above the first path; else the Cargo workspace root around the first path).
fn repository_root(paths: &[std::path::PathBuf]) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok())?;
    let first = paths
        .first()
        .and_then(|p| std::fs::canonicalize(cwd.join(p)).ok())
        .unwrap_or_else(|| cwd.clone());
    let root = crate::workspace::repository_root(&first)
        .or_else(|| crate::workspace::repository_root(&cwd))
        .or_else(|| crate::workspace::workspace_root(&first.join("x")))?;
    Some((cwd, root))
}

/// `--show-settings`: where the configuration comes from and what it says.
fn show_settings(config: &crate::config::Config, paths: &[std::path::PathBuf]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let start = paths
        .first()
        .map(|p| crate::workspace::display(p))
        .unwrap_or_else(|| ".".to_string());
    let _ = match &config.path {
        Some(p) => writeln!(out, "configuration file: {}", crate::workspace::display(p)),
        None => writeln!(
            out,
            "configuration file: none (defaults; no lint.toml from {start} up to the repository root)"
        ),
    };
    let _ = writeln!(
        out,
        "exclude globs relative to: {}",
        crate::workspace::display(&config.root)
    );
    let _ = writeln!(out, "\n[rules]");
    for r in rule::ALL {
        let level = config.level(r.name).as_str();
        let changed = if config.level(r.name) == r.default_level {
            ""
        } else {
            "  # changed from the default"
        };
        let _ = writeln!(out, "{:<22} = \"{level}\"{changed}", r.name);
    }
    let _ = writeln!(out, "\n[coverage]");
    let _ = match config.fail_under {
        Some(f) => writeln!(out, "fail-under = {f:.1}"),
        None => writeln!(out, "# fail-under: not set"),
    };
    let _ = writeln!(out, "ratchet = {}", config.ratchet);
    let _ = writeln!(out, "\n[files]");
    let _ = writeln!(out, "exclude = {:?}", config.exclude_patterns);
    out
}

fn run_rule(name: Option<&str>) -> i32 {
    let mut out = String::new();
    match name {
        None => {
            for r in rule::ALL {
                let level = r.default_level.as_str();
                out.push_str(&format!("{:<22} {:<6} {}\n", r.name, level, r.summary));
            }
            out.push_str("\nRun `obsdebt rule NAME` for one rule's documentation.\n");
        }
        Some(n) => match rule::find(n) {
            Some(r) => out.push_str(&format!("# {}\n\n{}\n\n{}", r.name, r.summary, r.doc)),
            None => {
                error(&format!(
                    "unknown rule `{n}` (known rules: {})",
                    rule::names().join(", ")
                ));
                return 2;
            }
        },
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    0
}

fn run_init() -> i32 {
    let path = std::path::Path::new(crate::config::FILE_NAME);
    if path.exists() {
        error("lint.toml already exists here; remove it first if you want a fresh one");
        return 2;
    }
    match std::fs::write(path, crate::config::starter()) {
        Ok(()) => {
            println!("wrote lint.toml; every option is commented out at its default");
            0
        }
        Err(e) => {
            error(&format!("cannot write lint.toml: {e}"));
            2
        }
    }
}

//! `obsdebt check`: the pipeline, phase by phase — configure, walk, collect, resolve, report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::collect::{self, FileError, Job};
use crate::config::{self, Config, ConfigError};
use crate::coverage::Counts;
use crate::diagnostic::{assign_fingerprints, Diagnostic, Severity};
use crate::facts::FileFacts;
use crate::report::{CrateCoverage, FileCoverage, Report, SuppressedFinding};
use crate::resolve::names::Names;
use crate::resolve::{self, requests, Class, FileInput};
use crate::rule::{self, Level};
use crate::rules;
use crate::suppress::Suppression;
use crate::walk;
use crate::workspace::{self, Layout};

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// 0: one thread per core.
    pub threads: usize,
    /// Read the sources of files with findings (for printers that show code).
    pub want_sources: bool,
    /// An earlier JSON report: only findings absent from it are reported.
    pub baseline: Option<PathBuf>,
    /// An earlier JSON report to compare numbers with.
    pub compare: Option<PathBuf>,
    /// A git revision: report the lines changed since it.
    pub diff_base: Option<String>,
    /// Read and write the cache (`.obsdebt_cache/` at the workspace root, or
    /// `$OBSDEBT_CACHE_DIR`).
    pub cache: bool,
    /// Show a progress bar on stderr if collecting takes more than a second (the CLI sets it
    /// when stderr is a terminal).
    pub progress: bool,
    /// The directory relative paths (the paths to check, `--config`, `--baseline`) are read from
    /// and files are shown relative to, and where `--diff-base` asks git; `None`: the process's
    /// current directory.
    pub cwd: Option<PathBuf>,
}

/// A failure that stops the run before a report exists (exit code 2).
#[derive(Debug)]
pub enum CheckError {
    Config(ConfigError),
    Usage(String),
}

pub struct CheckOutput {
    pub report: Report,
    /// Where this run's result goes in the cache, for the next run with nothing changed: stored
    /// by [`CheckOutput::store_result`] (the CLI does it while it prints).
    pub to_store: Option<StoredRun>,
    pub config: Config,
    /// Files that could not be read, and given paths that do not exist: exit code 2.
    pub io_errors: Vec<String>,
    /// Panics caught in obsdebt (files and phases): exit code 2.
    pub internal_errors: Vec<String>,
    pub timings: Timings,
}

/// A run's place in the cache, and the key over everything it read.
pub struct StoredRun {
    cache: crate::cache::Cache,
    slot: String,
    key: String,
}

impl CheckOutput {
    /// Stores the report for the next run over the same, unchanged inputs (if this run's result
    /// can be reused at all).
    pub fn store_result(&self) {
        if let Some(s) = &self.to_store {
            s.cache.put_run(&s.slot, &s.key, &self.report);
        }
    }
}

/// Wall time of each phase (`--timings`).
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub files: usize,
    pub walk: std::time::Duration,
    /// Read, parse and extract, in parallel.
    pub collect: std::time::Duration,
    pub resolve: std::time::Duration,
    pub report: std::time::Duration,
    /// Nothing the run reads changed since the last run on the same paths: its stored result
    /// was reused.
    pub reused: bool,
    /// Peak resident memory (KiB) at the end of walk, collect, resolve and report, where the
    /// system tells (Linux).
    pub peak_kib: [Option<u64>; 4],
}

/// The process's peak resident memory so far, in KiB (`VmHWM`; Linux only).
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn run(opts: &CheckOptions) -> Result<CheckOutput, CheckError> {
    let mut setup = configure(opts)?;
    let earlier = setup.earlier.take();
    let mut timings = Timings::default();

    let clock = std::time::Instant::now();
    let tree = walk_files(&setup);
    timings.walk = clock.elapsed();
    timings.peak_kib[0] = peak_memory_kib();

    let clock = std::time::Instant::now();
    let cache = if opts.cache {
        crate::cache::Cache::open(
            &cache_root(
                &setup.config,
                &setup.paths,
                setup.cwd.as_deref().unwrap_or(Path::new(".")),
            ),
            &setup.config.knowledge,
            collect::facts_layout(&setup.config.knowledge),
        )
    } else {
        None
    };
    let run_inputs = RunInputs {
        paths: &setup.paths,
        walked: &tree.walked,
        places: &tree.places,
        layout: &tree.layout,
        config: &setup.config,
    };
    // A run whose inputs are all unchanged reuses its stored result. Not with a baseline, a
    // comparison or a diff base (they read inputs the key does not cover), nor when a path
    // given was missing or a test injects a panic.
    let run_cache = cache.as_ref().filter(|_| {
        opts.baseline.is_none()
            && opts.compare.is_none()
            && opts.diff_base.is_none()
            && tree.walked.errors.is_empty()
            && std::env::var_os(rules::internal_error::INJECT_ENV).is_none()
    });
    let collected = match collect_facts(opts, &setup, &tree, cache.as_ref(), run_cache.map(|c| (c, &run_inputs))) {
        Collect::Reused(mut report) => {
            timings.reused = true;
            timings.collect = clock.elapsed();
            timings.peak_kib[1] = peak_memory_kib();
            timings.peak_kib[2] = timings.peak_kib[1];
            if opts.want_sources {
                report.sources = sources_of(&tree.walked);
            }
            timings.peak_kib[3] = peak_memory_kib();
            timings.files = tree.walked.files.len();
            return Ok(CheckOutput {
                timings,
                to_store: None,
                internal_errors: Vec::new(),
                report: *report,
                io_errors: tree.walked.errors.clone(),
                config: setup.config,
            });
        }
        Collect::Fresh(c) => c,
    };
    let mut collected = collected;
    timings.collect = clock.elapsed();
    timings.peak_kib[1] = peak_memory_kib();

    let clock = std::time::Instant::now();
    let resolved = resolve_worlds(&setup, &tree, &collected);
    timings.resolve = clock.elapsed();
    timings.peak_kib[2] = peak_memory_kib();

    let clock = std::time::Instant::now();
    let content_keys = std::mem::take(&mut collected.content_keys);
    let (mut report, io_errors, internal_errors) = report_files(opts, &setup, earlier, &tree, collected, resolved);
    // Keyed by the content that was analysed, read by the collect phase itself.
    let to_store = match (run_cache, io_errors.is_empty() && internal_errors.is_empty()) {
        (Some(c), true) => run_inputs.key(&content_keys).map(|key| StoredRun {
            cache: c.clone(),
            slot: run_inputs.slot(),
            key,
        }),
        _ => None,
    };
    if opts.want_sources {
        report.sources = sources_of(&tree.walked);
    }
    timings.report = clock.elapsed();
    timings.peak_kib[3] = peak_memory_kib();
    timings.files = tree.walked.files.len();
    Ok(CheckOutput {
        timings,
        to_store,
        internal_errors,
        report,
        config: setup.config,
        io_errors,
    })
}

/// What the run was asked, settled before any file is read.
struct Setup {
    /// The paths to check, joined to `cwd` when relative.
    paths: Vec<PathBuf>,
    /// The directory the run works from, its real path ([`CheckOptions::cwd`]).
    cwd: Option<PathBuf>,
    config: Config,
    /// The report given with `--baseline` or `--compare`.
    earlier: Option<crate::baseline::Earlier>,
    /// The lines changed since `--diff-base`.
    changed: Option<crate::diff::Changed>,
}

/// Configure: the paths, the configuration with the rule selection applied, and the earlier
/// report and changed lines the run compares with.
fn configure(opts: &CheckOptions) -> Result<Setup, CheckError> {
    let cwd = working_dir(opts);
    let paths = given_paths(opts, cwd.as_deref());
    let shown = |p: &Path| workspace::display_from(p, cwd.as_deref());
    // Nothing to check at all is a usage error, before any report; a missing path among others
    // is reported with the run's I/O errors.
    let missing: Vec<String> = paths
        .iter()
        .filter_map(|p| match std::fs::symlink_metadata(p) {
            Ok(_) => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Some(format!("{}: no such file or directory", shown(p)))
            }
            Err(e) => Some(format!("{}: {e}", shown(p))),
        })
        .collect();
    if missing.len() == paths.len() {
        return Err(CheckError::Usage(format!("{}; nothing to check", missing.join("; "))));
    }
    let mut config = load_config(opts, &paths, cwd.as_deref())?;
    apply_selection(&mut config, &opts.select, &opts.ignore)?;
    let earlier = match opts.baseline.as_ref().or(opts.compare.as_ref()) {
        Some(path) => Some(crate::baseline::load(path, &joined(cwd.as_deref(), path)).map_err(CheckError::Usage)?),
        None => None,
    };
    let here = cwd.clone().unwrap_or_else(|| PathBuf::from("."));
    let changed = match &opts.diff_base {
        Some(rev) => Some(crate::diff::changed_since(rev, &here).map_err(CheckError::Usage)?),
        None => None,
    };
    Ok(Setup {
        paths,
        cwd,
        config,
        earlier,
        changed,
    })
}

/// The files to check, the packages they belong to, and what each file's package says of it.
struct Tree {
    walked: walk::Walk,
    layout: Layout,
    places: Vec<workspace::FilePlace>,
    /// Per crate: itself and the crates it depends on ([`Layout::reach`]).
    reach: Vec<Vec<usize>>,
    roles: FileRoles,
}

/// The run's directory, its real path: [`CheckOptions::cwd`] or the process's.
fn working_dir(opts: &CheckOptions) -> Option<PathBuf> {
    match &opts.cwd {
        Some(dir) => Some(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone())),
        None => workspace::current_dir(),
    }
}

/// `path` read from `cwd` when it is relative.
fn joined(cwd: Option<&Path>, path: &Path) -> PathBuf {
    match cwd {
        Some(dir) => dir.join(path),
        None => path.to_path_buf(),
    }
}

/// The paths to check (`.` when none is given), joined to the run's directory.
fn given_paths(opts: &CheckOptions, cwd: Option<&Path>) -> Vec<PathBuf> {
    if opts.paths.is_empty() {
        vec![joined(cwd, Path::new("."))]
    } else {
        opts.paths.iter().map(|p| joined(cwd, p)).collect()
    }
}

/// Walk: the files under the paths, and their places in the Cargo layout.
fn walk_files(setup: &Setup) -> Tree {
    let (paths, config) = (&setup.paths, &setup.config);
    let walked = walk::walk(paths, config, setup.cwd.as_deref());
    let mut layout = Layout::default();
    let cwd = setup.cwd.clone().unwrap_or_default();
    let fallback = std::fs::canonicalize(&paths[0]).unwrap_or_else(|_| cwd.clone());
    let fallback = if fallback.is_file() {
        fallback.parent().map(PathBuf::from).unwrap_or_default()
    } else {
        fallback
    };
    let absolute: Vec<PathBuf> = walked
        .files
        .iter()
        .map(|f| f.canonical.clone().unwrap_or_else(|| cwd.join(&f.path)))
        .collect();
    let places: Vec<_> = absolute.iter().map(|abs| layout.place(abs, &fallback)).collect();
    layout.mark_world_binaries();
    let reach = layout.reach();
    let roles = FileRoles::of(&layout, &reach, &places, &absolute, &config.knowledge);

    Tree {
        walked,
        layout,
        places,
        reach,
        roles,
    }
}

/// What the collect phase gives: a stored result reused whole, or each file's facts.
enum Collect {
    Reused(Box<Report>),
    Fresh(Collected),
}

/// Each file's facts and content key, and what they tell of the packages.
struct Collected {
    facts: Vec<Result<FileFacts, FileError>>,
    content_keys: Vec<Option<String>>,
    /// [`Layout::systems`].
    systems: Vec<usize>,
    /// Per crate: a library (see [`library_packages`]).
    library: Vec<bool>,
}

/// Collect: read, parse and extract every file in parallel, from the cache where it holds the
/// file's facts; or the whole stored result, when `run_cache` has one for these inputs.
fn collect_facts(
    opts: &CheckOptions,
    setup: &Setup,
    tree: &Tree,
    cache: Option<&crate::cache::Cache>,
    run_cache: Option<(&crate::cache::Cache, &RunInputs)>,
) -> Collect {
    let config = &setup.config;
    let (walked, places, layout, roles) = (&tree.walked, &tree.places, &tree.layout, &tree.roles);
    let mut jobs: Vec<Job> = walked
        .files
        .iter()
        .zip(places)
        .zip(&roles.prints)
        .map(|((f, p), &prints)| Job {
            path: &f.path,
            test_target: p.test_target,
            prints,
            known_key: None,
        })
        .collect();
    if let Some((c, run_inputs)) = run_cache {
        let keys = collect::content_keys(&jobs);
        if let Some(report) = run_inputs
            .key(&keys)
            .and_then(|key| c.get_run(&run_inputs.slot(), &key))
        {
            return Collect::Reused(Box::new(report));
        }
        // Not unchanged: the keys just read still find each file's cached facts.
        for (job, key) in jobs.iter_mut().zip(keys) {
            job.known_key = key;
        }
    }
    let progress = crate::progress::Progress::new(jobs.len(), opts.progress);
    let (mut collected, content_keys) = collect::collect(&jobs, &config.knowledge, opts.threads, cache, &progress);
    progress.finish();
    if !config.knowledge.include_tests {
        mark_test_module_files(&mut collected, places);
    }
    roles.drop_foreign_sites(&mut collected);
    let systems = layout.systems();
    let library = library_packages(layout, &systems, places, &collected);
    Collect::Fresh(Collected {
        facts: collected,
        content_keys,
        systems,
        library,
    })
}

/// What resolve found, by the run's file index.
struct Resolved {
    classes: Vec<Vec<Option<Class>>>,
    call_graph: Option<crate::report::CallGraph>,
    /// Findings that need the whole workspace, by file: engines and configuration groups.
    workspace_diags: BTreeMap<usize, Vec<Diagnostic>>,
    layer_notes: Vec<Option<String>>,
    config: crate::report::ConfigMetrics,
    /// Panics caught while resolving.
    errors: Vec<String>,
}

/// Resolve: what needs the whole workspace, one world at a time. Each Cargo workspace (or
/// package outside one) is a world of its own: its names never resolve to another workspace's
/// functions, and its configuration is grouped apart.
fn resolve_worlds(setup: &Setup, tree: &Tree, collected: &Collected) -> Resolved {
    let (config, walked, places, layout) = (&setup.config, &tree.walked, &tree.places, &tree.layout);
    let worlds = world_files(layout, places);
    let analysed: Vec<WorldAnalysis> = {
        use rayon::prelude::*;
        worlds
            .par_iter()
            .map(|files| {
                let around = WorldScope {
                    systems: &collected.systems,
                    library: &collected.library,
                    reach: &tree.reach,
                };
                analyse_world(files, &collected.facts, places, layout, &around, config, walked)
            })
            .collect()
    };
    let mut out = Resolved {
        classes: vec![Vec::new(); walked.files.len()],
        call_graph: None,
        workspace_diags: BTreeMap::new(),
        layer_notes: vec![None; walked.files.len()],
        config: Default::default(),
        errors: Vec::new(),
    };
    for world in analysed {
        out.errors.extend(world.errors);
        for (file, c) in world.classes {
            out.classes[file] = c;
        }
        for (file, note) in world.layer_notes {
            out.layer_notes[file] = note;
        }
        if let Some(g) = world.call_graph {
            let total = out.call_graph.get_or_insert_with(Default::default);
            total.handlers += g.handlers;
            total.per_request_functions += g.per_request_functions;
            total.resolved += g.resolved;
            total.ambiguous += g.ambiguous;
            total.unresolved += g.unresolved;
        }
        count_config(&world.config_groups, walked, &mut out.config);
        for (file, d) in world.diagnostics {
            out.workspace_diags.entry(file).or_default().push(d);
        }
    }
    out
}

/// Report: rules turn classified sites into diagnostics; suppressions apply; coverage sums;
/// findings are sorted, fingerprinted, compared with the earlier report and kept to the changed
/// lines (the earlier report is `--baseline`'s or `--compare`'s, taken from the setup). Each
/// file's facts are dropped as soon as its findings exist. Returns the report and the run's
/// I/O and internal errors.
fn report_files(
    opts: &CheckOptions,
    setup: &Setup,
    earlier: Option<crate::baseline::Earlier>,
    tree: &Tree,
    collected: Collected,
    resolved: Resolved,
) -> (Report, Vec<String>, Vec<String>) {
    let (paths, config, changed) = (&setup.paths, &setup.config, setup.changed.as_ref());
    let (walked, places, layout) = (&tree.walked, &tree.places, &tree.layout);
    let mut io_errors = walked.errors.clone();
    let mut internal_errors = resolved.errors;
    let mut workspace_diags = resolved.workspace_diags;
    let (classes, layer_notes) = (resolved.classes, resolved.layer_notes);
    let mut report = Report {
        logging_off: rule::ALL
            .iter()
            .filter(|r| r.counted == rule::Counted::Unlogged)
            .all(|r| config.level(r.name) == Level::Off),
        config: resolved.config,
        ..Report::default()
    };
    let mut patch = changed.map(|c| crate::report::Patch {
        base: c.base.clone(),
        changed_files: c.files(),
        changed_lines: c.line_count(),
        ..Default::default()
    });
    let mut crate_counts: BTreeMap<usize, Counts> = BTreeMap::new();
    // Each file's findings are assembled in parallel, then merged in file order.
    let ctx = FileContext { config, changed };
    let extras: Vec<Vec<Diagnostic>> = (0..walked.files.len())
        .map(|i| workspace_diags.remove(&i).unwrap_or_default())
        .collect();
    // The logging crate each crate's fixes write with.
    let styles = rules::fix::crate_styles(
        collected
            .facts
            .iter()
            .zip(places)
            .filter_map(|(f, p)| Some((p.krate, f.as_ref().ok()?.crates_used.as_slice()))),
    );
    // Each file's facts are dropped as soon as its findings exist.
    let results: Vec<FileResult> = {
        use rayon::prelude::*;
        collected
            .facts
            .into_par_iter()
            .zip(walked.files.par_iter())
            .zip(places.par_iter())
            .zip(extras.into_par_iter())
            .zip(classes.into_par_iter())
            .zip(layer_notes.par_iter())
            .map(|(((((facts, file), place), extra), classes), note)| {
                if !file.in_scope {
                    return FileResult::OutOfScope;
                }
                let style = styles.get(&place.krate).copied().unwrap_or_default();
                match facts {
                    Err(e) => FileResult::Failed(e),
                    Ok(facts) => FileResult::Reported(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        rules::internal_error::inject("report", &file.display);
                        let file = ReportedFile {
                            display: &file.display,
                            facts: &facts,
                            style,
                        };
                        report_file(&ctx, &file, &classes, extra, note.as_deref())
                    }))),
                }
            })
            .collect()
    };
    // One allocation for all findings: growing by doubling would hold up to twice their size.
    let findings: usize = results
        .iter()
        .map(|r| match r {
            FileResult::Reported(Ok(o)) => o.diagnostics.len(),
            _ => 1,
        })
        .sum();
    report.diagnostics.reserve_exact(findings);
    for (i, (file, result)) in walked.files.iter().zip(results).enumerate() {
        let outcome = match result {
            FileResult::OutOfScope => continue,
            FileResult::Failed(e) => Err(e),
            FileResult::Reported(o) => Ok(o),
        };
        report.files_scanned += 1;
        if let Err(err) = &outcome {
            match err {
                FileError::Io(m) => io_errors.push(format!("{}: {m}", file.display)),
                FileError::Internal(_) => internal_errors.push(format!("{}: {}", file.display, err.message())),
                _ => {}
            }
            report.not_analysed.push(file.display.clone());
            if matches!(err, FileError::Internal(_)) {
                report
                    .diagnostics
                    .push(rules::internal_error::diagnostic(&file.display, err));
            } else if let Some(sev) = Severity::of(config.level(rules::parse_error::RULE.name)) {
                report
                    .diagnostics
                    .push(rules::parse_error::diagnostic(&file.display, err, sev));
            }
            continue;
        }
        let Ok(outcome) = outcome else { continue };
        let outcome = match outcome {
            Ok(o) => o,
            Err(payload) => {
                let err = FileError::Internal(format!("{} (report phase)", collect::panic_message(&*payload)));
                internal_errors.push(format!("{}: {}", file.display, err.message()));
                report.not_analysed.push(file.display.clone());
                report
                    .diagnostics
                    .push(rules::internal_error::diagnostic(&file.display, &err));
                continue;
            }
        };
        report.diagnostics.extend(outcome.diagnostics);
        report.suppressed.extend(outcome.suppressed);
        if let Some(p) = &mut patch {
            p.counts.add(&outcome.patch_counts);
        }
        let counts = outcome.counts;
        crate_counts.entry(places[i].krate).or_default().add(&counts);
        report.total.add(&counts);
        if !counts.is_empty() {
            report.files.push(FileCoverage {
                path: file.display.clone(),
                counts,
            });
        }
    }
    for (krate, counts) in crate_counts {
        let info = &layout.crates[krate];
        report.crates.push(CrateCoverage {
            name: info.name.clone(),
            path: info.display_dir.clone(),
            counts,
        });
    }
    report
        .crates
        .sort_by(|a, b| a.path.cmp(&b.path).then(a.name.cmp(&b.name)));
    report.not_analysed.sort();
    report
        .suppressed
        .sort_by(|a, b| (&a.path, a.span, a.rule).cmp(&(&b.path, b.span, b.rule)));
    sort_diagnostics(&mut report.diagnostics);
    assign_fingerprints(&mut report.diagnostics);
    // What the earlier report held and no finding has now is fixed: judged over every finding,
    // before `--diff-base` keeps those on changed lines only.
    let fixed = earlier.as_ref().map(|e| {
        let scopes: Vec<String> = paths
            .iter()
            .map(|p| crate::diagnostic::printable(&workspace::display_from(p, setup.cwd.as_deref())).into_owned())
            .collect();
        e.fixed(report.diagnostics.iter().map(|d| d.fingerprint.as_str()), |f| {
            config.level(&f.rule) != Level::Off && scopes.iter().any(|s| within(&f.path, s))
        })
    });
    // Fingerprints are assigned over every finding first, so that filtering never shifts them.
    if let Some(c) = changed {
        report.diagnostics.retain(|d| c.contains(&d.path, d.span.line));
    }
    report.patch = patch;
    if let Some(mut e) = earlier {
        if opts.baseline.is_some() {
            let (existing, new): (Vec<_>, Vec<_>) = std::mem::take(&mut report.diagnostics)
                .into_iter()
                .partition(|d| e.fingerprints.contains(&d.fingerprint));
            report.diagnostics = new;
            report.existing = existing;
            e.previous.existing = report.existing.len();
            e.previous.baseline = true;
        } else {
            e.previous.existing = report
                .diagnostics
                .iter()
                .filter(|d| e.fingerprints.contains(&d.fingerprint))
                .count();
        }
        e.previous.fixed = fixed.unwrap_or(0);
        report.previous = Some(e.previous);
    }

    make_printable(&mut report);
    report.call_graph = resolved.call_graph;
    // Printed on stderr: file names in them are escaped as in the report.
    for e in io_errors.iter_mut().chain(internal_errors.iter_mut()) {
        if let std::borrow::Cow::Owned(o) = crate::diagnostic::printable(e) {
            *e = o;
        }
    }
    io_errors.sort();
    io_errors.dedup();
    (report, io_errors, internal_errors)
}

/// A displayed path is the path checked or lies under it (`.` holds every relative path).
fn within(path: &str, scope: &str) -> bool {
    let relative = !path.starts_with('/') && !path.starts_with("..");
    (scope == "." && relative)
        || path == scope
        || path
            .strip_prefix(scope)
            .is_some_and(|rest| rest.starts_with('/') || scope.ends_with('/'))
}

/// The files of each world (Cargo workspace), by the run's file index, in file order.
fn world_files(layout: &Layout, places: &[workspace::FilePlace]) -> Vec<Vec<usize>> {
    let worlds = layout.worlds();
    let mut world_of = vec![0; layout.crates.len()];
    for (w, crates) in worlds.iter().enumerate() {
        for &c in crates {
            world_of[c] = w;
        }
    }
    let mut out = vec![Vec::new(); worlds.len()];
    for (i, place) in places.iter().enumerate() {
        out[world_of[place.krate]].push(i);
    }
    out.retain(|files| !files.is_empty());
    out
}

/// What the resolve phase found in one world, by the run's file indices.
/// What the run knows of the packages, for each world's analysis.
struct WorldScope<'a> {
    systems: &'a [usize],
    /// Per crate: a library (see [`library_packages`]).
    library: &'a [bool],
    /// Per crate: itself and the crates it depends on ([`Layout::reach`]).
    reach: &'a [Vec<usize>],
}

struct WorldAnalysis {
    classes: Vec<(usize, Vec<Option<Class>>)>,
    /// Per file: what a status-only layer installed means for its `silent-server-error` help.
    layer_notes: Vec<(usize, Option<String>)>,
    /// The findings of the rules that read the whole world, by the run's file index.
    diagnostics: Vec<(usize, Diagnostic)>,
    config_groups: resolve::config::Config,
    call_graph: Option<crate::report::CallGraph>,
    errors: Vec<String>,
}

/// The resolve phase over one world's files (`files`, indices into the run's lists);
/// `systems` is [`Layout::systems`].
fn analyse_world(
    files: &[usize],
    collected: &[Result<FileFacts, FileError>],
    places: &[workspace::FilePlace],
    layout: &Layout,
    around: &WorldScope,
    config: &Config,
    walked: &walk::Walk,
) -> WorldAnalysis {
    let systems = around.systems;
    let empty = FileFacts::default();
    let inputs: Vec<FileInput> = files
        .iter()
        .map(|&i| FileInput {
            place: &places[i],
            facts: collected[i].as_ref().unwrap_or(&empty),
        })
        .collect();
    // Crate indices stay the run's; the names of other worlds' crates are blanked, so that a path
    // never names a crate of another workspace.
    let in_world = |krate: usize| layout.crates[krate].world == layout.crates[places[files[0]].krate].world;
    let crate_names: Vec<String> = layout
        .crates
        .iter()
        .enumerate()
        .map(|(i, c)| if in_world(i) { c.name.clone() } else { String::new() })
        .collect();
    // One name index over the world's functions, read by the logging fixpoint and the call
    // graph; then three independent analyses, run side by side: logging (which functions log,
    // how each site is classified), the per-request call graph (engines), and configuration
    // groups. Each keeps its own list of internal errors.
    let names = Names::build(&inputs, &crate_names);
    let logging = || {
        let mut errors = Vec::new();
        let mut notes = Vec::new();
        let resolved = guarded("logging resolution", &mut errors, || {
            let mut resolved = resolve::resolve_with(&inputs, &names);
            notes = resolve::service::apply(
                &inputs,
                &mut resolved.classes,
                around.library,
                around.reach,
                &config.knowledge,
            );
            resolved
        })
        .unwrap_or_else(|| resolve::Resolved::unclassified(&inputs));
        (resolved, notes, errors)
    };
    let engines = || {
        let mut errors = Vec::new();
        let per_request = guarded("per-request call graph", &mut errors, || {
            requests::per_request(&names, &inputs, &config.knowledge.handlers.custom, &crate_names)
        })
        .unwrap_or_default();
        let call_graph = (!per_request.handlers.is_empty()).then(|| crate::report::CallGraph {
            handlers: per_request.handlers.len(),
            per_request_functions: per_request.reached.iter().filter(|r| **r).count(),
            resolved: per_request.stats.resolved,
            ambiguous: per_request.stats.ambiguous,
            unresolved: per_request.stats.unresolved,
        });
        (per_request, call_graph, errors)
    };
    let config_grouping = || {
        let mut errors = Vec::new();
        let mut groups = guarded("configuration grouping", &mut errors, || {
            resolve::config::group(&inputs, &config.knowledge.config, systems, around.reach, &crate_names)
        })
        .unwrap_or_default();
        for m in &mut groups.members {
            m.file = files[m.file];
        }
        (groups, errors)
    };
    let ((resolved, notes, mut errors), ((per_request, call_graph, engine_errors), (config_groups, config_errors))) =
        rayon::join(logging, || rayon::join(engines, config_grouping));
    errors.extend(engine_errors);
    errors.extend(config_errors);
    WorldAnalysis {
        classes: files.iter().copied().zip(resolved.classes).collect(),
        layer_notes: files.iter().copied().zip(notes).collect(),
        diagnostics: rules::world_diagnostics(
            &rules::World {
                names: &names,
                per_request: &per_request,
                config: &config_groups,
                files,
            },
            config,
            walked,
        ),
        config_groups,
        call_graph,
        errors,
    }
}

/// Counts the world's configuration groups in `metrics`: every group with a place in a reported
/// file, whatever the rules' levels.
fn count_config(groups: &resolve::config::Config, walked: &walk::Walk, metrics: &mut crate::report::ConfigMetrics) {
    for g in &groups.groups {
        if rules::duplicated_config::primary(groups, g, walked).is_none() {
            continue;
        }
        if g.conflict.is_some() {
            metrics.conflicting += 1;
        } else {
            metrics.duplicated += 1;
        }
        metrics.places += g.members.len();
    }
    metrics.values += groups
        .members
        .iter()
        .filter(|m| m.counted && walked.files[m.file].in_scope)
        .count();
}

/// Where to read each file a printer shows (by displayed path): the printer reads each file when
/// it gets to it; only the paths are kept here.
fn sources_of(walked: &walk::Walk) -> BTreeMap<String, PathBuf> {
    walked
        .files
        .iter()
        .map(|f| (crate::diagnostic::printable(&f.display).into_owned(), f.path.clone()))
        .collect()
}

/// Everything a run's result depends on besides the files' contents.
struct RunInputs<'a> {
    paths: &'a [PathBuf],
    walked: &'a walk::Walk,
    places: &'a [workspace::FilePlace],
    layout: &'a Layout,
    config: &'a Config,
}

impl RunInputs<'_> {
    /// Which stored run this is: the same paths asked for from the same directory.
    fn slot(&self) -> String {
        let material = format!("{:?}", self.paths);
        crate::cache::content_key(material.as_bytes(), false)
    }

    /// A key over everything the result depends on: obsdebt itself, the configuration, the
    /// workspace layout (crates, their dependency links), and each file's name, place and
    /// content key. `None` when a file has no content key (it could not be read).
    fn key(&self, content_keys: &[Option<String>]) -> Option<String> {
        use std::fmt::Write as _;
        // The executable's size and modification time: a rebuilt obsdebt (same version, other
        // code) never reuses a result it did not compute.
        let build = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| format!("{} {:?}", m.len(), m.modified().ok()))
            .unwrap_or_default();
        let mut material = String::new();
        let _ = write!(
            material,
            "{} {build}\n{:?}\n{:?}\n{:?}\n",
            env!("CARGO_PKG_VERSION"),
            self.config,
            self.layout.crates,
            self.layout.systems()
        );
        for ((file, place), key) in self.walked.files.iter().zip(self.places).zip(content_keys) {
            let _ = writeln!(material, "{file:?}\t{place:?}\t{}", key.as_ref()?);
        }
        Some(crate::cache::content_key(material.as_bytes(), false))
    }
}

/// Where the cache lives: beside the `lint.toml` in use, else at the workspace root around the
/// first path, else in the current directory.
fn cache_root(config: &Config, paths: &[PathBuf], cwd: &Path) -> PathBuf {
    if let Some(dir) = config
        .path
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .and_then(|p| p.parent().map(PathBuf::from))
    {
        return dir;
    }
    let first = std::fs::canonicalize(&paths[0]).unwrap_or_else(|_| paths[0].clone());
    let probe = if first.is_dir() {
        first.join("Cargo.toml")
    } else {
        first.clone()
    };
    let root = workspace::workspace_root(&probe).unwrap_or_else(|| cwd.to_path_buf());
    // Never above the repository: a workspace manifest outside it is someone else's.
    match probe.parent().and_then(workspace::repository_root) {
        Some(repo) if !root.starts_with(&repo) => repo,
        _ => root,
    }
}

/// `#[cfg(test)] mod helpers;` in one file makes the file that implements `helpers` (and what
/// lies below it) test code.
/// What the package layout says about each file before it is read.
struct FileRoles {
    /// Where its print macros report to a user.
    prints: Vec<crate::facts::PrintScope>,
    /// Its error paths are not the service's: a build script, or a procedural macro crate.
    foreign: Vec<bool>,
}

impl FileRoles {
    fn of(
        layout: &Layout,
        reach: &[Vec<usize>],
        places: &[workspace::FilePlace],
        absolute: &[PathBuf],
        k: &crate::knowledge::Knowledge,
    ) -> FileRoles {
        use crate::facts::PrintScope;
        let terminal = layout.terminal_packages(reach, &k.server_crates);
        let (prints, foreign) = places
            .iter()
            .zip(absolute)
            .map(|(place, abs)| {
                let info = &layout.crates[place.krate];
                let rel = abs.strip_prefix(&info.dir).unwrap_or(abs);
                let prints = if terminal[place.krate] {
                    PrintScope::Terminal
                } else if info.targets.library && info.is_binary_file(rel) {
                    PrintScope::UnlessServer
                } else {
                    PrintScope::Service
                };
                (prints, info.targets.proc_macro || info.is_build_script(rel))
            })
            .unzip();
        FileRoles { prints, foreign }
    }

    fn drop_foreign_sites(&self, collected: &mut [Result<FileFacts, FileError>]) {
        for (result, &foreign) in collected.iter_mut().zip(&self.foreign) {
            if let (true, Ok(facts)) = (foreign, result) {
                facts.drop_sites();
            }
        }
    }
}

/// Per crate: a library, whose 5xx responses are returned to its caller: its workspace has no
/// binary target (on disk: a run may read part of it), and no package linked to it by
/// dependencies has a handler marked as one (a route attribute, a tonic service method).
fn library_packages(
    layout: &Layout,
    systems: &[usize],
    places: &[workspace::FilePlace],
    collected: &[Result<FileFacts, FileError>],
) -> Vec<bool> {
    use crate::facts::HandlerHow;
    let n = layout.crates.len();
    let mut handles = vec![false; n];
    for (place, facts) in places.iter().zip(collected) {
        let Ok(facts) = facts else { continue };
        let marked = facts.fns.iter().any(|f| {
            !f.is_test
                && f.handler
                    .as_ref()
                    .is_some_and(|h| matches!(h.how, HandlerHow::Attribute | HandlerHow::Tonic))
        });
        handles[systems[place.krate]] |= marked;
    }
    (0..n)
        .map(|i| !handles[systems[i]] && !layout.crates[i].targets.world_binary)
        .collect()
}

fn mark_test_module_files(collected: &mut [Result<FileFacts, FileError>], places: &[workspace::FilePlace]) {
    let mut test_prefixes: Vec<(usize, Vec<String>)> = Vec::new();
    for (result, place) in collected.iter().zip(places) {
        if let Ok(facts) = result {
            for m in &facts.test_mods {
                let mut prefix = place.module.clone();
                prefix.extend(m.iter().cloned());
                test_prefixes.push((place.krate, prefix));
            }
        }
    }
    if test_prefixes.is_empty() {
        return;
    }
    for (result, place) in collected.iter_mut().zip(places) {
        let is_test = test_prefixes
            .iter()
            .any(|(k, p)| *k == place.krate && place.module.starts_with(p));
        if let (true, Ok(facts)) = (is_test, result) {
            facts.mark_test();
        }
    }
}

/// One file after the report step.
enum FileResult {
    OutOfScope,
    /// Not analysed: unreadable, not parsed, or obsdebt failed on it while collecting.
    Failed(FileError),
    /// Its findings, or the panic that stopped assembling them.
    Reported(std::thread::Result<FileOutcome>),
}

/// What the files of a run share when their findings are assembled.
struct FileContext<'a> {
    config: &'a Config,
    changed: Option<&'a crate::diff::Changed>,
}

/// One file's share of the report.
struct FileOutcome {
    diagnostics: Vec<Diagnostic>,
    suppressed: Vec<SuppressedFinding>,
    counts: Counts,
    patch_counts: Counts,
}

/// A file whose findings are assembled: as shown, its facts, and how its crate logs.
struct ReportedFile<'a> {
    display: &'a str,
    facts: &'a FileFacts,
    style: rules::fix::LogStyle,
}

/// Turns one file's classified sites and workspace findings into diagnostics, suppressions and
/// coverage counts.
fn report_file(
    ctx: &FileContext,
    file: &ReportedFile,
    classes: &[Option<Class>],
    workspace_findings: Vec<Diagnostic>,
    layer_note: Option<&str>,
) -> FileOutcome {
    let (display, facts) = (file.display, file.facts);
    let config = ctx.config;
    let mut out = FileOutcome {
        diagnostics: Vec::new(),
        suppressed: Vec::new(),
        counts: Counts::default(),
        patch_counts: Counts::default(),
    };
    let mut used = vec![false; facts.suppressions.len()];
    for (site, class) in facts.sites().iter().zip(classes) {
        let Some(mut class) = *class else { continue };
        let rule = match class {
            Class::Unlogged(rule) => Some(rule),
            Class::LoggedWithoutError => Some(rule::LOG_WITHOUT_ERROR.name),
            _ => None,
        };
        // A rule that is off takes its sites out of coverage too; a site that logs without the
        // error is still a logged site.
        let level = rule.map(|r| config.level(r)).unwrap_or(Level::Warn);
        let rule = match level {
            Level::Off if class == Class::LoggedWithoutError => {
                class = Class::Logged;
                None
            }
            Level::Off => continue,
            _ => rule,
        };
        let suppression = rule.and_then(|r| find_suppression(&facts.suppressions, r, site.span.line));
        out.counts.add_class(class, suppression.is_some());
        if ctx.changed.is_some_and(|c| c.contains(display, site.span.line)) {
            out.patch_counts.add_class(class, suppression.is_some());
        }
        let (Some(rule), Some(severity)) = (rule, Severity::of(level)) else {
            continue;
        };
        match suppression {
            Some(idx) => {
                used[idx] = true;
                out.suppressed.push(SuppressedFinding {
                    rule,
                    path: display.to_string(),
                    span: site.span,
                    reason: facts.suppressions[idx].reason.clone(),
                });
            }
            None => {
                let function = site
                    .function
                    .and_then(|i| facts.fns.get(i as usize))
                    .map(|f| f.name.as_str());
                let mut d = rules::site_diagnostic(site, rule, function, display, severity, file.style);
                if let Some(note) = layer_note {
                    rules::silent_server_error::name_the_layer(&mut d, note);
                }
                out.diagnostics.push(d)
            }
        }
    }
    for d in workspace_findings {
        match find_suppression(&facts.suppressions, d.rule, d.span.line) {
            Some(idx) => {
                used[idx] = true;
                out.suppressed.push(SuppressedFinding {
                    rule: d.rule,
                    path: d.path.clone(),
                    span: d.span,
                    reason: facts.suppressions[idx].reason.clone(),
                });
            }
            None => out.diagnostics.push(d),
        }
    }
    if let Some(sev) = Severity::of(config.level(rules::unused_suppression::RULE.name)) {
        out.diagnostics.extend(rules::unused_suppression::check(
            &facts.suppressions,
            &used,
            display,
            sev,
            config,
        ));
    }
    out
}

pub fn sort_diagnostics(diags: &mut [Diagnostic]) {
    use rayon::prelude::*;
    diags.par_sort_by(|a, b| {
        (&a.path, a.span.line, a.span.column, a.rule, &a.message).cmp(&(
            &b.path,
            b.span.line,
            b.span.column,
            b.rule,
            &b.message,
        ))
    });
}

/// The configuration a run with `opts` would use (the file found or given, `--select` and
/// `--ignore` applied), without running it: what `--show-settings` prints.
pub fn settings(opts: &CheckOptions) -> Result<Config, CheckError> {
    let cwd = working_dir(opts);
    let paths = given_paths(opts, cwd.as_deref());
    let mut config = load_config(opts, &paths, cwd.as_deref())?;
    apply_selection(&mut config, &opts.select, &opts.ignore)?;
    Ok(config)
}

fn load_config(opts: &CheckOptions, paths: &[PathBuf], cwd: Option<&Path>) -> Result<Config, CheckError> {
    let load = |path: &Path| config::load(path, &workspace::display_from(path, cwd)).map_err(CheckError::Config);
    match &opts.config {
        Some(path) => load(&joined(cwd, path)),
        None => match config::discover(&paths[0]) {
            Some(found) => load(&found),
            None => Ok(Config::defaults(cwd.map(Path::to_path_buf).unwrap_or_default())),
        },
    }
}

/// `--select` keeps only the named rules (at their configured level, or their default when the
/// configuration turned them off); `--ignore` turns rules off.
fn apply_selection(config: &mut Config, select: &[String], ignore: &[String]) -> Result<(), CheckError> {
    if ignore.iter().any(|n| n == rules::internal_error::RULE.name) {
        return Err(CheckError::Usage(
            "`internal-error` cannot be ignored: internal errors are obsdebt's own bugs and are always reported".into(),
        ));
    }
    for name in select.iter().chain(ignore) {
        if rule::find(name).is_none() {
            return Err(CheckError::Usage(format!(
                "unknown rule `{name}` (known rules: {})",
                rule::names().join(", ")
            )));
        }
    }
    if !select.is_empty() {
        for rule in rule::ALL {
            let selected = select.iter().any(|s| s == rule.name);
            let level = config.levels.entry(rule.name).or_insert(rule.default_level);
            if !selected {
                *level = Level::Off;
            } else if *level == Level::Off {
                *level = rule.default_level;
            }
        }
    }
    for name in ignore {
        if let Some(rule) = rule::find(name) {
            config.levels.insert(rule.name, Level::Off);
        }
    }
    Ok(())
}

fn find_suppression(sups: &[Suppression], rule: &str, line: u32) -> Option<usize> {
    let names = |s: &Suppression| s.malformed.is_none() && s.rules.iter().any(|r| r == rule);
    sups.iter()
        .position(|s| names(s) && !s.file_level && s.target_line == line)
        .or_else(|| sups.iter().position(|s| names(s) && s.file_level))
}

/// Escapes control characters that came from source text or file names, in every field a
/// printer shows (after fingerprints, which hash the original text).
fn make_printable(report: &mut Report) {
    use crate::diagnostic::printable;
    let fix = |s: &mut String| *s = printable(s).into_owned();
    use rayon::prelude::*;
    report
        .diagnostics
        .par_iter_mut()
        .chain(report.existing.par_iter_mut())
        .for_each(Diagnostic::make_printable);
    for s in &mut report.suppressed {
        fix(&mut s.path);
        if let Some(r) = &mut s.reason {
            fix(r);
        }
    }
    report.not_analysed.iter_mut().for_each(fix);
    report.files.iter_mut().for_each(|f| fix(&mut f.path));
    report.crates.iter_mut().for_each(|c| {
        fix(&mut c.name);
        fix(&mut c.path);
    });
    if let Some(p) = &mut report.previous {
        fix(&mut p.path);
    }
    if let Some(p) = &mut report.patch {
        fix(&mut p.base);
    }
}

/// Runs a workspace-wide phase; a panic in it is recorded as an internal error and the run goes
/// on without that phase's findings.
fn guarded<T>(phase: &str, errors: &mut Vec<String>, f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(payload) => {
            errors.push(format!(
                "internal error in the {phase} phase: {}; please report it at {}/issues",
                collect::panic_message(&*payload),
                crate::report::HOMEPAGE
            ));
            None
        }
    }
}

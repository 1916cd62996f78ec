//! Grouping configuration facts across the workspace into settings. Places are one setting only
//! on evidence a reviewer accepts, and each group keeps the evidence that tied it:
//!
//! - the same environment variable (read directly, through a workspace helper, or by clap);
//! - the same configuration key (`set_default("metrics.port", ..)`), which is also the field of
//!   the settings struct's `Default` impl (`impl Default for Metrics { port: .. }`), and an
//!   environment variable named like a settings field (`DATA_FOLDER`, `data_folder`) with the same
//!   default;
//! - a constant of a specific name (two words of its own) defined again with the same value;
//! - the same URL, `host:port` or long token (a URL that is a prefix of another counts), or a
//!   port constant and an address on that port;
//! - the same duration or number given to the same setting name within one crate (a literal
//!   passed by position is named by the callee's parameter).
//!
//! Places tie only within one program: the libraries of a system are shared by the programs that
//! link them (their crate's and its dependencies'), but two binaries, an example and a build
//! script do not share configuration; `cfg` alternatives tie
//! only with their own. A group is reported once: as `conflicting-config` when one environment
//! variable or key has different defaults, otherwise as `duplicated-config`.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::FileInput;
use crate::diagnostic::Span;
use crate::facts::{ConfigKind, ConfigValue, Shape};
use crate::knowledge::config::{is_public_root, port_of, words};
use crate::knowledge::ConfigKnowledge;
use crate::workspace::Program;

#[derive(Debug, Clone)]
pub struct Member {
    pub file: usize,
    /// The value is a constant's, referred to by name (`.unwrap_or(DEFAULT_PORT)`): a use of
    /// the definition, not a copy of it.
    pub value_by_reference: bool,
    /// The key is a constant's (`env::var(KEY)`): reads through one constant are uses of it.
    pub key_const: Option<String>,
    pub system: usize,
    pub cfg: Option<String>,
    pub kind: ConfigKind,
    pub name: Option<String>,
    pub key: Option<String>,
    /// A default field's struct (or settings macro, `make_config!`).
    pub owner: Option<String>,
    pub value: Option<ConfigValue>,
    pub span: Span,
    /// Counted among the configuration values of the run: a default field or a positional
    /// literal is one only when it joins a group.
    pub counted: bool,
}

/// Why the places of a group are one setting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Evidence {
    /// The same environment variable.
    EnvVar(String),
    /// The same configuration key (and the settings field it fills).
    Key(String),
    /// An environment variable named like a settings field, with the same default.
    EnvField { var: String, field: String },
    /// A constant of one specific name defined again with the same value.
    Constant(String),
    /// A port constant and an address on that port.
    Port(u32),
    /// The same URL, `host:port` or token.
    Value(String),
    /// A URL and URLs that start with it.
    UrlPrefix(String),
    /// The same value given to the same setting name.
    Setting(String),
    /// A constant redefined next to modules that import the original.
    Imported { name: String, from: String },
}

impl Evidence {
    /// How the group's diagnostic says it: "the same environment variable `PORT`".
    pub fn describe(&self) -> String {
        match self {
            Evidence::EnvVar(k) => format!("the same environment variable `{k}`"),
            Evidence::Key(k) => format!("the same configuration key `{k}`"),
            Evidence::EnvField { var, field } => {
                format!("environment variable `{var}` and settings field `{field}` with the same default")
            }
            Evidence::Constant(n) => format!("a constant named `{n}` defined again with the same value"),
            Evidence::Port(p) => format!("a port constant and an address on port {p}"),
            Evidence::Value(v) => format!("the same value {v}"),
            Evidence::UrlPrefix(v) => format!("URLs that start with {v}"),
            Evidence::Setting(n) => format!("the same value given to `{n}`"),
            Evidence::Imported { name, from } => {
                format!("modules next to this one import `{name}` from `{from}`: the same constant, redefined")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// One environment variable read with different defaults.
    EnvDefaults(String),
    /// One configuration key given different defaults (`set_default` and the `Default` impl).
    KeyDefaults(String),
    /// A constant defined again, with another value, beside modules that import the original
    /// (`use crate::proximity::MAX_DISTANCE` next door, `const MAX_DISTANCE: u32 = 8` here).
    Redefined(String),
}

#[derive(Debug, Clone)]
pub struct Group {
    /// Indices into `members`, in (file, line, column) order.
    pub members: Vec<usize>,
    pub conflict: Option<Conflict>,
    /// What tied the places together, strongest first.
    pub evidence: Vec<Evidence>,
    /// For a key conflict: the members that give that key a default.
    pub involved: Vec<usize>,
}

#[derive(Default)]
pub struct Config {
    pub members: Vec<Member>,
    pub groups: Vec<Group>,
}

struct Dsu(Vec<usize>);

impl Dsu {
    fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut c = x;
        while self.0[c] != r {
            let next = self.0[c];
            self.0[c] = r;
            c = next;
        }
        r
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

fn trivial(v: &ConfigValue) -> bool {
    matches!(v.norm.as_str(), "num:0" | "num:1" | "num:-1" | "str:")
        || v.shape == Shape::Bool
        || v.norm.strip_prefix("num:").and_then(|n| n.parse::<f64>().ok()) == Some(0.0)
}

/// `10`, `1000`, `64`, `4096`: a number of a magnitude many unrelated settings share (up to ten,
/// a power of ten, a power of two from 16).
fn common_magnitude(v: &ConfigValue) -> bool {
    let Some(x) = v.norm.strip_prefix("num:").and_then(|n| n.parse::<f64>().ok()) else {
        return false;
    };
    let x = x.abs();
    let power_of = |base: f64| x >= 1.0 && x.fract() == 0.0 && (x.log(base).round() - x.log(base)).abs() < 1e-9;
    x <= 10.0 || power_of(10.0) || (x >= 16.0 && power_of(2.0))
}

/// A string value specific enough that two copies of it are one setting: a URL, a `host:port`,
/// or a long token-like string (`orders.created`, `/var/lib/app`); not a bare file name
/// (`config.json`), which formats reuse for different files, an IP address alone, or a
/// protocol string such as a header name (`User-Name`, `x-api-key`).
fn strong(v: &ConfigValue, k: &ConfigKnowledge) -> bool {
    match v.shape {
        Shape::Url | Shape::HostPort => true,
        Shape::Text => {
            let s = match v.norm.strip_prefix("str:") {
                Some(s) => s,
                // A range drawn from (`random_range(900..=1100)`).
                None => return v.norm.starts_with("range:"),
            };
            s.len() >= 8
                && !s.contains(char::is_whitespace)
                && s.contains(['/', '.', ':'])
                && !k.is_file_name(s)
                && s.parse::<std::net::IpAddr>().is_err()
                // A URL that is not configuration (a public site's, a placeholder) stays one.
                && !s.contains("://")
        }
        _ => false,
    }
}

/// A byte where a URL's path, query or fragment part starts: a URL that ends just before one
/// in another URL is the same setting (`https://api/v1` and `https://api/v1/users`).
fn url_boundary(b: u8) -> bool {
    matches!(b, b'/' | b'?' | b'#')
}

/// Ties every URL to the URLs of its system that are it or a prefix of it ending at a URL
/// boundary. `urls` holds (system, URL, member).
///
/// The prefixes that end at a boundary form a trie with one node per boundary: a URL's path is
/// its text cut at each boundary (`https://h`, `/v1`, `?q`), each node keyed by its parent and
/// the piece. Every URL is inserted and marks the node it ends at; then each URL's path is walked
/// and tied to the URLs ending on it. Both walks hash each byte once, so the work is linear in
/// the URLs' total length (comparing every pair was quadratic: 80k URLs took 11 s).
fn tie_url_prefixes(urls: &[(usize, &str, usize)], dsu: &mut Dsu) {
    /// The parent of a URL's first piece.
    const ROOT: usize = usize::MAX;
    let mut nodes: HashMap<(usize, usize, &str), usize> = HashMap::default();
    // For each node, the first member whose URL ends there.
    let mut ends: Vec<Option<usize>> = Vec::new();
    // The ends of a URL's pieces: each boundary, then the URL's end.
    fn cuts(url: &str) -> impl Iterator<Item = usize> + '_ {
        url.bytes()
            .enumerate()
            .filter(|&(_, b)| url_boundary(b))
            .map(|(i, _)| i)
            .chain([url.len()])
    }
    for &(sys, url, member) in urls {
        let (mut node, mut start) = (ROOT, 0);
        for cut in cuts(url) {
            let next = ends.len();
            node = *nodes.entry((sys, node, &url[start..cut])).or_insert(next);
            if node == next {
                ends.push(None);
            }
            start = cut;
        }
        match ends[node] {
            Some(first) => dsu.union(member, first),
            None => ends[node] = Some(member),
        }
    }
    for &(sys, url, member) in urls {
        let (mut node, mut start) = (ROOT, 0);
        for cut in cuts(url) {
            // Every piece was inserted above.
            let Some(&next) = nodes.get(&(sys, node, &url[start..cut])) else {
                break;
            };
            node = next;
            start = cut;
            if let (true, Some(first)) = (cut < url.len(), ends[node]) {
                dsu.union(member, first);
            }
        }
    }
}

/// The program a file's places tie in, with its crate: `None` for a library, shared by the
/// programs that link it.
fn program(place: &crate::workspace::FilePlace) -> Option<(usize, &Program)> {
    (place.program != Program::Library).then_some((place.krate, &place.program))
}

/// Per file: the `cfg` its module is compiled under, from `#[cfg(..)] mod name;` declarations
/// of the files above it.
fn file_cfgs(files: &[FileInput]) -> Vec<String> {
    let mut decls: HashMap<(usize, Vec<String>), &str> = HashMap::default();
    for f in files {
        for (path, cfg) in &f.facts.cfg_mods {
            let mut full = f.place.module.clone();
            full.extend(path.iter().cloned());
            decls.insert((f.place.krate, full), cfg);
        }
    }
    files
        .iter()
        .map(|f| {
            if decls.is_empty() {
                return String::new();
            }
            let m = &f.place.module;
            (1..=m.len())
                .filter_map(|n| decls.get(&(f.place.krate, m[..n].to_vec())).copied())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect()
}

/// The names of workspace functions that read the environment variable named by their first
/// parameter, themselves or through one another.
fn env_helpers(files: &[FileInput]) -> HashSet<String> {
    let mut known: HashSet<String> = HashSet::default();
    let all: Vec<_> = files.iter().flat_map(|f| &f.facts.env_helpers).collect();
    loop {
        let before = known.len();
        for h in &all {
            if !known.contains(&h.name) && (h.direct || h.calls.iter().any(|c| known.contains(c))) {
                known.insert(h.name.clone());
            }
        }
        if known.len() == before {
            return known;
        }
    }
}

/// Per (owner type or `None`, function name): the setting names of its parameters by position.
type Params<'a> = HashMap<&'a str, Vec<(Option<&'a str>, &'a [(u32, String)])>>;

/// The setting a positional literal is given to: the callee's parameter at its index, when every
/// workspace function of that name (and `impl` type, when the call names one) agrees.
fn param_name<'a>(params: &Params<'a>, callee: &str, index: u32) -> Option<&'a str> {
    let mut segs: Vec<&str> = callee.split("::").collect();
    let name = segs.pop()?;
    let owner = segs.pop().filter(|o| o.starts_with(|c: char| c.is_uppercase()));
    let mut found: Option<&str> = None;
    for (o, ps) in params.get(name)? {
        if owner.is_some() && *o != owner {
            continue;
        }
        let p = ps.iter().find(|(i, _)| *i == index).map(|(_, n)| n.as_str())?;
        if found.is_some_and(|f| f != p) {
            return None;
        }
        found = Some(p);
    }
    found
}

/// The conditions of a `cfg` text as (condition, holds): `unix, not (test)` → (unix, true),
/// (test, false). `all(..)` is read through; `any(..)` stays one condition.
fn atoms(cfg: &str) -> Vec<(String, bool)> {
    fn split_top(s: &str) -> Vec<&str> {
        let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
        for (i, c) in s.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(&s[start..]);
        out
    }
    fn read(s: &str, pos: bool, out: &mut Vec<(String, bool)>) {
        for part in split_top(s) {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            if let Some(inner) = p.strip_prefix("not(").and_then(|r| r.strip_suffix(')')) {
                read(inner, !pos, out);
            } else if let Some(inner) = p.strip_prefix("all(").and_then(|r| r.strip_suffix(')')) {
                if pos {
                    read(inner, pos, out);
                } else {
                    out.push((p.to_string(), false));
                }
            } else {
                out.push((p.to_string(), pos));
            }
        }
    }
    let compact: String = cfg.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = Vec::new();
    read(&compact, true, &mut out);
    out
}

/// Conditions that cannot hold together: `X` and `not(X)`, or two values of one target key
/// (`target_arch = "x86_64"` and `target_arch = "aarch64"`).
fn exclusive(a: &(String, bool), b: &(String, bool)) -> bool {
    if a.0 == b.0 {
        return a.1 != b.1;
    }
    let key = |s: &str| s.split_once('=').map(|(k, _)| k.to_string());
    a.1 && b.1 && key(&a.0).is_some_and(|k| k.starts_with("target_") && key(&b.0).as_deref() == Some(k.as_str()))
}

/// Groups the configuration facts of `files`; `system[krate]` says which crates belong together,
/// `reach[krate]` which crates' libraries a crate's programs link (itself and its dependencies);
/// `crate_names[krate]` names it (a crate of test helpers, `test_db`, is skipped).
pub fn group(
    files: &[FileInput],
    k: &ConfigKnowledge,
    system: &[usize],
    reach: &[Vec<usize>],
    crate_names: &[String],
) -> Config {
    // Constants by crate and name, for keys and defaults written as constants.
    let mut consts: HashMap<(usize, String), Vec<ConfigValue>> = HashMap::default();
    for f in files {
        for c in &f.facts.config {
            if matches!(c.kind, ConfigKind::Const | ConfigKind::Static) {
                if let (Some(n), Some(v)) = (&c.name, &c.value) {
                    consts.entry((f.place.krate, n.clone())).or_default().push(v.clone());
                }
            }
        }
    }
    let const_value = |krate: usize, name: &str| -> Option<ConfigValue> {
        match consts.get(&(krate, name.to_string())) {
            Some(v) if v.len() == 1 => Some(v[0].clone()),
            _ => None,
        }
    };
    let helpers = env_helpers(files);
    let mut params: Params = HashMap::default();
    for f in files {
        for p in &f.facts.setting_params {
            params
                .entry(p.name.as_str())
                .or_default()
                .push((p.owner.as_deref(), p.params.as_slice()));
        }
    }
    let cfgs = file_cfgs(files);

    let mut members = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let test_crate = crate_names.get(f.place.krate).is_some_and(|n| k.module_is_test(n));
        if test_crate || f.place.module.iter().any(|m| k.module_is_test(m)) {
            continue;
        }
        for c in &f.facts.config {
            let mut key = c.key.clone();
            let mut key_const = None;
            if key.is_none() && c.kind == ConfigKind::EnvRead {
                key = c
                    .key_ref
                    .as_deref()
                    .and_then(|r| const_value(f.place.krate, r))
                    .and_then(|v| v.norm.strip_prefix("str:").map(str::to_string));
                key_const = c.key_ref.clone().filter(|_| key.is_some());
            }
            if c.kind == ConfigKind::EnvRead && key.as_deref().is_none_or(|key| k.key_is_ignored(key)) {
                continue;
            }
            if c.via.as_ref().is_some_and(|v| !helpers.contains(v)) {
                continue;
            }
            let mut name = c.name.clone();
            if let (Some(callee), Some(index)) = (&c.owner, c.arg) {
                match param_name(&params, callee, index) {
                    Some(p) => name = Some(p.to_string()),
                    None => continue,
                }
            }
            let value_by_reference = c.value.is_none() && c.default_ref.is_some();
            let value = c
                .value
                .clone()
                .or_else(|| c.default_ref.as_deref().and_then(|r| const_value(f.place.krate, r)));
            let cfg = [cfgs[fi].as_str(), c.cfg.as_deref().unwrap_or("")]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            let sys = system.get(f.place.krate).copied().unwrap_or(f.place.krate);
            let weak = c.kind == ConfigKind::DefaultField || c.arg.is_some();
            members.push(Member {
                file: fi,
                value_by_reference,
                key_const,
                system: sys,
                cfg: (!cfg.is_empty()).then_some(cfg),
                kind: c.kind,
                name,
                key,
                owner: c.owner.clone().filter(|_| c.kind == ConfigKind::DefaultField),
                value,
                span: c.span,
                counted: !weak,
            });
        }
    }

    // Each member's tags: (text, evidence, primary). Primary tags are entered and tie every member
    // that has them; the others only join a primary one (two settings fields never tie each other
    // through a key they both could fill).
    let mut tags: Vec<Vec<(String, Evidence, bool)>> = Vec::with_capacity(members.len());
    for m in &members {
        let mut t = Vec::new();
        let value = m.value.as_ref().filter(|_| !m.value_by_reference);
        match m.kind {
            ConfigKind::EnvRead => {
                if let Some(key) = &m.key {
                    t.push((format!("env:{key}"), Evidence::EnvVar(key.clone()), true));
                    if let Some(v) = m.value.as_ref().filter(|v| !trivial(v)) {
                        let ev = Evidence::EnvField {
                            var: key.clone(),
                            field: key.to_lowercase(),
                        };
                        t.push((format!("envfield:{}={}", key.to_uppercase(), v.norm), ev, true));
                    }
                }
            }
            ConfigKind::Key => {
                if let Some(key) = &m.key {
                    t.push((format!("key:{key}"), Evidence::Key(key.clone()), true));
                    let segs: Vec<&str> = key.split('.').collect();
                    let (parent, field) = match segs.as_slice() {
                        [.., p, f] => (p.to_lowercase(), f.to_string()),
                        [f] => (String::new(), f.to_string()),
                        [] => continue,
                    };
                    t.push((format!("field:{parent}.{field}"), Evidence::Key(key.clone()), true));
                }
            }
            ConfigKind::DefaultField => {
                if let Some(field) = &m.name {
                    let owner = m.owner.as_deref().unwrap_or("");
                    let module = files[m.file].place.module.last().map(String::as_str).unwrap_or("");
                    let mut parents = vec![owner.trim_end_matches('!').to_lowercase()];
                    for suffix in ["settings", "config", "configuration", "options"] {
                        if let Some(stem) = parents[0].strip_suffix(suffix).filter(|s| !s.is_empty()) {
                            parents.push(stem.to_string());
                        }
                    }
                    if !module.is_empty() {
                        parents.push(module.to_lowercase());
                    }
                    // A root settings struct: one in the crate root or in a settings module (not
                    // `kv::Settings`, whose keys are `kv.*`).
                    let settings_module =
                        module.is_empty() || ["settings", "config", "configuration", "options"].contains(&module);
                    if k.root_structs.iter().any(|r| r == owner) && settings_module {
                        parents.push(String::new());
                    }
                    parents.sort();
                    parents.dedup();
                    for p in parents {
                        t.push((format!("field:{p}.{field}"), Evidence::Key(String::new()), false));
                    }
                    if let Some(v) = m.value.as_ref().filter(|v| !trivial(v)) {
                        let ev = Evidence::EnvField {
                            var: field.to_uppercase(),
                            field: field.clone(),
                        };
                        t.push((format!("envfield:{}={}", field.to_uppercase(), v.norm), ev, false));
                    }
                }
            }
            ConfigKind::Const | ConfigKind::Static => {
                if let (Some(n), Some(v)) = (&m.name, value.filter(|v| !trivial(v))) {
                    // A count or a duration: names of files and protocol strings (`"status.dat"`,
                    // `"api-key"`) and mathematical constants (`8127.0`) are not settings.
                    let setting_value =
                        v.shape == Shape::Duration || (v.shape == Shape::Number && v.norm[4..].parse::<i128>().is_ok());
                    if setting_value && k.name_is_specific(n) && !k.name_is_generic(n) {
                        t.push((format!("const:{n}={}", v.norm), Evidence::Constant(n.clone()), true));
                    }
                    if v.shape == Shape::Number && words(n).iter().any(|w| w == "PORT") {
                        if let Some(p) = v.norm.strip_prefix("num:").and_then(|p| p.parse::<u32>().ok()) {
                            t.push((format!("port:{p}"), Evidence::Port(p), true));
                        }
                    }
                }
            }
            ConfigKind::Literal => {}
        }
        if let Some(v) = value {
            if m.kind != ConfigKind::DefaultField && strong(v, k) {
                t.push((format!("value:{}", v.norm), Evidence::Value(v.shown.clone()), true));
            }
            if matches!(v.shape, Shape::Url | Shape::HostPort) {
                if let Some(p) = port_of(v.norm.trim_start_matches("str:")).filter(|p| !k.protocol_ports.contains(p)) {
                    t.push((format!("port:{p}"), Evidence::Port(p), false));
                }
            }
            // The same number given to the same setting name, within one crate: inline values tie
            // each other; a constant joins them but two constants do not tie on a name alone.
            let named = matches!(m.kind, ConfigKind::Literal | ConfigKind::Const | ConfigKind::Static)
                && matches!(v.shape, Shape::Number | Shape::Duration)
                && !trivial(v);
            // A plain number of a common magnitude (`1000` rows, `64` bytes) under one name is no
            // evidence; under a name of time (`timeout`) it is a duration like any other.
            let named = named
                && (v.shape == Shape::Duration
                    || !common_magnitude(v)
                    || m.name.as_deref().is_some_and(|n| k.param_is_setting(n)));
            if let Some(n) = m.name.as_deref().filter(|n| named && k.name_is_config(n)) {
                let g = k.group_name(n);
                let primary = m.kind == ConfigKind::Literal;
                t.push((
                    format!("named:{}:{g}={}", files[m.file].place.krate, v.norm),
                    Evidence::Setting(g.clone()),
                    primary,
                ));
            }
        }
        tags.push(t);
    }

    let mut dsu = Dsu((0..members.len()).collect());
    let mut links: Vec<(usize, Evidence)> = Vec::new();
    // The members a key's field tag tied to it: (field member, key member).
    let mut field_of: Vec<(usize, usize)> = Vec::new();
    // Per tag: the first member of each `cfg` seen with it.
    let mut first: HashMap<String, Vec<(usize, usize)>> = HashMap::default();
    let mut cfg_ids: HashMap<&str, usize> = HashMap::default();
    let mut cfg_atoms: Vec<Vec<(String, bool)>> = Vec::new();
    let member_cfg: Vec<usize> = members
        .iter()
        .map(|m| {
            let cfg = m.cfg.as_deref().unwrap_or("");
            let n = cfg_ids.len();
            *cfg_ids.entry(cfg).or_insert_with(|| {
                cfg_atoms.push(atoms(cfg));
                n
            })
        })
        .collect();
    let compatible = |a: usize, b: usize| {
        a == b
            || !cfg_atoms[a]
                .iter()
                .any(|x| cfg_atoms[b].iter().any(|y| exclusive(x, y)))
    };
    // A library's places share one tag per system; a program's are its own.
    let place = |i: usize| files[members[i].file].place;
    let scoped = |i: usize, text: &str| -> String {
        match program(place(i)) {
            Some((krate, p)) => format!("{}/{krate}/{p:?}|{text}", members[i].system),
            None => format!("{}|{text}", members[i].system),
        }
    };
    // Libraries first, so that a program's member finds the tags of the libraries it links.
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by_key(|&i| program(place(i)).is_some());
    for primary_pass in [true, false] {
        for &i in &order {
            for (text, ev, primary) in &tags[i] {
                if *primary != primary_pass {
                    continue;
                }
                let own = scoped(i, text);
                let krate = place(i).krate;
                // A library's places are also entered under its crate, for the programs that
                // link it: a program ties to the libraries of its crate and its dependencies (a
                // build script links none).
                let mut extra: Vec<(String, bool)> = Vec::new();
                match program(place(i)) {
                    None => extra.push((format!("lib{krate}|{text}"), *primary)),
                    Some((_, p)) if *p != Program::BuildScript => {
                        for d in reach.get(krate).map(Vec::as_slice).unwrap_or(&[krate]) {
                            extra.push((format!("lib{d}|{text}"), false));
                        }
                    }
                    Some(_) => {}
                }
                let c = member_cfg[i];
                for (tag, enter) in std::iter::once((own, *primary)).chain(extra) {
                    let list = first.entry(tag).or_default();
                    for &(lc, j) in list.iter() {
                        // Two reads of one variable are tied by its name, not by a field.
                        let reads = members[i].kind == ConfigKind::EnvRead && members[j].kind == ConfigKind::EnvRead;
                        if j == i || !compatible(lc, c) || (reads && matches!(ev, Evidence::EnvField { .. })) {
                            continue;
                        }
                        dsu.union(i, j);
                        let ev = match ev {
                            Evidence::Key(k) if k.is_empty() => {
                                field_of.push((i, j));
                                Evidence::Key(members[j].key.clone().unwrap_or_default())
                            }
                            other => other.clone(),
                        };
                        links.push((i, ev));
                    }
                    if enter && !list.iter().any(|&(lc, _)| lc == c) {
                        list.push((c, i));
                    }
                }
            }
        }
    }
    // URL prefixes tie within one scope.
    let mut scope_ids: HashMap<String, usize> = HashMap::default();
    let mut urls: Vec<(usize, &str, usize)> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let tied_by_value = !m.value_by_reference && m.kind != ConfigKind::DefaultField;
        if let Some(v) = m.value.as_ref().filter(|v| v.shape == Shape::Url && tied_by_value) {
            let n = scope_ids.len();
            let id = *scope_ids
                .entry(format!("{}#{}", scoped(i, ""), member_cfg[i]))
                .or_insert(n);
            urls.push((id, v.norm.as_str(), i));
        }
    }
    // A site's root (`https://join-lemmy.org/`) is a prefix of every address on that site: it
    // ties only to its own copies (by value) unless it names a service (a port, or a host that
    // is not a public domain name: `http://pricing`, `https://billing.internal`).
    urls.retain(|(_, url, _)| !is_public_root(url.trim_start_matches("str:")));
    let mut url_dsu = Dsu((0..members.len()).collect());
    tie_url_prefixes(&urls, &mut url_dsu);
    for &(_, _, i) in &urls {
        let r = url_dsu.find(i);
        if r != i {
            dsu.union(i, r);
            // Name the shorter of the two: the prefix.
            let shown = [i, r]
                .iter()
                .filter_map(|&x| members[x].value.as_ref())
                .min_by_key(|v| v.norm.len())
                .map(|v| v.shown.clone())
                .unwrap_or_default();
            links.push((i, Evidence::UrlPrefix(shown)));
        }
    }

    let shadows = redefinitions(files, &members, &member_cfg, &compatible);
    for &(here, there) in &shadows {
        dsu.union(here, there);
        let f = &files[members[there].file].place.module;
        links.push((
            here,
            Evidence::Imported {
                name: members[here].name.clone().unwrap_or_default(),
                from: std::iter::once("crate")
                    .chain(f.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join("::"),
            },
        ));
    }
    let mut components: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..members.len() {
        let root = dsu.find(i);
        components.entry(root).or_default().push(i);
    }
    let mut evidence: HashMap<usize, Vec<Evidence>> = HashMap::default();
    for (i, ev) in links {
        evidence.entry(dsu.find(i)).or_default().push(ev);
    }
    let mut groups = Vec::new();
    for (root, mut ids) in components {
        ids.sort_by_key(|&i| (members[i].file, members[i].span));
        ids.dedup_by_key(|i| (members[*i].file, members[*i].span));
        if ids.len() < 2 {
            continue;
        }
        // Reads of one variable through one constant are one definition used twice.
        let sources: HashSet<String> = ids
            .iter()
            .map(|&i| match &members[i].key_const {
                Some(c) => format!("const:{}:{c}", files[members[i].file].place.krate),
                None => format!("member:{i}"),
            })
            .collect();
        if sources.len() < 2 {
            continue;
        }
        let (mut conflict, mut involved) = find_conflict(&members, &ids, &field_of);
        if conflict.is_none() {
            if let Some(&(here, there)) = shadows.iter().find(|(h, _)| ids.contains(h)) {
                conflict = Some(Conflict::Redefined(members[here].name.clone().unwrap_or_default()));
                involved = vec![here, there];
            }
        }
        let no_reads = ids.iter().all(|&i| members[i].kind != ConfigKind::EnvRead);
        let all_trivial = ids.iter().all(|&i| members[i].value.as_ref().is_none_or(trivial));
        if conflict.is_none() && no_reads && all_trivial {
            continue;
        }
        for &i in &ids {
            members[i].counted = true;
        }
        let mut ev = evidence.remove(&root).unwrap_or_default();
        ev.sort();
        ev.dedup();
        groups.push(Group {
            members: ids,
            conflict,
            evidence: ev,
            involved,
        });
    }
    Config { members, groups }
}

/// Constants redefined with another value beside modules that import the original: pairs of
/// (the redefinition, the original). Only imports within one crate (`crate::`, `super::`,
/// `self::`) are read.
fn redefinitions(
    files: &[FileInput],
    members: &[Member],
    member_cfg: &[usize],
    compatible: &dyn Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    if files.iter().all(|f| f.facts.const_imports.is_empty()) {
        return Vec::new();
    }
    // Constants by (crate, module, name).
    let mut defined: HashMap<(usize, &[String], &str), Vec<usize>> = HashMap::default();
    for (i, m) in members.iter().enumerate() {
        if let (ConfigKind::Const | ConfigKind::Static, Some(n), Some(_)) = (m.kind, &m.name, &m.value) {
            let place = files[m.file].place;
            defined
                .entry((place.krate, place.module.as_slice(), n.as_str()))
                .or_default()
                .push(i);
        }
    }
    let mut by_name: HashMap<(usize, &str), Vec<usize>> = HashMap::default();
    for ((krate, _, name), ids) in &defined {
        by_name.entry((*krate, name)).or_default().extend(ids.iter().copied());
    }
    let mut out = Vec::new();
    for f in files {
        let module = &f.place.module;
        for (name, path) in &f.facts.const_imports {
            let Some(target) = import_module(module, path) else {
                continue;
            };
            let Some(originals) = defined.get(&(f.place.krate, target.as_slice(), name.as_str())) else {
                continue;
            };
            let [original] = originals.as_slice() else { continue };
            let Some(v) = members[*original].value.as_ref().filter(|v| !trivial(v)) else {
                continue;
            };
            for &here in by_name.get(&(f.place.krate, name.as_str())).into_iter().flatten() {
                let m = &files[members[here].file].place.module;
                let sibling =
                    m.len() == module.len() && !m.is_empty() && m[..m.len() - 1] == module[..module.len() - 1];
                let differs = members[here]
                    .value
                    .as_ref()
                    .is_some_and(|w| w.norm != v.norm && !trivial(w));
                if sibling
                    && members[here].file != members[*original].file
                    && differs
                    && compatible(member_cfg[here], member_cfg[*original])
                    && !out.contains(&(here, *original))
                {
                    out.push((here, *original));
                }
            }
        }
    }
    out.sort();
    out
}

/// The module an import in `module` names its item from: `crate::a::X` → `a`,
/// `super::b::X` → the parent's `b`; `None` for another crate's path.
fn import_module(module: &[String], path: &[String]) -> Option<Vec<String>> {
    let (_, dirs) = path.split_last()?;
    let mut out: Vec<String> = match dirs.first().map(String::as_str) {
        Some("crate") => Vec::new(),
        Some("self") => module.to_vec(),
        Some("super") => module.to_vec(),
        _ => return None,
    };
    let mut rest = &dirs[1..];
    if dirs[0] == "super" {
        out.pop()?;
        while rest.first().map(String::as_str) == Some("super") {
            out.pop()?;
            rest = &rest[1..];
        }
    }
    out.extend(rest.iter().cloned());
    Some(out)
}

/// One environment variable read with different defaults, or one key given different defaults
/// by its setter and its settings field; and the members that give them.
fn find_conflict(members: &[Member], ids: &[usize], field_of: &[(usize, usize)]) -> (Option<Conflict>, Vec<usize>) {
    // An empty or zero default (`name: "".to_string()` in a `Default` impl) is a placeholder
    // filled by the real default elsewhere, not a second value.
    let differs = |v: &[(usize, &str)]| {
        let real: Vec<&str> = v
            .iter()
            .filter(|(i, n)| {
                members[*i].kind != ConfigKind::DefaultField || !matches!(*n, "num:0" | "str:" | "bool:false")
            })
            .map(|x| x.1)
            .collect();
        real.iter().any(|x| *x != real[0])
    };
    let mut defaults: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    let mut keys: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    for &i in ids {
        let m = &members[i];
        match (m.kind, &m.key, &m.value) {
            (ConfigKind::EnvRead, Some(key), Some(v)) => defaults.entry(key).or_default().push((i, &v.norm)),
            (ConfigKind::Key, Some(key), Some(v)) => keys.entry(key).or_default().push((i, &v.norm)),
            _ => {}
        }
    }
    for &(field, key) in field_of {
        if let (Some(k), Some(v)) = (&members[key].key, &members[field].value) {
            if ids.contains(&field) {
                let e = keys.entry(k).or_default();
                if !e.iter().any(|(i, _)| *i == field) {
                    e.push((field, &v.norm));
                }
            }
        }
    }
    if let Some((key, v)) = defaults.iter().find(|(_, v)| differs(v)) {
        return (
            Some(Conflict::EnvDefaults(key.to_string())),
            v.iter().map(|x| x.0).collect(),
        );
    }
    match keys.iter().find(|(_, v)| differs(v)) {
        Some((key, v)) => (
            Some(Conflict::KeyDefaults(key.to_string())),
            v.iter().map(|x| x.0).collect(),
        ),
        None => (None, Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The grouping as it was first written: every pair of URLs compared.
    fn tie_pairwise(urls: &[(usize, &str, usize)], dsu: &mut Dsu) {
        fn url_prefix(a: &str, b: &str) -> bool {
            b.starts_with(a) && (b.len() == a.len() || url_boundary(b.as_bytes()[a.len()]))
        }
        let mut urls = urls.to_vec();
        urls.sort();
        for a in 0..urls.len() {
            for b in a + 1..urls.len() {
                if urls[a].0 == urls[b].0 && url_prefix(urls[a].1, urls[b].1) {
                    dsu.union(urls[a].2, urls[b].2);
                }
            }
        }
    }

    /// Each member's group, named by its first member.
    fn groups(urls: &[(usize, &str, usize)], tie: fn(&[(usize, &str, usize)], &mut Dsu)) -> Vec<usize> {
        let n = urls.len();
        let mut dsu = Dsu((0..n).collect());
        tie(urls, &mut dsu);
        (0..n).map(|i| dsu.find(i)).collect()
    }

    #[test]
    fn cfg_conditions_exclude_only_their_negation_and_other_targets() {
        let a = atoms("unix, not (feature = \"otel\")");
        assert_eq!(a, [("unix".to_string(), true), ("feature=\"otel\"".to_string(), false)]);
        assert_eq!(
            atoms("all(unix, not(test))"),
            [("unix".to_string(), true), ("test".to_string(), false)]
        );
        let x86 = ("target_arch=\"x86_64\"".to_string(), true);
        let arm = ("target_arch=\"aarch64\"".to_string(), true);
        let feature_a = ("feature=\"a\"".to_string(), true);
        let feature_b = ("feature=\"b\"".to_string(), true);
        assert!(exclusive(&x86, &arm));
        assert!(!exclusive(&feature_a, &feature_b), "two features can be on together");
        assert!(exclusive(&("unix".to_string(), true), &("unix".to_string(), false)));
        assert!(!exclusive(&x86, &x86));
    }

    #[test]
    fn imports_name_the_module_they_come_from() {
        let m = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let here = m(&["update", "extract", "pairs"]);
        assert_eq!(
            import_module(&here, &m(&["crate", "proximity", "MAX"])),
            Some(m(&["proximity"]))
        );
        assert_eq!(
            import_module(&here, &m(&["super", "tokenize", "MAX"])),
            Some(m(&["update", "extract", "tokenize"]))
        );
        assert_eq!(
            import_module(&here, &m(&["super", "super", "MAX"])),
            Some(m(&["update"]))
        );
        assert_eq!(
            import_module(&here, &m(&["self", "inner", "MAX"])),
            Some(m(&["update", "extract", "pairs", "inner"]))
        );
        assert_eq!(import_module(&here, &m(&["other_crate", "MAX"])), None);
        assert_eq!(import_module(&m(&[]), &m(&["super", "MAX"])), None);
    }

    #[test]
    fn public_roots_and_common_magnitudes() {
        assert!(is_public_root("https://join-lemmy.org/") && is_public_root("https://docs.example.org"));
        assert!(!is_public_root("https://billing.internal/") && !is_public_root("http://pricing"));
        assert!(!is_public_root("http://10.0.0.5/") && !is_public_root("https://api.example.org:8443/"));
        assert!(!is_public_root("https://api.example.org/v1"));
        let n = |x: &str| ConfigValue {
            norm: format!("num:{x}"),
            shown: x.to_string(),
            shape: Shape::Number,
        };
        for common in ["3", "10", "1000", "64", "4096", "1.5", "100000"] {
            assert!(common_magnitude(&n(common)), "{common}");
        }
        for rare in ["40", "255", "900", "1100", "12.5", "48"] {
            assert!(!common_magnitude(&n(rare)), "{rare}");
        }
    }

    #[test]
    fn urls_tie_at_boundaries_only_within_a_system() {
        let urls = [
            (0, "str:https://h/v1", 0),
            (0, "str:https://h/v1/users?x#y", 1),
            (0, "str:https://h/v10", 2),
            (1, "str:https://h/v1/users", 3),
            (0, "str:https://h/v1", 4),
            (0, "str:https://h", 5),
            (1, "str:https://h/v1", 6),
            (0, "str:https://h/v1?x", 7),
        ];
        // `/v10` only shares `https://h` with the rest: everything of system 0 is one group.
        assert_eq!(groups(&urls, tie_url_prefixes), [0, 0, 0, 3, 0, 0, 3, 0]);
        assert_eq!(groups(&urls[..5], tie_url_prefixes), [0, 0, 2, 3, 0]);
        assert_eq!(groups(&urls[..5], tie_pairwise), [0, 0, 2, 3, 0]);
    }

    #[test]
    fn many_urls_group_without_comparing_every_pair() {
        // 100k URLs in pairs (5 billion comparisons pairwise), and a long one with 20k boundaries
        // whose prefixes are two of them.
        let mut texts: Vec<String> = (0..100_000)
            .map(|i| match i % 2 {
                0 => format!("str:https://svc{}/api", i / 2),
                _ => format!("str:https://svc{}/api/v1?page=1#top", i / 2),
            })
            .collect();
        texts.push(format!("str:https://h{}", "/x".repeat(20_000)));
        texts.push(format!("str:https://h{}", "/x".repeat(10_000)));
        texts.push("str:https://h/x/".to_string());
        let urls: Vec<(usize, &str, usize)> = texts.iter().enumerate().map(|(i, t)| (0, t.as_str(), i)).collect();
        let g = groups(&urls, tie_url_prefixes);
        assert!((0..100_000).all(|i| g[i] == i & !1));
        assert_eq!(
            g[100_000..],
            [100_000, 100_000, 100_002],
            "`h/x/` is no prefix of `h/x/x`"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn boundary_trie_groups_as_comparing_every_pair(
            raw in prop::collection::vec((0..2usize, prop::collection::vec(0..5usize, 0..7)), 0..12)
        ) {
            let texts: Vec<(usize, String)> = raw
                .iter()
                .map(|(sys, s)| (*sys, s.iter().map(|&c| char::from(b"ab/?#"[c])).collect()))
                .collect();
            let urls: Vec<(usize, &str, usize)> =
                texts.iter().enumerate().map(|(i, (sys, t))| (*sys, t.as_str(), i)).collect();
            prop_assert_eq!(groups(&urls, tie_url_prefixes), groups(&urls, tie_pairwise));
        }
    }
}

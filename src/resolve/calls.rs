//! Resolving calls to in-workspace functions by name, and the logging-helper fixpoint.
//!
//! Name resolution here is deliberately modest: a call resolves to the functions of that name
//! the path can denote (same crate for `crate::`/`self::`/`super::`/bare names, the named crate
//! for `other_crate::f`, module and owner segments filtering further). Every candidate must log
//! for the call to count as logging: an ambiguous call is never guessed to log.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::FileInput;
use crate::facts::{Callee, LogCond};

/// A function, borrowing its names from the facts.
struct FnEntry<'a> {
    krate: usize,
    name: &'a str,
    /// The innermost module: the last inline module, else the file's module.
    module_last: Option<&'a str>,
    owner: Option<&'a str>,
    returns_result: Option<bool>,
    err_type: Option<&'a str>,
    /// (file, fn) for its facts.
    at: (usize, usize),
}

pub struct FnIndex<'a> {
    files: &'a [FileInput<'a>],
    fns: Vec<FnEntry<'a>>,
    by_name: HashMap<&'a str, Vec<usize>>,
    /// Crate names as written in paths (`my-api` → `my_api`).
    crate_idents: HashMap<String, usize>,
    /// Module names that exist in each crate.
    modules: HashSet<(usize, &'a str)>,
}

impl<'a> FnIndex<'a> {
    pub fn build(files: &'a [FileInput<'a>], crate_names: &[String]) -> FnIndex<'a> {
        let mut fns = Vec::new();
        let mut by_name: HashMap<&'a str, Vec<usize>> = HashMap::default();
        let mut modules: HashSet<(usize, &'a str)> = HashSet::default();
        for (fi, f) in files.iter().enumerate() {
            let krate = f.place.krate;
            let mut file_has_fns = false;
            for (i, fact) in f.facts.fns.iter().enumerate() {
                if fact.is_test {
                    continue;
                }
                file_has_fns = true;
                modules.extend(fact.module.iter().map(|m| (krate, m.as_str())));
                by_name.entry(fact.name.as_str()).or_default().push(fns.len());
                fns.push(FnEntry {
                    krate,
                    name: &fact.name,
                    module_last: fact.module.last().or(f.place.module.last()).map(String::as_str),
                    owner: fact.owner.as_deref(),
                    returns_result: fact.returns_result,
                    err_type: fact.err_type.as_deref(),
                    at: (fi, i),
                });
            }
            if file_has_fns {
                modules.extend(f.place.module.iter().map(|m| (krate, m.as_str())));
            }
        }
        let crate_idents = crate_names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.replace('-', "_"), i))
            .collect();
        FnIndex {
            files,
            fns,
            by_name,
            crate_idents,
            modules,
        }
    }

    /// Where function `id`'s facts are: (file index, index in that file's `fns`).
    pub fn location(&self, id: usize) -> (usize, usize) {
        self.fns[id].at
    }

    pub fn returns_result(&self, id: usize) -> Option<bool> {
        self.fns[id].returns_result
    }

    /// The declared error type of function `id` and its crate.
    pub fn err_type(&self, id: usize) -> (usize, Option<&str>) {
        (self.fns[id].krate, self.fns[id].err_type)
    }

    /// The in-workspace functions `callee`, called from crate `krate`, can denote.
    pub fn candidates(&self, krate: usize, callee: &Callee) -> Vec<usize> {
        let Some(name) = callee.path.last() else {
            return Vec::new();
        };
        let Some(all) = self.by_name.get(name.as_str()) else {
            return Vec::new();
        };
        if callee.method {
            return all.iter().copied().filter(|&id| self.fns[id].owner.is_some()).collect();
        }
        let path = &callee.path;
        let mut qualifiers: &[String] = &path[..path.len() - 1];
        let mut target_crate = krate;
        if let Some(first) = qualifiers.first() {
            match first.as_str() {
                "crate" | "self" | "super" => qualifiers = &qualifiers[1..],
                other => {
                    if let Some(&c) = self.crate_idents.get(other) {
                        target_crate = c;
                        qualifiers = &qualifiers[1..];
                    } else if qualifiers.len() == path.len() - 1
                        && other.starts_with(|c: char| c.is_lowercase())
                        && !self.is_local_module(krate, other)
                    {
                        // `reqwest::get`, `std::fs::read`: another crate's function.
                        return Vec::new();
                    }
                }
            }
        }
        all.iter()
            .copied()
            .filter(|&id| {
                let f = &self.fns[id];
                if f.krate != target_crate {
                    return false;
                }
                match qualifiers.last() {
                    None => f.owner.is_none(),
                    // `Type::assoc()` / `Self::helper()`
                    Some(q) if q.starts_with(|c: char| c.is_uppercase()) => q == "Self" || f.owner == Some(q.as_str()),
                    // `module::f()`
                    Some(q) => f.owner.is_none() && f.module_last == Some(q.as_str()),
                }
            })
            .collect()
    }

    fn is_local_module(&self, krate: usize, name: &str) -> bool {
        self.modules.contains(&(krate, name))
    }

    /// A call logs when it has candidates and every one of them always logs.
    pub fn call_logs(&self, krate: usize, callee: &Callee, fn_logs: &[bool]) -> bool {
        let c = self.candidates(krate, callee);
        !c.is_empty() && c.iter().all(|&id| fn_logs[id])
    }

    /// The set of functions that always log: the least fixpoint of their bodies' conditions.
    pub fn fixpoint(&self) -> Vec<bool> {
        let mut logs = vec![false; self.fns.len()];
        let conds: Vec<&LogCond> = self
            .fns
            .iter()
            .map(|f| &self.files[f.at.0].facts.fns[f.at.1].always_logs)
            .collect();
        // Candidates are computed once per (crate, callee).
        let mut cache: HashMap<usize, HashMap<&'a Callee, Vec<usize>>> = HashMap::default();
        loop {
            let mut changed = false;
            for id in 0..self.fns.len() {
                if logs[id] {
                    continue;
                }
                let krate = self.fns[id].krate;
                let now = conds[id].eval(&mut |c| {
                    let per_crate = cache.entry(krate).or_default();
                    if !per_crate.contains_key(c) {
                        per_crate.insert(c, self.candidates(krate, c));
                    }
                    let cands = &per_crate[c];
                    !cands.is_empty() && cands.iter().all(|&i| logs[i])
                });
                if now {
                    logs[id] = true;
                    changed = true;
                }
            }
            if !changed {
                return logs;
            }
        }
    }

    pub fn names_where(&self, flags: &[bool]) -> Vec<String> {
        let mut out: Vec<String> = self
            .fns
            .iter()
            .zip(flags)
            .filter(|(_, &b)| b)
            .map(|(f, _)| {
                let file = &self.files[f.at.0];
                let fact = &file.facts.fns[f.at.1];
                let mut parts: Vec<&str> = file.place.module.iter().map(String::as_str).collect();
                parts.extend(fact.module.iter().map(String::as_str));
                parts.extend(f.owner);
                parts.push(f.name);
                parts.join("::")
            })
            .collect();
        out.sort();
        out
    }
}

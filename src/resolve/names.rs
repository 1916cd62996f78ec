//! The workspace's one name index, and name resolution without a compiler for the call graph.
//! The logging fixpoint ([`super::calls`]) looks its call sites up in the same index.
//!
//! Resolution here reads the module tree from file layout and inline `mod`s, `use` aliases and
//! globs (expanded at extraction), `crate::`, `self::`, `super::`, `Self::`, workspace crate
//! names, `Type::assoc()` and `self.method()` inside an impl. A call that could mean several
//! functions is ambiguous and is not followed; nothing is guessed.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::FileInput;
use crate::facts::{CallSite, FnFact, Recv, RecvRoot};

/// A function of the workspace: `fns[id]`.
pub struct FnEntry {
    pub file: usize,
    pub idx: usize,
    pub krate: usize,
    /// File module path + inline modules (shared by the functions of a file outside inline
    /// modules).
    pub module: std::sync::Arc<[String]>,
}

/// What a call resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Res {
    Fn(usize),
    /// Several workspace functions fit: not followed.
    Ambiguous(Vec<usize>),
    /// Names a workspace function that could not be pinned down (a method on a value whose type
    /// is unknown, a path that matches nothing although the name exists).
    Unresolved,
    /// Not a workspace function (std, a dependency).
    External,
}

pub struct Names<'a> {
    files: &'a [FileInput<'a>],
    pub fns: Vec<FnEntry>,
    /// Free functions, methods and trait default methods by name; candidates are then filtered
    /// by crate, module and owner without building keys (lookups allocate nothing).
    free: HashMap<&'a str, Vec<usize>>,
    methods: HashMap<&'a str, Vec<usize>>,
    trait_defaults: HashMap<&'a str, Vec<usize>>,
    method_names: HashSet<&'a str>,
    free_names: HashSet<&'a str>,
    crate_idents: HashMap<String, usize>,
    root_modules: HashSet<(usize, &'a str)>,
    /// Every module name of each crate, at any depth: a lowercase first segment that is none of
    /// them (`reqwest::Client::new`) names another crate.
    modules: HashSet<(usize, &'a str)>,
    types: HashMap<usize, HashSet<&'a str>>,
    /// Every type and trait name of the workspace.
    type_names: HashSet<&'a str>,
    /// `pub use` re-exports by (crate, module): the name and the path as written.
    reexports: HashMap<(usize, Vec<String>), Vec<Reexported<'a>>>,
}

/// A `pub use`'s exported name and its path as written.
type Reexported<'a> = (&'a str, &'a [String]);

impl<'a> Names<'a> {
    pub fn build(files: &'a [FileInput<'a>], crate_names: &[String]) -> Names<'a> {
        let mut n = Names {
            files,
            fns: Vec::new(),
            free: HashMap::default(),
            methods: HashMap::default(),
            trait_defaults: HashMap::default(),
            method_names: HashSet::default(),
            free_names: HashSet::default(),
            crate_idents: crate_names
                .iter()
                .enumerate()
                .map(|(i, c)| (c.replace('-', "_"), i))
                .collect(),
            root_modules: HashSet::default(),
            modules: HashSet::default(),
            types: HashMap::default(),
            type_names: HashSet::default(),
            reexports: HashMap::default(),
        };
        for (fi, f) in files.iter().enumerate() {
            let krate = f.place.krate;
            n.types
                .entry(krate)
                .or_default()
                .extend(f.facts.types.iter().map(String::as_str));
            n.type_names.extend(f.facts.types.iter().map(String::as_str));
            for r in &f.facts.reexports {
                let mut module = f.place.module.clone();
                module.extend(r.module.iter().cloned());
                n.reexports
                    .entry((krate, module))
                    .or_default()
                    .push((r.name.as_str(), r.path.as_slice()));
            }
            if let Some(first) = f.place.module.first() {
                n.root_modules.insert((krate, first.as_str()));
            }
            let file_module: std::sync::Arc<[String]> = f.place.module.clone().into();
            n.modules.extend(f.place.module.iter().map(|m| (krate, m.as_str())));
            for (i, fact) in f.facts.fns.iter().enumerate() {
                if fact.is_test {
                    continue;
                }
                if let Some(first) = f.place.module.first().or(fact.module.first()) {
                    n.root_modules.insert((krate, first.as_str()));
                }
                n.modules.extend(fact.module.iter().map(|m| (krate, m.as_str())));
                let module = if fact.module.is_empty() {
                    file_module.clone()
                } else {
                    f.place.module.iter().chain(&fact.module).cloned().collect()
                };
                let id = n.fns.len();
                match (&fact.owner, fact.in_trait) {
                    (Some(_), false) => {
                        n.methods.entry(fact.name.as_str()).or_default().push(id);
                        n.method_names.insert(fact.name.as_str());
                    }
                    (Some(_), true) => {
                        n.trait_defaults.entry(fact.name.as_str()).or_default().push(id);
                        n.method_names.insert(fact.name.as_str());
                    }
                    (None, _) => {
                        n.free.entry(fact.name.as_str()).or_default().push(id);
                        n.free_names.insert(fact.name.as_str());
                    }
                }
                n.fns.push(FnEntry {
                    file: fi,
                    idx: i,
                    krate,
                    module,
                });
            }
        }
        n
    }

    /// The id of function `idx` of file `file` (`None` for a test function, which is not indexed).
    pub fn id_of(&self, file: usize, idx: usize) -> Option<usize> {
        self.fns.binary_search_by_key(&(file, idx), |e| (e.file, e.idx)).ok()
    }

    pub fn fact(&self, id: usize) -> &'a FnFact {
        let e = &self.fns[id];
        &self.files[e.file].facts.fns[e.idx]
    }

    /// The functions named `name`: the free ones, and the methods of types and traits (both in
    /// ascending id order).
    pub fn by_name(&self, name: &str) -> (&[usize], Vec<usize>) {
        let free = self.free.get(name).map_or(&[][..], Vec::as_slice);
        let mut owned: Vec<usize> = self.methods.get(name).into_iter().flatten().copied().collect();
        if let Some(defaults) = self.trait_defaults.get(name) {
            owned.extend(defaults);
            owned.sort_unstable();
        }
        (free, owned)
    }

    /// The workspace crate a path's first segment names (`my_api` for `my-api`).
    pub fn crate_ident(&self, ident: &str) -> Option<usize> {
        self.crate_idents.get(ident).copied()
    }

    /// Whether some workspace type has a method of this name.
    pub fn is_method_name(&self, name: &str) -> bool {
        self.method_names.contains(name)
    }

    /// Whether crate `krate` defines a type of this name (it shadows a glob import).
    pub fn defines_type(&self, krate: usize, name: &str) -> bool {
        self.types.get(&krate).is_some_and(|t| t.contains(name))
    }

    /// `crate::api::create_user` style path of a function, for messages and `[handlers]` globs.
    pub fn display(&self, id: usize) -> String {
        let f = self.fact(id);
        let mut parts = self.fns[id].module.to_vec();
        parts.extend(f.owner.clone());
        parts.push(f.name.clone());
        parts.join("::")
    }

    /// Resolves a call made in function `caller`.
    pub fn resolve(&self, caller: usize, call: &CallSite) -> Res {
        let e = &self.fns[caller];
        let fact = self.fact(caller);
        if call.callee.method {
            let name = &call.callee.path[0];
            if call.on_self {
                if let Some(owner) = &fact.owner {
                    let mut ids = self.owned(name, |id| {
                        self.fns[id].krate == e.krate && self.owner(id) == Some(owner)
                    });
                    if ids.is_empty() {
                        ids = self.defaults(name, |id| self.fns[id].krate == e.krate);
                    }
                    return Self::pick(ids, true);
                }
            }
            if let Some(recv) = &call.recv {
                if let Some(ty) = self.recv_type(caller, recv) {
                    let ids = self.methods_of(e.krate, ty, name);
                    if !ids.is_empty() {
                        return Self::pick(ids, true);
                    }
                }
            }
            return if self.method_names.contains(name.as_str()) {
                Res::Unresolved
            } else {
                Res::External
            };
        }
        let globs = &self.files[e.file].facts.globs;
        let ids = self.resolve_path(e.krate, &e.module, &call.callee.path, fact.owner.as_deref(), globs);
        let path = &call.callee.path;
        let names_workspace = path.len() == 1
            || matches!(path[0].as_str(), "crate" | "self" | "super" | "Self")
            || self.crate_idents.contains_key(&path[0])
            || self.root_modules.contains(&(e.krate, path[0].as_str()));
        let known_name = path
            .last()
            .is_some_and(|l| self.free_names.contains(l.as_str()) || self.method_names.contains(l.as_str()));
        Self::pick(ids, names_workspace && known_name)
    }

    /// The workspace type (or trait) a path names, from crate `krate`: `None` for another
    /// crate's type or a name the workspace does not define.
    fn type_named(&self, krate: usize, path: &[String]) -> Option<&'a str> {
        if self.names_another_crate(krate, path) {
            return None;
        }
        self.type_names.get(path.last()?.as_str()).copied()
    }

    /// Whether a path written in crate `krate` starts with another crate's name: a qualified
    /// path whose first segment is no `crate`/`self`/`super`, workspace crate or module of `krate`.
    fn names_another_crate(&self, krate: usize, path: &[String]) -> bool {
        match path.first() {
            Some(first) if path.len() > 1 => {
                !matches!(first.as_str(), "crate" | "self" | "super")
                    && !self.crate_idents.contains_key(first)
                    && !self.modules.contains(&(krate, first.as_str()))
            }
            _ => false,
        }
    }

    /// The type a function returns, when the workspace defines it.
    fn returned_type(&self, id: usize) -> Option<&'a str> {
        let ret = self.fact(id).ret_type.as_ref()?;
        self.type_named(self.fns[id].krate, ret)
    }

    /// The workspace type of a method call's receiver.
    pub fn recv_type(&self, caller: usize, recv: &Recv) -> Option<&'a str> {
        let e = &self.fns[caller];
        let mut ty = match &recv.root {
            RecvRoot::Type(path) => self.type_named(e.krate, path)?,
            RecvRoot::Call(path) => {
                let globs = &self.files[e.file].facts.globs;
                let owner = self.fact(caller).owner.as_deref();
                match self.resolve_path(e.krate, &e.module, path, owner, globs).as_slice() {
                    [id] => self.returned_type(*id)?,
                    _ => return None,
                }
            }
        };
        for m in &recv.through {
            let ids = self.methods_of(e.krate, ty, m);
            let first = self.returned_type(*ids.first()?)?;
            if ids.iter().any(|&id| self.returned_type(id) != Some(first)) {
                return None;
            }
            ty = first;
        }
        Some(ty)
    }

    /// The methods `name` a value of workspace type `ty` may call: the type's own (its crate's
    /// first), else, for a trait, every workspace impl's and the trait's default.
    pub fn methods_of(&self, krate: usize, ty: &str, name: &str) -> Vec<usize> {
        let own = self.owned(name, |id| self.owner(id).is_some_and(|o| o == ty));
        if !own.is_empty() {
            let here: Vec<usize> = own.iter().copied().filter(|&id| self.fns[id].krate == krate).collect();
            return if here.is_empty() { own } else { here };
        }
        let mut impls = self.owned(name, |id| self.fact(id).trait_impl.as_deref() == Some(ty));
        impls.extend(self.defaults(name, |id| self.owner(id).is_some_and(|o| o == ty)));
        impls
    }

    /// The functions a path written in function `caller` denotes.
    pub fn resolve_from(&self, caller: usize, path: &[String]) -> Vec<usize> {
        let e = &self.fns[caller];
        let globs = &self.files[e.file].facts.globs;
        self.resolve_path(e.krate, &e.module, path, self.fact(caller).owner.as_deref(), globs)
    }

    fn pick(mut ids: Vec<usize>, workspace_name: bool) -> Res {
        ids.sort_unstable();
        ids.dedup();
        match ids.len() {
            0 if workspace_name => Res::Unresolved,
            0 => Res::External,
            1 => Res::Fn(ids[0]),
            _ => Res::Ambiguous(ids),
        }
    }

    /// The functions a path denotes from `module` of crate `krate`.
    pub fn resolve_path(
        &self,
        krate: usize,
        module: &[String],
        path: &[String],
        owner: Option<&str>,
        globs: &[Vec<String>],
    ) -> Vec<usize> {
        let Some(first) = path.first() else { return Vec::new() };
        let mut bases: Vec<(usize, Vec<String>, &[String])> = Vec::new();
        match first.as_str() {
            "crate" => bases.push((krate, Vec::new(), &path[1..])),
            "self" => bases.push((krate, module.to_vec(), &path[1..])),
            "super" => {
                let n = path.iter().take_while(|s| *s == "super").count();
                let keep = module.len().saturating_sub(n);
                bases.push((krate, module[..keep].to_vec(), &path[n..]));
            }
            "Self" => {
                if let (Some(o), 2) = (owner, path.len()) {
                    return self.type_method(krate, o, &path[1]);
                }
            }
            other => match self.crate_idents.get(other) {
                Some(&c) if !self.root_modules.contains(&(krate, other)) => bases.push((c, Vec::new(), &path[1..])),
                _ if other.starts_with(|c: char| c.is_lowercase()) && self.names_another_crate(krate, path) => {
                    // `reqwest::Client::new`: another crate's item, never a workspace type of the
                    // same name.
                    return Vec::new();
                }
                _ => {
                    bases.push((krate, module.to_vec(), path));
                    if !module.is_empty() {
                        bases.push((krate, Vec::new(), path));
                    }
                }
            },
        }
        for (c, m, rest) in &bases {
            let ids = self.lookup(*c, m, rest);
            if !ids.is_empty() {
                return ids;
            }
        }
        // Through the `pub use`s of the module the path names (`crate::proxy::proxy` re-exported
        // from one edition's module or another's).
        for (c, m, rest) in &bases {
            let ids = self.through_reexports(*c, m, rest, 0);
            if !ids.is_empty() {
                return ids;
            }
        }
        if path.len() == 1 {
            // `use crate::db::*;` then `connect()`.
            let mut out = Vec::new();
            for g in globs {
                let mut full = g.clone();
                full.extend(path.iter().cloned());
                out.extend(self.resolve_path(krate, module, &full, owner, &[]));
            }
            return out;
        }
        Vec::new()
    }

    /// `base::quals::name` through the re-exports of module `base::quals`, a few levels deep.
    fn through_reexports(&self, krate: usize, base: &[String], rest: &[String], depth: usize) -> Vec<usize> {
        let Some((name, quals)) = rest.split_last() else {
            return Vec::new();
        };
        if depth > 3 || self.reexports.is_empty() {
            return Vec::new();
        }
        let mut module = base.to_vec();
        module.extend(quals.iter().cloned());
        let Some(list) = self.reexports.get(&(krate, module.clone())) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &(alias, path) in list {
            let target: Vec<String> = match alias {
                "*" => path.iter().chain(std::iter::once(name)).cloned().collect(),
                a if a == name => path.to_vec(),
                _ => continue,
            };
            let (c, m, r): (usize, Vec<String>, &[String]) = match target.first().map(String::as_str) {
                Some("crate") => (krate, Vec::new(), &target[1..]),
                Some("self") => (krate, module.clone(), &target[1..]),
                Some("super") => {
                    let n = target.iter().take_while(|s| *s == "super").count();
                    (krate, module[..module.len().saturating_sub(n)].to_vec(), &target[n..])
                }
                Some(first) => match self.crate_idents.get(first) {
                    Some(&c) if !self.modules.contains(&(krate, first)) => (c, Vec::new(), &target[1..]),
                    _ => (krate, module.clone(), &target[..]),
                },
                None => continue,
            };
            let mut ids = self.lookup(c, &m, r);
            if ids.is_empty() {
                ids = self.through_reexports(c, &m, r, depth + 1);
            }
            out.extend(ids);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn owner(&self, id: usize) -> Option<&String> {
        self.fact(id).owner.as_ref()
    }

    fn owned(&self, name: &str, keep: impl Fn(usize) -> bool) -> Vec<usize> {
        self.methods
            .get(name)
            .map(|ids| ids.iter().copied().filter(|&id| keep(id)).collect())
            .unwrap_or_default()
    }

    fn defaults(&self, name: &str, keep: impl Fn(usize) -> bool) -> Vec<usize> {
        self.trait_defaults
            .get(name)
            .map(|ids| ids.iter().copied().filter(|&id| keep(id)).collect())
            .unwrap_or_default()
    }

    fn lookup(&self, krate: usize, base: &[String], rest: &[String]) -> Vec<usize> {
        let Some((name, quals)) = rest.split_last() else {
            return Vec::new();
        };
        // A free function in module `base::quals`.
        let in_module = |id: usize| {
            let m = &self.fns[id].module;
            self.fns[id].krate == krate
                && m.len() == base.len() + quals.len()
                && m[..base.len()] == *base
                && m[base.len()..] == *quals
        };
        let free: Vec<usize> = self
            .free
            .get(name.as_str())
            .map(|ids| ids.iter().copied().filter(|&id| in_module(id)).collect())
            .unwrap_or_default();
        if !free.is_empty() {
            return free;
        }
        // `Type::assoc()`, `module::Type::assoc()`: impls may live beside or away from the type.
        if let Some(ty) = quals.last().filter(|q| q.starts_with(|c: char| c.is_uppercase())) {
            return self.type_method(krate, ty, name);
        }
        Vec::new()
    }

    /// `Type::name`: a method of the type's impls (in the crate, else in another crate of the
    /// workspace), or else the one default method of that name among the workspace's traits
    /// (`impl Crud for Community {}` inheriting `Crud::read`). With several, the call stays
    /// ambiguous.
    fn type_method(&self, krate: usize, ty: &str, name: &str) -> Vec<usize> {
        let is_ty = |id: usize| self.owner(id).is_some_and(|o| o == ty);
        let here = self.owned(name, |id| self.fns[id].krate == krate && is_ty(id));
        if !here.is_empty() {
            return here;
        }
        let anywhere = self.owned(name, is_ty);
        if !anywhere.is_empty() {
            return anywhere;
        }
        self.defaults(name, |_| true)
    }
}

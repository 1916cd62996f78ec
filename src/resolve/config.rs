//! Grouping configuration facts across the workspace. Places are tied together when
//! they read the same environment variable, define a constant of the same (specific) name, write
//! the same URL or `host:port` (a URL that is a prefix of another counts as the same value), or
//! give the same duration or number to the same setting name. A group with two or more places is
//! reported once: as `conflicting-config` when copies of one name or key disagree, otherwise as
//! `duplicated-config`.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use super::FileInput;
use crate::diagnostic::Span;
use crate::facts::{ConfigKind, ConfigValue, Shape};
use crate::knowledge::ConfigKnowledge;

#[derive(Debug, Clone)]
pub struct Member {
    pub file: usize,
    /// The value is a constant's, referred to by name (`.unwrap_or(DEFAULT_PORT)`): a use of
    /// the definition, not a copy of it.
    pub value_by_reference: bool,
    pub system: usize,
    pub cfg: Option<String>,
    pub kind: ConfigKind,
    pub name: Option<String>,
    pub key: Option<String>,
    pub value: Option<ConfigValue>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// One environment variable read with different defaults.
    EnvDefaults(String),
    /// One constant name defined with different values.
    ConstValues(String),
}

#[derive(Debug, Clone)]
pub struct Group {
    /// Indices into `members`, in (file, line, column) order.
    pub members: Vec<usize>,
    pub conflict: Option<Conflict>,
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
    matches!(v.norm.as_str(), "num:0" | "num:1" | "num:-1" | "str:") || v.shape == Shape::Bool
}

/// A string value specific enough that two copies of it are one setting: a URL, a `host:port`,
/// or a long token-like string (`orders.created`, `/var/lib/app`).
fn strong(v: &ConfigValue) -> bool {
    match v.shape {
        Shape::Url | Shape::HostPort => true,
        Shape::Text => {
            let s = v.norm.trim_start_matches("str:");
            s.len() >= 8 && !s.contains(char::is_whitespace) && s.contains(['/', '.', '-', ':'])
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

/// Groups the configuration facts of `files`; `system[krate]` says which crates belong together.
pub fn group(files: &[FileInput], k: &ConfigKnowledge, system: &[usize]) -> Config {
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

    let mut members = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        for c in &f.facts.config {
            let mut key = c.key.clone();
            if key.is_none() {
                key = c
                    .key_ref
                    .as_deref()
                    .and_then(|r| const_value(f.place.krate, r))
                    .and_then(|v| v.norm.strip_prefix("str:").map(str::to_string));
            }
            if c.kind == ConfigKind::EnvRead && key.as_deref().is_none_or(|key| k.key_is_ignored(key)) {
                continue;
            }
            let value_by_reference = c.value.is_none() && c.default_ref.is_some();
            let value = c
                .value
                .clone()
                .or_else(|| c.default_ref.as_deref().and_then(|r| const_value(f.place.krate, r)));
            members.push(Member {
                file: fi,
                value_by_reference,
                system: system.get(f.place.krate).copied().unwrap_or(f.place.krate),
                cfg: c.cfg.clone(),
                kind: c.kind,
                name: c.name.clone(),
                key,
                value,
                span: c.span,
            });
        }
    }

    let mut dsu = Dsu((0..members.len()).collect());
    let mut first: HashMap<String, usize> = HashMap::default();
    let mut link = |dsu: &mut Dsu, tag: String, i: usize| match first.get(&tag) {
        Some(&j) => dsu.union(i, j),
        None => {
            first.insert(tag, i);
        }
    };
    let mut urls: Vec<(usize, &str, usize)> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        // Places tie together only within one system, and `cfg` alternatives only with their own.
        let sys = m.system;
        let cfg = m.cfg.as_deref().unwrap_or("");
        if let Some(key) = &m.key {
            link(&mut dsu, format!("{sys}:env:{key}"), i);
        }
        let name = m.name.as_deref().filter(|n| !k.name_is_generic(n));
        if let (Some(n), ConfigKind::Const | ConfigKind::Static) = (name, m.kind) {
            link(&mut dsu, format!("{sys}:const:{cfg}:{n}"), i);
        }
        if let Some(v) = m.value.as_ref().filter(|_| !m.value_by_reference) {
            if strong(v) {
                link(&mut dsu, format!("{sys}:value:{cfg}:{}", v.norm), i);
                if v.shape == Shape::Url {
                    urls.push((sys, v.norm.as_str(), i));
                }
            } else if matches!(v.shape, Shape::Number | Shape::Duration) && !trivial(v) {
                if let Some(n) = name.filter(|n| k.name_is_config(n)) {
                    link(&mut dsu, format!("{sys}:named:{cfg}:{}={}", k.group_name(n), v.norm), i);
                }
            }
        }
    }
    tie_url_prefixes(&urls, &mut dsu);

    let mut components: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..members.len() {
        let root = dsu.find(i);
        components.entry(root).or_default().push(i);
    }
    let mut groups = Vec::new();
    for (_, mut ids) in components {
        ids.sort_by_key(|&i| (members[i].file, members[i].span));
        ids.dedup_by_key(|i| (members[*i].file, members[*i].span));
        if ids.len() < 2 {
            continue;
        }
        let conflict = find_conflict(&members, &ids);
        let all_trivial = ids
            .iter()
            .all(|&i| members[i].key.is_none() && members[i].value.as_ref().is_none_or(trivial));
        if conflict.is_none() && all_trivial {
            continue;
        }
        groups.push(Group { members: ids, conflict });
    }
    Config { members, groups }
}

fn find_conflict(members: &[Member], ids: &[usize]) -> Option<Conflict> {
    let mut defaults: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut values: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for &i in ids {
        let m = &members[i];
        match (m.kind, &m.key, &m.name, &m.value) {
            (ConfigKind::EnvRead, Some(key), _, Some(v)) => defaults.entry(key).or_default().push(&v.norm),
            (ConfigKind::Const | ConfigKind::Static, _, Some(name), Some(v)) => values
                .entry((name, m.cfg.as_deref().unwrap_or("")))
                .or_default()
                .push(&v.norm),
            _ => {}
        }
    }
    let differs = |v: &Vec<&str>| v.iter().any(|x| *x != v[0]);
    if let Some((key, _)) = defaults.iter().find(|(_, v)| differs(v)) {
        return Some(Conflict::EnvDefaults(key.to_string()));
    }
    values
        .iter()
        .find(|(_, v)| differs(v))
        .map(|((name, _), _)| Conflict::ConstValues(name.to_string()))
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

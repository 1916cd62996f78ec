//! Engine constructors (`rules/engines.toml`), matched on resolved paths.

use serde::Deserialize;

use super::Glob;

pub const ENGINES_TOML: &str = include_str!("../../rules/engines.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    engine: Vec<Entry>,
    #[serde(default)]
    builder: Vec<BuilderEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuilderEntry {
    builds: String,
    types: Vec<String>,
    finish: Vec<String>,
}

/// A builder type (`reqwest::ClientBuilder`): a value of it, wherever it came from (a parameter,
/// a field, a helper's return value), builds the engine when one of `finish` is called on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuilderType {
    /// Glob segments of the type's path; the first is the crate.
    pub ty: Vec<Glob>,
    pub finish: Vec<Glob>,
    pub builds: String,
}

/// Whether `path` (crate first) matches `pattern`: the crate and the trailing segments, with the
/// segments in between free.
pub fn path_matches(pattern: &[Glob], path: &[String]) -> bool {
    path.len() >= pattern.len()
        && !pattern.is_empty()
        && pattern[0].is_match(&path[0])
        && pattern[1..]
            .iter()
            .rev()
            .zip(path.iter().rev())
            .all(|(pat, seg)| pat.is_match(seg))
}

/// One `[[engine]]` entry of `rules/engines.toml`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub builds: String,
    #[serde(default)]
    pub constructors: Vec<String>,
    #[serde(default)]
    pub methods: Vec<String>,
    #[serde(default)]
    pub crates: Vec<String>,
}

/// The embedded `[[engine]]` entries as written, for checking the file itself.
pub fn default_entries() -> Vec<Entry> {
    let f: File = toml::from_str(ENGINES_TOML).expect("rules/engines.toml is valid (checked by tests)");
    f.engine
}

/// `crate::Type::ctor` or `crate::Type::builder().build`: a root call and an optional final method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constructor {
    /// Glob segments; the first is the crate.
    pub root: Vec<Glob>,
    /// A glob on the final method's name.
    pub method: Option<Glob>,
    /// What it builds ("a sqlx connection pool").
    pub builds: String,
}

impl Constructor {
    pub fn parse(text: &str, builds: &str) -> Result<Constructor, String> {
        let text = text.trim().trim_start_matches("::");
        let (root, method) = match text.split_once("().") {
            Some((r, m)) => (r, Some(m.trim_end_matches("()"))),
            None => (text.trim_end_matches("()"), None),
        };
        let root: Vec<&str> = root.split("::").map(str::trim).collect();
        if root.len() < 2 || root.iter().any(|s| s.is_empty()) || method == Some("") {
            return Err(format!(
                "`{text}` is not a constructor pattern: write `crate::Type::new` or `crate::Type::builder().build`"
            ));
        }
        Ok(Constructor {
            root: root.into_iter().map(Glob::new).collect(),
            method: method.map(Glob::new),
            builds: builds.to_string(),
        })
    }

    /// Whether `path` (a resolved call path, crate first) is this pattern's root call.
    pub fn root_matches(&self, path: &[String]) -> bool {
        path_matches(&self.root, path)
    }
}

/// A method only one crate has (`get_multiplexed_async_connection`): it counts in files that use
/// one of `crates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineMethod {
    pub method: String,
    pub crates: Vec<String>,
    pub builds: String,
}

#[derive(Debug, Clone, Default)]
pub struct Engines {
    pub constructors: Vec<Constructor>,
    pub methods: Vec<EngineMethod>,
    pub builders: Vec<BuilderType>,
}

impl Engines {
    pub fn defaults() -> Engines {
        let f: File = toml::from_str(ENGINES_TOML).expect("rules/engines.toml is valid (checked by tests)");
        let mut e = Engines::default();
        for entry in f.engine {
            for c in &entry.constructors {
                e.constructors
                    .push(Constructor::parse(c, &entry.builds).expect("embedded engine patterns are valid"));
            }
            for m in &entry.methods {
                e.methods.push(EngineMethod {
                    method: m.trim_start_matches('.').to_string(),
                    crates: entry.crates.clone(),
                    builds: entry.builds.clone(),
                });
            }
        }
        for b in f.builder {
            for t in &b.types {
                e.builders.push(BuilderType {
                    ty: t.split("::").map(|s| Glob::new(s.trim())).collect(),
                    finish: b.finish.iter().map(|m| Glob::new(m.trim_start_matches('.'))).collect(),
                    builds: b.builds.clone(),
                });
            }
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        s.split("::").map(str::to_string).collect()
    }

    #[test]
    fn roots_match_on_crate_and_trailing_segments() {
        let c = Constructor::parse("sqlx::*PoolOptions::new().connect*", "x").unwrap();
        assert_eq!(c.method.as_ref().map(Glob::as_str), Some("connect*"));
        assert!(c.root_matches(&p("sqlx::postgres::PgPoolOptions::new")));
        assert!(c.root_matches(&p("sqlx::PgPoolOptions::new")));
        assert!(!c.root_matches(&p("crate::db::PgPoolOptions::new")));
        assert!(!c.root_matches(&p("PgPoolOptions::new")));
        let g = Constructor::parse("*::*_client::*Client::connect", "x").unwrap();
        assert!(g.root_matches(&p("pb::accounts_client::AccountsClient::connect")));
        assert!(!g.root_matches(&p("AccountsClient::connect")));
        assert!(Constructor::parse("reqwest", "x").is_err());
    }

    #[test]
    fn the_embedded_base_parses() {
        let e = Engines::defaults();
        assert!(e.constructors.len() > 30);
        assert!(
            e.methods.iter().all(|m| !m.crates.is_empty()),
            "method patterns need their crates"
        );
    }
}

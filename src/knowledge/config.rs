//! Configuration knowledge (`rules/config.toml`): what names and values look like configuration,
//! how environment variables are read.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Glob, PathPattern};

pub const CONFIG_TOML: &str = include_str!("../../rules/config.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    names: Names,
    values: Values,
    env: Env,
    keys: Keys,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    setters: Vec<String>,
    root_structs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Names {
    words: Vec<String>,
    units: BTreeMap<String, u64>,
    ignored_words: Vec<String>,
    generic_names: Vec<String>,
    positional_words: Vec<String>,
    test_module_words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Values {
    url_schemes: Vec<String>,
    placeholder_hosts: Vec<String>,
    file_extensions: Vec<String>,
    public_hosts: Vec<String>,
    subprocess_methods: Vec<String>,
    range_methods: Vec<String>,
    protocol_ports: Vec<u32>,
    durations: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Env {
    readers: Vec<String>,
    macros: Vec<String>,
    default_methods: Vec<String>,
    clap_attributes: Vec<String>,
    ignored_keys: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ConfigKnowledge {
    pub name_words: Vec<String>,
    pub units: BTreeMap<String, u64>,
    pub ignored_words: Vec<String>,
    pub generic_names: Vec<String>,
    pub positional_words: Vec<String>,
    pub test_module_words: Vec<String>,
    pub url_schemes: Vec<String>,
    pub placeholder_hosts: Vec<Glob>,
    pub file_extensions: Vec<String>,
    pub public_hosts: Vec<Glob>,
    pub subprocess_methods: Vec<String>,
    pub range_methods: Vec<String>,
    pub protocol_ports: Vec<u32>,
    pub durations: BTreeMap<String, u64>,
    pub env_readers: Vec<PathPattern>,
    pub env_macros: Vec<String>,
    pub default_methods: Vec<String>,
    pub clap_attributes: Vec<String>,
    pub ignored_keys: Vec<Glob>,
    pub key_setters: Vec<String>,
    pub root_structs: Vec<String>,
}

/// `DEFAULT_REQUEST_TIMEOUT_SECS` / `requestTimeout` → upper-case words.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    any_word(name, |w| {
        out.push(w.to_string());
        false
    });
    out
}

/// Whether `f` holds for one of the upper-case words of `name` ([`words`]), asked in order
/// and built in one buffer: the names checked are many, their words are not kept.
pub fn any_word(name: &str, mut f: impl FnMut(&str) -> bool) -> bool {
    let mut cur = String::with_capacity(name.len());
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' {
            if !cur.is_empty() {
                if f(&cur) {
                    return true;
                }
                cur.clear();
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            if f(&cur) {
                return true;
            }
            cur.clear();
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_uppercase());
    }
    !cur.is_empty() && f(&cur)
}

impl ConfigKnowledge {
    pub fn defaults() -> ConfigKnowledge {
        let f: File = toml::from_str(CONFIG_TOML).expect("rules/config.toml is valid (checked by tests)");
        ConfigKnowledge {
            name_words: f.names.words,
            units: f.names.units,
            ignored_words: f.names.ignored_words,
            generic_names: f.names.generic_names,
            positional_words: f.names.positional_words,
            test_module_words: f.names.test_module_words,
            url_schemes: f.values.url_schemes,
            placeholder_hosts: f.values.placeholder_hosts.iter().map(|g| Glob::new(g)).collect(),
            file_extensions: f.values.file_extensions,
            public_hosts: f.values.public_hosts.iter().map(|g| Glob::new(g)).collect(),
            subprocess_methods: f.values.subprocess_methods,
            range_methods: f.values.range_methods,
            protocol_ports: f.values.protocol_ports,
            durations: f.values.durations,
            env_readers: f.env.readers.iter().map(|s| PathPattern::parse(s)).collect(),
            env_macros: f.env.macros,
            default_methods: f.env.default_methods,
            clap_attributes: f.env.clap_attributes,
            ignored_keys: f.env.ignored_keys.iter().map(|g| Glob::new(g)).collect(),
            key_setters: f.keys.setters,
            root_structs: f.keys.root_structs,
        }
    }

    /// A name that looks like configuration (`MAX_RETRIES`, `DATABASE_URL`, `timeout`).
    pub fn name_is_config(&self, name: &str) -> bool {
        any_word(name, |w| self.name_words.iter().any(|n| n == w))
    }

    /// A parameter whose positional literals are settings (`timeout`, `retry_delay`).
    pub fn param_is_setting(&self, name: &str) -> bool {
        any_word(name, |w| self.positional_words.iter().any(|n| n == w))
    }

    /// A module of test helpers (`test`, `model_testing`, `mocks`).
    pub fn module_is_test(&self, module: &str) -> bool {
        any_word(module, |w| self.test_module_words.iter().any(|n| n == w))
    }

    /// The unit of an integer constant from its name (`TIMEOUT_SECS` → 1000 ms).
    pub fn unit_of(&self, name: &str) -> Option<u64> {
        words(name).last().and_then(|w| self.units.get(w)).copied()
    }

    /// A name reduced for grouping: lower case, unit suffix and `DEFAULT` dropped
    /// (`DEFAULT_TIMEOUT_SECS` → `timeout`).
    pub fn group_name(&self, name: &str) -> String {
        let mut w = words(name);
        if w.last().is_some_and(|l| self.units.contains_key(l)) && w.len() > 1 {
            w.pop();
        }
        w.retain(|x| !self.ignored_words.contains(x));
        w.join("_").to_lowercase()
    }

    /// Build metadata such as `CARGO_PKG_VERSION`, or a variable of the environment or of
    /// another tool (`HOME`, `XDG_DATA_HOME`): not the service's configuration.
    pub fn key_is_ignored(&self, key: &str) -> bool {
        self.ignored_keys.iter().any(|g| g.is_match(key))
    }

    /// A name with at least two words of its own, beyond the words every setting uses
    /// (`MAX_CONFIGS_PER_CRATE`: CONFIGS, PER, CRATE; not `MAX_ATTEMPTS` or `DELETED_DIR_PATH`):
    /// two constants of such a name and one value are one setting copied.
    pub fn name_is_specific(&self, name: &str) -> bool {
        words(name)
            .iter()
            .filter(|w| {
                !self.name_words.contains(w)
                    && !self.ignored_words.contains(w)
                    && !self.units.contains_key(*w)
                    && !self.generic_names.contains(w)
            })
            .count()
            >= 2
    }

    /// A one-word generic name (`MAX`): not enough to tie two constants together.
    pub fn name_is_generic(&self, name: &str) -> bool {
        let w = words(name);
        w.len() == 1 && self.generic_names.contains(&w[0])
    }

    /// `postgres://db:5432/app` → true; a placeholder such as `https://example.com/x`, a link
    /// on a public site (`https://github.com/org/repo`: not where the service connects), or an
    /// address that cannot be connected to (port 0, `_` in the host name, as dummy URIs handed to
    /// a client with a custom connector are) → false.
    pub fn is_url(&self, s: &str) -> bool {
        url_parts(s).is_some_and(|u| {
            !u.rest.is_empty()
                && self.url_schemes.iter().any(|k| k.eq_ignore_ascii_case(u.scheme))
                && !self.placeholder_hosts.iter().any(|g| g.is_match(&u.host))
                && !self.public_hosts.iter().any(|g| g.is_match(&u.host))
                && !unconnectable(&u.host, u.port)
        })
    }

    /// A bare file name with a known extension (`config.json`).
    pub fn is_file_name(&self, s: &str) -> bool {
        !s.contains(['/', '\\', ':', ' '])
            && s.rsplit_once('.').is_some_and(|(stem, ext)| {
                !stem.is_empty() && self.file_extensions.iter().any(|e| e.eq_ignore_ascii_case(ext))
            })
    }
}

/// The pieces of `scheme://[user@]host[:port]/path`.
struct UrlParts<'a> {
    scheme: &'a str,
    rest: &'a str,
    /// `user@host:port`, and what follows it (`/path?query`).
    authority: &'a str,
    path: &'a str,
    host: String,
    port: Option<&'a str>,
}

fn url_parts(s: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = s.split_once("://")?;
    let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let hostport = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && p.chars().all(|c| c.is_ascii_digit()) => (h, Some(p)),
        _ => (hostport, None),
    };
    Some(UrlParts {
        scheme,
        rest,
        authority,
        path,
        host: host.to_ascii_lowercase(),
        port,
    })
}

/// Port 0, or a host name no resolver accepts (`_` in it): a dummy address.
fn unconnectable(host: &str, port: Option<&str>) -> bool {
    port.is_some_and(|p| p.parse::<u32>() == Ok(0)) || host.contains('_')
}

/// `https://example.org/`: a URL with no path on a public-looking host (a dotted name that is not
/// an IP address or an internal suffix) and no port.
pub fn is_public_root(url: &str) -> bool {
    let Some(u) = url_parts(url) else { return false };
    if !u.path.trim_end_matches('/').is_empty() || u.authority.contains(':') {
        return false;
    }
    const INTERNAL: &[&str] = &[".internal", ".local", ".svc", ".lan", ".localhost", ".cluster"];
    let host = &u.host;
    host.contains('.') && host.parse::<std::net::IpAddr>().is_err() && !INTERNAL.iter().any(|s| host.ends_with(s))
}

/// The port of a `host:port`, when there is one.
pub fn port_of(s: &str) -> Option<u32> {
    let hostport = match url_parts(s) {
        Some(u) => u.authority,
        None => s,
    };
    let (_, p) = hostport.rsplit('@').next()?.rsplit_once(':')?;
    p.parse().ok()
}

/// `0.0.0.0:8080`, `localhost:6379`, `db.internal:5432`, `[::1]:3000`; not port 0 or a host with
/// `_` (a dummy address).
pub fn is_host_port(s: &str) -> bool {
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    let port_ok = (1..=5).contains(&port.len()) && port.chars().all(|c| c.is_ascii_digit());
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && (host.contains('.') || host.chars().any(|c| c.is_ascii_alphabetic()) || host.contains(':'));
    port_ok && host_ok && !unconnectable(host, Some(port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_snake_and_camel_case() {
        assert_eq!(
            words("DEFAULT_REQUEST_TIMEOUT_SECS"),
            ["DEFAULT", "REQUEST", "TIMEOUT", "SECS"]
        );
        assert_eq!(words("requestTimeout"), ["REQUEST", "TIMEOUT"]);
        assert_eq!(words("max_connections"), ["MAX", "CONNECTIONS"]);
    }

    #[test]
    fn names_units_and_shapes() {
        let k = ConfigKnowledge::defaults();
        assert!(k.name_is_config("MAX_RETRIES") && k.name_is_config("DATABASE_URL") && k.name_is_config("timeout"));
        assert!(!k.name_is_config("PAGE") && !k.name_is_config("GREETING"));
        assert_eq!(k.unit_of("TIMEOUT_SECS"), Some(1000));
        assert_eq!(k.group_name("DEFAULT_TIMEOUT_SECS"), "timeout");
        assert!(k.is_url("postgres://db:5432/app") && k.is_url("https://x") && !k.is_url("see: https"));
        assert!(
            !k.is_url("http://example.com/a")
                && !k.is_url("https://user:pw@api.example:443")
                && k.is_url("https://examples.io")
        );
        assert!(is_host_port("0.0.0.0:8080") && is_host_port("localhost:6379") && is_host_port("[::1]:3000"));
        assert!(!is_host_port("12:30") && !is_host_port("a:b") && !is_host_port("user: admin"));
    }
}

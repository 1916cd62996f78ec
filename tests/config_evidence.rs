//! What makes places one setting for `duplicated-config` and `conflicting-config`: each kind of
//! evidence (with a case that is not evidence next to it), the program and `cfg` scopes, and
//! values that are not configuration.

mod common;

use common::{obsdebt, temp_tree};
use serde_json::Value;

const PKG: &str = "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n";

/// One config finding: rule, message, `path:line`, number of other places, notes.
#[derive(Debug)]
struct Found {
    rule: String,
    message: String,
    at: String,
    others: usize,
    notes: Vec<String>,
}

/// The config findings of a tree (its own `Cargo.toml` files included).
fn findings(tree: &[(&str, &str)]) -> Vec<Found> {
    let dir = temp_tree(tree);
    let (_, out, err) = obsdebt(
        dir.path(),
        &[
            "check",
            "--output-format",
            "json",
            "--exit-zero",
            "--select",
            "duplicated-config,conflicting-config",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| Found {
            rule: d["rule"].as_str().unwrap().to_string(),
            message: d["message"].as_str().unwrap().to_string(),
            at: format!("{}:{}", d["path"].as_str().unwrap(), d["line"]),
            others: d["related"].as_array().unwrap().len(),
            notes: d["notes"]
                .as_array()
                .map(|n| n.iter().map(|x| x.as_str().unwrap().to_string()).collect())
                .unwrap_or_default(),
        })
        .collect()
}

/// A one-package tree.
fn package(files: &[(&str, &str)]) -> Vec<Found> {
    let mut tree = vec![("Cargo.toml", PKG)];
    tree.extend_from_slice(files);
    findings(&tree)
}

fn messages(found: &[Found]) -> Vec<&str> {
    found.iter().map(|f| f.message.as_str()).collect()
}

// ---- identity: keys and settings fields -------------------------------------------------

const SETTINGS: &str = r#"
pub struct Metrics { pub host: String, pub port: u16, pub enable: bool }
impl Default for Metrics {
    fn default() -> Self {
        Self { enable: false, host: String::from("127.0.0.1"), port: 9001 }
    }
}
pub fn builder() -> Result<config::ConfigBuilder<config::builder::DefaultState>, config::ConfigError> {
    config::Config::builder()
        .set_default("metrics.enable", false)?
        .set_default("metrics.host", "127.0.0.1")?
        .set_default("metrics.port", PORT_DEFAULT)?
        .set_default("port", 8888)
}
"#;

#[test]
fn a_key_and_its_settings_field_are_one_setting() {
    let src = SETTINGS.replace("PORT_DEFAULT", "9001");
    let found = package(&[("src/lib.rs", &src)]);
    assert_eq!(
        messages(&found),
        [
            "the default of key `metrics.host` is set in 2 places",
            "the default of key `metrics.port` is set in 2 places"
        ],
        "{found:?}"
    );
    assert!(found.iter().all(|f| f.rule == "duplicated-config"));
    assert_eq!(
        found[1].notes,
        ["one setting: the same configuration key `metrics.port`"]
    );
    // `enable: false` is set twice too, but a boolean is no evidence worth a finding; the
    // top-level `port` key is not `Metrics::port`.
}

#[test]
fn a_key_and_its_settings_field_with_different_defaults_conflict() {
    let src = SETTINGS.replace("PORT_DEFAULT", "9000");
    let found = package(&[("src/lib.rs", &src)]);
    let conflict: Vec<&Found> = found.iter().filter(|f| f.rule == "conflicting-config").collect();
    assert_eq!(conflict.len(), 1, "{found:?}");
    assert_eq!(
        conflict[0].message,
        "configuration key `metrics.port` has conflicting defaults: `9001` vs `9000`"
    );
}

#[test]
fn a_sub_settings_struct_fills_its_own_keys_only() {
    // `kv::Settings` is `kv.*`, not the root settings' `db_path`.
    let found = package(&[
        ("src/lib.rs", "pub mod kv;\npub fn builder(dir: &std::path::Path, b: config::ConfigBuilder<config::builder::DefaultState>) {\n    let db = dir.join(\"history.db\");\n    let kv = dir.join(\"kv.db\");\n    let _ = b.set_default(\"db_path\", db.to_str()).and_then(|b| b.set_default(\"kv.db_path\", kv.to_str()));\n}\n"),
        ("src/kv.rs", "pub struct Settings { pub db_path: String }\nimpl Default for Settings {\n    fn default() -> Self {\n        let path = crate::data_dir().join(\"kv.db\");\n        Self { db_path: path.to_string_lossy().to_string() }\n    }\n}\n"),
    ]);
    assert_eq!(
        messages(&found),
        ["the default of key `kv.db_path` is set in 2 places"],
        "{found:?}"
    );
    assert_eq!(found[0].at, "src/kv.rs:4", "reported where the value is written");
}

#[test]
fn an_env_var_named_like_a_settings_table_entry() {
    let found = package(&[(
        "src/lib.rs",
        r#"
pub fn get_env(key: &str) -> Option<String> { std::env::var(key).ok() }
pub fn data_folder() -> String { get_env("DATA_FOLDER").unwrap_or_else(|| String::from("data")) }
make_config! {
    folders {
        /// Main data folder
        data_folder: String, false, def, "data".to_owned();
        icon_cache_folder: String, false, def, "icons".to_owned();
        tmp_folder: String, false, def, "tmp".to_owned();
    }
}
"#,
    )]);
    assert_eq!(
        messages(&found),
        ["environment variable `DATA_FOLDER` is read or given a default in 2 places"],
        "{found:?}"
    );
    assert!(found[0].notes[0].contains("settings field `data_folder`"), "{found:?}");
}

// ---- identity: environment variables -----------------------------------------------------

#[test]
fn an_env_var_read_through_a_workspace_helper() {
    let found = package(&[
        ("src/util.rs", "pub fn env_str(key: &str) -> Option<String> { std::env::var(key).ok() }\npub fn get_env(key: &str) -> Option<String> { env_str(key) }\npub fn lookup(key: &str) -> Option<&'static str> { if key == \"X\" { Some(\"y\") } else { None } }\n"),
        ("src/lib.rs", "pub mod util;\nuse util::{get_env, lookup};\npub fn a() -> Option<String> { get_env(\"SMTP_HOST\") }\npub fn b() -> Option<String> { get_env(\"SMTP_HOST\") }\npub fn c() -> Option<&'static str> { lookup(\"ICON_SERVICE\").or(lookup(\"ICON_SERVICE\")) }\n"),
    ]);
    // `lookup` does not read the environment: its keys are not variables.
    assert_eq!(
        messages(&found),
        ["environment variable `SMTP_HOST` is read in 2 places"],
        "{found:?}"
    );
}

#[test]
fn reads_through_one_constant_key_are_one_definition() {
    let found = package(&[(
        "src/lib.rs",
        "const AUTHOR_ENV: &str = \"APP_AUTHOR\";\npub fn a() -> Option<String> { std::env::var(AUTHOR_ENV).ok() }\npub fn b() -> Option<String> { std::env::var(AUTHOR_ENV).ok() }\npub fn c() -> Option<String> { std::env::var(\"APP_EDITOR\").ok() }\npub fn d() -> Option<String> { std::env::var(\"APP_EDITOR\").ok() }\n",
    )]);
    assert_eq!(
        messages(&found),
        ["environment variable `APP_EDITOR` is read in 2 places"],
        "{found:?}"
    );
}

#[test]
fn variables_of_the_system_and_of_other_tools_are_not_configuration() {
    let found = package(&[(
        "src/lib.rs",
        "pub fn a() { let _ = std::env::var(\"HOME\"); let _ = std::env::var(\"XDG_DATA_HOME\"); let _ = std::env::var(\"SHELL\"); let _ = std::env::var(\"AWS_REGION\"); let _ = std::env::var(\"RUST_LOG\"); }\npub fn b() { let _ = std::env::var(\"HOME\"); let _ = std::env::var(\"XDG_DATA_HOME\"); let _ = std::env::var(\"SHELL\"); let _ = std::env::var(\"AWS_REGION\"); let _ = std::env::var(\"RUST_LOG\"); }\n",
    )]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn compile_time_env_is_not_configuration() {
    let found = package(&[(
        "src/main.rs",
        "fn main() { let a = env!(\"GIT_HASH\"); let b = env!(\"GIT_HASH\"); let c = option_env!(\"GIT_HASH\"); }\n",
    )]);
    assert!(found.is_empty(), "{found:?}");
}

// ---- identity: constants and values ------------------------------------------------------

#[test]
fn a_specific_constant_copied_with_its_value() {
    let found = package(&[
        (
            "src/lib.rs",
            "pub mod github;\npub mod gitlab;\npub mod object_store;\npub mod refresh;\n",
        ),
        ("src/github.rs", "pub const MAX_CONFIGS_PER_CRATE: usize = 5;\n"),
        ("src/gitlab.rs", "pub const MAX_CONFIGS_PER_CRATE: usize = 5;\n"),
        // Two words every setting uses: unrelated retry loops that both try 3 times.
        (
            "src/object_store.rs",
            "pub const MAX_ATTEMPTS: u32 = 3;\npub const STATUS_FILE_NAME: &str = \"status.dat\";\n",
        ),
        (
            "src/refresh.rs",
            "pub const MAX_ATTEMPTS: u32 = 3;\npub const STATUS_FILE_NAME: &str = \"status.dat\";\n",
        ),
    ]);
    assert_eq!(
        messages(&found),
        ["`MAX_CONFIGS_PER_CRATE = 5` is defined in 2 places"],
        "{found:?}"
    );
    assert_eq!(
        found[0].notes,
        ["one setting: a constant named `MAX_CONFIGS_PER_CRATE` defined again with the same value"]
    );
}

#[test]
fn constants_sharing_a_name_do_not_conflict_unless_one_redefines_an_imported_one() {
    let found = package(&[
        (
            "src/lib.rs",
            "pub mod proximity;\npub mod extract;\npub mod zip;\npub mod admin;\n",
        ),
        ("src/proximity.rs", "pub const MAX_DISTANCE: u32 = 4;\n"),
        ("src/extract/mod.rs", "pub mod pairs;\npub mod tokenize;\n"),
        (
            "src/extract/pairs.rs",
            "use crate::proximity::MAX_DISTANCE;\npub fn cap(d: u32) -> u32 { d.min(MAX_DISTANCE) }\n",
        ),
        (
            "src/extract/tokenize.rs",
            "const MAX_DISTANCE: u32 = 8;\npub fn hard() -> u32 { MAX_DISTANCE }\n",
        ),
        // Unrelated chunk sizes: no one imports either.
        ("src/zip.rs", "const CHUNK_SIZE: usize = 65536;\n"),
        ("src/admin.rs", "const CHUNK_SIZE: usize = 100;\n"),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule, "conflicting-config");
    assert_eq!(
        found[0].message,
        "`MAX_DISTANCE` is redefined with a different value: `8` vs `4`"
    );
    assert_eq!(found[0].at, "src/extract/tokenize.rs:1");
    assert!(
        found[0].notes[0].contains("import `MAX_DISTANCE` from `crate::proximity`"),
        "{found:?}"
    );
}

#[test]
fn a_port_constant_and_an_address_on_that_port() {
    let found = package(&[(
        "src/main.rs",
        "const RENDEZVOUS_PORT: u16 = 21116;\nconst HTTP_PORT: u16 = 443;\nfn main() { let a = \"0.0.0.0:21116\"; let b = \"relay.internal:443\"; }\n",
    )]);
    assert_eq!(
        messages(&found),
        ["`RENDEZVOUS_PORT = 21116` is defined in 2 places"],
        "{found:?}"
    );
    assert_eq!(
        found[0].notes,
        ["one setting: a port constant and an address on port 21116"]
    );
}

#[test]
fn a_literal_passed_to_a_parameter_named_like_a_setting() {
    let found = package(&[
        ("src/db.rs", "pub struct Database;\nimpl Database {\n    pub async fn new(path: &str, timeout: f64) -> Database { Database }\n    pub fn page(rows: usize, limit: usize) -> usize { rows.min(limit) }\n}\n"),
        ("src/main.rs", "mod db;\nuse db::Database;\nasync fn open() {\n    let a = Database::new(\"kv.db\", 1.5).await;\n    let b = Database::new(\"scripts.db\", 1.5).await;\n    let c = Database::page(10, 50);\n    let d = Database::page(20, 50);\n}\nfn main() {}\n"),
    ]);
    // A count passed to `limit` is an argument, not a setting.
    assert_eq!(messages(&found), ["`1.5` is written in 2 places"], "{found:?}");
    assert_eq!(found[0].notes, ["one setting: the same value given to `timeout`"]);
}

#[test]
fn values_that_are_not_configuration() {
    let found = package(&[(
        "src/main.rs",
        r#"
const REPO_URL: &str = "https://github.com/acme/svc";
const ISSUES_URL: &str = "https://github.com/acme/svc";
const CONFIG_FILE: &str = "config.json";
const INDEX_CONFIG_FILE: &str = "config.json";
const HEADER_API_KEY: &str = "x-api-key";
const AUTH_HEADER_KEY: &str = "x-api-key";
fn profile(user: &str) -> String { format!("https://github.com/{user}") }
fn team(org: &str) -> String { format!("https://github.com/{org}") }
fn daemon() { let a = Endpoint::try_from("http://local_daemon:0"); let b = Endpoint::try_from("http://local_daemon:0"); }
fn child() { std::process::Command::new("cargo").env("REGISTRY", "https://registry.internal/index"); }
fn other() { std::process::Command::new("cargo").env("REGISTRY", "https://registry.internal/index"); }
fn main() {}
"#,
    )]);
    assert!(found.is_empty(), "{found:?}");
}

// ---- scope: programs, cfg, tests ---------------------------------------------------------

#[test]
fn separate_binaries_share_only_their_library() {
    let found = findings(&[
        ("Cargo.toml", PKG),
        ("src/bin/worker.rs", "fn main() { let _ = std::env::var(\"QUEUE_URL\"); let _ = std::env::var(\"SHARED_KEY\"); }\n"),
        ("src/bin/monitor.rs", "fn main() { let _ = std::env::var(\"QUEUE_URL\"); }\n"),
        ("src/lib.rs", "pub fn key() -> Option<String> { std::env::var(\"SHARED_KEY\").ok() }\n"),
        ("build.rs", "fn main() { println!(\"cargo:rerun-if-env-changed=SHARED_KEY\"); let _ = std::env::var(\"SHARED_KEY\"); }\n"),
        ("examples/demo.rs", "fn main() { let _ = std::env::var(\"SHARED_KEY\"); let _ = std::env::var(\"QUEUE_URL\"); }\n"),
    ]);
    // `QUEUE_URL` in two binaries (and an example) is each program's own; `SHARED_KEY` is read
    // by the library and again by a binary that links it; the build script is a program of its
    // own.
    assert_eq!(
        messages(&found),
        ["environment variable `SHARED_KEY` is read in 2 places"],
        "{found:?}"
    );
    assert_eq!((found[0].at.as_str(), found[0].others), ("src/bin/worker.rs:1", 1));
}

#[test]
fn cfg_alternatives_are_not_copies_but_cfg_code_shares_with_plain_code() {
    let found = package(&[
        ("src/lib.rs", "#[cfg(feature = \"otel\")]\nmod enabled;\n#[cfg(not(feature = \"otel\"))]\nmod disabled;\n#[cfg(unix)]\npub fn socket() -> Option<String> { std::env::var(\"PROXY_SOCKET\").ok() }\npub fn socket_any() -> Option<String> { std::env::var(\"PROXY_SOCKET\").ok() }\n#[cfg(target_arch = \"x86_64\")]\nconst SIMD_BATCH_LANES: usize = 16;\n#[cfg(target_arch = \"aarch64\")]\nconst SIMD_BATCH_LANES: usize = 16;\n"),
        ("src/enabled.rs", "pub fn on() -> bool { std::env::var(\"APP_OTEL\").is_ok() }\n"),
        ("src/disabled.rs", "pub fn on() -> bool { std::env::var(\"APP_OTEL\").is_ok() }\n"),
    ]);
    assert_eq!(
        messages(&found),
        ["environment variable `PROXY_SOCKET` is read in 2 places"],
        "{found:?}"
    );
}

#[test]
fn test_code_and_test_helpers_are_skipped() {
    let found = findings(&[
        ("Cargo.toml", "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n\n[[test]]\nname = \"integration\"\npath = \"src/tests/mod.rs\"\n"),
        ("src/lib.rs", "pub mod test_utils;\n#[cfg(test)]\nmod unit;\n"),
        ("src/test_utils.rs", "pub const BASE_URL: &str = \"http://svc.internal:8080\";\npub fn url() -> &'static str { \"http://svc.internal:8080\" }\n"),
        ("src/unit.rs", "const API_URL: &str = \"http://api.internal:9000\";\nfn u() -> &'static str { \"http://api.internal:9000\" }\n"),
        ("src/tests/mod.rs", "const URL: &str = \"http://web.internal:3000\";\nfn u() -> &'static str { \"http://web.internal:3000\" }\n"),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_program_ties_only_to_the_libraries_it_links() {
    let found = findings(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"core\", \"schema\", \"server\", \"migrate\", \"svc_test_utils\"]\n"),
        ("schema/Cargo.toml", "[package]\nname = \"schema\"\nversion = \"0.1.0\"\n"),
        ("schema/src/lib.rs", "pub const VERSION_TABLE: &str = \"schema_versions\";\n"),
        ("core/Cargo.toml", "[package]\nname = \"core\"\nversion = \"0.1.0\"\n"),
        ("core/src/lib.rs", "pub fn db() -> Option<String> { std::env::var(\"APP_DATABASE_URL\").ok() }\n"),
        ("server/Cargo.toml", "[package]\nname = \"server\"\nversion = \"0.1.0\"\n\n[dependencies]\ncore = { path = \"../core\" }\nschema = { path = \"../schema\" }\n"),
        ("server/src/main.rs", "fn main() { let _ = std::env::var(\"APP_DATABASE_URL\"); }\n"),
        // A migration runner of the same service: it links `schema`, not `core`.
        ("migrate/Cargo.toml", "[package]\nname = \"migrate\"\nversion = \"0.1.0\"\n\n[dependencies]\nschema = { path = \"../schema\" }\n"),
        ("migrate/src/main.rs", "fn main() { let _ = std::env::var(\"APP_DATABASE_URL\"); }\n"),
        // Test helpers: their own crate, named so.
        ("svc_test_utils/Cargo.toml", "[package]\nname = \"svc_test_utils\"\nversion = \"0.1.0\"\n\n[dependencies]\ncore = { path = \"../core\" }\n"),
        ("svc_test_utils/src/lib.rs", "pub fn db() -> Option<String> { std::env::var(\"APP_DATABASE_URL\").ok() }\n"),
    ]);
    assert_eq!(
        messages(&found),
        ["environment variable `APP_DATABASE_URL` is read in 2 places"],
        "{found:?}"
    );
    assert_eq!((found[0].at.as_str(), found[0].others), ("core/src/lib.rs:1", 1));
}

#[test]
fn a_public_site_root_is_no_prefix_of_its_pages() {
    let found = package(&[(
        "src/main.rs",
        "fn home() -> &'static str { \"https://join-example.org/\" }\nfn context() -> &'static str { \"https://join-example.org/context.json\" }\nfn main() {}\n",
    )]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_clap_default_repeating_a_constant_and_an_imported_bare_var() {
    let found = package(&[(
        "src/main.rs",
        r#"
use std::env::var;
const DEFAULT_BIND: &str = "0.0.0.0:3000";
#[derive(clap::Parser)]
struct Cli {
    #[arg(long, default_value = "0.0.0.0:3000")]
    bind: String,
    #[arg(long, default_value_t = 4)]
    workers: usize,
}
fn region() -> Option<String> { var("APP_REGION").ok() }
fn zone() -> Option<String> { std::env::var("APP_REGION").ok() }
fn main() {}
"#,
    )]);
    assert_eq!(
        messages(&found),
        [
            "`DEFAULT_BIND = \"0.0.0.0:3000\"` is defined in 2 places",
            "environment variable `APP_REGION` is read in 2 places"
        ],
        "{found:?}"
    );
}

#[test]
fn a_random_delay_range_copied() {
    let found = package(&[(
        "src/lib.rs",
        "pub fn register(rng: &mut Rng) -> u64 { rng.random_range(900..=1100) }\npub fn hint(rng: &mut Rng) -> u64 { rng.random_range(900..=1100) }\npub fn dice(rng: &mut Rng) -> u64 { rng.gen_range(1..=6) + rng.gen_range(1..=6) }\npub fn spread(rng: &mut Rng) -> u64 { rng.gen_range(10..20) + rng.gen_range(10..30) }\n",
    )]);
    // `1..=6` starts at 1, and `10..20` is not `10..30`.
    assert_eq!(messages(&found), ["`900..=1100` is written in 2 places"], "{found:?}");
}

#[test]
fn an_empty_read_default_is_a_value_but_an_empty_settings_field_is_a_placeholder() {
    let found = package(&[(
        "src/lib.rs",
        r#"
pub fn a() -> String { std::env::var("APP_REGION").unwrap_or_default() }
pub fn b() -> String { std::env::var("APP_REGION").unwrap_or_else(|_| "eu".into()) }
pub struct Theme { pub name: String }
impl Default for Theme { fn default() -> Self { Self { name: "".to_string() } } }
pub fn defaults(b: Builder) -> Builder { b.set_default("theme.name", "dark") }
"#,
    )]);
    let rules: Vec<(&str, &str)> = found.iter().map(|f| (f.rule.as_str(), f.message.as_str())).collect();
    assert_eq!(
        rules,
        [
            (
                "conflicting-config",
                "environment variable `APP_REGION` has conflicting defaults: `\"\"` vs `\"eu\"`"
            ),
            (
                "duplicated-config",
                "the default of key `theme.name` is set in 2 places"
            ),
        ],
        "{found:?}"
    );
}

//! Issue 13, engine knowledge: the constructors of `rules/engines.toml` (SMTP transports, SDK
//! clients, redis connections, brokers, gRPC channels, pools), checked on the file itself and on
//! the engine sites extracted from small sources.

mod common;

use obsdebt::knowledge::engines::{default_entries as entries, Constructor};
use obsdebt::knowledge::Knowledge;

/// Names so common that a `methods` entry of that name would fire on any crate's value.
const GENERIC_METHODS: &[&str] = &[
    "new",
    "get",
    "connect",
    "build",
    "open",
    "create",
    "clone",
    "default",
    "from_url",
    "init",
    "start",
    "client",
    "pool",
    "finish",
    "load",
    "send",
    "call",
    "run",
    "with_config",
];

#[test]
fn every_entry_says_what_it_builds_and_every_pattern_parses() {
    let entries = entries();
    assert!(entries.len() >= 40, "{} entries", entries.len());
    for e in &entries {
        assert!(
            !e.builds.trim().is_empty(),
            "an entry without `builds`: {:?}",
            e.constructors
        );
        assert!(
            e.builds.starts_with("a ") || e.builds.starts_with("an "),
            "`builds` reads as \"builds {}\": start it with an article",
            e.builds
        );
        assert!(
            !e.constructors.is_empty() || !e.methods.is_empty(),
            "`{}` has neither constructors nor methods",
            e.builds
        );
        for c in &e.constructors {
            let parsed = Constructor::parse(c, &e.builds).unwrap_or_else(|err| panic!("{err}"));
            let krate = parsed.root[0].as_str();
            let generated_grpc_client = c.starts_with("*::*_client::");
            assert!(
                krate != "*" || generated_grpc_client,
                "`{c}`: the first segment must name a crate"
            );
        }
        if !e.methods.is_empty() {
            assert!(!e.crates.is_empty(), "`{}`: methods need their crates", e.builds);
        }
        for m in &e.methods {
            assert!(
                !GENERIC_METHODS.contains(&m.trim_start_matches('.')),
                "`{m}` is too common a method name to be an engine"
            );
        }
    }
}

#[test]
fn no_pattern_is_listed_twice() {
    let mut seen = std::collections::BTreeSet::new();
    for e in entries() {
        for c in e.constructors.iter().chain(&e.methods) {
            assert!(seen.insert(c.clone()), "`{c}` is listed twice");
        }
    }
}

/// The engines extracted from one source text, as (line, builds).
fn sites(src: &str) -> Vec<(u32, String)> {
    let facts = obsdebt::collect::analyse_source(src, &Knowledge::defaults(), false).expect("snippet parses");
    let mut out: Vec<(u32, String)> = facts
        .fns
        .iter()
        .flat_map(|f| f.engines.iter().map(|e| (e.span.line, e.builds.clone())))
        .collect();
    out.sort();
    out
}

fn lines(src: &str) -> Vec<u32> {
    sites(src).into_iter().map(|(l, _)| l).collect()
}

#[test]
fn lettre_transports_are_built_by_their_builder() {
    let src = "use lettre::{AsyncSmtpTransport, SmtpTransport, Tokio1Executor};\n\
        fn a(h: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {\n\
        Ok(AsyncSmtpTransport::<Tokio1Executor>::relay(h)?.build())\n\
        }\n\
        fn b() { let t = SmtpTransport::builder_dangerous(\"localhost\").port(25).build(); }\n\
        fn c() { let t = lettre::transport::smtp::AsyncSmtpTransport::<Tokio1Executor>::unencrypted_localhost(); }\n\
        fn d(h: &str) { let builder = SmtpTransport::relay(h); }\n";
    let found = sites(src);
    assert_eq!(
        found,
        [
            (3, "an SMTP transport with its own connection pool".to_string()),
            (5, "an SMTP transport with its own connection pool".to_string()),
            (6, "an SMTP transport with its own connection pool".to_string()),
        ],
        "the builder alone (line 7) is not the transport"
    );
}

#[test]
fn sdk_clients_that_own_an_http_client() {
    let src = "use async_openai::Client;\nuse svix::api::Svix;\n\
        fn a(k: String) { let c = stripe::Client::new(k); }\n\
        fn b(t: String) { let s = Svix::new(t, None); }\n\
        fn c(cfg: async_openai::config::OpenAIConfig) { let o = Client::with_config(cfg); }\n\
        fn d(r: s3::Region, c: s3::creds::Credentials) { let b = s3::Bucket::new(\"x\", r, c); }\n\
        fn e() { let o = octocrab::Octocrab::builder().personal_token(t).build(); }\n";
    assert_eq!(lines(src), [3, 4, 5, 6, 7]);
}

#[test]
fn a_workspace_type_that_shares_a_crate_name_is_not_an_engine() {
    let src = "mod stripe_like { pub struct Client; impl Client { pub fn new(_: String) -> Client { Client } } }\n\
        use crate::stripe_like::Client;\n\
        fn a(k: String) { let c = Client::new(k); }\n\
        fn b(c: &stripe::Client) { let shared = c.clone(); }\n";
    assert_eq!(lines(src), Vec::<u32>::new());
}

#[test]
fn redis_connections_count_only_where_redis_is_used() {
    let with_redis = "use redis::Commands;\n\
        fn a(c: &redis::Client) { let conn = c.get_connection(); }\n\
        async fn b(c: &redis::Client) { let conn = c.get_multiplexed_tokio_connection().await; }\n\
        async fn c(c: redis::Client) { let m = redis::aio::ConnectionManager::new(c).await; }\n\
        fn d(u: &str) { let conn = redis::Client::open(u).unwrap().get_connection(); }\n";
    assert_eq!(
        lines(with_redis),
        [2, 3, 4, 5],
        "one finding per line: the chain root is the engine"
    );
    let without = "fn a(pool: &crate::db::Pool) { let conn = pool.get_connection(); }\n";
    assert_eq!(lines(without), Vec::<u32>::new());
}

#[test]
fn a_connect_timeout_setting_is_not_a_connection() {
    let src = "use tonic::transport::{Channel, Endpoint};\n\
        async fn a(u: String) -> Result<Channel, Box<dyn std::error::Error>> {\n\
        Ok(Channel::from_shared(u)?\n\
        .connect_timeout(std::time::Duration::from_secs(1))\n\
        .connect()\n\
        .await?)\n\
        }\n\
        fn b() { let c = Endpoint::from_static(\"http://x\").connect_lazy(); }\n";
    assert_eq!(lines(src), [5, 8]);
}

#[test]
fn wrappers_and_configs_are_not_engines_but_what_they_wrap_is() {
    let src = "use elasticsearch::http::transport::Transport;\nuse elasticsearch::Elasticsearch;\n\
        fn a(t: &Transport) { let es = Elasticsearch::new(t.clone()); }\n\
        fn b(u: &str) { let t = Transport::single_node(u).unwrap(); }\n\
        fn c() { let cfg = ureq::config::Config::builder().http_status_as_error(false).build(); }\n\
        fn d() { let agent = ureq::config::Config::builder().build().new_agent(); }\n\
        fn e() { let s = ldap3::LdapConnSettings::new(); }\n\
        async fn f(s: ldap3::LdapConnSettings) { let c = ldap3::LdapConnAsync::with_settings(s, \"ldap://x\").await; }\n\
        fn g() { let m = bb8_postgres::PostgresConnectionManager::new_from_stringlike(\"x\", tokio_postgres::NoTls); }\n";
    assert_eq!(lines(src), [4, 6, 8]);
}

#[test]
fn brokers_databases_and_small_http_clients() {
    let src = "use rdkafka::producer::{FutureProducer, BaseProducer};\nuse rdkafka::config::ClientConfig;\n\
        fn a(c: &ClientConfig) { let p = FutureProducer::from_config(c); }\n\
        fn b() { let p: BaseProducer = ClientConfig::new().set(\"a\", \"b\").create().unwrap(); }\n\
        async fn c() { let p = mysql_async::Pool::new(\"mysql://x\"); }\n\
        fn d() { let m = mobc::Pool::builder().max_open(4).build(manager); }\n\
        fn e() { let a = ureq::Agent::new_with_defaults(); }\n\
        fn f() { let c = isahc::HttpClient::builder().build(); }\n\
        fn g() { let c = awc::Client::builder().finish(); }\n\
        async fn h() { let k = kube::Client::try_default().await; }\n\
        fn i() { let b = isahc::get(\"http://x\"); }\n";
    assert_eq!(
        lines(src),
        [3, 4, 5, 6, 7, 8, 9, 10],
        "isahc::get uses isahc's shared client"
    );
}

//! `engine-in-handler` on small workspaces: handler detection per framework, name resolution
//! (aliases, globs, `super`, `self`, crates), once-initialisers, startup code, chains.

mod common;

use common::{obsdebt, temp_tree};
use serde_json::Value;

const PKG: &str = "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n";

/// Runs `check` on the files and returns the engine findings as (path, line, message, related messages).
fn engines(files: &[(&str, &str)]) -> Vec<(String, u64, String, Vec<String>)> {
    let mut tree = vec![("Cargo.toml", PKG)];
    tree.extend_from_slice(files);
    let dir = temp_tree(&tree);
    let (_, out, err) = obsdebt(
        dir.path(),
        &["check", "--output-format", "json", "--select", "engine-in-handler"],
    );
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let related = d["related"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["message"].as_str().unwrap().to_string())
                .collect();
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
                related,
            )
        })
        .collect()
}

fn lines(files: &[(&str, &str)]) -> Vec<(String, u64)> {
    engines(files).into_iter().map(|(p, l, _, _)| (p, l)).collect()
}

#[test]
fn direct_in_an_attribute_handler() {
    let src = "#[actix_web::get(\"/x\")]\nasync fn x() -> String {\n    let c = reqwest::Client::new();\n    String::new()\n}\n";
    let found = engines(&[("src/main.rs", src)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, 3);
    assert_eq!(
        found[0].2,
        "`reqwest::Client::new` builds a reqwest HTTP client on every request"
    );
    assert_eq!(found[0].3, ["handler `x` (GET /x)"]);
}

#[test]
fn through_helpers_across_modules_with_the_chain() {
    let main = "mod api;\nmod db;\nfn main() { let app = axum::Router::new().route(\"/users\", axum::routing::post(api::create)); }\n";
    let api = "pub async fn create() { crate::db::pool().await; }\n";
    let db = "pub async fn pool() -> sqlx::PgPool { inner().await }\nasync fn inner() -> sqlx::PgPool { sqlx::PgPool::connect(\"postgres://x\").await.unwrap() }\n";
    let found = engines(&[("src/main.rs", main), ("src/api.rs", api), ("src/db.rs", db)]);
    assert_eq!(found.len(), 1, "{found:?}");
    let (path, line, _, related) = &found[0];
    assert_eq!((path.as_str(), *line), ("src/db.rs", 2));
    assert_eq!(
        related,
        &[
            "handler `create` (POST /users)",
            "`create` calls `crate::db::pool`",
            "`pool` calls `inner`"
        ]
    );
}

#[test]
fn aliased_and_glob_imports_resolve_to_the_crate() {
    let aliased = "use reqwest::Client as Http;\nasync fn h(axum::extract::State(s): axum::extract::State<u8>) { let c = Http::new(); }\n";
    assert_eq!(lines(&[("src/main.rs", aliased)]), [("src/main.rs".to_string(), 2)]);
    let glob = "use reqwest::*;\nasync fn h(axum::Json(b): axum::Json<u8>) { let c = Client::new(); }\n";
    assert_eq!(lines(&[("src/main.rs", glob)]), [("src/main.rs".to_string(), 2)]);
    // A type of the workspace shadows the glob import: our own `Client`.
    let shadowed = "use reqwest::*;\nmod client { pub struct Client; }\nasync fn h(axum::Json(b): axum::Json<u8>) { let c = Client::new(); }\n";
    assert!(lines(&[("src/main.rs", shadowed)]).is_empty());
}

#[test]
fn a_user_defined_client_is_not_an_engine() {
    let src = "mod client;\nuse client::Client;\nasync fn h(axum::extract::Path(id): axum::extract::Path<u8>) { let c = Client::new(); let d = crate::client::Client::new(); }\n";
    let client = "pub struct Client;\nimpl Client { pub fn new() -> Self { Client } }\n";
    assert!(lines(&[("src/main.rs", src), ("src/client.rs", client)]).is_empty());
}

#[test]
fn once_initialisers_and_startup_code_are_not_per_request() {
    let src = r#"
use std::sync::{LazyLock, OnceLock};
static A: LazyLock<reqwest::Client> = LazyLock::new(reqwest::Client::new);
static B: OnceLock<reqwest::Client> = OnceLock::new();
lazy_static::lazy_static! { static ref C: reqwest::Client = reqwest::Client::new(); }
thread_local! { static D: reqwest::Client = reqwest::Client::new(); }
fn setup() -> reqwest::Client { reqwest::Client::new() }
#[tokio::main]
async fn main() { let c = setup(); let app = axum::Router::new().route("/", axum::routing::get(h)); }
async fn h(axum::extract::State(s): axum::extract::State<u8>) {
    let b = B.get_or_init(|| reqwest::Client::new());
    let e = LazyLock::new(|| reqwest::Client::new());
}
"#;
    assert!(lines(&[("src/main.rs", src)]).is_empty());
}

#[test]
fn a_helper_called_from_main_and_from_a_handler_is_per_request() {
    let src = "fn setup() -> reqwest::Client { reqwest::Client::new() }\nfn main() { setup(); }\nasync fn h(axum::Json(b): axum::Json<u8>) { setup(); }\n";
    assert_eq!(lines(&[("src/main.rs", src)]), [("src/main.rs".to_string(), 1)]);
}

#[test]
fn self_methods_and_super_paths_resolve() {
    let svc = r#"
pub struct Svc;
#[tonic::async_trait]
impl Accounts for Svc {
    async fn get(&self, r: tonic::Request<Req>) -> Result<tonic::Response<Resp>, tonic::Status> {
        self.channel().await;
        Ok(tonic::Response::new(Resp {}))
    }
}
impl Svc {
    async fn channel(&self) { super::super::net::dial().await; }
}
"#;
    let net = "pub async fn dial() { tonic::transport::Endpoint::from_static(\"http://x\").connect().await; }\n";
    let main = "mod grpc { pub mod svc; }\nmod net;\nfn main() {}\n";
    let found = engines(&[("src/main.rs", main), ("src/grpc/svc.rs", svc), ("src/net.rs", net)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "src/net.rs");
    assert_eq!(found[0].3[0], "handler `get` (rpc Svc::get)");
}

#[test]
fn every_candidate_of_an_ambiguous_call_is_followed() {
    let main = "mod a;\nmod b;\nuse a::*;\nuse b::*;\nasync fn h(axum::Json(x): axum::Json<u8>) { connect(); }\nfn main() {}\n";
    let a = "pub fn connect() { reqwest::Client::new(); }\n";
    let b = "pub fn connect() {}\n";
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/main.rs", main),
        ("src/a.rs", a),
        ("src/b.rs", b),
    ]);
    let (_, out, _) = obsdebt(dir.path(), &["check", "--select", "engine-in-handler"]);
    // Two functions the call may denote (a `#[cfg]` alternative, a trait's impls): each is
    // possible, and the chain says so.
    assert!(out.contains("engine-in-handler]"), "{out}");
    assert!(out.contains("h → connect (one of 2) → reqwest::Client::new"), "{out}");
    assert!(out.contains("0 resolved, 1 ambiguous"), "{out}");
}

#[test]
fn one_diagnostic_per_constructor_listing_the_handlers() {
    let mut src = String::from("fn client() -> reqwest::Client { reqwest::Client::new() }\n");
    for i in 0..5 {
        src.push_str(&format!(
            "async fn h{i}(axum::Json(b): axum::Json<u8>) {{ client(); }}\n"
        ));
    }
    let found = engines(&[("src/main.rs", &src)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].2.ends_with("(5 handlers reach it)"), "{}", found[0].2);
    let also = found[0].3.iter().filter(|m| m.starts_with("also reached from")).count();
    assert_eq!(also, 3, "up to three other handlers are listed: {:?}", found[0].3);
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/main.rs", &src)]);
    let (_, out, _) = obsdebt(dir.path(), &["check"]);
    assert!(out.contains("= note: h0 → client → reqwest::Client::new"), "{out}");
    assert!(out.contains("also reached from `h1`, `h2`, `h3` and 1 more"), "{out}");
}

#[test]
fn frameworks_registration_styles() {
    // actix `web::resource(..).route(web::get().to(h))`, rocket `routes!`, warp `.and_then(h)`.
    let actix = "use actix_web::web;\nfn main() { let app = actix_web::App::new().service(web::resource(\"/r\").route(web::get().to(r))); }\nfn r() { let c = redis::Client::open(\"redis://x\"); }\n";
    let found = engines(&[("src/main.rs", actix)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].3[0], "handler `r` (GET /r)");
    let rocket = "#[rocket::get(\"/b\")]\nfn b() { let p = r2d2::Pool::builder().max_size(4).build(m); }\n#[rocket::launch]\nfn rocket() -> _ { rocket::build().mount(\"/\", routes![b]) }\n";
    assert_eq!(lines(&[("src/main.rs", rocket)]), [("src/main.rs".to_string(), 2)]);
    let warp = "use warp::Filter;\nfn main() { let f = warp::path(\"w\").and_then(w); }\nasync fn w() -> Result<String, std::convert::Infallible> { let n = async_nats::connect(\"nats://x\").await; Ok(String::new()) }\n";
    assert_eq!(lines(&[("src/main.rs", warp)]), [("src/main.rs".to_string(), 3)]);
    // Without warp in the file, `.map(f)` is an iterator's.
    let not_warp = "fn main() { let v: Vec<_> = vec![1].into_iter().map(build).collect(); }\nfn build(i: u8) -> reqwest::Client { reqwest::Client::new() }\n";
    assert!(lines(&[("src/main.rs", not_warp)]).is_empty());
}

#[test]
fn configured_constructors_and_handlers() {
    let src = "mod api { pub fn list() { acme::Pool::open(\"x\"); } }\nfn main() {}\n";
    let lint = "[handlers]\nfunctions = [\"crate::api::*\"]\n\n[engines]\nconstructors = [\"acme::Pool::open\"]\n";
    let found = engines(&[("src/main.rs", src), ("lint.toml", lint)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].2.contains("`acme::Pool::open` builds `acme::Pool::open`"),
        "{}",
        found[0].2
    );
    let bad = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/main.rs", "fn main() {}\n"),
        ("lint.toml", "[engines]\nconstructors = [\"acme\"]\n"),
    ]);
    let (code, _, err) = obsdebt(bad.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("is not a constructor pattern") && err.contains("lint.toml:2:17"),
        "{err}"
    );
}

#[test]
fn cross_crate_calls_resolve_through_the_workspace() {
    let files = [
        ("Cargo.toml", "[workspace]\nmembers = [\"api\", \"store\"]\n"),
        ("api/Cargo.toml", "[package]\nname = \"api\"\nversion = \"0.1.0\"\n"),
        (
            "api/src/main.rs",
            "#[actix_web::post(\"/o\")]\nasync fn o() { store_lib::open().await; }\nfn main() {}\n",
        ),
        (
            "store/Cargo.toml",
            "[package]\nname = \"store-lib\"\nversion = \"0.1.0\"\n",
        ),
        (
            "store/src/lib.rs",
            "pub async fn open() { sea_orm::Database::connect(\"x\").await; }\n",
        ),
    ];
    let dir = temp_tree(&files);
    let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "engine-in-handler")
        .expect("an engine-in-handler finding");
    // `store-lib` has no handlers: a library of the workspace, like a dependency. The engine is
    // reported where the service calls into it, and the library's line is shown.
    assert_eq!(d["path"], "api/src/main.rs", "{d}");
    assert_eq!(
        d["message"],
        "`store_lib::open` builds a sea-orm database connection on every request"
    );
    assert_eq!(d["related"][1]["message"], "`open` builds it here");
    assert_eq!(d["related"][1]["path"], "store/src/lib.rs");
    assert_eq!(d["severity"], "error");
}

#[test]
fn suppression_and_test_code() {
    let src = "async fn h(axum::Json(b): axum::Json<u8>) {\n    let c = reqwest::Client::new(); // obsdebt: allow(engine-in-handler) -- one-off admin call\n}\n#[cfg(test)]\nmod tests { async fn t(axum::Json(b): axum::Json<u8>) { let c = reqwest::Client::new(); } }\n";
    assert!(lines(&[("src/main.rs", src)]).is_empty());
}

#[test]
fn another_crates_path_never_names_a_workspace_type_of_the_same_name() {
    // The workspace's own `Client::new` builds an engine too: `reqwest::Client::new` in the
    // handler must not lead into it (one finding, not two).
    let files = [
        ("Cargo.toml", "[workspace]\nmembers = [\"api\", \"sdk\"]\n"),
        ("api/Cargo.toml", "[package]\nname = \"api\"\nversion = \"0.1.0\"\n"),
        (
            "api/src/main.rs",
            "#[axum::debug_handler]\nasync fn hook(axum::Json(b): axum::Json<String>) {\n    let c = reqwest::Client::new();\n    c.post(b);\n}\nfn main() {}\n",
        ),
        ("sdk/Cargo.toml", "[package]\nname = \"sdk\"\nversion = \"0.1.0\"\n"),
        (
            "sdk/src/lib.rs",
            "pub struct Client;\nimpl Client {\n    pub fn new() -> Client { sea_orm::Database::connect(\"x\"); Client }\n}\n",
        ),
    ];
    let dir = temp_tree(&files);
    let (_, out, _) = obsdebt(
        dir.path(),
        &["check", "--output-format", "json", "--select", "engine-in-handler"],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let d = v["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{out}");
    assert_eq!(d[0]["path"], "api/src/main.rs");
    assert_eq!(d[0]["line"], 3);
}

#[test]
fn middleware_functions_and_code_after_a_return() {
    // axum's `from_fn` takes a plain `Request`: the registration makes it per request. What
    // follows an unconditional `return` never runs.
    let main = r#"
use axum::{extract::Request, middleware::{self, Next}, response::Response, routing::get, Router};

async fn stamp(req: Request, next: Next) -> Response {
    let c = reqwest::Client::new();
    drop(c);
    next.run(req).await
}

async fn gone() -> &'static str {
    return "gone";
    let c = reqwest::Client::new();
}

fn main() {
    let app: Router = Router::new().route("/gone", get(gone)).layer(middleware::from_fn(stamp));
}
"#;
    let found = engines(&[("src/main.rs", main)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, 5);
    assert_eq!(found[0].3[0], "handler `stamp`");
}

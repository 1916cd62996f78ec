//! Generates a multi-crate workspace of service code for benchmarks, in our own words: axum,
//! actix-web, rocket and tonic handlers, helpers that log, error paths of every kind, engines
//! built at start-up and (sometimes) per request, configuration constants and environment reads,
//! test modules. Deterministic for a given seed.
//!
//! `cargo run --release --example gen_corpus -- OUT --lines 1000000 [--seed 42]`

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// xorshift64*: small, deterministic, good enough to vary templates.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const NOUNS: &[&str] = &[
    "order", "invoice", "user", "account", "payment", "shipment", "product", "review", "coupon", "ticket",
];
const FRAMEWORKS: &[&str] = &["axum", "actix", "rocket", "tonic"];

fn handler(rng: &mut Rng, fw: &str, noun: &str, i: usize) -> String {
    let mut s = String::new();
    let name = format!(
        "{}_{noun}_{i}",
        rng.pick(&["get", "create", "update", "delete", "list"])
    );
    match fw {
        "axum" => writeln!(s, "pub async fn {name}(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Record>, AppError> {{").unwrap(),
        "actix" => {
            writeln!(s, "#[get(\"/{noun}s/{{id}}/{i}\")]").unwrap();
            writeln!(s, "pub async fn {name}(state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, AppError> {{").unwrap();
            writeln!(s, "    let id = id.into_inner();").unwrap();
        }
        "rocket" => {
            writeln!(s, "#[get(\"/{noun}s/<id>/{i}\")]").unwrap();
            writeln!(s, "pub async fn {name}(state: &State<AppState>, id: i64) -> Result<Json<Record>, Status> {{").unwrap();
        }
        _ => writeln!(s, "pub async fn {name}(&self, request: Request<Lookup>) -> Result<Response<Record>, Status> {{\n    let id = request.into_inner().id;").unwrap(),
    }
    // A handful of error paths of every kind.
    for k in 0..(3 + rng.below(4)) {
        match rng.below(10) {
            0 => writeln!(s, "    let r{k} = match repo::find_{noun}(&state.pool, id).await {{\n        Ok(Some(r)) => r,\n        Ok(None) => return Err(AppError::NotFound),\n        Err(e) => return Err(AppError::Db(e)),\n    }};").unwrap(),
            1 => writeln!(s, "    let r{k} = repo::count_{noun}(&state.pool, id).await.unwrap_or_else(|_| 0);").unwrap(),
            2 => writeln!(s, "    if let Err(e) = audit::record(&state.pool, \"{noun}\", id).await {{\n        tracing::warn!(error = %e, {noun}_id = id, \"audit failed\");\n    }}").unwrap(),
            3 => writeln!(s, "    let cached{k} = cache::get(&state.cache, id).await.ok();").unwrap(),
            4 => writeln!(s, "    let _ = notify::publish(&state.bus, id).await;").unwrap(),
            5 => writeln!(s, "    let tags{k} = repo::tags(&state.pool, id).await.inspect_err(|e| tracing::debug!(error = %e, \"tags\")).ok();").unwrap(),
            6 => writeln!(s, "    let Ok(limit{k}) = std::env::var(\"{}_LIMIT\").unwrap_or_default().parse::<u32>() else {{\n        return Err(AppError::Invalid(\"limit\".into()));\n    }};", noun.to_uppercase()).unwrap(),
            7 => writeln!(s, "    let v{k} = helpers::normalise(id).map_err(|e| {{\n        telemetry::report(&e);\n        AppError::Invalid(e.to_string())\n    }})?;").unwrap(),
            8 => writeln!(s, "    match repo::touch_{noun}(&state.pool, id).await {{\n        Ok(_) => {{}}\n        Err(sqlx::Error::RowNotFound) => {{}}\n        Err(_) => return Err(AppError::Internal),\n    }}").unwrap(),
            _ => writeln!(s, "    let price{k} = pricing::quote(&state.http, id).await.map_err(AppError::from)?;").unwrap(),
        }
    }
    match rng.below(80) {
        // An engine built in the handler itself, or two calls down (`pricing::quote_fresh`).
        0 => writeln!(s, "    let adhoc = reqwest::Client::new();\n    let _ = &adhoc;").unwrap(),
        1 => writeln!(
            s,
            "    let fresh = pricing::quote_fresh(id).await.map_err(AppError::from)?;"
        )
        .unwrap(),
        _ => {}
    }
    match fw {
        "actix" => writeln!(s, "    Ok(HttpResponse::Ok().finish())\n}}\n").unwrap(),
        "tonic" => writeln!(s, "    Ok(Response::new(Record {{ id }}))\n}}\n").unwrap(),
        _ => writeln!(s, "    Ok(Json(Record {{ id }}))\n}}\n").unwrap(),
    }
    s
}

fn helper(rng: &mut Rng, noun: &str, i: usize) -> String {
    let mut s = String::new();
    match rng.below(5) {
        0 => writeln!(s, "/// Logs and swallows: a logging helper.\npub fn log_{noun}_failure_{i}(e: &dyn std::error::Error) {{\n    tracing::error!(error = %e, \"{noun} failure\");\n}}\n").unwrap(),
        1 => writeln!(s, "pub async fn load_{noun}_{i}(pool: &PgPool, id: i64) -> Result<Record, sqlx::Error> {{\n    let row = sqlx::query_as(\"SELECT * FROM {noun}s WHERE id = $1\").bind(id).fetch_one(pool).await?;\n    Ok(row)\n}}\n").unwrap(),
        2 => writeln!(s, "pub fn parse_{noun}_{i}(raw: &str) -> Option<i64> {{\n    match raw.trim().parse::<i64>() {{\n        Ok(v) if v > 0 => Some(v),\n        Ok(_) => None,\n        Err(e) => {{\n            tracing::debug!(error = %e, raw, \"not a number\");\n            None\n        }}\n    }}\n}}\n").unwrap(),
        3 => writeln!(s, "pub fn {noun}_status_{i}(r: Result<u64, Error>) -> StatusCode {{\n    match r {{\n        Ok(_) => StatusCode::OK,\n        Err(Error::NotFound) => StatusCode::NOT_FOUND,\n        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,\n    }}\n}}\n").unwrap(),
        _ => writeln!(s, "pub const {}_TIMEOUT_SECS_{i}: u64 = {};\npub const {}_BASE_URL_{i}: &str = \"http://{noun}-svc:{}\";\n", noun.to_uppercase(), 5 + rng.below(5) * 5, noun.to_uppercase(), 8000 + rng.below(10)).unwrap(),
    }
    s
}

fn module(rng: &mut Rng, fw: &str, idx: usize) -> String {
    let noun = rng.pick(NOUNS);
    let mut s = String::from(
        "use crate::prelude::*;\nuse common::{audit, cache, helpers, notify, pricing, repo, telemetry};\n\n",
    );
    let handlers = 4 + rng.below(5) as usize;
    for i in 0..handlers {
        s.push_str(&handler(rng, fw, noun, idx * 100 + i));
    }
    for i in 0..(3 + rng.below(5) as usize) {
        s.push_str(&helper(rng, noun, idx * 100 + i));
    }
    writeln!(s, "#[cfg(test)]\nmod tests {{\n    use super::*;\n\n    #[test]\n    fn parses() {{\n        let r: Result<i64, String> = Err(\"x\".into());\n        let _ = r.clone().ok();\n        assert!(r.is_err());\n    }}\n}}").unwrap();
    s
}

/// The shared crate every service calls into: repositories, pricing, cache, notifications,
/// audit, input helpers and telemetry, so that handlers reach workspace functions (the
/// per-request call graph and the logging-helper fixpoint have real work).
fn common_lib() -> String {
    let mut s = String::from("pub const DATABASE_URL: &str = \"postgres://db/app\";\n\n");
    s.push_str("pub mod telemetry {\n    pub fn report(e: &dyn std::error::Error) {\n        tracing::error!(error = %e, \"reported\");\n    }\n}\n\n");
    s.push_str("pub mod repo {\n    use sqlx::PgPool;\n\n");
    for noun in NOUNS {
        writeln!(s, "    pub async fn find_{noun}(pool: &PgPool, id: i64) -> Result<Option<i64>, sqlx::Error> {{\n        sqlx::query_scalar(\"SELECT id FROM {noun}s WHERE id = $1\").bind(id).fetch_optional(pool).await\n    }}\n").unwrap();
        writeln!(s, "    pub async fn count_{noun}(pool: &PgPool, id: i64) -> Result<i64, sqlx::Error> {{\n        let n = sqlx::query_scalar(\"SELECT count(*) FROM {noun}s WHERE owner = $1\").bind(id).fetch_one(pool).await?;\n        Ok(n)\n    }}\n").unwrap();
        writeln!(s, "    pub async fn touch_{noun}(pool: &PgPool, id: i64) -> Result<u64, sqlx::Error> {{\n        let done = sqlx::query(\"UPDATE {noun}s SET seen = now() WHERE id = $1\").bind(id).execute(pool).await?;\n        Ok(done.rows_affected())\n    }}\n").unwrap();
    }
    s.push_str("    pub async fn tags(pool: &PgPool, id: i64) -> Result<Vec<String>, sqlx::Error> {\n        sqlx::query_scalar(\"SELECT tag FROM tags WHERE item = $1\").bind(id).fetch_all(pool).await\n    }\n}\n\n");
    s.push_str("pub mod pricing {\n    pub async fn quote(http: &reqwest::Client, id: i64) -> Result<u64, reqwest::Error> {\n        let url = format!(\"{}/quote/{id}\", crate::PRICING_URL);\n        http.get(url).send().await?.json().await\n    }\n\n    /// Builds a client on every call: reached from handlers, it is per-request work.\n    pub async fn quote_fresh(id: i64) -> Result<u64, reqwest::Error> {\n        let http = reqwest::Client::new();\n        quote(&http, id).await\n    }\n}\n\n");
    s.push_str("pub const PRICING_URL: &str = \"http://pricing-svc:8080\";\n\n");
    s.push_str("pub mod cache {\n    pub async fn get(conn: &redis::aio::ConnectionManager, id: i64) -> Result<Option<String>, redis::RedisError> {\n        let mut conn = conn.clone();\n        redis::cmd(\"GET\").arg(id).query_async(&mut conn).await\n    }\n}\n\n");
    s.push_str("pub mod notify {\n    pub async fn publish(bus: &async_nats::Client, id: i64) -> Result<(), async_nats::PublishError> {\n        bus.publish(\"events\", id.to_string().into()).await\n    }\n}\n\n");
    s.push_str("pub mod audit {\n    pub async fn record(pool: &sqlx::PgPool, kind: &str, id: i64) -> Result<(), sqlx::Error> {\n        if let Err(e) = sqlx::query(\"INSERT INTO audit (kind, item) VALUES ($1, $2)\").bind(kind).bind(id).execute(pool).await {\n            crate::telemetry::report(&e);\n            return Err(e);\n        }\n        Ok(())\n    }\n}\n\n");
    s.push_str("pub mod helpers {\n    pub fn normalise(id: i64) -> Result<i64, std::num::TryFromIntError> {\n        u32::try_from(id).map(i64::from)\n    }\n}\n");
    s
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("create dir");
    std::fs::write(path, text).expect("write");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut lines: usize = 100_000;
    let mut seed: u64 = 42;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--lines" => {
                lines = args
                    .next()
                    .and_then(|v| v.replace('_', "").parse().ok())
                    .expect("--lines N")
            }
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            other => out = Some(PathBuf::from(other)),
        }
    }
    let out = out.expect("usage: gen_corpus OUT --lines N [--seed S]");
    let mut rng = Rng(seed.max(1));
    let crates_n = (lines / 80_000).clamp(2, 24);
    let mut members = Vec::new();
    let mut written = 0usize;
    let mut file_no = 0usize;
    let per_crate = lines / crates_n + 1;
    for c in 0..crates_n {
        let fw = FRAMEWORKS[c % FRAMEWORKS.len()];
        let name = format!("svc-{c:02}-{fw}");
        let dir = out.join("crates").join(&name);
        members.push(format!("\"crates/{name}\""));
        write(&dir.join("Cargo.toml"), &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ncommon = {{ path = \"../../common\" }}\n"));
        let mut mods = Vec::new();
        let mut crate_lines = 0usize;
        while crate_lines < per_crate && written < lines {
            let text = module(&mut rng, fw, file_no);
            let n = text.lines().count();
            let m = format!("m{file_no:05}");
            write(&dir.join("src").join(format!("{m}.rs")), &text);
            mods.push(m);
            crate_lines += n;
            written += n;
            file_no += 1;
        }
        let mut main = String::from("mod prelude { pub use common::*; }\n");
        for m in &mods {
            writeln!(main, "mod {m};").unwrap();
        }
        writeln!(main, "\n#[tokio::main]\nasync fn main() {{\n    let pool = PgPoolOptions::new().max_connections(10).connect(\"postgres://db/app\").await.expect(\"db\");\n    let http = reqwest::Client::new();\n    run(pool, http).await;\n}}").unwrap();
        write(&dir.join("src/main.rs"), &main);
    }
    write(
        &out.join("common/Cargo.toml"),
        "[package]\nname = \"common\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(&out.join("common/src/lib.rs"), &common_lib());
    members.push("\"common\"".into());
    write(
        &out.join("Cargo.toml"),
        &format!("[workspace]\nmembers = [{}]\nresolver = \"2\"\n", members.join(", ")),
    );
    println!(
        "wrote {written} lines in {file_no} files, {crates_n} crates, to {}",
        out.display()
    );
}

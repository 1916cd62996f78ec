//! Where a `Result` comes from: probes whose `Err` is an answer, operational calls whose `Err` is
//! a failure, forms that are sites only when the value is known to be a `Result`, and errors
//! replaced by unrelated ones. `classify` returns `(line, outcome)` per site.

mod common;

use common::classify;

fn outcomes(src: &str) -> Vec<String> {
    classify(src).into_iter().map(|(_, c)| c).collect()
}

// --- probes ---------------------------------------------------------------------------------

#[test]
fn a_probe_turned_into_a_value_is_expected() {
    let src = r#"
fn kind(s: &str, xs: &[u32]) -> u32 {
    let ip = s.parse::<std::net::IpAddr>().ok();
    let id = uuid::Uuid::parse_str(s).ok();
    let n: Option<u16> = 300u32.try_into().ok();
    let at = xs.binary_search(&3).ok();
    let bytes = hex::decode(s).unwrap_or_default();
    0
}
"#;
    assert_eq!(outcomes(src), vec!["expected"; 5]);
}

#[test]
fn a_parse_of_a_configured_value_is_not_a_probe() {
    let src = r#"
fn settings() -> (u16, u32, f64) {
    let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080);
    let max = match std::env::var("MAX") {
        Ok(v) => v.parse().unwrap_or(10),
        Err(_) => 10,
    };
    let raw = std::env::var("ROLLOUT").unwrap_or("0".to_string());
    let rollout = raw.parse::<f64>().unwrap_or(0.0);
    (port, max, rollout)
}
"#;
    let got = classify(src);
    assert_eq!(
        got,
        vec![
            (3, "swallowed-error".to_string()),
            (5, "unlogged-error".to_string()),
            (9, "unlogged-error".to_string()),
        ],
        "the env reads themselves are benign, the parses of what they read are not"
    );
}

#[test]
fn a_parse_of_a_build_time_constant_stays_a_probe() {
    let src = r#"
fn version() -> semver::Version {
    semver::Version::parse(env!("CARGO_PKG_VERSION")).unwrap_or(semver::Version::new(0, 0, 0))
}
"#;
    assert_eq!(outcomes(src), vec!["expected"]);
}

// --- forms that need a known Result ------------------------------------------------------------

#[test]
fn defaults_on_known_operational_results_are_unlogged() {
    let src = r#"
fn members(conn: &mut PgConnection) -> (Vec<Member>, i64) {
    let list = members::table.load::<Member>(conn).unwrap_or_default();
    let count = members::table.count().first::<i64>(conn).unwrap_or(0);
    (list, count)
}
"#;
    assert_eq!(outcomes(src), vec!["unlogged-error", "unlogged-error"]);
}

#[test]
fn unwrap_or_unit_on_a_result_is_a_discard() {
    let src = r#"
async fn save(conn: &mut PgConnection, e: Event) -> Result<(), DbError> { Ok(()) }
async fn record(conn: &mut PgConnection, e: Event) {
    save(conn, e).await.unwrap_or(());
}
"#;
    assert_eq!(outcomes(src), vec!["swallowed-error"]);
}

#[test]
fn defaults_on_values_not_known_to_be_results_are_not_sites() {
    let src = r#"
fn pick(xs: &[u32], m: &std::collections::HashMap<u32, u32>, o: Option<u32>) -> u32 {
    let a = xs.first().copied().unwrap_or(0);
    let b = m.get(&1).copied().unwrap_or_default();
    let c = o.unwrap_or(3);
    let d = cache.get(&1).await.unwrap_or_default();
    a + b + c + d
}
"#;
    assert!(classify(src).is_empty());
}

#[test]
fn workspace_signatures_decide_only_for_awaited_calls() {
    let src = r#"
async fn fetch_meta(url: &str) -> Result<Meta, FetchError> { todo!() }
fn lookup(name: &str) -> Result<u32, NotFound> { todo!() }
fn plain(name: &str) -> Option<u32> { None }
async fn handler() -> Meta {
    let id = lookup("x").unwrap_or(0);
    let other = plain("y").unwrap_or(0);
    fetch_meta("http://x").await.unwrap_or_default()
}
"#;
    assert_eq!(
        classify(src),
        vec![(8, "unlogged-error".to_string())],
        "a sync lookup miss is an answer; an awaited fetch that fails is a failure"
    );
}

#[test]
fn is_ok_on_an_awaited_result_drops_the_error_unless_a_branch_logs_or_it_is_read_again() {
    let src = r#"
async fn delete(conn: &DbConn) -> Result<(), DbError> { Ok(()) }
async fn take(conn: &DbConn) -> bool {
    delete(conn).await.is_ok()
}
async fn take_logged(conn: &DbConn) {
    if delete(conn).await.is_err() {
        tracing::warn!("delete failed");
    }
}
async fn take_kept(conn: &DbConn) -> Result<(), DbError> {
    let res = delete(conn).await;
    if res.is_err() {
        return res;
    }
    Ok(())
}
"#;
    assert_eq!(
        classify(src),
        // Logged, by a log line that leaves the error out.
        vec![(4, "unlogged-error".to_string()), (7, "log-without-error".to_string())]
    );
}

#[test]
fn a_result_held_in_a_variable_is_traced_to_its_call() {
    let src = r#"
async fn read_code(conn: &mut AsyncPgConnection, code: &str) -> Result<i32, Error> {
    let res = language::table.filter(language::code.eq(code)).first::<Lang>(conn).await.map(|l| l.id);
    Ok(res.unwrap_or(0))
}
"#;
    assert_eq!(outcomes(src), vec!["unlogged-error"]);
}

// --- errors replaced by unrelated ones ----------------------------------------------------------

#[test]
fn an_operational_error_replaced_by_a_4xx_or_another_error_ends_there() {
    let src = r#"
async fn login(pool: &PgPool) -> Result<User, StatusCode> {
    match sqlx::query_as("select").fetch_one(pool).await {
        Ok(u) => Ok(u),
        Err(_) => Err(StatusCode::BAD_REQUEST),
    }
}
async fn provider(pool: &PgPool) -> Result<Provider, ApiError> {
    let p = Provider::read(pool).await.ok().ok_or(ApiError::Invalid)?;
    Ok(p)
}
async fn by_url(conn: &mut Conn) -> Result<Community, ApiError> {
    let res = community::table.first::<Community>(conn).await;
    if let Ok(c) = res { Ok(c) } else { Err(ApiError::NotFound) }
}
"#;
    assert_eq!(
        outcomes(src),
        vec!["unlogged-error", "swallowed-error", "unlogged-error"]
    );
}

#[test]
fn replacing_a_value_error_or_a_specific_variant_or_passing_the_error_on_is_not_an_ending() {
    let src = r#"
fn id(s: &str) -> Result<u32, StatusCode> {
    s.parse::<u32>().map_err(|_| StatusCode::BAD_REQUEST)
}
async fn user(pool: &PgPool) -> Result<User, ApiError> {
    match sqlx::query_as("select").fetch_one(pool).await {
        Ok(u) => Ok(u),
        Err(sqlx::Error::RowNotFound) => Err(ApiError::NotFound),
        Err(e) => Err(ApiError::Db(e)),
    }
}
fn token(raw: &str) -> Result<Claims, ApiError> {
    decode_claims(raw).ok().ok_or(ApiError::Unauthorized)
}
"#;
    assert_eq!(outcomes(src), vec!["expected", "propagated", "propagated"]);
}

#[test]
fn a_binding_declared_as_a_result_is_known_to_be_one() {
    let src = r#"
fn collect(results: Vec<AppResult<()>>, names: &[String]) -> Vec<String> {
    let mut failed = Vec::new();
    results.into_iter().enumerate().for_each(|(i, r): (usize, AppResult<()>)| {
        if r.is_err() {
            failed.push(names[i].clone());
        }
    });
    failed
}
"#;
    assert_eq!(outcomes(src), vec!["unlogged-error"]);
}

#[test]
fn an_if_let_on_a_borrowed_result_only_looks_at_it() {
    let src = r#"
async fn call(c: &Client) -> Result<Reply, ClientError> {
    let r = c.send().await;
    if let Ok(reply) = &r {
        remember(reply);
    }
    r
}
async fn drop_it(c: &Client) {
    if let Ok(reply) = c.send().await {
        remember(&reply);
    }
}
"#;
    assert_eq!(outcomes(src), vec!["swallowed-error"]);
}

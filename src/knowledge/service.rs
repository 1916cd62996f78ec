//! Service-level logging (`rules/logging.toml`, `[service_logging]`): middleware that records
//! the error of every failed response, and layers that log only its status.

use serde::Deserialize;

use super::{Glob, PathPattern};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Section {
    install_methods: Vec<String>,
    cause: Vec<String>,
    service_traits: Vec<String>,
    service_methods: Vec<String>,
    error_macros: Vec<String>,
    cause_methods: Vec<String>,
    status_only: Vec<StatusOnlySection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusOnlySection {
    path: String,
    layer: String,
    logs: String,
    advice: String,
}

/// A layer that logs a failed request's status but not its cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusOnlyLayer {
    pub path: PathPattern,
    /// How the help names it (`tower-http's `TraceLayer``).
    pub layer: String,
    /// What it logs of a failed request.
    pub logs: String,
    /// What the help says to do instead.
    pub advice: String,
}

impl StatusOnlyLayer {
    /// The help of a `silent-server-error` in a service that installs it.
    pub fn help(&self) -> String {
        format!(
            "{}, installed in this service, logs only {}: {}",
            self.layer, self.logs, self.advice
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLogging {
    /// Methods whose argument is a middleware installed around the handlers.
    pub install_methods: Vec<String>,
    /// Middleware types (their paths) that record the cause of every failed response.
    pub cause: Vec<PathPattern>,
    /// Traits whose impl is a middleware (`Service`), and its method that handles a request.
    pub service_traits: Vec<String>,
    pub service_methods: Vec<String>,
    /// Logging macros (last segment) at an error level.
    pub error_macros: Vec<String>,
    /// Methods whose result is what a failed response carries (`Status::message`).
    pub cause_methods: Vec<String>,
    pub status_only: Vec<StatusOnlyLayer>,
}

impl ServiceLogging {
    pub(super) fn from_section(s: Section) -> ServiceLogging {
        let paths = |v: &[String]| v.iter().map(|s| PathPattern::parse(s)).collect::<Vec<_>>();
        ServiceLogging {
            install_methods: s.install_methods,
            cause: paths(&s.cause),
            service_traits: s.service_traits,
            service_methods: s.service_methods,
            error_macros: s.error_macros,
            cause_methods: s.cause_methods,
            status_only: s
                .status_only
                .into_iter()
                .map(|l| StatusOnlyLayer {
                    path: PathPattern::parse(&l.path),
                    layer: l.layer,
                    logs: l.logs,
                    advice: l.advice,
                })
                .collect(),
        }
    }

    /// The status-only layer whose path is `name`, as the facts of a middleware record it.
    pub fn status_only_layer(&self, name: &str) -> Option<&StatusOnlyLayer> {
        self.status_only.iter().find(|l| l.path.0.join("::") == name)
    }
}

/// A status pattern (`[status]`): a path matched on its trailing segments, or, written from its
/// crate (`::tonic::Code::Internal`), a path of that crate only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPattern {
    pub path: PathPattern,
    pub krate: Option<String>,
}

impl StatusPattern {
    pub fn parse(text: &str) -> StatusPattern {
        let text = text.trim();
        match text.strip_prefix("::") {
            Some(rooted) => {
                let mut segments = PathPattern::parse(rooted).0;
                let krate = (segments.len() > 1).then(|| segments.remove(0));
                StatusPattern {
                    path: PathPattern(segments),
                    krate,
                }
            }
            None => StatusPattern {
                path: PathPattern::parse(text),
                krate: None,
            },
        }
    }

    /// The pattern's last segment (every match ends with it).
    pub fn last(&self) -> Option<&str> {
        self.path.0.last().map(String::as_str)
    }

    /// `raw` is the path as written, `full` with the file's `use` map applied; `uses_crate`
    /// tells whether the file names a crate. A rooted pattern matches a path of its crate, or
    /// a path written bare (imported from nowhere) in a file that uses the crate.
    pub fn matches(&self, raw: &[String], full: &[String], uses_crate: &dyn Fn(&str) -> bool) -> bool {
        match &self.krate {
            None => self.path.matches(full) || self.path.matches(raw),
            Some(k) => {
                self.path.matches(full)
                    && (full.first() == Some(k) || (full == raw && full.len() == self.path.0.len() && uses_crate(k)))
            }
        }
    }
}

/// A call that builds a status from a number (`StatusCode::from_u16(500)`, `.status(500)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumericStatus {
    Call(PathPattern),
    Method(String),
}

impl NumericStatus {
    pub fn parse(text: &str) -> NumericStatus {
        match text.trim().strip_prefix('.') {
            Some(method) => NumericStatus::Method(method.to_string()),
            None => NumericStatus::Call(PathPattern::parse(text)),
        }
    }
}

/// Whether `name` matches one of `types` (globs such as `*Code`).
pub fn is_code_type(types: &[Glob], name: &str) -> bool {
    types.iter().any(|g| g.is_match(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(path: &str) -> Vec<String> {
        path.split("::").map(str::to_string).collect()
    }

    #[test]
    fn rooted_status_patterns_match_their_crate_only() {
        let p = StatusPattern::parse("::tonic::Code::Internal");
        assert_eq!(p.krate.as_deref(), Some("tonic"));
        let uses_tonic = |c: &str| c == "tonic";
        let no_tonic = |_: &str| false;
        // Imported from tonic, or written from it.
        assert!(p.matches(&v("Code::Internal"), &v("tonic::Code::Internal"), &no_tonic));
        assert!(p.matches(&v("tonic::Code::Internal"), &v("tonic::Code::Internal"), &no_tonic));
        // Imported from elsewhere: another crate's code enum.
        assert!(!p.matches(&v("Code::Internal"), &v("my_types::error::Code::Internal"), &uses_tonic));
        // Written bare, imported from nowhere: tonic's when the file uses tonic.
        assert!(p.matches(&v("Code::Internal"), &v("Code::Internal"), &uses_tonic));
        assert!(!p.matches(&v("Code::Internal"), &v("Code::Internal"), &no_tonic));
        // A local module's `Code` is not tonic's either.
        assert!(!p.matches(&v("errors::Code::Internal"), &v("errors::Code::Internal"), &uses_tonic));
        // Unrooted patterns match on trailing segments, as before.
        let q = StatusPattern::parse("StatusCode::INTERNAL_SERVER_ERROR");
        assert_eq!(q.krate, None);
        assert!(q.matches(
            &v("StatusCode::INTERNAL_SERVER_ERROR"),
            &v("axum::http::StatusCode::INTERNAL_SERVER_ERROR"),
            &no_tonic
        ));
    }

    #[test]
    fn numeric_status_patterns_are_calls_or_methods() {
        assert_eq!(NumericStatus::parse(".status"), NumericStatus::Method("status".into()));
        assert_eq!(
            NumericStatus::parse("StatusCode::from_u16"),
            NumericStatus::Call(PathPattern::parse("StatusCode::from_u16"))
        );
    }

    #[test]
    fn the_embedded_service_logging_knowledge_names_its_layers() {
        let k = crate::knowledge::Knowledge::defaults();
        let sl = &k.service_logging;
        assert!(sl
            .cause
            .iter()
            .any(|p| p.matches(&v("tracing_actix_web::TracingLogger"))));
        let layer = sl.status_only_layer("TraceLayer").expect("TraceLayer is known");
        assert!(layer
            .help()
            .starts_with("tower-http's `TraceLayer`, installed in this service, logs only"));
        assert!(is_code_type(&k.code_types, "StatusCode") && is_code_type(&k.code_types, "ErrCode"));
        assert!(!is_code_type(&k.code_types, "Status") && !is_code_type(&k.code_types, "Response"));
    }
}

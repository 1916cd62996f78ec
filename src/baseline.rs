//! Reading an earlier `obsdebt/v1` JSON report: its fingerprints (`--baseline`) and its
//! coverage numbers (`--baseline`, `--compare`).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::report::Previous;

/// One finding of the earlier report: what tells whether it is in the scope of this run.
pub struct EarlierFinding {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
}

pub struct Earlier {
    pub previous: Previous,
    pub fingerprints: HashSet<String>,
    pub findings: Vec<EarlierFinding>,
}

impl Earlier {
    /// The earlier findings in the scope of this run (`in_scope` judges rule and path) that no
    /// finding of this run has: the fixed ones.
    pub fn fixed<'a>(
        &self,
        now: impl IntoIterator<Item = &'a str>,
        in_scope: impl Fn(&EarlierFinding) -> bool,
    ) -> usize {
        let now: HashSet<&str> = now.into_iter().collect();
        let mut seen: HashSet<&str> = HashSet::new();
        self.findings
            .iter()
            .filter(|f| seen.insert(f.fingerprint.as_str()))
            .filter(|f| !now.contains(f.fingerprint.as_str()) && in_scope(f))
            .count()
    }
}

pub fn load(path: &Path, read_from: &Path) -> Result<Earlier, String> {
    let shown = path.display();
    let text = crate::input::read_regular_text(read_from, crate::input::MAX_REPORT)
        .map_err(|e| format!("cannot read the earlier report {shown}: {e}"))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        format!("{shown} is not JSON ({e}); pass a report written by `obsdebt check --output-format json`")
    })?;
    if !v.is_object() {
        return Err(format!(
            "{shown} is not an `{}` report: it is {}, not a JSON object; write it with `obsdebt check --output-format json`",
            crate::report::json::SCHEMA,
            shape(Some(&v))
        ));
    }
    if v["schema"] != crate::report::json::SCHEMA {
        return Err(format!(
            "{shown} is not an `{}` report (its schema is {}); write it with `obsdebt check --output-format json`",
            crate::report::json::SCHEMA,
            v["schema"]
        ));
    }
    let bad = |what: String| {
        format!(
            "{shown} is not a usable `{}` report: {what}; write it with `obsdebt check --output-format json`",
            crate::report::json::SCHEMA
        )
    };
    let logging = &v["coverage"]["logging"];
    if !logging.is_object() {
        return Err(bad("it has no `coverage.logging` object".into()));
    }
    match logging.get("percent") {
        Some(Value::Number(_) | Value::Null) => {}
        other => {
            return Err(bad(format!(
                "`coverage.logging.percent` is {}, not a number or null",
                shape(other)
            )))
        }
    }
    let percent = |x: &Value| x["percent"].as_f64();
    let crates: BTreeMap<String, Option<f64>> = v["coverage"]["crates"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| Some((c["name"].as_str()?.to_string(), percent(c))))
                .collect()
        })
        .unwrap_or_default();
    let Some(list) = v.get("diagnostics").and_then(Value::as_array) else {
        return Err(bad(format!(
            "`diagnostics` is {}, not a list of findings",
            shape(v.get("diagnostics"))
        )));
    };
    let mut findings: Vec<EarlierFinding> = Vec::with_capacity(list.len());
    for (i, d) in list.iter().enumerate() {
        if !d.is_object() {
            return Err(bad(format!("`diagnostics[{i}]` is {}, not a finding", shape(Some(d)))));
        }
        let text = |key: &str| -> Result<String, String> {
            match d.get(key) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                other => Err(bad(format!(
                    "`diagnostics[{i}].{key}` is {}, not a non-empty string",
                    shape(other)
                ))),
            }
        };
        findings.push(EarlierFinding {
            fingerprint: text("fingerprint")?,
            rule: text("rule")?,
            path: text("path")?,
        });
    }
    let fingerprints: HashSet<String> = findings.iter().map(|f| f.fingerprint.clone()).collect();
    Ok(Earlier {
        previous: Previous {
            path: shown.to_string(),
            percent: percent(&v["coverage"]["logging"]),
            crates,
            findings: fingerprints.len(),
            ..Default::default()
        },
        fingerprints,
        findings,
    })
}

/// What a JSON value is, for messages: `missing`, `5`, `a list`, `an object`, ...
fn shape(v: Option<&Value>) -> String {
    match v {
        None => "missing".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if s.is_empty() => "an empty string".into(),
        Some(Value::String(_)) => "a string".into(),
        Some(Value::Array(_)) => "a list".into(),
        Some(Value::Object(_)) => "an object".into(),
    }
}

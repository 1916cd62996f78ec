//! Reading an earlier `obsdebt/v1` JSON report: its fingerprints (`--baseline`) and its
//! coverage numbers (`--baseline`, `--compare`).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::report::Previous;

/// One finding of the earlier report: what tells whether it is in the scope of this run.
pub struct EarlierFinding {
    pub fingerprint: String,
    pub rule: Option<String>,
    pub path: Option<String>,
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

pub fn load(path: &Path) -> Result<Earlier, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the earlier report {shown}: {e}"))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        format!("{shown} is not JSON ({e}); pass a report written by `obsdebt check --output-format json`")
    })?;
    if v["schema"] != crate::report::json::SCHEMA {
        return Err(format!(
            "{shown} is not an `{}` report (its schema is {}); write it with `obsdebt check --output-format json`",
            crate::report::json::SCHEMA,
            v["schema"]
        ));
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
    let findings: Vec<EarlierFinding> = v["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| {
                    Some(EarlierFinding {
                        fingerprint: d["fingerprint"].as_str()?.to_string(),
                        rule: d["rule"].as_str().map(str::to_string),
                        path: d["path"].as_str().map(str::to_string),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
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

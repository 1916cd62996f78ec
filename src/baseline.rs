//! Reading an earlier `obsdebt/v1` JSON report: its fingerprints (`--baseline`) and its
//! coverage numbers (`--baseline`, `--compare`).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::report::Previous;

pub struct Earlier {
    pub previous: Previous,
    pub fingerprints: HashSet<String>,
}

pub fn load(path: &Path) -> Result<Earlier, String> {
    let shown = path.display();
    let text = crate::input::read_regular_text(path, crate::input::MAX_REPORT)
        .map_err(|e| format!("cannot read the earlier report {shown}: {e}"))?;
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
    let fingerprints: HashSet<String> = v["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["fingerprint"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(Earlier {
        previous: Previous {
            path: shown.to_string(),
            percent: percent(&v["coverage"]["logging"]),
            crates,
            findings: fingerprints.len(),
        },
        fingerprints,
    })
}

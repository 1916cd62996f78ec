//! Logging evidence that may depend on other functions, decided in the resolve phase.

use serde::{Deserialize, Serialize};

/// A call whose target is decided by the resolve phase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Callee {
    /// The path as written, with `use` aliases expanded (`crate::obs::report`); for a method
    /// call, just the method name.
    pub path: Vec<String>,
    pub method: bool,
}

/// Whether something logs: known now (`Yes`/`No`) or once calls are resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogCond {
    Yes,
    No,
    /// Logs if the called in-workspace function always logs.
    Call(Callee),
    Any(Vec<LogCond>),
    All(Vec<LogCond>),
}

impl LogCond {
    /// At least one of `items` logs. Simplifies as it builds.
    pub fn any(items: Vec<LogCond>) -> LogCond {
        let mut kept = Vec::new();
        for item in items {
            match item {
                LogCond::Yes => return LogCond::Yes,
                LogCond::No => {}
                LogCond::Any(inner) => kept.extend(inner),
                other => kept.push(other),
            }
        }
        // The same call written twice is one condition.
        let mut seen: Vec<Callee> = Vec::new();
        kept.retain(|k| match k {
            LogCond::Call(c) if seen.contains(c) => false,
            LogCond::Call(c) => {
                seen.push(c.clone());
                true
            }
            _ => true,
        });
        match kept.len() {
            0 => LogCond::No,
            1 => kept.pop().unwrap_or(LogCond::No),
            _ => LogCond::Any(kept),
        }
    }

    /// Every one of `items` logs. `all(vec![])` is `No`: an empty set of paths logs nothing.
    pub fn all(items: Vec<LogCond>) -> LogCond {
        if items.is_empty() {
            return LogCond::No;
        }
        let mut kept = Vec::new();
        for item in items {
            match item {
                LogCond::No => return LogCond::No,
                LogCond::Yes => {}
                LogCond::All(inner) => kept.extend(inner),
                other => kept.push(other),
            }
        }
        match kept.len() {
            0 => LogCond::Yes,
            1 => kept.pop().unwrap_or(LogCond::Yes),
            _ => LogCond::All(kept),
        }
    }

    /// Gives back the spare capacity of the lists in the tree.
    pub fn shrink(&mut self) {
        if let LogCond::Any(items) | LogCond::All(items) = self {
            items.shrink_to_fit();
            items.iter_mut().for_each(LogCond::shrink);
        }
    }

    /// Evaluates with `logs(callee)` deciding calls; the callees handed out live as long as
    /// `self` (memos may keep them as keys).
    pub fn eval<'c>(&'c self, logs: &mut dyn FnMut(&'c Callee) -> bool) -> bool {
        match self {
            LogCond::Yes => true,
            LogCond::No => false,
            LogCond::Call(c) => logs(c),
            LogCond::Any(items) => items.iter().any(|i| i.eval(logs)),
            LogCond::All(items) => items.iter().all(|i| i.eval(logs)),
        }
    }

    pub fn is_no(&self) -> bool {
        matches!(self, LogCond::No)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str) -> LogCond {
        LogCond::Call(Callee {
            path: vec![name.into()],
            method: false,
        })
    }

    #[test]
    fn any_and_all_simplify() {
        assert_eq!(LogCond::any(vec![LogCond::No, LogCond::Yes]), LogCond::Yes);
        assert_eq!(LogCond::any(vec![LogCond::No]), LogCond::No);
        assert_eq!(LogCond::all(vec![LogCond::Yes, LogCond::No]), LogCond::No);
        assert_eq!(LogCond::all(vec![LogCond::Yes, call("f")]), call("f"));
        assert_eq!(LogCond::all(vec![]), LogCond::No);
    }

    #[test]
    fn eval_consults_calls() {
        let cond = LogCond::all(vec![call("a"), LogCond::any(vec![call("b"), call("c")])]);
        let mut known = |c: &Callee| c.path[0] != "b";
        assert!(cond.eval(&mut known));
        let mut none = |_: &Callee| false;
        assert!(!cond.eval(&mut none));
    }
}

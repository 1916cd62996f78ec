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
    /// Logs if the workspace `macro_rules!` macro so named logs in every arm (the path as
    /// written, `use` aliases expanded, `$crate` read as `crate`). In a propagation condition
    /// ([`MacroArm::propagates`](super::MacroArm)), the macro returns an `Err` in every arm.
    Macro(Callee),
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
        // The same call written twice is one condition: the first is kept. A few are compared
        // with each other, many through a set (a body of thousands of calls).
        let keep: Vec<bool> = if kept.len() <= 16 {
            kept.iter()
                .enumerate()
                .map(|(i, k)| match k.leaf() {
                    Some(key) => !kept[..i].iter().any(|p| p.leaf() == Some(key)),
                    None => true,
                })
                .collect()
        } else {
            let mut seen = rustc_hash::FxHashSet::default();
            kept.iter()
                .map(|k| match k.leaf() {
                    Some(key) => seen.insert(key),
                    None => true,
                })
                .collect()
        };
        let mut keep = keep.into_iter();
        kept.retain(|_| keep.next().unwrap_or(true));
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

    /// A call or macro condition, as a key: (is a macro, callee).
    fn leaf(&self) -> Option<(bool, &Callee)> {
        match self {
            LogCond::Call(c) => Some((false, c)),
            LogCond::Macro(c) => Some((true, c)),
            _ => None,
        }
    }

    /// Evaluates with `logs(callee)` deciding calls; macro conditions are false. The callees
    /// handed out live as long as `self` (memos may keep them as keys).
    pub fn eval<'c>(&'c self, logs: &mut dyn FnMut(&'c Callee) -> bool) -> bool {
        self.eval_with(logs, &mut |_| false)
    }

    /// Evaluates with `calls(callee)` deciding calls and `macros(callee)` deciding macro calls.
    pub fn eval_with<'c>(
        &'c self,
        calls: &mut dyn FnMut(&'c Callee) -> bool,
        macros: &mut dyn FnMut(&'c Callee) -> bool,
    ) -> bool {
        match self {
            LogCond::Yes => true,
            LogCond::No => false,
            LogCond::Call(c) => calls(c),
            LogCond::Macro(c) => macros(c),
            LogCond::Any(items) => items.iter().any(|i| i.eval_with(calls, macros)),
            LogCond::All(items) => items.iter().all(|i| i.eval_with(calls, macros)),
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

    /// `any` as it was first written: each call compared with every one kept before it.
    fn any_pairwise(items: Vec<LogCond>) -> LogCond {
        let mut kept = Vec::new();
        for item in items {
            match item {
                LogCond::Yes => return LogCond::Yes,
                LogCond::No => {}
                LogCond::Any(inner) => kept.extend(inner),
                other => kept.push(other),
            }
        }
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]
        #[test]
        fn any_keeps_the_first_of_each_call_as_before(picks in proptest::collection::vec(0..12u8, 0..40)) {
            let items: Vec<LogCond> = picks
                .iter()
                .map(|&p| match p {
                    0 => LogCond::No,
                    1 => LogCond::all(vec![call("x"), call("y")]),
                    2 => LogCond::any(vec![call("a"), call("q")]),
                    n => call(&format!("f{}", n % 7)),
                })
                .collect();
            proptest::prop_assert_eq!(LogCond::any(items.clone()), any_pairwise(items));
        }
    }

    #[test]
    fn many_distinct_calls_are_deduplicated_at_once() {
        // Pairwise, 50k calls were 1.25 billion comparisons.
        let items: Vec<LogCond> = (0..50_000).chain(0..50_000).map(|i| call(&format!("f{i}"))).collect();
        let LogCond::Any(kept) = LogCond::any(items) else {
            panic!("several calls")
        };
        assert_eq!(kept.len(), 50_000);
        assert_eq!(kept[49_999], call("f49999"));
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

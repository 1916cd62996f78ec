//! Logging coverage = logged / (logged + unlogged), per file, per crate and in total.

use serde::{Deserialize, Serialize};

use crate::resolve::Class;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub logged: u32,
    pub unlogged: u32,
    pub propagated: u32,
    pub expected: u32,
    /// Unlogged sites silenced by a suppression comment: outside the denominator.
    pub suppressed: u32,
    /// Logged sites whose log lines never carry the error (`log-without-error`): a part of
    /// `logged`.
    #[serde(default)]
    pub logged_without_error: u32,
}

impl Counts {
    pub fn add_class(&mut self, class: Class, suppressed: bool) {
        match class {
            Class::Logged => self.logged += 1,
            // A suppressed finding of it is still a logged site.
            Class::LoggedWithoutError => {
                self.logged += 1;
                self.logged_without_error += u32::from(!suppressed);
            }
            Class::Propagated => self.propagated += 1,
            Class::Expected => self.expected += 1,
            Class::Unlogged(_) if suppressed => self.suppressed += 1,
            Class::Unlogged(_) => self.unlogged += 1,
        }
    }

    pub fn add(&mut self, other: &Counts) {
        self.logged += other.logged;
        self.unlogged += other.unlogged;
        self.propagated += other.propagated;
        self.expected += other.expected;
        self.suppressed += other.suppressed;
        self.logged_without_error += other.logged_without_error;
    }

    /// Rounded to one decimal; `None` when there is nothing to count.
    pub fn percent(&self) -> Option<f64> {
        let total = self.logged + self.unlogged;
        (total > 0).then(|| (f64::from(self.logged) * 1000.0 / f64::from(total)).round() / 10.0)
    }

    pub fn is_empty(&self) -> bool {
        self.logged + self.unlogged + self.propagated + self.expected + self.suppressed == 0
    }
}

/// `83.3%`, or `n/a` when nothing is counted.
pub fn show_percent(p: Option<f64>) -> String {
    match p {
        Some(p) => format!("{p:.1}%"),
        None => "n/a".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_to_one_decimal_and_is_none_when_empty() {
        let c = Counts {
            logged: 5,
            unlogged: 1,
            propagated: 9,
            ..Counts::default()
        };
        assert_eq!(c.percent(), Some(83.3));
        assert_eq!(
            Counts {
                propagated: 3,
                ..Counts::default()
            }
            .percent(),
            None
        );
        assert_eq!(
            Counts {
                logged: 2,
                unlogged: 1,
                ..Counts::default()
            }
            .percent(),
            Some(66.7)
        );
        assert_eq!(show_percent(None), "n/a");
    }
}

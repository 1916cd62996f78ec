//! A progress bar on stderr for long runs: files read and analysed out of all, shown only when
//! stderr is a terminal and the collect phase has taken more than a second (a quick run prints
//! nothing), and cleared when the phase ends. `indicatif` draws it, from any worker thread.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before it shows its progress.
const DELAY: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    /// A bar over `total` files; inert unless `enabled` (stderr is a terminal).
    pub fn new(total: usize, enabled: bool) -> Progress {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template("obsdebt: analysing {pos}/{len} files {wide_bar} {elapsed}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// One more file done.
    pub fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        use std::sync::atomic::Ordering;
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() > DELAY
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// The phase is over: the bar, if it was shown, is cleared.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_bar_counts_nothing_and_a_quick_one_stays_hidden() {
        let off = Progress::new(3, false);
        off.tick();
        off.finish();
        assert!(off.bar.is_none());
        let quick = Progress::new(3, true);
        quick.tick();
        assert!(
            !quick.shown.load(std::sync::atomic::Ordering::Relaxed),
            "under a second: hidden"
        );
        assert_eq!(quick.bar.as_ref().map(|b| b.position()), Some(1));
        quick.finish();
    }
}

//! What the service around a 5xx decides about it: a library returns it to its caller, and a
//! middleware that records the error of every failed response logs it. Applied to one world's
//! classes once they are known.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use super::{Class, FileInput};
use crate::facts::Records;
use crate::knowledge::Knowledge;

const SILENT: &str = crate::rule::SILENT_SERVER_ERROR.name;

/// Reclassifies the world's `silent-server-error` sites: `Propagated` in a library (`library`,
/// per crate), `Logged` where a cause-recording middleware covers the file: installed or defined
/// in its crate or in one that depends on it (`reach`, per crate: itself and its dependencies),
/// for the framework the file uses. Gives, per file, what its remaining ones' help should say
/// about a status-only layer installed around it.
pub fn apply(
    files: &[FileInput],
    classes: &mut [Vec<Option<Class>>],
    library: &[bool],
    reach: &[Vec<usize>],
    k: &Knowledge,
) -> Vec<Option<String>> {
    let framework = |f: &FileInput| k.handlers.framework_of(&f.facts.crates_used).map(|fw| fw.name.as_str());
    let mut used: BTreeSet<&str> = BTreeSet::new();
    // Per crate: the frameworks whose 5xx paths a cause-recording middleware covers ("*": a
    // generic layer whose own file names no framework), and the status-only layers around it.
    let mut cause: HashMap<usize, BTreeSet<&str>> = HashMap::default();
    let mut status: HashMap<usize, Vec<(Option<&str>, &str)>> = HashMap::default();
    for f in files {
        let fw = framework(f);
        used.extend(fw);
        for m in &f.facts.middleware {
            for &c in reach.get(f.place.krate).map(Vec::as_slice).unwrap_or(&[]) {
                match m.records {
                    Records::Cause => {
                        cause.entry(c).or_default().insert(fw.unwrap_or("*"));
                    }
                    Records::Status => status.entry(c).or_default().push((fw, m.name.as_str())),
                }
            }
        }
    }
    let covered = |krate: usize, fw: Option<&str>| {
        let Some(cover) = cause.get(&krate) else { return false };
        cover.contains("*")
            || match fw {
                Some(fw) => cover.contains(fw),
                None => !used.is_empty() && used.iter().all(|u| cover.contains(u)),
            }
    };
    let mut notes = vec![None; files.len()];
    for (i, f) in files.iter().enumerate() {
        let (krate, fw) = (f.place.krate, framework(f));
        let mut unlogged = false;
        for class in classes[i].iter_mut().flatten() {
            if *class != Class::Unlogged(SILENT) {
                continue;
            }
            if library.get(krate).copied().unwrap_or(false) {
                *class = Class::Propagated;
            } else if covered(krate, fw) {
                *class = Class::Logged;
            } else {
                unlogged = true;
            }
        }
        if !unlogged {
            continue;
        }
        let layer = status
            .get(&krate)
            .into_iter()
            .flatten()
            .find(|(sfw, _)| sfw.is_none() || fw.is_none() || *sfw == fw)
            .and_then(|(_, name)| k.service_logging.status_only_layer(name));
        notes[i] = layer.map(|l| l.help());
    }
    notes
}

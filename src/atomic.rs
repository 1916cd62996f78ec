//! Files written whole or not at all.

use std::io::Write;
use std::path::Path;

/// How the names of temporary files end; they also start with a dot, the name of the file they
/// become, the writer's process id and thread.
const TEMPORARY: &str = ".tmp";

/// Whether `name` is one of [`write_atomically`]'s temporary files.
pub fn is_temporary(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.starts_with(b".") && name.ends_with(TEMPORARY.as_bytes())
}

/// Writes `path` through a temporary file beside it and a rename: a reader (a concurrent run, a
/// CI step picking up a report) sees the old content or the new, never part of it, and a failed
/// or killed write leaves no partial file behind.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "obsdebt".into());
    let tmp = dir.join(format!(
        ".{name}.{}.{:?}{TEMPORARY}",
        std::process::id(),
        std::thread::current().id()
    ));
    let written = std::fs::File::create(&tmp)
        .and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            write(&mut w)?;
            w.flush()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Writes `path` as a report's destination (`-o FILE`): a regular file (or a new one) whole or not
/// at all, through [`write_atomically`]; a symbolic link is followed and the file it points to is
/// written that way, the link staying a link; anything else — a device such as `/dev/null`, a
/// named pipe, a terminal — is opened and written in place, as a shell's `>` would: a rename
/// would replace it with a regular file.
pub fn write_output(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    // What the system reaches through the path (links followed by the kernel, so that
    // `/dev/stdout` and the other links of /proc that name no path are followed too).
    let reached = std::fs::metadata(path);
    if let Ok(m) = &reached {
        if !m.is_file() && !m.is_dir() {
            return write_in_place(path, false, write);
        }
    }
    let target = follow_links(path)?;
    match (&reached, std::fs::metadata(&target)) {
        // The links lead somewhere else than the system went (a link of /proc to a deleted
        // file): written in place through the path given.
        (Ok(a), Ok(b)) if !same_file(a, &b) => write_in_place(path, a.is_file(), write),
        _ => write_atomically(&target, write),
    }
}

fn write_in_place(
    path: &Path,
    truncate: bool,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new().write(true).truncate(truncate).open(path)?;
    let mut w = std::io::BufWriter::new(file);
    write(&mut w)?;
    w.flush()
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

/// Links allowed in a chain before it counts as a loop (Linux's own limit).
const MAX_LINKS: usize = 40;

/// `path` with every symbolic link of its last component followed: the file a write through it
/// reaches, whether or not it exists yet. A relative link is relative to the link's directory.
fn follow_links(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomically(&path, |w| w.write_all(b"first")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let err = write_atomically(&path, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"first", "the old content stays");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("report.json")],
            "no temporary file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_to_the_file_they_reach() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        symlink("sub/real", d.join("a")).unwrap();
        symlink(d.join("a"), d.join("b")).unwrap();
        symlink("../a", d.join("sub/up")).unwrap();
        assert_eq!(follow_links(&d.join("b")).unwrap(), d.join("sub/real"));
        assert_eq!(follow_links(&d.join("sub/up")).unwrap(), d.join("sub/../sub/real"));
        assert_eq!(follow_links(&d.join("plain")).unwrap(), d.join("plain"));
        symlink("loop2", d.join("loop1")).unwrap();
        symlink("loop1", d.join("loop2")).unwrap();
        assert!(
            follow_links(&d.join("loop1")).is_err(),
            "a loop is an error, not a hang"
        );
        write_output(&d.join("b"), |w| w.write_all(b"through")).unwrap();
        assert_eq!(std::fs::read(d.join("sub/real")).unwrap(), b"through");
        assert!(std::fs::symlink_metadata(d.join("b")).unwrap().file_type().is_symlink());
    }
}

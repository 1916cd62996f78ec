//! Reading the files a run is given or finds: regular files only, up to a size limit. A named
//! pipe would make a read wait for a writer forever, a device such as `/dev/zero` never ends, and
//! a file of gigabytes is not configuration or hand-written source: each is refused with a reason
//! instead of read.

use std::io::Read;
use std::path::Path;

/// Source files larger than this are not analysed (the largest hand-written Rust files are a few
/// MiB; generated ones of this size are not worth linting).
pub const MAX_SOURCE: u64 = 64 << 20;
/// `lint.toml`: a few KiB in practice.
pub const MAX_CONFIG: u64 = 1 << 20;
/// `Cargo.toml` manifests.
pub const MAX_MANIFEST: u64 = 16 << 20;
/// An earlier JSON report (`--baseline`, `--compare`): some 600 bytes a finding.
pub const MAX_REPORT: u64 = 1 << 30;

/// Why a file was not read.
#[derive(Debug)]
pub enum InputError {
    /// Not a regular file: what it is instead (`a named pipe`).
    NotRegular(&'static str),
    TooLarge {
        size: u64,
        limit: u64,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::NotRegular(what) => write!(f, "not a regular file ({what}); obsdebt reads only regular files"),
            InputError::TooLarge { size, limit } => {
                write!(
                    f,
                    "the file is {}, over the limit of {} MiB",
                    show_size(*size),
                    limit >> 20
                )
            }
            InputError::Io(e) => e.fmt(f),
        }
    }
}

impl From<std::io::Error> for InputError {
    fn from(e: std::io::Error) -> Self {
        InputError::Io(e)
    }
}

/// A size for people: `512 bytes`, `17.0 MiB`.
pub fn show_size(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{bytes} bytes")
    } else {
        format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
    }
}

/// What a file that is not a regular file is, for messages.
fn kind(t: std::fs::FileType) -> Option<&'static str> {
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a named pipe");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a file")
}

fn check(meta: &std::fs::Metadata, limit: u64) -> Result<(), InputError> {
    if let Some(what) = kind(meta.file_type()) {
        return Err(InputError::NotRegular(what));
    }
    if meta.len() > limit {
        return Err(InputError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    Ok(())
}

/// `O_NONBLOCK`, where its value is known: opening a named pipe with it does not wait for a
/// writer, so a file swapped for a pipe between the check and the open cannot hang the run. It
/// changes nothing for regular files.
#[cfg(any(target_os = "linux", target_os = "android"))]
const NONBLOCK: i32 = if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
    0x80
} else if cfg!(any(target_arch = "sparc", target_arch = "sparc64")) {
    0x4000
} else {
    0o4000
};
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
const NONBLOCK: i32 = 0x4;

fn open(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(NONBLOCK);
    }
    options.open(path)
}

/// The bytes of the regular file at `path` (links followed), if it is at most `limit` bytes. The
/// type is checked before the file is opened, and again on the file opened.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    check(&std::fs::metadata(path)?, limit)?;
    let file = open(path)?;
    let meta = file.metadata()?;
    check(&meta, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // A file that grows while it is read stops at the limit.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// [`read_regular`], as UTF-8 text.
pub fn read_regular_text(path: &Path, limit: u64) -> Result<String, InputError> {
    let bytes = read_regular(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        InputError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.rs");
        std::fs::write(&p, b"fn a() {}").unwrap();
        assert_eq!(read_regular(&p, 9).unwrap(), b"fn a() {}");
        assert!(matches!(
            read_regular(&p, 8),
            Err(InputError::TooLarge { size: 9, limit: 8 })
        ));
        assert!(matches!(
            read_regular(dir.path(), 100),
            Err(InputError::NotRegular("a directory"))
        ));
        assert!(matches!(
            read_regular(&dir.path().join("missing"), 100),
            Err(InputError::Io(_))
        ));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(show_size(512), "512 bytes");
        assert_eq!(show_size(17 << 20), "17.0 MiB");
        assert_eq!(show_size((65 << 20) + (1 << 19)), "65.5 MiB");
    }
}

//! The cache: a file's facts (or its parse error) stored under the hash of its content, so that a
//! run reads facts instead of parsing what did not change; and the last result for each set of
//! paths asked for, reused whole when nothing the run reads changed.
//!
//! Entries live in `.obsdebt_cache/` at the workspace root (or `$OBSDEBT_CACHE_DIR`), in a
//! directory named after obsdebt's version and a digest of everything in the configuration that
//! changes extraction: another version or configuration never sees them. Each entry is written to
//! a temporary file and renamed, so concurrent runs never read half an entry. Every entry ends with
//! a 128-bit hash of its bytes, checked before it is decoded: an entry damaged on disk (a flipped
//! bit, a truncation), one that does not decode whole, or one carrying another key is ignored and
//! rewritten — never trusted. Temporary files that a killed run left behind are removed when the
//! cache is opened, once they are old enough to belong to no live run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::facts::{FileError, FileFacts};
use crate::knowledge::Knowledge;
use crate::report::Report;

/// Stored runs kept (one per set of paths asked for), the most recent first.
pub const MAX_RUNS: usize = 16;

/// Bumped by hand when the entry format itself changes.
const FORMAT: u32 = 13;

#[derive(Clone)]
pub struct Cache {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    key: String,
    result: Result<FileFacts, FileError>,
}

/// 128 bits of hash (two multiply-rotate lanes over 8-byte words), as hex, with the length:
/// the content's identity. Every file is hashed on every cached run, so it reads words, not bytes.
pub fn content_key(bytes: &[u8], test_target: bool) -> String {
    let mut h = Hash128::new();
    h.update(bytes);
    let [a, b] = h.finish();
    format!(
        "{a:016x}{b:016x}-{:x}{}",
        bytes.len(),
        if test_target { "-t" } else { "" }
    )
}

/// The hash behind [`content_key`] and the entries' integrity check, fed in pieces (a stored run
/// is hashed while it is written). Two lanes, each a chain of bijections of its state for a given
/// word (xor the word in, multiply by an odd constant, rotate): bytes that differ anywhere leave
/// both lanes different, so a flipped bit is always seen. Stable: it depends on nothing but the
/// bytes.
pub struct Hash128 {
    a: u64,
    b: u64,
    /// Bytes not yet making up a whole word (fewer than 8).
    tail: [u8; 8],
    tail_len: usize,
}

const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;

impl Default for Hash128 {
    fn default() -> Self {
        Hash128::new()
    }
}

impl Hash128 {
    pub fn new() -> Hash128 {
        Hash128 {
            a: 0xcbf2_9ce4_8422_2325,
            b: 0x6c62_272e_07bb_0142,
            tail: [0; 8],
            tail_len: 0,
        }
    }

    fn word(&mut self, w: u64) {
        self.a = (self.a ^ w).wrapping_mul(K1).rotate_left(27);
        self.b = (self.b ^ w.rotate_left(32)).wrapping_mul(K2).rotate_left(31);
    }

    pub fn update(&mut self, mut bytes: &[u8]) {
        if self.tail_len > 0 {
            let take = (8 - self.tail_len).min(bytes.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&bytes[..take]);
            self.tail_len += take;
            bytes = &bytes[take..];
            if self.tail_len < 8 {
                return;
            }
            self.word(u64::from_le_bytes(self.tail));
            self.tail_len = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(w);
            self.word(u64::from_le_bytes(buf));
        }
        let rest = words.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    pub fn finish(self) -> [u64; 2] {
        let (mut a, mut b) = (self.a, self.b);
        for &x in &self.tail[..self.tail_len] {
            a = (a ^ u64::from(x)).wrapping_mul(K1).rotate_left(27);
            b = (b ^ u64::from(x)).wrapping_mul(K2).rotate_left(31);
        }
        let fin = |mut h: u64| {
            h ^= h >> 33;
            h = h.wrapping_mul(K2);
            h ^ (h >> 29)
        };
        [fin(a ^ b.rotate_left(17)), fin(b ^ a)]
    }
}

/// Bytes of the integrity check that ends every entry: the hash of the payload and its length.
const SEAL: usize = 16;

fn seal_of(mut h: Hash128, len: u64) -> [u8; SEAL] {
    h.update(&len.to_le_bytes());
    let [a, b] = h.finish();
    let mut out = [0u8; SEAL];
    out[..8].copy_from_slice(&a.to_le_bytes());
    out[8..].copy_from_slice(&b.to_le_bytes());
    out
}

/// `payload` followed by its integrity check.
fn sealed(mut payload: Vec<u8>) -> Vec<u8> {
    let mut h = Hash128::new();
    h.update(&payload);
    let seal = seal_of(h, payload.len() as u64);
    payload.extend_from_slice(&seal);
    payload
}

/// The payload of an entry whose integrity check holds; `None` when any byte of it (or of the
/// check) changed since it was written.
fn unsealed(bytes: &[u8]) -> Option<&[u8]> {
    let (payload, seal) = bytes.split_at_checked(bytes.len().checked_sub(SEAL)?)?;
    let mut h = Hash128::new();
    h.update(payload);
    (seal_of(h, payload.len() as u64) == seal).then_some(payload)
}

/// Decodes a whole payload: bytes left over are damage too.
fn decode_all<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Option<T> {
    match postcard::take_from_bytes(payload) {
        Ok((value, [])) => Some(value),
        _ => None,
    }
}

/// A writer that hashes what goes through it, for [`Hash128`]-sealing a stream.
struct Sealing<'a> {
    inner: &'a mut dyn std::io::Write,
    hash: Hash128,
    len: u64,
}

impl std::io::Write for Sealing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Cache {
    /// The cache for `root` (or `$OBSDEBT_CACHE_DIR`), created if needed; `None` when it cannot
    /// be created (a read-only checkout): the run goes on without it. `layout` is a digest of
    /// the facts' encoded layout (`collect::facts_layout`): another layout never sees the entries.
    pub fn open(root: &Path, k: &Knowledge, layout: u64) -> Option<Cache> {
        let base = match std::env::var_os("OBSDEBT_CACHE_DIR").filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d),
            None => root.join(".obsdebt_cache"),
        };
        let dir = base.join(format!(
            "{}-f{FORMAT}-{:016x}-{:016x}",
            env!("CARGO_PKG_VERSION"),
            k.digest(),
            layout
        ));
        std::fs::create_dir_all(dir.join("runs")).ok()?;
        remove_stale_temporaries(&dir);
        remove_stale_temporaries(&dir.join("runs"));
        // Marks it as a cache for backup tools, and keeps it out of git.
        let _ = write_if_missing(
            &base.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# obsdebt's cache: safe to delete.\n",
        );
        let _ = write_if_missing(&base.join(".gitignore"), "*\n");
        Some(Cache { dir })
    }

    /// Entries sit side by side in one directory: creating a file is the costly part of filling
    /// the cache (about half a millisecond each on a journaled disk), and sharding added a
    /// directory creation per shard on top.
    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }

    /// The entry under `key`, if it is whole: its integrity check holds, it decodes completely
    /// (the packed lists inside it included, see [`crate::facts::packed`]) and it carries this
    /// key. Anything else is a miss, and the file is analysed again.
    pub fn get(&self, key: &str) -> Option<Result<FileFacts, FileError>> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let entry: Entry = decode_all(unsealed(&bytes)?)?;
        (entry.format == FORMAT && entry.key == key).then_some(entry.result)
    }

    /// Stores a result; failures (a full disk) are not errors, the entry is simply not cached.
    pub fn put(&self, key: &str, result: &Result<FileFacts, FileError>) {
        // What depends on the machine rather than the content is not cached.
        if matches!(result, Err(FileError::Io(_) | FileError::Internal(_))) {
            return;
        }
        let entry = EntryRef {
            format: FORMAT,
            key,
            result,
        };
        if let Ok(bytes) = postcard::to_stdvec(&entry) {
            let bytes = sealed(bytes);
            write_atomically(&self.path(key), |w| w.write_all(&bytes));
        }
    }

    fn run_path(&self, slot: &str) -> PathBuf {
        self.dir.join("runs").join(slot)
    }

    /// The stored result of an earlier run in `slot` (the same paths asked for, from the same
    /// directory), if everything it read is unchanged: `key` covers all of it.
    pub fn get_run(&self, slot: &str, key: &str) -> Option<Report> {
        use std::io::Read;
        // The header (format and key) is read and checked first: a stored run that does not
        // match is not read further.
        let mut file = std::fs::File::open(self.run_path(slot)).ok()?;
        let mut head = vec![0u8; 256];
        let n = read_up_to(&mut file, &mut head).ok()?;
        let (header, _): (RunHeader, _) = postcard::take_from_bytes(&head[..n]).ok()?;
        if header.format != FORMAT || header.key != key {
            return None;
        }
        let mut bytes = head[..n].to_vec();
        file.read_to_end(&mut bytes).ok()?;
        let entry: RunEntry = decode_all(unsealed(&bytes)?)?;
        (entry.format == FORMAT && entry.key == key).then_some(entry.report)
    }

    /// Stores a run's result in `slot`, replacing the one before. Only the most recently
    /// stored [`MAX_RUNS`] slots are kept (a pre-commit hook asks for a new set of files at
    /// every commit).
    pub fn put_run(&self, slot: &str, key: &str, report: &Report) {
        let entry = RunEntryRef {
            format: FORMAT,
            key,
            report,
        };
        // Encoded straight into the file (a large report is not held twice), hashed on the way,
        // and sealed with the hash.
        write_atomically(&self.run_path(slot), |w| {
            let mut sealing = Sealing {
                inner: w,
                hash: Hash128::new(),
                len: 0,
            };
            postcard::to_io(&entry, &mut sealing).map_err(std::io::Error::other)?;
            let Sealing { inner, hash, len } = sealing;
            inner.write_all(&seal_of(hash, len))
        });
        let Ok(dir) = std::fs::read_dir(self.dir.join("runs")) else {
            return;
        };
        let mut runs: Vec<(std::time::SystemTime, PathBuf)> = dir
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                // Not temporary files, and never the run just stored.
                !name.starts_with('.') && name != slot
            })
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        if runs.len() >= MAX_RUNS {
            runs.sort();
            for (_, old) in &runs[..runs.len() + 1 - MAX_RUNS] {
                let _ = std::fs::remove_file(old);
            }
        }
    }
}

/// Writes an entry whole or not at all (a concurrent run reads the old entry or the new one,
/// never half of one). Failures (a full disk) only mean nothing is cached.
fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) {
    let _ = crate::atomic::write_atomically(path, write);
}

/// Reads until `buf` is full or the file ends; the number of bytes read.
fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read;
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The start of a stored run: enough to tell whether it is the one wanted.
#[derive(Deserialize)]
struct RunHeader {
    format: u32,
    key: String,
}

#[derive(Deserialize)]
struct RunEntry {
    format: u32,
    key: String,
    report: Report,
}

#[derive(Serialize)]
struct RunEntryRef<'a> {
    format: u32,
    key: &'a str,
    report: &'a Report,
}

#[derive(Serialize)]
struct EntryRef<'a> {
    format: u32,
    key: &'a str,
    result: &'a Result<FileFacts, FileError>,
}

/// A temporary file this old was left by a run that was killed while writing it: a live run
/// writes an entry in milliseconds and a large stored run in seconds (and each write moves the
/// file's modification time).
pub const STALE_TEMPORARY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes the temporary files in `dir` older than [`STALE_TEMPORARY`]. Safe beside concurrent
/// runs: their temporary files are fresh, and should one of them be removed all the same (a run
/// stopped for ten minutes mid-write), its rename fails and that entry is simply not stored.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for e in entries.flatten() {
        if !crate::atomic::is_temporary(&e.file_name()) {
            continue;
        }
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_TEMPORARY);
        if stale {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn write_if_missing(path: &Path, text: &str) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_content_length_and_target() {
        assert_ne!(content_key(b"fn a() {}", false), content_key(b"fn b() {}", false));
        assert_ne!(content_key(b"fn a() {}", false), content_key(b"fn a() {}", true));
        assert_eq!(content_key(b"x", false), content_key(b"x", false));
    }

    #[test]
    fn the_hash_is_stable_and_the_same_fed_whole_or_in_pieces() {
        // The value content keys had before the hash was fed in pieces: caches stay valid.
        assert_eq!(
            content_key(b"fn main() { let _ = save(); }\n", false),
            "e1ee5ad539881babf1b7eaa8683639be-1e"
        );
        let bytes: Vec<u8> = (0..100u8).map(|i| i.wrapping_mul(37)).collect();
        let mut whole = Hash128::new();
        whole.update(&bytes);
        let whole = whole.finish();
        for split in [0, 1, 3, 7, 8, 9, 15, 16, 17, 50, 99, 100] {
            for second in [0, 1, 5, 8, 13] {
                let mid = (split + second).min(bytes.len());
                let mut h = Hash128::new();
                h.update(&bytes[..split]);
                h.update(&bytes[split..mid]);
                h.update(&bytes[mid..]);
                assert_eq!(h.finish(), whole, "split at {split} and {mid}");
            }
        }
    }

    #[test]
    fn every_single_bit_flip_and_every_truncation_breaks_the_seal() {
        let payload: Vec<u8> = (0..40u8).collect();
        let bytes = sealed(payload.clone());
        assert_eq!(unsealed(&bytes), Some(&payload[..]));
        for bit in 0..bytes.len() * 8 {
            let mut damaged = bytes.clone();
            damaged[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(unsealed(&damaged), None, "bit {bit}");
        }
        for len in 0..bytes.len() {
            assert_eq!(unsealed(&bytes[..len]), None, "truncated to {len}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(unsealed(&longer), None, "a byte appended");
    }

    /// One source's facts, as the collect phase would store them.
    fn analyse(source: &str, k: &Knowledge, test_target: bool) -> Result<FileFacts, FileError> {
        crate::facts::extract::extract_file(source, k, test_target).map_err(|e| FileError::Internal(e.to_string()))
    }

    #[test]
    fn entries_round_trip_and_corrupt_or_foreign_ones_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let k = Knowledge::defaults();
        let cache = Cache::open(dir.path(), &k, 0).unwrap();
        let facts = analyse("fn f() { let _ = a(); }", &k, false);
        let key = content_key(b"fn f() { let _ = a(); }", false);
        assert!(cache.get(&key).is_none());
        cache.put(&key, &facts);
        assert_eq!(cache.get(&key), Some(facts.clone()));
        // Corrupt: garbage bytes in place of the entry.
        std::fs::write(cache.path(&key), b"\\x00garbage").unwrap();
        assert!(cache.get(&key).is_none());
        // Foreign: a valid entry stored under another key.
        let other = content_key(b"other", false);
        cache.put(&other, &facts);
        std::fs::copy(cache.path(&other), cache.path(&key)).unwrap();
        assert!(cache.get(&key).is_none());
    }

    #[test]
    fn an_entry_whose_packed_list_does_not_decode_is_a_miss_even_when_sealed() {
        let dir = tempfile::tempdir().unwrap();
        let k = Knowledge::defaults();
        let cache = Cache::open(dir.path(), &k, 0).unwrap();
        let source = "fn f() { a(); b(); }";
        let Ok(mut facts) = analyse(source, &k, false) else {
            panic!("the source parses")
        };
        // Two calls recorded, bytes that hold none: written whole, with a valid seal, as an
        // entry from a build with another layout would be.
        facts.fns[0].calls = crate::facts::Packed::Encoded {
            count: 2,
            bytes: vec![2, 9],
        };
        let key = content_key(source.as_bytes(), false);
        cache.put(&key, &Ok(facts));
        assert!(unsealed(&std::fs::read(cache.path(&key)).unwrap()).is_some());
        assert!(
            cache.get(&key).is_none(),
            "refused when read, not when the calls are followed later in the run"
        );
    }
}

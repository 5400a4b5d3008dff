//! On-disk snapshot cache: built graphs are written next to the store (`<db>.cache/`) and
//! memory-mapped on the next query, so a repeated query costs a file open instead of an event
//! scan and a sort. A file is keyed by the store's `state_token()` (changed by every ingest)
//! plus the snapshot's parameters; both are stored in the file and checked on open, and files
//! from an older state are deleted when a new one is written.
//!
//! Layout (little-endian, every array 8-byte aligned): magic, key length, key, then
//! `n, m, flags` and the out- then in-adjacency arrays (offsets, targets, weights if flagged).

use crate::buf::{Buf, Pod};
use crate::csr::{Adjacency, Csr, Out};
use crate::snapshot::{engagement_graph, follow_graph, EngagementParams, FollowParams};
use crate::{GraphError, Result};
use memmap2::Mmap;
use renown_store::Store;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const MAGIC: &[u8; 8] = b"RNWNCSR1";
/// A file of any value: magic, key length, key, padding to 8, byte count, then the bytes.
const VALUE_MAGIC: &[u8; 8] = b"RNWNVAL1";

/// Where a store's snapshots live: `<db>.cache/`.
pub fn cache_dir(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".cache");
    PathBuf::from(s)
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// How a cached query went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Mapped from an existing file.
    Hit,
    /// Built and written for next time.
    Built,
    /// Built; the cache could not be written (read-only place): the reason is in the error.
    Uncached,
}

/// The follow graph, from the cache when the store has not changed.
pub fn cached_follow_graph(store: &Store, p: &FollowParams) -> Result<(Csr, CacheOutcome)> {
    SnapshotCache::of(store)?.follow_graph(p, || follow_graph(store, p))
}

/// The engagement graph, from the cache when the store has not changed.
pub fn cached_engagement_graph(store: &Store, p: &EngagementParams) -> Result<(Csr, CacheOutcome)> {
    SnapshotCache::of(store)?.engagement_graph(p, || engagement_graph(store, p))
}

/// A store's snapshot cache at one store state: what a reader that already holds the events
/// (the measures' one-snapshot log) keeps so its graphs share the files the store's own
/// builders write. Read it in the same read transaction as the events.
#[derive(Clone, Debug)]
pub struct SnapshotCache {
    dir: PathBuf,
    token: String,
}

impl SnapshotCache {
    /// The cache of `store` at its current state.
    pub fn of(store: &Store) -> Result<SnapshotCache> {
        Ok(SnapshotCache {
            dir: cache_dir(store.path()),
            token: store.state_token()?,
        })
    }

    /// The cache of the store at `db` at the state `token` (read from it earlier).
    pub fn at(db: &Path, token: String) -> SnapshotCache {
        SnapshotCache {
            dir: cache_dir(db),
            token,
        }
    }

    /// The follow graph `p`, mapped from the cache or built by `build` (which must build
    /// exactly [`follow_graph`]'s graph at this state) and written for next time.
    pub fn follow_graph(
        &self,
        p: &FollowParams,
        build: impl FnOnce() -> Result<Csr>,
    ) -> Result<(Csr, CacheOutcome)> {
        self.cached("follow", &p.key(), build)
    }

    /// The engagement graph `p`, as [`SnapshotCache::follow_graph`].
    pub fn engagement_graph(
        &self,
        p: &EngagementParams,
        build: impl FnOnce() -> Result<Csr>,
    ) -> Result<(Csr, CacheOutcome)> {
        self.cached("engagement", &p.key(), build)
    }

    /// Scores computed at this state, read back when a command before computed them, else
    /// computed by `build` and written for next time. `key` must name everything the scores
    /// depend on beyond the store state (what is computed, its scope and parameters, the code).
    pub fn scores<E>(
        &self,
        key: &str,
        build: impl FnOnce() -> std::result::Result<Vec<f64>, E>,
    ) -> std::result::Result<(Vec<f64>, CacheOutcome), E> {
        let decode = |bytes: &[u8]| {
            bytes.len().is_multiple_of(8).then(|| {
                bytes
                    .chunks_exact(8)
                    .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                    .collect()
            })
        };
        let encode = |scores: &Vec<f64>| scores.iter().flat_map(|s| s.to_le_bytes()).collect();
        self.value("scores", key, decode, build, encode)
    }

    /// Any value computed at this state, kept as bytes in `<db>.cache/{kind}-*.bin`: decoded
    /// from the file when a command before wrote it for `key` (`decode` refuses what it cannot
    /// read: the value is then built again), else built and written with `encode`. `key` must
    /// name everything the value depends on beyond the store state, the code included.
    pub fn value<T, E>(
        &self,
        kind: &str,
        key: &str,
        decode: impl FnOnce(&[u8]) -> Option<T>,
        build: impl FnOnce() -> std::result::Result<T, E>,
        encode: impl FnOnce(&T) -> Vec<u8>,
    ) -> std::result::Result<(T, CacheOutcome), E> {
        let key = format!("{}\n{key}", self.token);
        let file = self.dir.join(format!("{kind}-{:016x}.bin", fnv(&key)));
        if let Some(value) = read_value(&file, &key).and_then(|(b, start)| decode(&b[start..])) {
            return Ok((value, CacheOutcome::Hit));
        }
        let value = build()?;
        let outcome = match write_value(&self.dir, &file, &key, &encode(&value)) {
            Ok(()) => {
                prune(&self.dir, kind, ".bin", &self.token, &file);
                CacheOutcome::Built
            }
            Err(_) => CacheOutcome::Uncached,
        };
        Ok((value, outcome))
    }

    fn cached(
        &self,
        kind: &str,
        params: &str,
        build: impl FnOnce() -> Result<Csr>,
    ) -> Result<(Csr, CacheOutcome)> {
        let key = format!("{}\n{params}", self.token);
        let file = self.dir.join(format!("{kind}-{:016x}.csr", fnv(&key)));
        if let Ok(g) = open(&file, &key) {
            return Ok((g, CacheOutcome::Hit));
        }
        let g = build()?;
        let outcome = match save(&self.dir, &file, &key, &g) {
            Ok(()) => {
                prune(&self.dir, kind, ".csr", &self.token, &file);
                CacheOutcome::Built
            }
            Err(_) => CacheOutcome::Uncached,
        };
        Ok((g, outcome))
    }
}

/// Deletes this kind's files written for another store state.
fn prune(dir: &Path, kind: &str, extension: &str, token: &str, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if path == keep || !name.starts_with(&format!("{kind}-")) || !name.ends_with(extension) {
            continue;
        }
        let stale = match read_key(&path) {
            Ok(k) => k.split('\n').next() != Some(token),
            Err(_) => true,
        };
        if stale {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn io(path: &Path, source: std::io::Error) -> GraphError {
    GraphError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn read_key(path: &Path) -> Result<String> {
    use std::io::Read;
    let mut f = File::open(path).map_err(|e| io(path, e))?;
    let mut head = [0u8; 16];
    f.read_exact(&mut head).map_err(|e| io(path, e))?;
    if &head[..8] != MAGIC && &head[..8] != VALUE_MAGIC {
        return Err(GraphError::Invalid("not a snapshot file".into()));
    }
    let len = u64::from_le_bytes(head[8..16].try_into().expect("8 bytes")) as usize;
    if len > 1 << 20 {
        return Err(GraphError::Invalid("snapshot key too long".into()));
    }
    let mut k = vec![0u8; len];
    f.read_exact(&mut k).map_err(|e| io(path, e))?;
    String::from_utf8(k).map_err(|_| GraphError::Invalid("snapshot key is not text".into()))
}

fn pad8(w: &mut impl Write, written: &mut u64) -> std::io::Result<()> {
    let pad = (8 - *written % 8) % 8;
    w.write_all(&[0u8; 8][..pad as usize])?;
    *written += pad;
    Ok(())
}

fn put<T: Pod>(w: &mut impl Write, written: &mut u64, xs: &[T]) -> std::io::Result<()> {
    // SAFETY: T is plain old data; viewing it as bytes is sound.
    let bytes =
        unsafe { std::slice::from_raw_parts(xs.as_ptr() as *const u8, std::mem::size_of_val(xs)) };
    w.write_all(bytes)?;
    *written += bytes.len() as u64;
    pad8(w, written)
}

/// The header every cache file starts with: magic, key length, key, padding to 8 bytes.
fn header(magic: &[u8; 8], key: &str) -> Vec<u8> {
    let mut h = Vec::with_capacity(24 + key.len());
    h.extend_from_slice(magic);
    h.extend_from_slice(&(key.len() as u64).to_le_bytes());
    h.extend_from_slice(key.as_bytes());
    h.resize(h.len().div_ceil(8) * 8, 0);
    h
}

/// Writes a value's bytes atomically (temporary file + rename), synced like a snapshot.
fn write_value(dir: &Path, file: &Path, key: &str, value: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut bytes = header(VALUE_MAGIC, key);
    bytes.extend_from_slice(&(value.len() as u64).to_le_bytes());
    bytes.extend_from_slice(value);
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    let res = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, file)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

/// The file's bytes and where the value starts in them, when `file` was written for `key` and
/// is whole; `None` otherwise. (The header is not drained off: that moved every byte of a
/// value of tens of megabytes.)
fn read_value(file: &Path, key: &str) -> Option<(Vec<u8>, usize)> {
    let bytes = std::fs::read(file).ok()?;
    let head = header(VALUE_MAGIC, key);
    let body = bytes.strip_prefix(head.as_slice())?;
    let (count, value) = body.split_first_chunk::<8>()?;
    if value.len() as u64 != u64::from_le_bytes(*count) {
        return None;
    }
    Some((bytes, head.len() + 8))
}

/// Writes `g` to `file` atomically (temporary file + rename).
pub fn save(dir: &Path, file: &Path, key: &str, g: &Csr) -> Result<()> {
    let out = g.require_out("the snapshot cache")?;
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    let res = (|| -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        let mut n = 0u64;
        w.write_all(MAGIC)?;
        w.write_all(&(key.len() as u64).to_le_bytes())?;
        w.write_all(key.as_bytes())?;
        n += 16 + key.len() as u64;
        pad8(&mut w, &mut n)?;
        let flags = g.is_weighted() as u64;
        put(&mut w, &mut n, &[g.n() as u64, g.m(), flags])?;
        for a in [out, g.in_adj()] {
            put(&mut w, &mut n, a.offsets())?;
            put(&mut w, &mut n, a.targets())?;
            if let Some(ws) = a.weights() {
                put(&mut w, &mut n, ws)?;
            }
        }
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, file)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.map_err(|e| io(file, e))
}

/// Maps a snapshot file, checking its key and every array bound.
pub fn open(file: &Path, key: &str) -> Result<Csr> {
    let f = File::open(file).map_err(|e| io(file, e))?;
    // SAFETY: snapshot files are written once by rename and never modified in place; a file
    // replaced later keeps this mapping's inode alive.
    let map = Arc::new(unsafe { Mmap::map(&f) }.map_err(|e| io(file, e))?);
    let bad = |why: &str| GraphError::Invalid(format!("{}: {why}", file.display()));
    let bytes: &[u8] = &map;
    if bytes.len() < 16 || &bytes[..8] != MAGIC {
        return Err(bad("not a snapshot file"));
    }
    let klen = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes")) as usize;
    if bytes.len() < 16 + klen || &bytes[16..16 + klen] != key.as_bytes() {
        return Err(bad("written for another store state or query"));
    }
    let mut at = (16 + klen).div_ceil(8) * 8;
    let mut take = |count: usize, size: usize| -> Result<(usize, usize)> {
        let start = at;
        let end = count
            .checked_mul(size)
            .and_then(|b| start.checked_add(b))
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| bad("truncated"))?;
        at = end.div_ceil(8) * 8;
        Ok((start, count))
    };
    let (h, _) = take(3, 8)?;
    let word =
        |i: usize| u64::from_le_bytes(bytes[h + 8 * i..h + 8 * i + 8].try_into().expect("8"));
    let (n, m, weighted) = (word(0), word(1), word(2) & 1 == 1);
    if n > u32::MAX as u64 || m > (bytes.len() as u64) / 4 {
        return Err(bad("impossible sizes"));
    }
    fn view<T: Pod>(map: &Arc<Mmap>, (offset, len): (usize, usize)) -> Buf<T> {
        Buf::Mapped {
            map: map.clone(),
            offset,
            len,
        }
    }
    let mut adj = || -> Result<Adjacency> {
        let offsets = take(n as usize + 1, 8)?;
        let targets = take(m as usize, 4)?;
        let weights = if weighted {
            Some(take(m as usize, 4)?)
        } else {
            None
        };
        let a = Adjacency {
            offsets: view(&map, offsets),
            targets: view(&map, targets),
            weights: weights.map(|w| view(&map, w)),
        };
        let o = a.offsets();
        if o[0] != 0 || o[n as usize] != m || o.windows(2).any(|w| w[0] > w[1]) {
            return Err(bad("offsets are inconsistent"));
        }
        if a.targets().iter().any(|&t| t as u64 >= n) {
            return Err(bad("a target is out of range"));
        }
        Ok(a)
    };
    let out = adj()?;
    let inn = adj()?;
    Ok(Csr {
        n: n as u32,
        m,
        out: Out::Full(out),
        inn,
    })
}

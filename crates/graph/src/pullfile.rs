//! A binary file of a pull-only graph ([`Labelled`]): what `renown pagerank --input` loads
//! without parsing text. Write one with [`save_pull_graph`] (`renown pagerank --save FILE`);
//! [`read_pull_graph_auto`] reads it, or an edge list, by the first bytes.
//!
//! Layout (little-endian; every array starts at a multiple of 8): the magic `RNWNPUL1`, then
//! `n`, `m` and flags (bit 0: weighted, bit 1: renumbered) as `u64`, then the in-adjacency's
//! `n + 1` offsets (`u64`), `m` sources (`u32`), `m` weights (`f32`, when weighted), `n`
//! out-degrees (`u32`), and `n` file ids (`u32`, when renumbered: [`Labelled::original`]).
//! Reading checks the lengths against the file size and the graph's invariants (offsets never
//! decrease, every source `< n`), so a damaged file is an error, never a wrong graph.

use crate::buf::SyncPtr;
use crate::csr::{Csr, Out};
use crate::edgelist::{read_pull_graph_ordered, Labelled, NodeOrder};
use crate::{GraphError, Result};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

const MAGIC: &[u8; 8] = b"RNWNPUL1";
const WEIGHTED: u64 = 1;
const RENUMBERED: u64 = 2;
/// Bytes per positioned read: the arrays are read by every thread at once, piece by piece.
const PIECE: usize = 8 << 20;

fn io(path: &Path, source: std::io::Error) -> GraphError {
    GraphError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Plain numbers whose every bit pattern is a value.
trait Plain: Copy + Default + Send + Sync {}
impl Plain for u32 {}
impl Plain for u64 {}
impl Plain for f32 {}

fn bytes_of<T: Plain>(xs: &[T]) -> &[u8] {
    // SAFETY: `Plain` types have no padding; viewing them as bytes is sound.
    unsafe { std::slice::from_raw_parts(xs.as_ptr() as *const u8, std::mem::size_of_val(xs)) }
}

fn put<T: Plain>(w: &mut impl Write, at: &mut u64, xs: &[T]) -> std::io::Result<()> {
    w.write_all(bytes_of(xs))?;
    *at += std::mem::size_of_val(xs) as u64;
    let pad = (8 - *at % 8) % 8;
    w.write_all(&[0u8; 8][..pad as usize])?;
    *at += pad;
    Ok(())
}

/// Writes `g` (its in-adjacency, out-degrees and file ids) to `path`, through a temporary
/// file renamed into place.
pub fn save_pull_graph(path: &Path, g: &Labelled) -> Result<()> {
    let Out::Degrees(out_degree) = &g.graph.out else {
        return Err(GraphError::Invalid(
            "only a pull-only graph (read from an edge list) is saved this way".into(),
        ));
    };
    let adj = g.graph.in_adj();
    let mut flags = 0;
    if adj.weights().is_some() {
        flags |= WEIGHTED;
    }
    if g.original.is_some() {
        flags |= RENUMBERED;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let res = (|| -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        let mut at = 0u64;
        w.write_all(MAGIC)?;
        at += 8;
        put(&mut w, &mut at, &[g.graph.n() as u64, g.graph.m(), flags])?;
        put(&mut w, &mut at, adj.offsets())?;
        put(&mut w, &mut at, adj.targets())?;
        if let Some(ws) = adj.weights() {
            put(&mut w, &mut at, ws)?;
        }
        put(&mut w, &mut at, out_degree)?;
        if let Some(o) = &g.original {
            put(&mut w, &mut at, o)?;
        }
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    match res.and_then(|()| std::fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(io(path, e))
        }
    }
}

/// Whether `path` starts like a file written by [`save_pull_graph`].
pub fn is_pull_graph_file(path: &Path) -> Result<bool> {
    let mut head = [0u8; 8];
    let mut f = File::open(path).map_err(|e| io(path, e))?;
    let mut got = 0;
    while got < 8 {
        match f.read(&mut head[got..]).map_err(|e| io(path, e))? {
            0 => return Ok(false),
            k => got += k,
        }
    }
    Ok(&head == MAGIC)
}

/// A graph file of either kind: a binary pull graph as saved, or an edge list read with
/// `nodes` and `order`.
pub fn read_pull_graph_auto(path: &Path, nodes: Option<u32>, order: NodeOrder) -> Result<Labelled> {
    if is_pull_graph_file(path)? {
        let g = read_pull_graph_file(path)?;
        if let Some(k) = nodes {
            if k != g.graph.n() {
                return Err(GraphError::Invalid(format!(
                    "{} holds {} nodes, not {k}",
                    path.display(),
                    g.graph.n()
                )));
            }
        }
        return Ok(g);
    }
    read_pull_graph_ordered(path, nodes, order)
}

/// Reads `len` values at byte `at` of `file`, all threads reading pieces at once.
fn array<T: Plain>(file: &File, path: &Path, at: &mut u64, len: usize) -> Result<Vec<T>> {
    let size = std::mem::size_of::<T>();
    let mut v: Vec<T> = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| GraphError::Invalid(format!("{}: an array is too large", path.display())))?;
    v.resize(len, T::default());
    let base = *at;
    let bytes = len * size;
    let ptr = SyncPtr(v.as_mut_ptr() as *mut u8);
    (0..bytes.div_ceil(PIECE))
        .into_par_iter()
        .try_for_each(|k| {
            let lo = k * PIECE;
            let hi = (lo + PIECE).min(bytes);
            // SAFETY: pieces are disjoint byte ranges inside `v`'s `bytes` bytes, and any bytes
            // are a valid `T` (`Plain`).
            let dst = unsafe { std::slice::from_raw_parts_mut(ptr.at(lo), hi - lo) };
            file.read_exact_at(dst, base + lo as u64)
        })
        .map_err(|e| io(path, e))?;
    *at += bytes.next_multiple_of(8) as u64;
    Ok(v)
}

/// Reads a file written by [`save_pull_graph`].
pub fn read_pull_graph_file(path: &Path) -> Result<Labelled> {
    let file = File::open(path).map_err(|e| io(path, e))?;
    let size = file.metadata().map_err(|e| io(path, e))?.len();
    let bad = |what: &str| GraphError::Invalid(format!("{}: {what}", path.display()));
    let mut head = [0u8; 32];
    file.read_exact_at(&mut head, 0)
        .map_err(|_| bad("not a renown graph file (too short)"))?;
    if &head[..8] != MAGIC {
        return Err(bad("not a renown graph file"));
    }
    let word = |i: usize| u64::from_le_bytes(head[8 * i..8 * i + 8].try_into().expect("8 bytes"));
    let (n, m, flags) = (word(1), word(2), word(3));
    if n > u32::MAX as u64 || flags & !(WEIGHTED | RENUMBERED) != 0 {
        return Err(bad("damaged header"));
    }
    let pad = |b: u64| b.next_multiple_of(8);
    let weighted = flags & WEIGHTED != 0;
    let renumbered = flags & RENUMBERED != 0;
    let want = 32u64
        .checked_add(8 * (n + 1))
        .and_then(|s| s.checked_add(pad(m.checked_mul(4)?)))
        .and_then(|s| s.checked_add(if weighted { pad(m * 4) } else { 0 }))
        .and_then(|s| s.checked_add(pad(4 * n)))
        .and_then(|s| s.checked_add(if renumbered { pad(4 * n) } else { 0 }));
    if want != Some(size) {
        return Err(bad(
            "its size does not match its header (truncated or damaged)",
        ));
    }
    let (n, m) = (n as usize, m as usize);
    let mut at = 32u64;
    let offsets: Vec<u64> = array(&file, path, &mut at, n + 1)?;
    let sources: Vec<u32> = array(&file, path, &mut at, m)?;
    let weights: Option<Vec<f32>> = if weighted {
        Some(array(&file, path, &mut at, m)?)
    } else {
        None
    };
    let out_degree: Vec<u32> = array(&file, path, &mut at, n)?;
    let original: Option<Vec<u32>> = if renumbered {
        let o: Vec<u32> = array(&file, path, &mut at, n)?;
        // A permutation of 0..n, or scores would be written under the wrong ids.
        let mut seen = vec![false; n];
        for &v in &o {
            if v as usize >= n || std::mem::replace(&mut seen[v as usize], true) {
                return Err(bad("its node ids are not a permutation"));
            }
        }
        Some(o)
    } else {
        None
    };
    if offsets[0] != 0 {
        return Err(bad("damaged offsets"));
    }
    if weights
        .as_ref()
        .is_some_and(|w| w.par_iter().any(|x| !x.is_finite() || *x < 0.0))
    {
        return Err(bad("a weight is negative or not finite"));
    }
    let graph = Csr::from_in_adjacency(offsets, sources, weights, out_degree)
        .map_err(|e| bad(&e.to_string()))?;
    Ok(Labelled { graph, original })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &Labelled, b: &Labelled) {
        assert_eq!((a.graph.n(), a.graph.m()), (b.graph.n(), b.graph.m()));
        assert_eq!(a.graph.in_adj().offsets(), b.graph.in_adj().offsets());
        assert_eq!(a.graph.in_adj().targets(), b.graph.in_adj().targets());
        assert_eq!(a.graph.in_adj().weights(), b.graph.in_adj().weights());
        assert_eq!(a.original, b.original);
        for v in 0..a.graph.n() {
            assert_eq!(a.graph.out_degree(v), b.graph.out_degree(v));
        }
    }

    /// Every variant round-trips bit for bit; damage anywhere is an error, not a graph.
    #[test]
    fn round_trips_and_refuses_damage() {
        let dir = tempfile::tempdir().unwrap();
        let el = dir.path().join("g.el");
        let wel = dir.path().join("w.el");
        let mut text = String::from("# a graph\n");
        let mut wtext = String::new();
        for i in 0..4000u32 {
            let (a, b) = ((i * 31) % 997, (i * i + 7) % 1009);
            text.push_str(&format!("{a} {b}\n"));
            wtext.push_str(&format!("{a} {b} {}\n", 0.5 + (i % 7) as f32));
        }
        std::fs::write(&el, text).unwrap();
        std::fs::write(&wel, wtext).unwrap();
        let bin = dir.path().join("g.rpg");
        for (src, order) in [
            (&el, NodeOrder::Input),
            (&el, NodeOrder::Degree),
            (&wel, NodeOrder::Degree),
        ] {
            let g = read_pull_graph_ordered(src, Some(1012), order).unwrap();
            save_pull_graph(&bin, &g).unwrap();
            assert!(is_pull_graph_file(&bin).unwrap());
            assert!(!is_pull_graph_file(src).unwrap());
            let back = read_pull_graph_auto(&bin, None, NodeOrder::Degree).unwrap();
            same(&g, &back);
            let opts = crate::PageRankOptions::default();
            let a = crate::pagerank(&g.graph, &opts).unwrap();
            let b = crate::pagerank(&back.graph, &opts).unwrap();
            assert_eq!(a, b);
            // The edge list is still read as text by the same entry point.
            same(&read_pull_graph_auto(src, Some(1012), order).unwrap(), &g);
            assert!(read_pull_graph_auto(&bin, Some(5), order).is_err());
        }
        let good = std::fs::read(&bin).unwrap();
        let damaged = dir.path().join("bad.rpg");
        // Truncated.
        std::fs::write(&damaged, &good[..good.len() - 8]).unwrap();
        let e = read_pull_graph_file(&damaged).unwrap_err().to_string();
        assert!(e.contains("size does not match"), "{e}");
        // A source id past n.
        let mut bytes = good.clone();
        let sources_at = 32 + 8 * (1012 + 1);
        bytes[sources_at..sources_at + 4].copy_from_slice(&5000u32.to_le_bytes());
        std::fs::write(&damaged, &bytes).unwrap();
        assert!(read_pull_graph_file(&damaged).is_err());
        // Decreasing offsets.
        let mut bytes = good.clone();
        bytes[32 + 8..32 + 16].copy_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&damaged, &bytes).unwrap();
        assert!(read_pull_graph_file(&damaged).is_err());
        // File ids that are not a permutation.
        let mut bytes = good.clone();
        let len = bytes.len();
        bytes[len - 8..len].copy_from_slice(&[0u8; 8]);
        std::fs::write(&damaged, &bytes).unwrap();
        let e = read_pull_graph_file(&damaged).unwrap_err().to_string();
        assert!(e.contains("permutation"), "{e}");
        std::fs::write(&damaged, b"RNWNPUL1").unwrap();
        assert!(read_pull_graph_file(&damaged).is_err());
    }
}

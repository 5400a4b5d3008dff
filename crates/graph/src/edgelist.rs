//! Edge-list text files (`src dst [weight]` per line; spaces, tabs or commas; `#` and `%`
//! comment lines) read in parallel: the file is cut into one byte range per thread at line
//! boundaries and each range is read with positioned reads into a small buffer (no mapping, so
//! the file's pages never count towards the process's memory).
//!
//! [`read_pull_graph`] builds a PageRank-ready graph in two passes over the file — count, then
//! scatter straight into the in-adjacency — so the edges are held once, at 4 bytes each;
//! [`read_pull_graph_ordered`] can renumber the nodes by degree on the way (see
//! [`NodeOrder`]).

use crate::buf::SyncPtr;
use crate::csr::{node_ranges, Csr, EdgeList};
use crate::{GraphError, Result};
use rayon::prelude::*;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

const BUF: usize = 1 << 20;

/// One parsed line.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Line {
    Skip,
    Edge(u32, u32, Option<f32>),
}

#[inline]
fn is_sep(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b',' || b == b'\r'
}

#[inline]
fn parse_line(l: &[u8]) -> std::result::Result<Line, String> {
    let mut i = 0;
    while i < l.len() && is_sep(l[i]) {
        i += 1;
    }
    if i == l.len() || l[i] == b'#' || l[i] == b'%' {
        return Ok(Line::Skip);
    }
    let mut ids = [0u32; 2];
    for (k, id) in ids.iter_mut().enumerate() {
        let start = i;
        let mut v: u64 = 0;
        while i < l.len() && l[i].is_ascii_digit() {
            v = v * 10 + (l[i] - b'0') as u64;
            if v > u32::MAX as u64 - 1 {
                return Err("node id does not fit in 32 bits".into());
            }
            i += 1;
        }
        if i == start || (i < l.len() && !is_sep(l[i])) {
            return Err(format!(
                "expected `src dst [weight]` with non-negative integer ids, found {:?}",
                String::from_utf8_lossy(l)
            ));
        }
        *id = v as u32;
        while i < l.len() && is_sep(l[i]) {
            i += 1;
        }
        if k == 0 && i == l.len() {
            return Err("a line has one field; expected `src dst [weight]`".into());
        }
    }
    if i == l.len() {
        return Ok(Line::Edge(ids[0], ids[1], None));
    }
    let rest = std::str::from_utf8(&l[i..])
        .map_err(|_| "the weight is not text".to_string())?
        .trim_matches(|c: char| c.is_whitespace() || c == ',');
    match rest.parse::<f32>() {
        Ok(w) if w.is_finite() && w >= 0.0 => Ok(Line::Edge(ids[0], ids[1], Some(w))),
        _ => Err(format!(
            "expected a weight ≥ 0 as the third field, found {rest:?}"
        )),
    }
}

fn io(path: &Path, source: std::io::Error) -> GraphError {
    GraphError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Byte ranges, one per thread, cut after a newline.
fn ranges(file: &File, path: &Path, len: u64, parts: usize) -> Result<Vec<(u64, u64)>> {
    let mut cuts = vec![0u64];
    let mut probe = [0u8; 4096];
    for k in 1..parts {
        let mut at = (len * k as u64 / parts as u64).max(*cuts.last().expect("non-empty"));
        'find: while at < len {
            let got = file.read_at(&mut probe, at).map_err(|e| io(path, e))?;
            if got == 0 {
                at = len;
                break;
            }
            for (j, &b) in probe[..got].iter().enumerate() {
                if b == b'\n' {
                    at += j as u64 + 1;
                    break 'find;
                }
            }
            at += got as u64;
        }
        cuts.push(at.min(len));
    }
    cuts.push(len);
    Ok(cuts.windows(2).map(|w| (w[0], w[1])).collect())
}

/// The lines of a range, or the first bad line's local number and reason.
type Lines = std::result::Result<u64, (u64, String)>;

/// The digits of a node id at `i`, if there are 1 to 10 and they fit in an id: `(id, end)`.
#[inline(always)]
fn id_at(b: &[u8], mut i: usize) -> Option<(u32, usize)> {
    let start = i;
    let mut v = 0u64;
    while i < b.len() && b[i].is_ascii_digit() && i - start < 10 {
        v = v * 10 + (b[i] - b'0') as u64;
        i += 1;
    }
    (i > start && v < u32::MAX as u64).then_some((v as u32, i))
}

/// Calls `f` for every line of `b` and counts them in `line_no`; the last line needs no
/// newline. The usual line, `src dst` with one separator and `\n` or `\r\n`, is read in one
/// pass over its bytes; anything else (comments, weights, blank lines, extra spaces, errors)
/// goes through [`parse_line`].
fn scan_lines(
    b: &[u8],
    line_no: &mut u64,
    f: &mut impl FnMut(Line),
) -> std::result::Result<(), (u64, String)> {
    let end = b.len();
    let mut i = 0;
    while i < end {
        *line_no += 1;
        if let Some((src, j)) = id_at(b, i) {
            if j < end && matches!(b[j], b' ' | b'\t' | b',') {
                if let Some((dst, k)) = id_at(b, j + 1) {
                    if k < end && b[k] == b'\n' {
                        f(Line::Edge(src, dst, None));
                        i = k + 1;
                        continue;
                    }
                    if k + 1 < end && b[k] == b'\r' && b[k + 1] == b'\n' {
                        f(Line::Edge(src, dst, None));
                        i = k + 2;
                        continue;
                    }
                }
            }
        }
        let nl = memchr::memchr(b'\n', &b[i..]).map_or(end, |p| i + p);
        match parse_line(&b[i..nl]) {
            Ok(l) => f(l),
            Err(e) => return Err((*line_no, e)),
        }
        i = nl + 1;
    }
    Ok(())
}

/// Calls `f(line)` for every line in `range`; stops at the first error and returns it with
/// its local line number. Returns the number of lines.
fn scan_range(
    file: &File,
    path: &Path,
    (lo, hi): (u64, u64),
    mut f: impl FnMut(Line),
) -> Result<Lines> {
    let mut buf = vec![0u8; BUF];
    let mut carry = 0usize; // bytes of an unfinished line at the start of buf
    let mut pos = lo;
    let mut line_no = 0u64;
    while pos < hi || carry > 0 {
        let want = ((hi - pos) as usize).min(BUF - carry);
        if want == 0 && carry == BUF {
            return Ok(Err((
                line_no + 1,
                format!("a line is longer than {BUF} bytes"),
            )));
        }
        let mut got = 0;
        while got < want {
            let r = file
                .read_at(&mut buf[carry + got..carry + want], pos + got as u64)
                .map_err(|e| io(path, e))?;
            if r == 0 {
                break;
            }
            got += r;
        }
        pos += got as u64;
        let end = carry + got;
        let last = pos >= hi || got == 0;
        // Whole lines only, unless this is the range's end (its last line may lack a newline).
        let whole = if last {
            end
        } else {
            memchr::memrchr(b'\n', &buf[..end]).map_or(0, |p| p + 1)
        };
        if let Err(e) = scan_lines(&buf[..whole], &mut line_no, &mut f) {
            return Ok(Err(e));
        }
        if last {
            break;
        }
        buf.copy_within(whole..end, 0);
        carry = end - whole;
    }
    Ok(Ok(line_no))
}

/// Runs `per_range` over every range in parallel and turns the first failing range's local
/// line number into a file line number.
fn parallel_scan<S: Send>(
    path: &Path,
    per_range: impl Fn(&File, (u64, u64), usize) -> Result<(Lines, S)> + Sync,
) -> Result<Vec<S>> {
    let file = File::open(path).map_err(|e| io(path, e))?;
    let len = file.metadata().map_err(|e| io(path, e))?.len();
    let parts = rayon::current_num_threads().max(1);
    let rs = ranges(&file, path, len, parts)?;
    let outs: Vec<Result<(Lines, S)>> = rs
        .par_iter()
        .enumerate()
        .map(|(k, &r)| per_range(&file, r, k))
        .collect();
    let mut before = 0u64;
    let mut states = Vec::with_capacity(outs.len());
    for o in outs {
        let (lines, s) = o?;
        match lines {
            Ok(c) => before += c,
            Err((line, reason)) => {
                return Err(GraphError::Parse {
                    path: path.display().to_string(),
                    line: before + line,
                    reason,
                })
            }
        }
        states.push(s);
    }
    Ok(states)
}

/// Reads a whole edge list; `n` is `nodes` or one more than the largest id. Weighted when any
/// line has a third field (lines without one weigh 1). A `.gz` file is read serially.
pub fn read_edge_list(path: &Path, nodes: Option<u32>) -> Result<EdgeList> {
    if path.extension().is_some_and(|e| e == "gz") {
        let f = File::open(path).map_err(|e| io(path, e))?;
        let r = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(f));
        return read_edge_list_from(r, path, nodes);
    }
    type Part = (Vec<u32>, Vec<u32>, Vec<f32>, bool);
    let parts: Vec<Part> = parallel_scan(path, |file, r, _| {
        let (mut s, mut d, mut w, mut weighted) = (Vec::new(), Vec::new(), Vec::new(), false);
        let res = scan_range(file, path, r, |l| {
            if let Line::Edge(a, b, x) = l {
                s.push(a);
                d.push(b);
                weighted |= x.is_some();
                w.push(x.unwrap_or(1.0));
            }
        })?;
        Ok((res, (s, d, w, weighted)))
    })?;
    let weighted = parts.iter().any(|p| p.3);
    let mut el = EdgeList::default();
    let mut ws = Vec::new();
    for (s, d, w, _) in parts {
        el.src.extend_from_slice(&s);
        el.dst.extend_from_slice(&d);
        if weighted {
            ws.extend_from_slice(&w);
        }
    }
    if weighted {
        el.weights = Some(ws);
    }
    el.n = node_count(path, &el.src, &el.dst, nodes)?;
    Ok(el)
}

/// Reads an edge list from any reader, serially; `path` names it in errors.
pub fn read_edge_list_from(
    mut r: impl std::io::BufRead,
    path: &Path,
    nodes: Option<u32>,
) -> Result<EdgeList> {
    let mut el = EdgeList::default();
    let mut ws = Vec::new();
    let mut weighted = false;
    let mut line = Vec::new();
    let mut no = 0u64;
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).map_err(|e| io(path, e))? == 0 {
            break;
        }
        no += 1;
        let l = line.strip_suffix(b"\n").unwrap_or(&line);
        match parse_line(l) {
            Ok(Line::Skip) => {}
            Ok(Line::Edge(a, b, w)) => {
                el.src.push(a);
                el.dst.push(b);
                weighted |= w.is_some();
                ws.push(w.unwrap_or(1.0));
            }
            Err(reason) => {
                return Err(GraphError::Parse {
                    path: path.display().to_string(),
                    line: no,
                    reason,
                })
            }
        }
    }
    if weighted {
        el.weights = Some(ws);
    }
    el.n = node_count(path, &el.src, &el.dst, nodes)?;
    Ok(el)
}

fn node_count(path: &Path, src: &[u32], dst: &[u32], nodes: Option<u32>) -> Result<u32> {
    let max = src
        .par_iter()
        .chain(dst.par_iter())
        .max()
        .map_or(0, |&x| x as u64 + 1);
    check_nodes(path, max, nodes)
}

fn check_nodes(path: &Path, max_plus_one: u64, nodes: Option<u32>) -> Result<u32> {
    match nodes {
        Some(n) if (n as u64) < max_plus_one => Err(GraphError::Invalid(format!(
            "{}: node id {} is out of range for {n} nodes",
            path.display(),
            max_plus_one - 1
        ))),
        Some(n) => Ok(n),
        None => Ok(max_plus_one as u32),
    }
}

/// How [`read_pull_graph_ordered`] numbers the nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum NodeOrder {
    /// The file's ids.
    #[default]
    Input,
    /// By decreasing in-degree, ties by decreasing out-degree, then by file id (degree
    /// sorting; Balaji & Lucia, "When is graph reordering an optimization?", IISWC 2018).
    /// A pull kernel visits the nodes in id order, so neighbouring nodes have lists of the
    /// same length and its per-list loop is predicted; within each length the sources of
    /// most edges come first, so the parts of the per-node array that most gathers hit are
    /// small and stay in cache (in- and out-degree go together on social graphs). Each
    /// in-list is then sorted by id, so a node's gathers sweep that array in one direction.
    /// On R-MAT scale 20 this ran PageRank 6-13% faster than ordering by out-degree alone
    /// (BENCHMARKS.md, `## Graph`).
    Degree,
}

/// A graph read from a file, with the way back to the file's node ids when it was renumbered.
#[derive(Debug)]
pub struct Labelled {
    /// The graph, over nodes `0..n`.
    pub graph: Csr,
    /// `original[v]` is the file id of node `v`; `None` when the nodes keep the file's ids.
    pub original: Option<Vec<u32>>,
}

impl Labelled {
    /// Per-node values indexed by graph node, reordered to be indexed by file id.
    pub fn to_file_order<T: Copy + Default + Send + Sync>(&self, values: Vec<T>) -> Vec<T> {
        let Some(orig) = &self.original else {
            return values;
        };
        let mut out = vec![T::default(); values.len()];
        let op = SyncPtr(out.as_mut_ptr());
        orig.par_iter().zip(values.par_iter()).for_each(|(&o, &x)| {
            // SAFETY: `original` is a permutation of 0..n (built by `degree_order`), so every
            // slot is written once and is in bounds (`values` has n entries, checked below).
            unsafe { op.write(o as usize, x) }
        });
        assert_eq!(values.len(), orig.len(), "one value per node");
        out
    }
}

/// Nodes renumbered by [`degree_order`].
struct Renumbered {
    /// `rank[old] = new`.
    rank: Vec<u32>,
    /// `original[new] = old`.
    original: Vec<u32>,
    /// In- and out-degrees by new id.
    in_degree: Vec<u32>,
    out_degree: Vec<u32>,
}

/// New ids by decreasing in-degree, then decreasing out-degree, then old id. The degrees by new
/// id are read off the sorted keys, which hold them: gathering them through `original` was two
/// random reads per node.
fn degree_order(in_degree: &[u32], out_degree: &[u32]) -> Renumbered {
    let mut keys: Vec<u128> = in_degree
        .par_iter()
        .zip(out_degree)
        .enumerate()
        .map(|(v, (&i, &o))| (!i as u128) << 64 | (!o as u128) << 32 | v as u128)
        .collect();
    keys.par_sort_unstable();
    let original: Vec<u32> = keys.par_iter().map(|&k| k as u32).collect();
    let in_degree: Vec<u32> = keys.par_iter().map(|&k| !((k >> 64) as u32)).collect();
    let out_degree: Vec<u32> = keys.par_iter().map(|&k| !((k >> 32) as u32)).collect();
    drop(keys);
    let mut rank = vec![0u32; in_degree.len()];
    let rp = SyncPtr(rank.as_mut_ptr());
    original.par_iter().enumerate().for_each(|(new, &old)| {
        // SAFETY: `original` is a permutation of 0..n (distinct ids from the sorted keys).
        unsafe { rp.write(old as usize, new as u32) }
    });
    Renumbered {
        rank,
        original,
        in_degree,
        out_degree,
    }
}

/// Sorts every node's list in `sources` (with its weights) by id, in parallel.
fn sort_lists(offsets: &[u64], sources: &mut [u32], mut weights: Option<&mut [f32]>) {
    let bounds = node_ranges(offsets, 1 << 18, usize::MAX);
    let mut pieces = Vec::with_capacity(bounds.len());
    let (mut src, mut ws) = (sources, weights.take());
    for r in bounds.windows(2) {
        let len = (offsets[r[1]] - offsets[r[0]]) as usize;
        let (a, b) = std::mem::take(&mut src).split_at_mut(len);
        let (wa, wb) = match ws.take() {
            Some(w) => {
                let (wa, wb) = w.split_at_mut(len);
                (Some(wa), Some(wb))
            }
            None => (None, None),
        };
        pieces.push((r[0]..r[1], a, wa));
        (src, ws) = (b, wb);
    }
    pieces.into_par_iter().for_each(|(nodes, src, ws)| {
        let base = offsets[nodes.start];
        let list = |v: usize| (offsets[v] - base) as usize..(offsets[v + 1] - base) as usize;
        match ws {
            None => nodes.for_each(|v| src[list(v)].sort_unstable()),
            Some(ws) => {
                // (id, weight bits) pairs sorted as one key, so weights follow their edges.
                let mut keys = Vec::new();
                for v in nodes {
                    let r = list(v);
                    keys.clear();
                    keys.extend(
                        src[r.clone()]
                            .iter()
                            .zip(&ws[r.clone()])
                            .map(|(&u, &w)| (u as u64) << 32 | w.to_bits() as u64),
                    );
                    keys.sort_unstable();
                    for ((u, w), k) in src[r.clone()].iter_mut().zip(&mut ws[r]).zip(&keys) {
                        *u = (k >> 32) as u32;
                        *w = f32::from_bits(*k as u32);
                    }
                }
            }
        }
    });
}

/// Destination ids per bucket: a bucket's in-degree counters and cursors (64 KiB) stay in
/// the core's cache while its edges are placed.
const BUCKET_SHIFT: u32 = 14;

/// The edges of one byte range, grouped by destination bucket (`dst >> BUCKET_SHIFT`), each
/// as `dst << 32 | src`, in file order within a bucket.
#[derive(Default)]
struct Bucketed {
    pairs: Vec<Vec<u64>>,
    /// Per bucket, the edges' weights; `None` until the range has a weighted line.
    weights: Option<Vec<Vec<f32>>>,
    /// One more than the largest id seen.
    nodes: u64,
}

impl Bucketed {
    #[inline(always)]
    fn push(&mut self, src: u32, dst: u32, w: Option<f32>) {
        let b = (dst >> BUCKET_SHIFT) as usize;
        if b >= self.pairs.len() {
            self.pairs.resize_with(b + 1, Vec::new);
            if let Some(ws) = &mut self.weights {
                ws.resize_with(b + 1, Vec::new);
            }
        }
        if w.is_some() && self.weights.is_none() {
            // The first weighted line: every edge before it weighs 1.
            self.weights = Some(self.pairs.iter().map(|p| vec![1.0; p.len()]).collect());
        }
        self.pairs[b].push((dst as u64) << 32 | src as u64);
        if let Some(ws) = &mut self.weights {
            ws[b].push(w.unwrap_or(1.0));
        }
        self.nodes = self.nodes.max(src.max(dst) as u64 + 1);
    }

    fn bucket(&self, b: usize) -> &[u64] {
        self.pairs.get(b).map_or(&[], |p| p)
    }

    fn bucket_weights(&self, b: usize) -> Option<&[f32]> {
        self.weights
            .as_ref()
            .map(|ws| ws.get(b).map_or(&[][..], |w| w))
    }
}

/// A zeroed array of `len` elements, or a clear error when memory cannot hold it.
fn zeroed<T: Clone + Default>(len: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| {
        GraphError::Invalid(format!(
            "{what} would need {:.1} GB ({len} entries), more than this machine can allocate",
            (len * std::mem::size_of::<T>()) as f64 / 1e9
        ))
    })?;
    v.resize(len, T::default());
    Ok(v)
}

/// Node ids this sparse are almost certainly not `0..n-1` numbering (a hash, a user id): the
/// node arrays would dwarf the edges. `--nodes` lifts the check.
fn check_dense(path: &Path, nodes: u64, edges: u64, given: Option<u32>) -> Result<()> {
    if given.is_none() && nodes > (1 << 24).max(64 * edges) {
        return Err(GraphError::Invalid(format!(
            "{}: the largest node id is {} but there are only {edges} edges; ids must be \
             numbered densely from 0 (renumber the file, or give the node count explicitly)",
            path.display(),
            nodes - 1
        )));
    }
    Ok(())
}

/// A pull-only graph (in-adjacency and out-degrees, see [`crate::Directions::PullOnly`]) read
/// in one parallel pass: about 12 bytes per edge at the peak (the parsed edges at 8, grouped
/// by destination bucket, and the in-adjacency at 4, 8 when weighted) and 20 per node.
pub fn read_pull_graph(path: &Path, nodes: Option<u32>) -> Result<Csr> {
    Ok(read_pull_graph_ordered(path, nodes, NodeOrder::Input)?.graph)
}

/// [`read_pull_graph`] with the nodes numbered by `order`.
///
/// The text is parsed once, each thread's edges appended to per-bucket arrays by destination
/// (sequential writes). Then, bucket by bucket in parallel, a counting sort whose counters
/// fit in cache: one pass counts in-degrees (and, per thread, out-degrees), the nodes are
/// renumbered, and a second pass writes each source at its place in the in-adjacency. A list
/// keeps the file's edge order (renumbered lists are sorted by id), as the serial reader does.
pub fn read_pull_graph_ordered(
    path: &Path,
    nodes: Option<u32>,
    order: NodeOrder,
) -> Result<Labelled> {
    let parts: Vec<Bucketed> = parallel_scan(path, |file, r, _| {
        let mut part = Bucketed::default();
        let res = scan_range(file, path, r, |l| {
            if let Line::Edge(a, b, w) = l {
                part.push(a, b, w);
            }
        })?;
        Ok((res, part))
    })?;
    let seen = parts.iter().map(|p| p.nodes).max().unwrap_or(0);
    let m: u64 = parts
        .iter()
        .flat_map(|p| &p.pairs)
        .map(|b| b.len() as u64)
        .sum();
    check_dense(path, seen, m, nodes)?;
    let n = check_nodes(path, seen, nodes)? as usize;
    let weighted = parts.iter().any(|p| p.weights.is_some());
    let buckets = n.div_ceil(1 << BUCKET_SHIFT);
    let bucket_nodes = |b: usize| (b << BUCKET_SHIFT)..((b + 1) << BUCKET_SHIFT).min(n);

    // Pass 1: in-degrees bucket by bucket; out-degrees in one array per worker, summed after.
    let mut in_degree: Vec<u32> = zeroed(n, "the node arrays")?;
    let workers = rayon::current_num_threads().max(1);
    let groups = bucket_groups(&parts, buckets, workers);
    let in_ptr = SyncPtr(in_degree.as_mut_ptr());
    let outs: Vec<Result<Vec<u32>>> = groups
        .par_windows(2)
        .map(|g| {
            let mut out = zeroed::<u32>(n, "the node arrays")?;
            for b in g[0]..g[1] {
                for p in &parts {
                    let edges = p.bucket(b);
                    for (k, &e) in edges.iter().enumerate() {
                        if let Some(&ahead) = edges.get(k + AHEAD) {
                            prefetch(&out, ahead as u32);
                        }
                        out[e as u32 as usize] += 1;
                        // SAFETY: `e >> 32` is a destination in bucket b, so < n and only
                        // this task (which owns bucket b) touches it.
                        unsafe { *in_ptr.at((e >> 32) as usize) += 1 };
                    }
                }
            }
            Ok(out)
        })
        .collect();
    let mut outs = outs.into_iter().collect::<Result<Vec<_>>>()?;
    let mut out_degree = outs.pop().unwrap_or_default();
    for o in &outs {
        out_degree.par_iter_mut().zip(o).for_each(|(d, x)| *d += x);
    }
    drop(outs);

    // `rank[file id]` is the node's id in the graph (none when the file's ids are kept).
    let (rank, original, in_degree) = match order {
        NodeOrder::Input => (None, None, in_degree),
        NodeOrder::Degree => {
            let r = degree_order(&in_degree, &out_degree);
            out_degree = r.out_degree;
            (Some(r.rank), Some(r.original), r.in_degree)
        }
    };
    let id = |v: u32| match &rank {
        Some(r) => r[v as usize],
        None => v,
    };
    let offsets = prefix_sums(&in_degree)?;
    drop(in_degree);

    // Pass 2: each bucket's edges written at their places; a bucket's cursors are private.
    let mut sources: Vec<u32> = zeroed(m as usize, "the in-adjacency")?;
    let mut weights: Option<Vec<f32>> = if weighted {
        Some(zeroed(m as usize, "the edge weights")?)
    } else {
        None
    };
    let sp = SyncPtr(sources.as_mut_ptr());
    let wp = weights.as_mut().map(|w| SyncPtr(w.as_mut_ptr()));
    let offs = &offsets;
    (0..buckets).into_par_iter().for_each(|b| {
        let range = bucket_nodes(b);
        let base = range.start;
        let mut cursor: Vec<u64> = range.map(|v| offs[id(v as u32) as usize]).collect();
        for p in &parts {
            let ws = p.bucket_weights(b);
            let edges = p.bucket(b);
            for (k, &e) in edges.iter().enumerate() {
                if let (Some(rank), Some(&ahead)) = (&rank, edges.get(k + AHEAD)) {
                    prefetch(rank, ahead as u32);
                }
                let c = &mut cursor[(e >> 32) as usize - base];
                // SAFETY: node `e >> 32` belongs to bucket b, so only this task moves its
                // cursor, which runs through its own list [offsets[v], offsets[v+1]), sized by
                // the count of these same edges in pass 1.
                unsafe {
                    sp.write(*c as usize, id(e as u32));
                    if let Some(wp) = wp {
                        wp.write(*c as usize, ws.map_or(1.0, |w| w[k]));
                    }
                }
                *c += 1;
            }
        }
    });
    drop(parts);
    if rank.is_some() {
        drop(rank);
        sort_lists(&offsets, &mut sources, weights.as_deref_mut());
    }
    Ok(Labelled {
        graph: Csr::from_in_adjacency(offsets, sources, weights, out_degree)?,
        original,
    })
}

/// How many edges ahead the per-source arrays (out-degree counts, new ids) are prefetched: the
/// sources are in file order, so each access is a cache miss on a large graph, and waiting for
/// them one by one was the largest part of both passes.
const AHEAD: usize = 16;

/// Asks the CPU to start loading `values[i]` (a hint: it never faults, whatever `i`).
#[inline(always)]
fn prefetch<T>(values: &[T], i: u32) {
    let _at = values.as_ptr().wrapping_add(i as usize);
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults, whatever the address.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(_at.cast());
    }
}

/// `offsets` of lists with these lengths: `[0, d0, d0 + d1, …]`.
fn prefix_sums(degrees: &[u32]) -> Result<Vec<u64>> {
    let mut offsets: Vec<u64> = zeroed(degrees.len() + 1, "the node arrays")?;
    let mut total = 0u64;
    for (o, &d) in offsets[1..].iter_mut().zip(degrees) {
        total += d as u64;
        *o = total;
    }
    Ok(offsets)
}

/// Cuts buckets `0..buckets` into `workers` consecutive groups of about equal edge counts.
fn bucket_groups(parts: &[Bucketed], buckets: usize, workers: usize) -> Vec<usize> {
    let sizes: Vec<u64> = (0..buckets)
        .map(|b| parts.iter().map(|p| p.bucket(b).len() as u64).sum())
        .collect();
    let total: u64 = sizes.iter().sum();
    let mut bounds = vec![0];
    let mut run = 0u64;
    for (b, s) in sizes.iter().enumerate() {
        run += s;
        if run * workers as u64 >= total * bounds.len() as u64 && bounds.len() < workers {
            bounds.push(b + 1);
        }
    }
    if *bounds.last().expect("non-empty") != buckets {
        bounds.push(buckets);
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn parses_lines() {
        assert_eq!(parse_line(b"1 2"), Ok(Line::Edge(1, 2, None)));
        assert_eq!(parse_line(b" 1\t2\r"), Ok(Line::Edge(1, 2, None)));
        assert_eq!(parse_line(b"1,2,0.5"), Ok(Line::Edge(1, 2, Some(0.5))));
        assert_eq!(parse_line(b"# comment"), Ok(Line::Skip));
        assert_eq!(parse_line(b""), Ok(Line::Skip));
        assert!(parse_line(b"1").is_err());
        assert!(parse_line(b"a b").is_err());
        assert!(parse_line(b"1 2 -3").is_err());
        assert!(parse_line(b"1 99999999999").is_err());
    }

    #[test]
    fn both_readers_agree_and_report_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.el");
        let mut f = std::fs::File::create(&p).unwrap();
        let mut text = String::from("# header\n");
        for i in 0..5000u32 {
            text.push_str(&format!("{} {}\n", (i * 7) % 1001, (i * 13) % 997));
        }
        text.push_str("5 5\n1000 0"); // self-loop, no final newline
        f.write_all(text.as_bytes()).unwrap();
        drop(f);
        let el = read_edge_list(&p, None).unwrap();
        assert_eq!((el.n, el.len()), (1001, 5002));
        let full = Csr::from_edges(&el).unwrap();
        let pull = read_pull_graph(&p, None).unwrap();
        assert_eq!(pull.n(), 1001);
        assert_eq!(pull.in_adj().offsets(), full.in_adj().offsets());
        for v in 0..1001 {
            let mut a = pull.in_adj().neighbors(v).to_vec();
            let mut b = full.in_adj().neighbors(v).to_vec();
            a.sort();
            b.sort();
            assert_eq!(a, b);
            assert_eq!(pull.out_degree(v), full.out_degree(v));
        }
        assert!(read_pull_graph(&p, Some(10)).is_err());

        // Renumbered by degree: the same graph under `original`, longest lists first (ties:
        // busiest sources first), lists sorted, and PageRank equal once mapped back to file ids.
        let lab = read_pull_graph_ordered(&p, Some(1003), NodeOrder::Degree).unwrap();
        let (g, orig) = (&lab.graph, lab.original.as_ref().unwrap());
        assert_eq!((g.n(), g.m()), (1003, 5002));
        let mut seen = orig.clone();
        seen.sort();
        assert_eq!(seen, (0..1003).collect::<Vec<u32>>());
        for v in 0..1003u32 {
            let o = orig[v as usize];
            let want = if o < 1001 { full.out_degree(o) } else { 0 };
            assert_eq!(g.out_degree(v), want);
            if v > 0 {
                let degrees = |v: u32| (g.in_degree(v), g.out_degree(v));
                assert!(degrees(v - 1) >= degrees(v));
            }
            let mut a: Vec<u32> = g
                .in_adj()
                .neighbors(v)
                .iter()
                .map(|&u| orig[u as usize])
                .collect();
            assert!(g.in_adj().neighbors(v).windows(2).all(|w| w[0] <= w[1]));
            let mut b = if o < 1001 {
                full.in_adj().neighbors(o).to_vec()
            } else {
                vec![]
            };
            a.sort();
            b.sort();
            assert_eq!(a, b);
        }
        let opts = crate::PageRankOptions::default();
        let want = crate::pagerank(&read_pull_graph(&p, Some(1003)).unwrap(), &opts).unwrap();
        let got = lab.to_file_order(crate::pagerank(g, &opts).unwrap());
        let l1: f64 = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).sum();
        assert!(l1 < 1e-12, "L1 {l1:e}");

        let bad = dir.path().join("bad.el");
        std::fs::write(&bad, "0 1\n1 2\n2 x\n3 4\n").unwrap();
        let e = read_pull_graph(&bad, None).unwrap_err().to_string();
        assert!(e.contains("bad.el:3:"), "{e}");
        let e = read_edge_list(&bad, None).unwrap_err().to_string();
        assert!(e.contains("bad.el:3:"), "{e}");
    }

    /// The in-lists of `g` as (destination, source) pairs in file ids, in list order.
    fn lists(g: &Csr, original: Option<&[u32]>) -> Vec<(u32, Vec<u32>, Vec<u32>)> {
        let name = |v: u32| original.map_or(v, |o| o[v as usize]);
        let mut out: Vec<(u32, Vec<u32>, Vec<u32>)> = (0..g.n())
            .map(|v| {
                let adj = g.in_adj();
                let srcs = adj.neighbors(v).iter().map(|&u| name(u)).collect();
                let ws = adj
                    .neighbor_weights(v)
                    .map_or(vec![], |w| w.iter().map(|x| x.to_bits()).collect());
                (name(v), srcs, ws)
            })
            .collect();
        out.sort();
        out
    }

    /// The parallel reader against the serial one (`read_edge_list_from` + `Csr::from_edges`)
    /// on awkward text, cut into many ranges: every list equal in file order, out-degrees
    /// equal, and lines reported at their file line numbers.
    #[test]
    fn parallel_reader_equals_serial_on_odd_text() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("# comment\n% other comment\n\n");
        for i in 0..20_000u32 {
            let (a, b) = ((i * 7919) % 40_000, (i * 104_729 + 3) % 40_011);
            match i % 9 {
                0 => text.push_str(&format!("{a} {b}\r\n")),
                1 => text.push_str(&format!("{a}\t{b}\n")),
                2 => text.push_str(&format!("  {a} ,{b} \n")),
                3 => text.push_str(&format!("{a} {a}\n")), // self-loop
                4 => text.push_str("\n   \n# mid comment 1 2\n"),
                5 => text.push_str(&format!("{a},{b}\n")),
                6 => text.push_str(&format!("000{a} {b}\n")),
                _ => text.push_str(&format!("{a} {b}\n")),
            }
        }
        text.push_str("39999 0"); // no final newline
        let plain = dir.path().join("odd.el");
        std::fs::write(&plain, &text).unwrap();
        // The same with weights on some lines only (the rest weigh 1).
        let weighted_text: String = text
            .lines()
            .enumerate()
            .map(
                |(k, l)| match (k % 5, l.trim().starts_with(|c: char| c.is_ascii_digit())) {
                    (0, true) => format!("{} 2.5\n", l.trim_end_matches('\r')),
                    _ => format!("{l}\n"),
                },
            )
            .collect();
        let weighted = dir.path().join("w.el");
        std::fs::write(&weighted, &weighted_text).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(7)
            .build()
            .unwrap();
        for p in [&plain, &weighted] {
            let serial = read_edge_list_from(
                std::io::BufReader::new(std::fs::File::open(p).unwrap()),
                p,
                None,
            )
            .unwrap();
            let full = Csr::from_edges(&serial).unwrap();
            let par = pool.install(|| read_pull_graph(p, None)).unwrap();
            assert_eq!((par.n(), par.m()), (full.n(), full.m()));
            assert_eq!(par.is_weighted(), p == &weighted);
            assert_eq!(lists(&par, None), lists(&full, None));
            for v in 0..par.n() {
                assert_eq!(par.out_degree(v), full.out_degree(v));
            }
            let el = pool.install(|| read_edge_list(p, None)).unwrap();
            assert_eq!((el.src.clone(), el.dst.clone()), (serial.src, serial.dst));
            // Renumbered: the same lists, sorted, under `original`.
            let lab = pool
                .install(|| read_pull_graph_ordered(p, None, NodeOrder::Degree))
                .unwrap();
            let sorted = |mut l: Vec<(u32, Vec<u32>, Vec<u32>)>| {
                for (_, s, w) in &mut l {
                    let mut pairs: Vec<_> = s
                        .iter()
                        .copied()
                        .zip(w.iter().copied().chain(std::iter::repeat(0)))
                        .collect();
                    pairs.sort();
                    *s = pairs.iter().map(|x| x.0).collect();
                    if !w.is_empty() {
                        *w = pairs.iter().map(|x| x.1).collect();
                    }
                }
                l
            };
            assert_eq!(
                sorted(lists(&lab.graph, lab.original.as_deref())),
                sorted(lists(&full, None))
            );
        }
        // A bad line deep in the file is reported at its file line, whichever range holds it.
        let bad = format!("{text}\n1 2\n3 x\n");
        let bad_line = bad.lines().count();
        std::fs::write(&plain, bad).unwrap();
        let e = pool
            .install(|| read_pull_graph(&plain, None))
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("odd.el:{bad_line}:")), "{e}");
    }

    #[test]
    fn sparse_huge_ids_are_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("huge.el");
        std::fs::write(&p, "0 1\n4294967294 2\n").unwrap();
        let e = read_pull_graph(&p, None).unwrap_err().to_string();
        assert!(e.contains("largest node id is 4294967294"), "{e}");
        std::fs::write(&p, "0 1\n4294967295 2\n").unwrap();
        let e = read_pull_graph(&p, None).unwrap_err().to_string();
        assert!(e.contains("huge.el:2:") && e.contains("32 bits"), "{e}");
    }

    #[test]
    fn renumbered_weighted_graph_keeps_weights_with_their_edges() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.el");
        let mut text = String::new();
        for i in 0..3000u32 {
            let (a, b) = ((i * 7) % 211, (i * i + 3) % 197);
            text.push_str(&format!("{a} {b} {}\n", 0.25 + (i % 13) as f32));
        }
        std::fs::write(&p, text).unwrap();
        let plain = read_pull_graph(&p, None).unwrap();
        let lab = read_pull_graph_ordered(&p, None, NodeOrder::Degree).unwrap();
        let orig = lab.original.as_ref().unwrap();
        for v in 0..lab.graph.n() {
            let adj = lab.graph.in_adj();
            let mut a: Vec<(u32, u32)> = adj
                .neighbors(v)
                .iter()
                .zip(adj.neighbor_weights(v).unwrap())
                .map(|(&u, &w)| (orig[u as usize], w.to_bits()))
                .collect();
            let o = orig[v as usize];
            let pa = plain.in_adj();
            let mut b: Vec<(u32, u32)> = pa
                .neighbors(o)
                .iter()
                .zip(pa.neighbor_weights(o).unwrap())
                .map(|(&u, &w)| (u, w.to_bits()))
                .collect();
            a.sort();
            b.sort();
            assert_eq!(a, b);
        }
        let opts = crate::PageRankOptions::default();
        let want = crate::pagerank(&plain, &opts).unwrap();
        let got = lab.to_file_order(crate::pagerank(&lab.graph, &opts).unwrap());
        let l1: f64 = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).sum();
        assert!(l1 < 1e-12, "L1 {l1:e}");
    }
}

//! Edge-list text files (`src dst [weight]` per line; spaces, tabs or commas; `#` and `%`
//! comment lines) read in parallel: the file is cut into one byte range per thread at line
//! boundaries and each range is read with positioned reads into a small buffer (no mapping, so
//! the file's pages never count towards the process's memory).
//!
//! [`read_pull_graph`] builds a PageRank-ready graph from one parse of the file into
//! per-destination buckets, then counting sorts whose counters stay in cache;
//! [`read_pull_graph_ordered`] can renumber the nodes by degree on the way (see
//! [`NodeOrder`]). No step compares edges: every pass is linear in the edges or the nodes.

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

/// The node id at `i` when it has 1 to 8 digits and a byte follows them within the 8 read:
/// `(id, end)`, read eight bytes at a time (SWAR); `None` sends the line to [`id_at`].
#[inline(always)]
fn id8_at(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let bytes: [u8; 8] = b.get(i..i + 8)?.try_into().ok()?;
    let word = u64::from_le_bytes(bytes);
    // Each byte minus '0': a digit is below 10; the first other byte ends the id.
    let sub = word.wrapping_sub(0x3030_3030_3030_3030);
    // High bit set where a byte is not a digit: below '0' (the subtraction borrowed or the
    // byte had its high bit) or above '9' (adding 118 carries it past 127).
    let not_digit = (sub | sub.wrapping_add(0x7676_7676_7676_7676) | word) & 0x8080_8080_8080_8080;
    let len = (not_digit.trailing_zeros() / 8) as usize;
    if len == 0 || len == 8 {
        return None;
    }
    // The digits moved to the top bytes (leading zero digits below), then combined pairwise.
    let mut v = sub << (8 * (8 - len));
    v = (v.wrapping_mul(10) + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    v = (v.wrapping_mul(10_000) + (v >> 32)) & 0xFFFF_FFFF;
    Some((v as u32, i + len))
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
        if let Some((src, j)) = id8_at(b, i) {
            if matches!(b[j], b' ' | b'\t' | b',') {
                if let Some((dst, k)) = id8_at(b, j + 1) {
                    if b[k] == b'\n' {
                        f(Line::Edge(src, dst, None));
                        i = k + 1;
                        continue;
                    }
                }
            }
        }
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

/// New ids by decreasing in-degree, then decreasing out-degree, then old id: a stable LSD radix
/// sort of the nodes by the key `(!in, !out)` in 16-bit digits, each pass a parallel counting
/// sort, so the cost is linear in the nodes (a comparison sort of 128-bit keys was
/// O(n log n)). Digits that every node shares (the high halves, on graphs whose degrees stay
/// below 65,536) are skipped. The degrees by new id are read off the sorted keys.
fn degree_order(in_degree: &[u32], out_degree: &[u32]) -> Renumbered {
    let n = in_degree.len();
    let mut keys: Vec<u64> = in_degree
        .par_iter()
        .zip(out_degree)
        .map(|(&i, &o)| (!i as u64) << 32 | !o as u64)
        .collect();
    let mut ids: Vec<u32> = (0..n as u32).into_par_iter().collect();
    let (mut keys_to, mut ids_to) = (vec![0u64; n], vec![0u32; n]);
    for digit in 0..4 {
        if radix_pass(&keys, &ids, &mut keys_to, &mut ids_to, 16 * digit) {
            std::mem::swap(&mut keys, &mut keys_to);
            std::mem::swap(&mut ids, &mut ids_to);
        }
    }
    drop((keys_to, ids_to));
    let original = ids;
    let in_degree: Vec<u32> = keys.par_iter().map(|&k| !((k >> 32) as u32)).collect();
    let out_degree: Vec<u32> = keys.par_iter().map(|&k| !(k as u32)).collect();
    drop(keys);
    let mut rank = vec![0u32; n];
    let rp = SyncPtr(rank.as_mut_ptr());
    original.par_iter().enumerate().for_each(|(new, &old)| {
        // SAFETY: `original` is a permutation of 0..n (each radix pass moves every item once).
        unsafe { rp.write(old as usize, new as u32) }
    });
    Renumbered {
        rank,
        original,
        in_degree,
        out_degree,
    }
}

/// One stable counting-sort pass of `(keys, ids)` by the 16 bits of the key at `shift`, into
/// `keys_to`/`ids_to`, in parallel over consecutive chunks (each chunk's items go after the
/// same digit's items of earlier chunks, so the pass is stable). Returns false, moving
/// nothing, when every key has the same digit there.
fn radix_pass(
    keys: &[u64],
    ids: &[u32],
    keys_to: &mut [u64],
    ids_to: &mut [u32],
    shift: u32,
) -> bool {
    const DIGITS: usize = 1 << 16;
    let digit = |k: u64| (k >> shift) as usize & (DIGITS - 1);
    let chunk = keys
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1 << 16);
    let mut counts: Vec<Vec<u32>> = keys
        .par_chunks(chunk)
        .map(|c| {
            let mut h = vec![0u32; DIGITS];
            for &k in c {
                h[digit(k)] += 1;
            }
            h
        })
        .collect();
    let Some(&first) = keys.first() else {
        return false;
    };
    let total = |d: usize| counts.iter().map(|h| h[d] as usize).sum::<usize>();
    if total(digit(first)) == keys.len() {
        return false;
    }
    // counts[c][d] becomes the place of chunk c's first item with digit d.
    let mut at = 0u32;
    for d in 0..DIGITS {
        for h in counts.iter_mut() {
            let c = h[d];
            h[d] = at;
            at += c;
        }
    }
    let (kp, ip) = (SyncPtr(keys_to.as_mut_ptr()), SyncPtr(ids_to.as_mut_ptr()));
    keys.par_chunks(chunk)
        .zip(ids.par_chunks(chunk))
        .zip(counts)
        .for_each(|((ks, is), mut next)| {
            for (&k, &i) in ks.iter().zip(is) {
                let to = &mut next[digit(k)];
                // SAFETY: the places of one digit in one chunk are a range of its own, sized
                // by this chunk's count of that digit, and all ranges lie in 0..keys.len().
                unsafe {
                    kp.write(*to as usize, k);
                    ip.write(*to as usize, i);
                }
                *to += 1;
            }
        });
    true
}

/// Sorts one list of ids below `1 << bits`.
fn sort_ids(list: &mut [u32], bits: u32, scratch: &mut Vec<u32>) {
    if list.len() < RADIX_LIST {
        list.sort_unstable();
    } else {
        radix_sort_ids(list, bits, scratch);
    }
}

/// Sorts one weighted list by (id, weight bits) as one key, so weights follow their edges
/// and equal ids come out in one order whatever order they came in.
fn sort_weighted(list: &mut [u32], weights: &mut [f32], keys: &mut Vec<u64>) {
    keys.clear();
    keys.extend(
        list.iter()
            .zip(weights.iter())
            .map(|(&u, &w)| (u as u64) << 32 | w.to_bits() as u64),
    );
    keys.sort_unstable();
    for ((u, w), k) in list.iter_mut().zip(weights.iter_mut()).zip(keys.iter()) {
        *u = (k >> 32) as u32;
        *w = f32::from_bits(*k as u32);
    }
}

/// Lists at least this long are sorted by [`radix_sort_ids`]; shorter ones by comparison,
/// which is quicker below a few thousand ids.
const RADIX_LIST: usize = 2048;

/// Sorts ids below `1 << bits` by LSD radix in 11-bit digits (two passes for up to 4 M
/// nodes): linear in the list, where a comparison sort of a list of 40,000 ids does ~15
/// comparisons per id.
fn radix_sort_ids(list: &mut [u32], bits: u32, scratch: &mut Vec<u32>) {
    const DIGIT: u32 = 11;
    scratch.clear();
    scratch.resize(list.len(), 0);
    let mut from_list = true;
    let mut shift = 0;
    while shift < bits {
        let (from, to): (&[u32], &mut [u32]) = if from_list {
            (&*list, &mut scratch[..])
        } else {
            (&scratch[..], &mut *list)
        };
        let digit = |u: u32| (u >> shift) as usize & ((1 << DIGIT) - 1);
        let mut at = [0u32; 1 << DIGIT];
        for &u in from.iter() {
            at[digit(u)] += 1;
        }
        let mut sum = 0;
        for a in at.iter_mut() {
            (*a, sum) = (sum, sum + *a);
        }
        for &u in from.iter() {
            let d = &mut at[digit(u)];
            to[*d as usize] = u;
            *d += 1;
        }
        from_list = !from_list;
        shift += DIGIT;
    }
    if !from_list {
        list.copy_from_slice(scratch);
    }
}

/// Destination ids per bucket: a bucket's in-degree counters and cursors (64 KiB) stay in
/// the core's cache while its edges are placed.
const BUCKET_SHIFT: u32 = 14;

/// The bits of a destination within its bucket.
const LOW: u32 = (1 << BUCKET_SHIFT) - 1;

/// The edges of one bucket of one byte range, in file order: 6 bytes an edge.
#[derive(Default)]
struct Bucket {
    /// The sources.
    src: Vec<u32>,
    /// The destinations' low [`BUCKET_SHIFT`] bits (the bucket gives the rest).
    dst: Vec<u16>,
}

/// The edges of one byte range, grouped by destination bucket (`dst >> BUCKET_SHIFT`), in
/// file order within a bucket.
#[derive(Default)]
struct Bucketed {
    buckets: Vec<Bucket>,
    /// Per bucket, the edges' weights; `None` until the range has a weighted line.
    weights: Option<Vec<Vec<f32>>>,
    /// One more than the largest id seen.
    nodes: u64,
}

impl Bucketed {
    #[inline(always)]
    fn push(&mut self, src: u32, dst: u32, w: Option<f32>) {
        let b = (dst >> BUCKET_SHIFT) as usize;
        if b >= self.buckets.len() {
            self.buckets.resize_with(b + 1, Bucket::default);
            if let Some(ws) = &mut self.weights {
                ws.resize_with(b + 1, Vec::new);
            }
        }
        if w.is_some() && self.weights.is_none() {
            // The first weighted line: every edge before it weighs 1.
            self.weights = Some(
                self.buckets
                    .iter()
                    .map(|p| vec![1.0; p.src.len()])
                    .collect(),
            );
        }
        let bucket = &mut self.buckets[b];
        bucket.src.push(src);
        bucket.dst.push((dst & LOW) as u16);
        if let Some(ws) = &mut self.weights {
            ws[b].push(w.unwrap_or(1.0));
        }
        self.nodes = self.nodes.max(src.max(dst) as u64 + 1);
    }

    /// Bucket `b`'s sources and destinations' low bits.
    fn bucket(&self, b: usize) -> (&[u32], &[u16]) {
        self.buckets
            .get(b)
            .map_or((&[], &[]), |p| (&p.src[..], &p.dst[..]))
    }
}

/// Bucket b of every range, in range order (so its edges are in file order), each with its
/// weights (`None` for a range without weighted lines: every edge weighs 1).
type Column = Vec<(Bucket, Option<Vec<f32>>)>;

/// The ranges' buckets regrouped by bucket, `buckets` columns, moved (not copied), so a worker
/// that has placed a bucket's edges frees them at once: their pages go back while the
/// in-adjacency's are first written, which lowers the peak and lets the kernel hand the
/// freed pages straight back.
fn columns(parts: Vec<Bucketed>, buckets: usize) -> Vec<Column> {
    let mut cols: Vec<Column> = (0..buckets)
        .map(|_| Vec::with_capacity(parts.len()))
        .collect();
    for p in parts {
        let mut ws = p.weights.map(|w| w.into_iter());
        for (b, bucket) in p.buckets.into_iter().enumerate() {
            let w = ws.as_mut().map(|w| w.next().unwrap_or_default());
            cols[b].push((bucket, w));
        }
    }
    cols
}

/// A zeroed array of `len` elements, or a clear error when memory cannot hold it. It comes
/// from `alloc_zeroed`: a large block is fresh pages from the kernel, already zero, so it is
/// not cleared a second time by a pass over it.
fn zeroed<T: crate::buf::Pod>(len: usize, what: &str) -> Result<Vec<T>> {
    let too_big = || {
        GraphError::Invalid(format!(
            "{what} would need {:.1} GB ({len} entries), more than this machine can allocate",
            len as f64 * std::mem::size_of::<T>() as f64 / 1e9
        ))
    };
    if len == 0 || std::mem::size_of::<T>() == 0 {
        return Ok(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(len).map_err(|_| too_big())?;
    // SAFETY: the layout has a non-zero size (checked above).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if ptr.is_null() {
        return Err(too_big());
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `len` elements of
    // T, and all-zero bits are a valid T (`Pod`: u32, u64 or f32 here).
    Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
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
/// in one parallel pass: at most about 10 bytes per edge (the parsed edges at 6, grouped by
/// destination bucket, and the in-adjacency at 4, 8 when weighted) and 20 per node; each
/// bucket is freed once its edges are placed, so the peak is lower (8 B per edge measured on
/// R-MAT 22).
pub fn read_pull_graph(path: &Path, nodes: Option<u32>) -> Result<Csr> {
    Ok(read_pull_graph_ordered(path, nodes, NodeOrder::Input)?.graph)
}

/// [`read_pull_graph`] with the nodes numbered by `order`.
///
/// The text is parsed once, each thread's edges appended to per-bucket arrays by destination
/// (sequential writes). Then, bucket by bucket in parallel, a counting sort whose counters
/// fit in cache: one pass counts in-degrees (and, per thread, out-degrees), the nodes are
/// renumbered ([`degree_order`], a radix sort by degrees), and a second pass writes each
/// source at its place in the in-adjacency (renumbered: through cache-sized blocks of the new
/// ids, see [`place_renumbered`]). A list keeps the file's edge order (renumbered lists are
/// sorted by id), as the serial reader does. Renumbered, each edge's destination within its
/// block rides in the in-adjacency's free high bits while it is placed (in a 16-bit array
/// beside it from 16.7 M nodes: 12 bytes per edge at most then).
pub fn read_pull_graph_ordered(
    path: &Path,
    nodes: Option<u32>,
    order: NodeOrder,
) -> Result<Labelled> {
    read_ordered(path, nodes, order, true)
}

/// Renumbered lists are placed with each edge's destination within its block packed above its
/// source in the in-adjacency, when ids leave at least this many of its 32 bits free (below
/// 16.7 M nodes); blocks then hold at most `1 << free bits` nodes (up to 65,536).
const MIN_PACKED: u32 = 8;

/// The bits a packed destination gets on a graph of `n` nodes (at most 16), or 0: a separate
/// 16-bit array holds the destinations.
fn packed_bits(n: usize) -> u32 {
    let free = (n as u32).leading_zeros();
    if free >= MIN_PACKED {
        free.min(16)
    } else {
        0
    }
}

/// [`read_pull_graph_ordered`]; `pack` false keeps renumbered destinations in their own array
/// whatever the node count (so tests cover that path on small graphs).
fn read_ordered(path: &Path, nodes: Option<u32>, order: NodeOrder, pack: bool) -> Result<Labelled> {
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
        .flat_map(|p| &p.buckets)
        .map(|b| b.src.len() as u64)
        .sum();
    check_dense(path, seen, m, nodes)?;
    let n = check_nodes(path, seen, nodes)? as usize;
    let weighted = parts.iter().any(|p| p.weights.is_some());
    let buckets = n.div_ceil(1 << BUCKET_SHIFT);

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
                let base = b << BUCKET_SHIFT;
                for p in &parts {
                    let (srcs, dsts) = p.bucket(b);
                    for (k, (&u, &d)) in srcs.iter().zip(dsts).enumerate() {
                        if let Some(&ahead) = srcs.get(k + AHEAD) {
                            prefetch(&out, ahead);
                        }
                        out[u as usize] += 1;
                        // SAFETY: `base + d` is a destination in bucket b, so < n and only
                        // this task (which owns bucket b) touches it.
                        unsafe { *in_ptr.at(base + d as usize) += 1 };
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

    let Labelled { graph, original } = match order {
        NodeOrder::Input => {
            let offsets = prefix_sums(&in_degree)?;
            drop(in_degree);
            let (sources, weights) = place_in_file_order(parts, &offsets, n, weighted)?;
            Labelled {
                graph: Csr::from_in_adjacency(offsets, sources, weights, out_degree)?,
                original: None,
            }
        }
        NodeOrder::Degree => {
            let r = degree_order(&in_degree, &out_degree);
            let offsets = prefix_sums(&r.in_degree)?;
            drop(r.in_degree);
            let (sources, weights) = place_renumbered(
                parts,
                &groups,
                &in_degree,
                &r.rank,
                &offsets,
                weighted,
                if pack { packed_bits(n) } else { 0 },
            )?;
            Labelled {
                graph: Csr::from_in_adjacency(offsets, sources, weights, r.out_degree)?,
                original: Some(r.original),
            }
        }
    };
    Ok(Labelled { graph, original })
}

/// In- and (when weighted) weight arrays.
type Placed = (Vec<u32>, Option<Vec<f32>>);

/// The in-adjacency in the file's ids, each list in file order: bucket by bucket, each edge
/// written at its destination's cursor (a bucket's cursors and lists are its own).
fn place_in_file_order(
    parts: Vec<Bucketed>,
    offsets: &[u64],
    n: usize,
    weighted: bool,
) -> Result<Placed> {
    let m = *offsets.last().expect("n + 1 offsets") as usize;
    let mut sources: Vec<u32> = zeroed(m, "the in-adjacency")?;
    let mut weights: Option<Vec<f32>> = if weighted {
        Some(zeroed(m, "the edge weights")?)
    } else {
        None
    };
    let sp = SyncPtr(sources.as_mut_ptr());
    let wp = weights.as_mut().map(|w| SyncPtr(w.as_mut_ptr()));
    columns(parts, n.div_ceil(1 << BUCKET_SHIFT))
        .into_par_iter()
        .enumerate()
        .for_each(|(b, column)| {
            let base = b << BUCKET_SHIFT;
            let mut cursor: Vec<u64> = offsets[base..((b + 1) << BUCKET_SHIFT).min(n)].to_vec();
            for (bucket, ws) in column {
                for (k, (&u, &d)) in bucket.src.iter().zip(&bucket.dst).enumerate() {
                    let c = &mut cursor[d as usize];
                    // SAFETY: node `base + d` belongs to bucket b, so only this task moves its
                    // cursor, which runs through its own list [offsets[v], offsets[v+1]),
                    // sized by the count of these same edges in pass 1.
                    unsafe {
                        sp.write(*c as usize, u);
                        if let Some(wp) = wp {
                            wp.write(*c as usize, ws.as_ref().map_or(1.0, |w| w[k]));
                        }
                    }
                    *c += 1;
                }
            }
        });
    Ok((sources, weights))
}

/// Renumbered lists hold at most this many edges per block: a block's part of the
/// in-adjacency (4 bytes an edge, and as much again while it is placed) stays in the core's
/// L2 cache.
const BLOCK_EDGES: u64 = 1 << 16;

/// The in-adjacency under `rank`, each list sorted by id, in two passes that write
/// sequentially or within a cache-sized block, never at random over the whole array (the
/// nodes of one file-id bucket are scattered over all of it once renumbered, and writing each
/// edge straight to its list missed the cache and the TLB on nearly every edge):
/// 1. the new ids are cut into blocks of consecutive nodes holding at most [`BLOCK_EDGES`]
///    edges (or `1 << local_bits` nodes), so each block's lists are one range of the array;
///    each worker reads its file-id buckets and appends every edge, renumbered, to its block's
///    range at the worker's own cursor: the source id in the in-adjacency itself with the
///    destination's offset in its block in the `local_bits` above it ([`packed_bits`]; no
///    array beside it, so 2 bytes an edge fewer to allocate and fault in), or, when ids leave
///    too few bits (`local_bits` 0), the offset in a 16-bit array beside it and blocks of up
///    to 65,536 nodes;
/// 2. block by block, a counting sort by destination within the range, then each list sorted.
fn place_renumbered(
    parts: Vec<Bucketed>,
    groups: &[usize],
    old_in_degree: &[u32],
    rank: &[u32],
    offsets: &[u64],
    weighted: bool,
    local_bits: u32,
) -> Result<Placed> {
    let n = rank.len();
    let m = *offsets.last().expect("n + 1 offsets") as usize;
    let packed = local_bits > 0;
    // Ids are below `1 << shift`, so a packed destination sits in the bits above.
    let shift = u32::BITS - local_bits;
    let block_nodes = 1 << if packed { local_bits } else { 16 };
    let blocks = node_ranges(offsets, BLOCK_EDGES, block_nodes);
    let block_count = blocks.len() - 1;
    // The block of each node, by file id (read beside `rank`, within the bucket in hand).
    let block_of: Vec<u32> = rank
        .par_iter()
        .map(|&r| (blocks.partition_point(|&b| b as u32 <= r) - 1) as u32)
        .collect();
    // Each worker's edges into each block: all edges into a node are in the node's bucket,
    // which one worker reads, so they are the in-degrees of its buckets' nodes.
    let node_span = |g: &[usize]| (g[0] << BUCKET_SHIFT).min(n)..(g[1] << BUCKET_SHIFT).min(n);
    let mut cursors: Vec<Vec<u64>> = groups
        .par_windows(2)
        .map(|g| {
            let mut c = vec![0u64; block_count];
            for v in node_span(g) {
                c[block_of[v] as usize] += old_in_degree[v] as u64;
            }
            c
        })
        .collect();
    for k in 0..block_count {
        let mut at = offsets[blocks[k]];
        for c in cursors.iter_mut() {
            (c[k], at) = (at, at + c[k]);
        }
    }

    // Pass 1: renumbered edges appended to their blocks' ranges.
    let mut sources: Vec<u32> = zeroed(m, "the in-adjacency")?;
    let mut local: Vec<u16> = zeroed(if packed { 0 } else { m }, "the in-adjacency")?;
    let mut weights: Option<Vec<f32>> = if weighted {
        Some(zeroed(m, "the edge weights")?)
    } else {
        None
    };
    let (sp, lp) = (SyncPtr(sources.as_mut_ptr()), SyncPtr(local.as_mut_ptr()));
    let wp = weights.as_mut().map(|w| SyncPtr(w.as_mut_ptr()));
    // Each worker's columns, its own to free one by one.
    let mut cols = columns(parts, *groups.last().expect("bounds")).into_iter();
    let owned: Vec<Vec<Column>> = groups
        .windows(2)
        .map(|g| cols.by_ref().take(g[1] - g[0]).collect())
        .collect();
    owned
        .into_par_iter()
        .zip(groups.par_windows(2))
        .zip(cursors)
        .for_each(|((group, g), mut cursor)| {
            for (b, column) in (g[0]..).zip(group) {
                let base = b << BUCKET_SHIFT;
                for (bucket, ws) in column {
                    let (srcs, dsts) = (&bucket.src, &bucket.dst);
                    for (k, (&u, &d)) in srcs.iter().zip(dsts).enumerate() {
                        if let Some(&ahead) = srcs.get(k + AHEAD) {
                            prefetch(rank, ahead);
                        }
                        let dst = base + d as usize;
                        let block = block_of[dst] as usize;
                        let c = &mut cursor[block];
                        // SAFETY: this worker's cursor for this block runs through a range of
                        // its own inside the block's lists, sized by the in-degrees of the
                        // worker's nodes in the block, which are these same edges.
                        let to = (rank[dst] as usize - blocks[block]) as u32;
                        unsafe {
                            if packed {
                                sp.write(*c as usize, rank[u as usize] | to << shift);
                            } else {
                                sp.write(*c as usize, rank[u as usize]);
                                lp.write(*c as usize, to as u16);
                            }
                            if let Some(wp) = wp {
                                wp.write(*c as usize, ws.as_ref().map_or(1.0, |w| w[k]));
                            }
                        }
                        *c += 1;
                    }
                }
            }
        });

    // Pass 2: each block's range sorted into its lists.
    let bits = u32::BITS - (n as u32).leading_zeros();
    let wp = weights.as_mut().map(|w| SyncPtr(w.as_mut_ptr()));
    let sp = SyncPtr(sources.as_mut_ptr());
    let local = &local;
    blocks.par_windows(2).for_each_init(
        || (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
        |(src_copy, w_copy, scratch, keys), bl| {
            let (lo, hi) = (offsets[bl[0]] as usize, offsets[bl[1]] as usize);
            // SAFETY: blocks are disjoint ranges of nodes, so their edge ranges are disjoint
            // parts of `sources` (and `weights`), each handed to one task.
            let src = unsafe { std::slice::from_raw_parts_mut(sp.at(lo), hi - lo) };
            let mut ws = wp.map(|wp| unsafe { std::slice::from_raw_parts_mut(wp.at(lo), hi - lo) });
            src_copy.clear();
            src_copy.extend_from_slice(src);
            if let Some(ws) = &ws {
                w_copy.clear();
                w_copy.extend_from_slice(ws);
            }
            let mut cursor: Vec<u32> = (bl[0]..bl[1])
                .map(|v| (offsets[v] as usize - lo) as u32)
                .collect();
            for (k, &x) in src_copy.iter().enumerate() {
                let (u, d) = if packed {
                    (x & ((1 << shift) - 1), (x >> shift) as usize)
                } else {
                    (x, local[lo + k] as usize)
                };
                let c = &mut cursor[d];
                src[*c as usize] = u;
                if let Some(ws) = &mut ws {
                    ws[*c as usize] = w_copy[k];
                }
                *c += 1;
            }
            for v in bl[0]..bl[1] {
                let list = (offsets[v] as usize - lo)..(offsets[v + 1] as usize - lo);
                match &mut ws {
                    None => sort_ids(&mut src[list], bits, scratch),
                    Some(ws) => sort_weighted(&mut src[list.clone()], &mut ws[list], keys),
                }
            }
        },
    );
    Ok((sources, weights))
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

/// `offsets` of lists with these lengths: `[0, d0, d0 + d1, …]`, in parallel over chunks
/// (each chunk's sum first, then each chunk's running sums from the sum of the chunks before
/// it), so its fresh pages are faulted in by every thread.
pub(crate) fn prefix_sums(degrees: &[u32]) -> Result<Vec<u64>> {
    let mut offsets: Vec<u64> = zeroed(degrees.len() + 1, "the node arrays")?;
    let chunk = degrees
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1 << 16);
    let sums: Vec<u64> = degrees
        .par_chunks(chunk)
        .map(|c| c.iter().map(|&d| d as u64).sum())
        .collect();
    let mut before = 0u64;
    let starts: Vec<u64> = sums
        .iter()
        .map(|&s| {
            before += s;
            before - s
        })
        .collect();
    offsets[1..]
        .par_chunks_mut(chunk)
        .zip(degrees.par_chunks(chunk))
        .zip(starts)
        .for_each(|((o, d), mut total)| {
            for (o, &d) in o.iter_mut().zip(d) {
                total += d as u64;
                *o = total;
            }
        });
    Ok(offsets)
}

/// Cuts buckets `0..buckets` into `workers` consecutive groups of about equal edge counts.
fn bucket_groups(parts: &[Bucketed], buckets: usize, workers: usize) -> Vec<usize> {
    let sizes: Vec<u64> = (0..buckets)
        .map(|b| parts.iter().map(|p| p.bucket(b).0.len() as u64).sum())
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

    /// The radix renumbering against its definition, a sort by (in desc, out desc, id), on
    /// degrees with many ties and some above 65,535 (so every 16-bit digit moves), cut into
    /// chunks by several threads.
    #[test]
    fn degree_order_is_the_sort_by_degrees() {
        let n = 300_000u32;
        let mut x = 12345u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut in_degree = Vec::new();
        let mut out_degree = Vec::new();
        for _ in 0..n {
            let r = next();
            let big = |r: u64| {
                if r.is_multiple_of(97) {
                    70_000 + (r >> 20) as u32 % 200_000
                } else {
                    (r >> 40) as u32 % 9
                }
            };
            in_degree.push(big(r));
            out_degree.push(big(r >> 3));
        }
        let mut want: Vec<u32> = (0..n).collect();
        want.sort_by_key(|&v| {
            let v = v as usize;
            (
                std::cmp::Reverse(in_degree[v]),
                std::cmp::Reverse(out_degree[v]),
                v,
            )
        });
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let got = pool.install(|| degree_order(&in_degree, &out_degree));
        assert_eq!(got.original, want);
        for (new, &old) in want.iter().enumerate() {
            assert_eq!(got.rank[old as usize], new as u32);
            assert_eq!(got.in_degree[new], in_degree[old as usize]);
            assert_eq!(got.out_degree[new], out_degree[old as usize]);
        }
        // One node, and none.
        assert_eq!(degree_order(&[3], &[1]).original, vec![0]);
        assert!(degree_order(&[], &[]).original.is_empty());
    }

    /// The chunked prefix sums against the running sum, across chunk bounds and on several
    /// threads, with sums past 32 bits.
    #[test]
    fn prefix_sums_are_running_sums() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        for len in [0usize, 1, 65_535, 65_536, 65_537, 1_000_003] {
            let degrees: Vec<u32> = (0..len as u32)
                .map(|i| i.wrapping_mul(2_654_435_761) >> (i % 29))
                .collect();
            let mut want = vec![0u64];
            for &d in &degrees {
                want.push(want.last().unwrap() + d as u64);
            }
            assert_eq!(
                pool.install(|| prefix_sums(&degrees)).unwrap(),
                want,
                "{len}"
            );
        }
    }

    #[test]
    fn radix_sort_ids_sorts() {
        let mut scratch = Vec::new();
        for (len, bits) in [(0usize, 5u32), (1, 1), (5000, 13), (4099, 22), (3000, 33)] {
            let mask = if bits >= 32 {
                u32::MAX
            } else {
                (1u32 << bits) - 1
            };
            let mut l: Vec<u32> = (0..len as u32)
                .map(|i| i.wrapping_mul(2_654_435_761).rotate_left(7) & mask)
                .collect();
            let mut want = l.clone();
            want.sort_unstable();
            radix_sort_ids(&mut l, bits, &mut scratch);
            assert_eq!(l, want, "{len} ids of {bits} bits");
        }
    }

    /// The eight-byte id reader agrees with the byte-at-a-time one wherever it answers, and
    /// declines ids of 8 or more digits, short tails and bytes next to the digits' range.
    #[test]
    fn id8_at_reads_what_id_at_reads() {
        let tails: [&[u8]; 9] = [b" ", b"\t", b",", b"\n", b"/", b":", b"\xff", b"a", b"\r"];
        for digits in 0..=9usize {
            for tail in tails {
                let mut text: Vec<u8> = (0..digits)
                    .map(|d| b'0' + ((d * 7 + 3) % 10) as u8)
                    .collect();
                text.extend_from_slice(tail);
                text.extend_from_slice(b"12345678");
                let fast = id8_at(&text, 0);
                if (1..=7).contains(&digits) {
                    assert_eq!(
                        fast,
                        id_at(&text, 0),
                        "{:?}",
                        String::from_utf8_lossy(&text)
                    );
                    assert_eq!(fast.unwrap().1, digits);
                } else {
                    assert_eq!(fast, None, "{digits} digits");
                }
            }
        }
        assert_eq!(id8_at(b"0000042 ", 0), Some((42, 7)));
        assert_eq!(id8_at(b"9999999\n", 0), Some((9_999_999, 7)));
        assert_eq!(id8_at(b"12 3", 0), None, "fewer than eight bytes left");
    }

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
        // Weighted in its last line only: every range before it has no weights at all.
        let late = dir.path().join("late.el");
        std::fs::write(&late, format!("{text}\n7 11 0.5\n")).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(7)
            .build()
            .unwrap();
        for p in [&plain, &weighted, &late] {
            let serial = read_edge_list_from(
                std::io::BufReader::new(std::fs::File::open(p).unwrap()),
                p,
                None,
            )
            .unwrap();
            let full = Csr::from_edges(&serial).unwrap();
            let par = pool.install(|| read_pull_graph(p, None)).unwrap();
            assert_eq!((par.n(), par.m()), (full.n(), full.m()));
            assert_eq!(par.is_weighted(), p != &plain);
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
            // Destinations packed above the sources while placing (blocks of at most 1,024
            // nodes at 2 M nodes) or in their own array (blocks of up to 65,536): one graph.
            if p == &late {
                continue;
            }
            let big = Some(1 << 21);
            assert_eq!(packed_bits(1 << 21), 10);
            let packed = pool.install(|| read_ordered(p, big, NodeOrder::Degree, true));
            let apart = pool.install(|| read_ordered(p, big, NodeOrder::Degree, false));
            let (packed, apart) = (packed.unwrap(), apart.unwrap());
            assert_eq!(packed.original, apart.original);
            let (a, b) = (packed.graph.in_adj(), apart.graph.in_adj());
            assert_eq!(a.offsets(), b.offsets());
            assert_eq!(a.targets(), b.targets());
            assert_eq!(a.weights(), b.weights());
            let (known, extra): (Vec<_>, Vec<_>) =
                sorted(lists(&packed.graph, packed.original.as_deref()))
                    .into_iter()
                    .partition(|(v, _, _)| *v < full.n());
            assert!(known == sorted(lists(&full, None)), "the lists differ");
            assert!(extra.iter().all(|(_, s, _)| s.is_empty()));
            assert_eq!(extra.len(), (1 << 21) - full.n() as usize);
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

    /// Files with fewer bytes than ranges (most ranges empty, a line cut into several), read
    /// on several threads: the same graph as the serial reader, in both orders, and a bad line
    /// reported at its file line.
    #[test]
    fn tiny_files_cut_into_more_ranges_than_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.el");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(5)
            .build()
            .unwrap();
        let texts: [&str; 8] = [
            "0 1",
            "0 1\n",
            "\n\n0 1\r\n\n",
            "# only a comment",
            "% c\n3 2\n2 3\n\n1 0",
            "12345678 1\n1 12345678\r\n",
            "1,2\n2\t1 0.5\n",
            "",
        ];
        for text in texts {
            std::fs::write(&p, text).unwrap();
            let serial = read_edge_list_from(text.as_bytes(), &p, None).unwrap();
            let full = Csr::from_edges(&serial).unwrap();
            let par = pool.install(|| read_pull_graph(&p, None)).unwrap();
            assert_eq!(lists(&par, None), lists(&full, None), "{text:?}");
            let el = pool.install(|| read_edge_list(&p, None)).unwrap();
            assert_eq!((el.src, el.dst), (serial.src.clone(), serial.dst.clone()));
            let lab = pool
                .install(|| read_pull_graph_ordered(&p, None, NodeOrder::Degree))
                .unwrap();
            assert_eq!((lab.graph.n(), lab.graph.m()), (full.n(), full.m()));
            for v in 0..lab.graph.n() {
                let o = lab.original.as_ref().unwrap()[v as usize];
                assert_eq!(lab.graph.in_degree(v), full.in_degree(o), "{text:?}");
                assert_eq!(lab.graph.out_degree(v), full.out_degree(o), "{text:?}");
            }
        }
        std::fs::write(&p, "0 1\n\n# c\n1 2\n2 -3\n").unwrap();
        let e = pool
            .install(|| read_pull_graph(&p, None))
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.el:5:"), "{e}");
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

//! Repository CAR files: CARv1 framing, DAG-CBOR blocks, the Merkle search tree walked from the commit.

use super::*;

pub(super) fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("varint longer than 64 bits".into())
}

/// The length of the CID at the start of `buf` (CIDv0 or CIDv1).
pub(super) fn cid_len(buf: &[u8]) -> Result<usize, String> {
    if buf.starts_with(&[0x12, 0x20]) {
        return if buf.len() >= 34 {
            Ok(34)
        } else {
            Err("truncated CID".into())
        };
    }
    let mut pos = 0;
    let version = varint(buf, &mut pos)?;
    if version != 1 {
        return Err(format!("CID version {version}"));
    }
    varint(buf, &mut pos)?; // codec
    varint(buf, &mut pos)?; // multihash function
    let len = varint(buf, &mut pos)? as usize;
    let end = pos.checked_add(len).ok_or("CID digest length overflows")?;
    if end > buf.len() {
        return Err("truncated CID".into());
    }
    Ok(end)
}

/// A DAG-CBOR link (tag 42: a zero byte, then the CID).
pub(super) fn link(v: &Value) -> Option<&[u8]> {
    match v {
        Value::Tag(42, inner) => match inner.as_ref() {
            Value::Bytes(b) => b.strip_prefix(&[0]),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn field<'v>(map: &'v Value, key: &str) -> Option<&'v Value> {
    match map {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
            .map(|(_, v)| v),
        _ => None,
    }
}

pub(super) struct Car<'a> {
    pub(super) roots: Vec<Vec<u8>>,
    pub(super) blocks: HashMap<&'a [u8], &'a [u8]>,
}

pub(super) fn parse_car(bytes: &[u8]) -> Result<Car<'_>, String> {
    let mut pos = 0;
    let header_len = varint(bytes, &mut pos)? as usize;
    let header_end = pos
        .checked_add(header_len)
        .filter(|&e| e <= bytes.len())
        .ok_or("truncated CAR header")?;
    let header: Value =
        ciborium::from_reader(&bytes[pos..header_end]).map_err(|e| format!("CAR header: {e}"))?;
    match field(&header, "version") {
        Some(Value::Integer(v)) if i128::from(*v) == 1 => {}
        _ => return Err("not a CARv1 file (header version is not 1)".into()),
    }
    let roots = match field(&header, "roots") {
        Some(Value::Array(a)) => a.iter().filter_map(link).map(<[u8]>::to_vec).collect(),
        _ => Vec::new(),
    };
    pos = header_end;
    let mut blocks = HashMap::new();
    while pos < bytes.len() {
        let len = varint(bytes, &mut pos)? as usize;
        let end = pos
            .checked_add(len)
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| format!("block at byte {pos} runs past the end of the file"))?;
        let block = &bytes[pos..end];
        let cl = cid_len(block)?;
        blocks.insert(&block[..cl], &block[cl..]);
        pos = end;
    }
    Ok(Car { roots, blocks })
}

pub(super) const MAX_MST_DEPTH: usize = 128;

/// Every (key, record CID) of the Merkle search tree rooted at `node`, in key order.
pub(super) fn walk_mst(
    car: &Car<'_>,
    node: &[u8],
    seen: &mut HashSet<Vec<u8>>,
    out: &mut Vec<(String, Vec<u8>)>,
    missing: &mut u64,
    depth: usize,
) -> Result<(), String> {
    // Real trees are a few levels deep; a crafted chain must not exhaust the stack.
    if depth > MAX_MST_DEPTH {
        return Err(format!("MST deeper than {MAX_MST_DEPTH} levels"));
    }
    if !seen.insert(node.to_vec()) {
        return Ok(());
    }
    let Some(bytes) = car.blocks.get(node) else {
        *missing += 1; // partial CARs (diffs) leave subtrees out
        return Ok(());
    };
    let v: Value = ciborium::from_reader(*bytes).map_err(|e| format!("MST node: {e}"))?;
    if let Some(l) = field(&v, "l").and_then(link) {
        walk_mst(car, l, seen, out, missing, depth + 1)?;
    }
    let mut key: Vec<u8> = Vec::new();
    if let Some(Value::Array(entries)) = field(&v, "e") {
        for e in entries {
            let p = match field(e, "p") {
                Some(Value::Integer(i)) => {
                    usize::try_from(i128::from(*i)).map_err(|_| "bad MST prefix")?
                }
                _ => return Err("MST entry without a prefix length".into()),
            };
            let Some(Value::Bytes(k)) = field(e, "k") else {
                return Err("MST entry without a key".into());
            };
            if p > key.len() {
                return Err("MST prefix longer than the previous key".into());
            }
            key.truncate(p);
            key.extend_from_slice(k);
            let value = field(e, "v")
                .and_then(link)
                .ok_or("MST entry without a value link")?;
            out.push((String::from_utf8_lossy(&key).into_owned(), value.to_vec()));
            if let Some(t) = field(e, "t").and_then(link) {
                walk_mst(car, t, seen, out, missing, depth + 1)?;
            }
        }
    }
    Ok(())
}

pub(super) fn read_car(bytes: &[u8], sink: &mut dyn Sink) -> Result<(), ReadError> {
    let car = parse_car(bytes).map_err(ReadError::Format)?;
    let root = car
        .roots
        .first()
        .ok_or_else(|| ReadError::Format("CAR without a root".into()))?;
    let commit_bytes = car
        .blocks
        .get(root.as_slice())
        .ok_or_else(|| ReadError::Format("the root commit block is missing".into()))?;
    let commit: Value = ciborium::from_reader(*commit_bytes)
        .map_err(|e| ReadError::Format(format!("commit block: {e}")))?;
    let did = match field(&commit, "did") {
        Some(Value::Text(d)) => d.clone(),
        _ => {
            return Err(ReadError::Format(
                "the root is not a repository commit (no did)".into(),
            ))
        }
    };
    let data = field(&commit, "data")
        .and_then(link)
        .ok_or_else(|| ReadError::Format("commit without a data link".into()))?;
    let mut entries = Vec::new();
    let mut missing = 0;
    walk_mst(
        &car,
        data,
        &mut HashSet::new(),
        &mut entries,
        &mut missing,
        0,
    )
    .map_err(ReadError::Format)?;
    if missing > 0 {
        sink.warn(format!(
            "{missing} tree nodes are not in the file (a partial CAR); their records are not read"
        ));
    }
    let mut skipped = Skipped::default();
    let mut out = Vec::new();
    for (i, (key, cid)) in entries.iter().enumerate() {
        let no = i as u64 + 1;
        let result = (|| {
            let (collection, rkey) = key
                .split_once('/')
                .ok_or("record key is not collection/rkey")?;
            let block = car
                .blocks
                .get(cid.as_slice())
                .ok_or("record block missing")?;
            let rec: BskyRecord =
                ciborium::from_reader(*block).map_err(|e| format!("bad DAG-CBOR: {e}"))?;
            if !record_events(&did, collection, rkey, &rec, None, &mut out)? {
                *skipped.0.entry(collection.to_string()).or_default() += 1;
            }
            Ok::<(), String>(())
        })();
        match result {
            Ok(()) => {
                for r in out.drain(..) {
                    sink.record(no, r)?;
                }
            }
            Err(reason) => {
                out.clear();
                sink.reject(no, format!("record {no} ({key}): {reason}"))?;
            }
        }
    }
    skipped.report(sink);
    Ok(())
}

pub(super) fn looks_like_car(head: &[u8]) -> bool {
    let mut pos = 0;
    let Ok(len) = varint(head, &mut pos) else {
        return false;
    };
    let end = pos.saturating_add(len as usize).min(head.len());
    let h = &head[pos..end];
    (1..200).contains(&len)
        && memchr::memmem::find(h, b"roots").is_some()
        && memchr::memmem::find(h, b"version").is_some()
}

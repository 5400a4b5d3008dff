//! Events are stored in column blocks: one `event_blocks` row per write batch, its columns packed
//! in one blob. A row per event cost SQLite about a microsecond each (statement execution,
//! binding, B-tree insert), which bounded ingest at well under a million events per second; a
//! block is one B-tree insert of a few megabytes, and reading it back is a sequential decode.
//!
//! A block holds the events with ids `first..first + count` (ids are dense within a block: the
//! resolver numbers the events of a batch consecutively). Blob layout, all little-endian:
//!
//! ```text
//! magic "RNB1" | count u32 | flags u32 (bit 0: targets, 1: items, 2: parents, 3: times present)
//! keys   count × u64        (event identities)
//! [times count × i64]       (i64::MIN: no time)
//! kinds  count × u8         (Kind::code)
//! actors count × u32        (account id, from 1)
//! [targets count × u32]     (account id; 0: no target)
//! [items]  count × u32 lengths (u32::MAX: none), then the UTF-8 bytes
//! [parents] the same
//! ```
//!
//! Optional columns are left out when no event of the block has them (a follow graph has no
//! items). Anything that does not parse is reported as corruption, never a panic.
//!
//! New accounts are stored the same way, one `account_blocks` row per batch that brings any
//! (a Higgs ingest brings 300,000): accounts `first..first + count`,
//!
//! ```text
//! magic "RNA1" | count u32 | flags u32 (bit 0: handles present)
//! platforms  count × u32    (platforms.id)
//! native ids count × u32 lengths, then the UTF-8 bytes
//! [handles]  the same (u32::MAX: none)
//! ```

use renown_model::Kind;

const MAGIC: &[u8; 4] = b"RNB1";
const HAS_TARGETS: u32 = 1;
const HAS_ITEMS: u32 = 2;
const HAS_PARENTS: u32 = 4;
const HAS_TIMES: u32 = 8;
/// Stands for "no time" in the time column.
const NO_TIME: i64 = i64::MIN;
const NO_STRING: u32 = u32::MAX;

/// One event as it goes into a block.
pub(crate) struct BlockEvent<'a> {
    pub key: u64,
    pub time: Option<i64>,
    pub kind: Kind,
    /// Account id (from 1).
    pub actor: i64,
    pub target: Option<i64>,
    pub item: Option<&'a str>,
    pub parent: Option<&'a str>,
}

/// A string column being built: lengths, then bytes.
#[derive(Default)]
struct StringColumn {
    lengths: Vec<u32>,
    bytes: Vec<u8>,
    any: bool,
}

impl StringColumn {
    fn push(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.any = true;
                self.lengths.push(s.len() as u32);
                self.bytes.extend_from_slice(s.as_bytes());
            }
            None => self.lengths.push(NO_STRING),
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        for l in &self.lengths {
            out.extend_from_slice(&l.to_le_bytes());
        }
        out.extend_from_slice(&self.bytes);
    }
}

/// Builds one block's blob and the summary columns stored beside it.
#[derive(Default)]
pub(crate) struct BlockBuilder {
    keys: Vec<u64>,
    times: Vec<i64>,
    kinds: Vec<u8>,
    actors: Vec<u32>,
    targets: Vec<u32>,
    any_target: bool,
    items: StringColumn,
    parents: StringColumn,
    /// Bit `Kind::code` set for every kind present.
    pub kind_mask: i64,
    pub min_time: Option<i64>,
    pub max_time: Option<i64>,
}

impl BlockBuilder {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Adds an event; account ids must fit in 32 bits (dense ids are u32 everywhere).
    pub fn push(&mut self, e: &BlockEvent<'_>) -> Result<(), String> {
        let account = |id: i64| {
            u32::try_from(id)
                .ok()
                .filter(|&v| v != 0)
                .ok_or_else(|| format!("account id {id} does not fit a block"))
        };
        if e.item.is_some_and(|s| s.len() >= NO_STRING as usize)
            || e.parent.is_some_and(|s| s.len() >= NO_STRING as usize)
        {
            return Err("an item id longer than 4 GiB".into());
        }
        let actor = account(e.actor)?;
        let target = e.target.map(account).transpose()?;
        self.keys.push(e.key);
        // i64::MIN is no real instant (readers reject times that far out), so it can mean none.
        self.times.push(e.time.unwrap_or(NO_TIME));
        if let Some(t) = e.time {
            self.min_time = Some(self.min_time.map_or(t, |m| m.min(t)));
            self.max_time = Some(self.max_time.map_or(t, |m| m.max(t)));
        }
        self.kinds.push(e.kind.code());
        self.kind_mask |= 1 << e.kind.code();
        self.actors.push(actor);
        self.targets.push(target.unwrap_or(0));
        self.any_target |= target.is_some();
        self.items.push(e.item);
        self.parents.push(e.parent);
        Ok(())
    }

    /// The blob, into `out` (cleared first).
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.clear();
        let n = self.keys.len();
        let flag = |present: bool, bit: u32| if present { bit } else { 0 };
        let flags = flag(self.min_time.is_some(), HAS_TIMES)
            | flag(self.any_target, HAS_TARGETS)
            | flag(self.items.any, HAS_ITEMS)
            | flag(self.parents.any, HAS_PARENTS);
        out.reserve(n * 33 + self.items.bytes.len() + self.parents.bytes.len() + 12);
        encode_header(out, MAGIC, n, flags);
        for k in &self.keys {
            out.extend_from_slice(&k.to_le_bytes());
        }
        if self.min_time.is_some() {
            for t in &self.times {
                out.extend_from_slice(&t.to_le_bytes());
            }
        }
        out.extend_from_slice(&self.kinds);
        for a in &self.actors {
            out.extend_from_slice(&a.to_le_bytes());
        }
        if self.any_target {
            for t in &self.targets {
                out.extend_from_slice(&t.to_le_bytes());
            }
        }
        if self.items.any {
            self.items.encode(out);
        }
        if self.parents.any {
            self.parents.encode(out);
        }
    }
}

/// A string column inside a blob.
#[derive(Clone, Copy)]
struct Strings<'a> {
    lengths: &'a [u8],
    bytes: &'a [u8],
}

/// The header shared by both kinds of block: magic, count (checked against the row's), flags.
fn header(rest: &mut &[u8], magic: &[u8; 4], count: usize) -> Result<u32, String> {
    if take(rest, 4, "header")? != magic {
        return Err("block has an unknown format".into());
    }
    let n = u32::from_le_bytes(take(rest, 4, "header")?.try_into().expect("4")) as usize;
    if n != count {
        return Err(format!("block holds {n} entries, its row says {count}"));
    }
    Ok(u32::from_le_bytes(
        take(rest, 4, "header")?.try_into().expect("4"),
    ))
}

fn encode_header(out: &mut Vec<u8>, magic: &[u8; 4], count: usize, flags: u32) {
    out.extend_from_slice(magic);
    out.extend_from_slice(&(count as u32).to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
}

/// A parsed, validated view of one block's blob; accessors never read out of bounds.
pub(crate) struct BlockView<'a> {
    count: usize,
    keys: &'a [u8],
    times: Option<&'a [u8]>,
    kinds: &'a [u8],
    actors: &'a [u8],
    targets: Option<&'a [u8]>,
    items: Option<Strings<'a>>,
    parents: Option<Strings<'a>>,
}

fn take<'a>(rest: &mut &'a [u8], len: usize, what: &str) -> Result<&'a [u8], String> {
    if rest.len() < len {
        return Err(format!("event block ends inside its {what}"));
    }
    let (head, tail) = rest.split_at(len);
    *rest = tail;
    Ok(head)
}

fn u32_at(bytes: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(bytes[i * 4..i * 4 + 4].try_into().expect("4 bytes"))
}

fn u64_at(bytes: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().expect("8 bytes"))
}

fn at_end(rest: &[u8]) -> Result<(), String> {
    match rest.len() {
        0 => Ok(()),
        extra => Err(format!("block has {extra} bytes after its columns")),
    }
}

fn strings<'a>(rest: &mut &'a [u8], n: usize, what: &str) -> Result<Strings<'a>, String> {
    let lengths = take(rest, n * 4, what)?;
    let total: u64 = (0..n)
        .map(|i| u32_at(lengths, i))
        .filter(|&l| l != NO_STRING)
        .map(u64::from)
        .sum();
    let bytes = take(rest, total as usize, what)?;
    Ok(Strings { lengths, bytes })
}

impl<'a> BlockView<'a> {
    /// Parses `blob`, which must hold `count` events.
    pub fn parse(blob: &'a [u8], count: usize) -> Result<BlockView<'a>, String> {
        let mut rest = blob;
        let flags = header(&mut rest, MAGIC, count)?;
        let n = count;
        let keys = take(&mut rest, n * 8, "keys")?;
        let times = (flags & HAS_TIMES != 0)
            .then(|| take(&mut rest, n * 8, "times"))
            .transpose()?;
        let kinds = take(&mut rest, n, "kinds")?;
        let actors = take(&mut rest, n * 4, "actors")?;
        let targets = (flags & HAS_TARGETS != 0)
            .then(|| take(&mut rest, n * 4, "targets"))
            .transpose()?;
        let items = (flags & HAS_ITEMS != 0)
            .then(|| strings(&mut rest, n, "items"))
            .transpose()?;
        let parents = (flags & HAS_PARENTS != 0)
            .then(|| strings(&mut rest, n, "parents"))
            .transpose()?;
        at_end(rest)?;
        if let Some(code) = kinds.iter().find(|&&c| Kind::from_code(c).is_none()) {
            return Err(format!("event kind code {code} is unknown"));
        }
        if (0..n).any(|i| u32_at(actors, i) == 0) {
            return Err("an event without an actor".into());
        }
        Ok(BlockView {
            count: n,
            keys,
            times,
            kinds,
            actors,
            targets,
            items,
            parents,
        })
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn key(&self, i: usize) -> u64 {
        u64_at(self.keys, i)
    }

    pub fn time(&self, i: usize) -> Option<i64> {
        self.times
            .map(|t| u64_at(t, i) as i64)
            .filter(|&t| t != NO_TIME)
    }

    pub fn kind(&self, i: usize) -> Kind {
        Kind::from_code(self.kinds[i]).expect("validated in parse")
    }

    /// Account id (from 1) of the actor.
    pub fn actor(&self, i: usize) -> u32 {
        u32_at(self.actors, i)
    }

    pub fn target(&self, i: usize) -> Option<u32> {
        self.targets.map(|t| u32_at(t, i)).filter(|&t| t != 0)
    }

    /// Items in order (`None` for events without one).
    pub fn items(&self) -> StringIter<'a> {
        StringIter::new(self.items, self.count)
    }

    pub fn parents(&self) -> StringIter<'a> {
        StringIter::new(self.parents, self.count)
    }
}

/// A string column read front to back.
pub(crate) struct StringIter<'a> {
    column: Option<Strings<'a>>,
    count: usize,
    next: usize,
    offset: usize,
}

impl<'a> StringIter<'a> {
    fn new(column: Option<Strings<'a>>, count: usize) -> Self {
        StringIter {
            column,
            count,
            next: 0,
            offset: 0,
        }
    }
}

impl<'a> Iterator for StringIter<'a> {
    type Item = Result<Option<&'a str>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == self.count {
            return None;
        }
        Some(self.take_next())
    }
}

impl<'a> StringIter<'a> {
    fn take_next(&mut self) -> Result<Option<&'a str>, String> {
        let i = self.next;
        self.next += 1;
        let Some(c) = self.column else {
            return Ok(None);
        };
        let len = u32_at(c.lengths, i);
        if len == NO_STRING {
            return Ok(None);
        }
        // In bounds: parse checked that the lengths sum to the bytes' size.
        let bytes = &c.bytes[self.offset..self.offset + len as usize];
        self.offset += len as usize;
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| "a string in a block is not UTF-8".to_string())
    }
}

const ACCOUNT_MAGIC: &[u8; 4] = b"RNA1";
const HAS_HANDLES: u32 = 1;

/// Builds one block of new accounts.
#[derive(Default)]
pub(crate) struct AccountBlockBuilder {
    platforms: Vec<u32>,
    native_ids: StringColumn,
    handles: StringColumn,
}

impl AccountBlockBuilder {
    pub fn len(&self) -> usize {
        self.platforms.len()
    }

    pub fn push(
        &mut self,
        platform: i64,
        native_id: &str,
        handle: Option<&str>,
    ) -> Result<(), String> {
        let platform = u32::try_from(platform).map_err(|_| format!("platform id {platform}"))?;
        if native_id.len() >= NO_STRING as usize
            || handle.is_some_and(|h| h.len() >= NO_STRING as usize)
        {
            return Err("an account id or handle longer than 4 GiB".into());
        }
        self.platforms.push(platform);
        self.native_ids.push(Some(native_id));
        self.handles.push(handle);
        Ok(())
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.clear();
        let flags = if self.handles.any { HAS_HANDLES } else { 0 };
        encode_header(out, ACCOUNT_MAGIC, self.len(), flags);
        for p in &self.platforms {
            out.extend_from_slice(&p.to_le_bytes());
        }
        self.native_ids.encode(out);
        if self.handles.any {
            self.handles.encode(out);
        }
    }
}

/// A parsed, validated view of one account block.
pub(crate) struct AccountBlockView<'a> {
    count: usize,
    platforms: &'a [u8],
    native_ids: Strings<'a>,
    handles: Option<Strings<'a>>,
}

impl<'a> AccountBlockView<'a> {
    pub fn parse(blob: &'a [u8], count: usize) -> Result<AccountBlockView<'a>, String> {
        let mut rest = blob;
        let flags = header(&mut rest, ACCOUNT_MAGIC, count)?;
        let platforms = take(&mut rest, count * 4, "platforms")?;
        let native_ids = strings(&mut rest, count, "native ids")?;
        let handles = (flags & HAS_HANDLES != 0)
            .then(|| strings(&mut rest, count, "handles"))
            .transpose()?;
        at_end(rest)?;
        Ok(AccountBlockView {
            count,
            platforms,
            native_ids,
            handles,
        })
    }

    pub fn platform(&self, i: usize) -> i64 {
        u32_at(self.platforms, i) as i64
    }

    /// Native ids in order.
    pub fn native_ids(&self) -> StringIter<'a> {
        StringIter::new(Some(self.native_ids), self.count)
    }

    pub fn handles(&self) -> StringIter<'a> {
        StringIter::new(self.handles, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BlockBuilder {
        let mut b = BlockBuilder::default();
        let events = [
            (1u64, Some(100), Kind::Post, 1, None, Some("at://a/1"), None),
            (2, None, Kind::Follow, 2, Some(1), None, None),
            (
                3,
                Some(-5),
                Kind::Reply,
                3,
                Some(2),
                Some(""),
                Some("at://a/1"),
            ),
        ];
        for (key, time, kind, actor, target, item, parent) in events {
            b.push(&BlockEvent {
                key,
                time,
                kind,
                actor,
                target,
                item,
                parent,
            })
            .unwrap();
        }
        b
    }

    #[test]
    fn a_block_reads_back_what_was_written() {
        let b = sample();
        assert_eq!((b.min_time, b.max_time), (Some(-5), Some(100)));
        let mut blob = Vec::new();
        b.encode(&mut blob);
        let v = BlockView::parse(&blob, 3).unwrap();
        assert_eq!((0..3).map(|i| v.key(i)).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(
            (0..3).map(|i| v.time(i)).collect::<Vec<_>>(),
            [Some(100), None, Some(-5)]
        );
        assert_eq!(v.kind(1), Kind::Follow);
        assert_eq!((v.actor(2), v.target(0), v.target(2)), (3, None, Some(2)));
        let items: Vec<_> = v.items().map(Result::unwrap).collect();
        assert_eq!(items, [Some("at://a/1"), None, Some("")]);
        let parents: Vec<_> = v.parents().map(Result::unwrap).collect();
        assert_eq!(parents, [None, None, Some("at://a/1")]);
    }

    #[test]
    fn absent_columns_are_left_out() {
        let mut b = BlockBuilder::default();
        for key in 0..10 {
            let e = BlockEvent {
                key,
                time: None,
                kind: Kind::Follow,
                actor: 1,
                target: None,
                item: None,
                parent: None,
            };
            b.push(&e).unwrap();
        }
        let mut blob = Vec::new();
        b.encode(&mut blob);
        assert_eq!(blob.len(), 12 + 10 * (8 + 1 + 4));
        assert_eq!(BlockView::parse(&blob, 10).unwrap().time(3), None);
        let v = BlockView::parse(&blob, 10).unwrap();
        assert_eq!(v.target(9), None);
        assert!(v.items().all(|s| s == Ok(None)));
    }

    #[test]
    fn an_account_block_reads_back_and_refuses_damage() {
        let mut b = AccountBlockBuilder::default();
        b.push(1, "12", None).unwrap();
        b.push(2, "did:plc:x", Some("x.bsky.social")).unwrap();
        let mut blob = Vec::new();
        b.encode(&mut blob);
        let v = AccountBlockView::parse(&blob, 2).unwrap();
        assert_eq!((v.platform(0), v.platform(1)), (1, 2));
        let ids: Vec<_> = v.native_ids().map(Result::unwrap).collect();
        assert_eq!(ids, [Some("12"), Some("did:plc:x")]);
        let handles: Vec<_> = v.handles().map(Result::unwrap).collect();
        assert_eq!(handles, [None, Some("x.bsky.social")]);
        for cut in 0..blob.len() {
            assert!(
                AccountBlockView::parse(&blob[..cut], 2).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn damaged_blobs_are_errors_not_panics() {
        let mut blob = Vec::new();
        sample().encode(&mut blob);
        for cut in 0..blob.len() {
            assert!(BlockView::parse(&blob[..cut], 3).is_err(), "cut at {cut}");
        }
        assert!(BlockView::parse(&blob, 4).is_err(), "wrong count");
        assert!(
            AccountBlockView::parse(&blob, 3).is_err(),
            "another kind of block"
        );
        let mut longer = blob.clone();
        longer.push(0);
        assert!(BlockView::parse(&longer, 3).is_err(), "trailing bytes");
        let mut bad_kind = blob.clone();
        bad_kind[12 + 3 * 16] = 200; // past keys and times
        assert!(BlockView::parse(&bad_kind, 3).is_err(), "unknown kind");
        // A flipped byte anywhere else either parses (a value changed) or errors; reading every
        // field of what parses must not panic.
        for at in 0..blob.len() {
            let mut b = blob.clone();
            b[at] ^= 0xff;
            if let Ok(v) = BlockView::parse(&b, 3) {
                for i in 0..v.len() {
                    let _ = (v.key(i), v.time(i), v.kind(i), v.actor(i), v.target(i));
                }
                let _ = v.items().chain(v.parents()).collect::<Vec<_>>();
            }
        }
        let mut bad_utf8 = blob.clone();
        let at = bad_utf8.len() - 1;
        bad_utf8[at] = 0xff;
        let v = BlockView::parse(&bad_utf8, 3).unwrap();
        assert!(v.parents().any(|s| s.is_err()));
    }
}

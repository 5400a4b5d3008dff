//! Which shard and which worker an account belongs to.
//!
//! An account's key is the 64-bit xxh3 hash (seed 0, the XXH3_64bits of the xxHash
//! specification) of `platform:native_id` in UTF-8 — the account's name as `renown` prints it
//! when it has no handle. The hash is specified and stable across builds, machines and Rust
//! versions (unlike `std`'s randomly seeded `DefaultHasher`), so `renown ingest --shard` on one
//! machine and `renown cluster` on another agree on where every account lives.
//!
//! The partition key of an event is its *target* (the account followed, reshared, replied to…),
//! or its actor when it has none: every measure ranks accounts by what they receive, so all the
//! events that decide one account's followers, engagement and in-edges sit on one shard, and
//! each worker's aggregation is local.

use renown_model::Record;
use xxhash_rust::xxh3::xxh3_64;

/// The stable key of the account `platform:native_id`.
pub fn account_key(platform: &str, native_id: &str) -> u64 {
    let mut name = Vec::with_capacity(platform.len() + 1 + native_id.len());
    name.extend_from_slice(platform.as_bytes());
    name.push(b':');
    name.extend_from_slice(native_id.as_bytes());
    xxh3_64(&name)
}

/// A second 64-bit hash of `platform:native_id`, independent of [`account_key`] (xxh3 with
/// another seed): two accounts with one key and one check are what 2^-128 allows. The readers
/// compute both at once ([`account_key_and_check`]); this is its definition, for the tests.
#[cfg(test)]
pub(crate) fn account_check(platform: &str, native_id: &str) -> u64 {
    let mut name = Vec::with_capacity(platform.len() + 1 + native_id.len());
    name.extend_from_slice(platform.as_bytes());
    name.push(b':');
    name.extend_from_slice(native_id.as_bytes());
    xxhash_rust::xxh3::xxh3_64_with_seed(&name, CHECK_SEED)
}

/// The seed of [`account_check`].
const CHECK_SEED: u64 = 0x5eed_c4ec_0a11_2d01;

/// [`account_key`] and the account's check — a second 64-bit hash of `platform:native_id`,
/// independent of the key (xxh3 with another seed): two accounts with one key and one check
/// are what 2^-128 allows — at once, the name written
/// into `buf` (reused from account to account: no allocation per account).
pub(crate) fn account_key_and_check(
    platform: &str,
    native_id: &str,
    buf: &mut Vec<u8>,
) -> (u64, u64) {
    buf.clear();
    buf.extend_from_slice(platform.as_bytes());
    buf.push(b':');
    buf.extend_from_slice(native_id.as_bytes());
    (
        xxh3_64(buf),
        xxhash_rust::xxh3::xxh3_64_with_seed(buf, CHECK_SEED),
    )
}

/// Shard `i` of `n` for an account key: `key mod n`.
pub fn shard_of(key: u64, shards: u32) -> u32 {
    (key % u64::from(shards.max(1))) as u32
}

/// The key a record is sharded by: an event's target (its actor when it has none), a profile's
/// account; `None` for a deletion, which every shard keeps (it names an event, not an account).
pub fn record_key(record: &Record) -> Option<u64> {
    match record {
        Record::Event(e) => {
            let account = e.target.as_ref().unwrap_or(&e.actor);
            Some(account_key(&e.platform, &account.id))
        }
        Record::Profile(p) => Some(account_key(&p.platform, &p.account.id)),
        Record::Deletion(_) => None,
    }
}

/// Whether shard `shard` of `shards` keeps `record`.
pub fn keeps(record: &Record, shard: u32, shards: u32) -> bool {
    record_key(record).is_none_or(|key| shard_of(key, shards) == shard)
}

/// Where the workers of a cluster (`processes` × `workers`) are, and who owns an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Processes in the cluster.
    pub processes: u32,
    /// Workers per process.
    pub workers: u32,
}

impl Layout {
    /// Workers in the whole cluster (processes × workers).
    pub fn peers(&self) -> u32 {
        self.processes * self.workers
    }

    /// The worker that owns `key`: process `key mod P` (the process that read shard
    /// `key mod P`, so shards ingested with `--shard I/P` exchange nothing between processes),
    /// then worker `(key / P) mod W` inside it.
    pub fn owner(&self, key: u64) -> u32 {
        let p = u64::from(self.processes);
        let w = u64::from(self.workers);
        ((key % p) * w + (key / p) % w) as u32
    }
}

/// Parses `I/N` (shard I of N, 0 ≤ I < N).
pub fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?}: a shard is I/N, such as 0/4"))?;
    let i: u32 = i
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: I in I/N is a number"))?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: N in I/N is a number"))?;
    if n == 0 || i >= n {
        return Err(format!("{s:?}: need 0 ≤ I < N"));
    }
    Ok((i, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_specified_xxh3() {
        // XXH3_64bits("higgs:1"), seed 0: a fixed value, so a change of hash breaks shards.
        assert_eq!(account_key("higgs", "1"), xxh3_64(b"higgs:1"));
        assert_eq!(xxh3_64(b""), 0x2d06_8005_38d3_94c2);
    }

    #[test]
    fn owners_cover_every_worker_and_follow_the_process_shard() {
        let layout = Layout {
            processes: 3,
            workers: 2,
        };
        let mut seen = [0u32; 6];
        for i in 0..6000u64 {
            let key = account_key("t", &i.to_string());
            let owner = layout.owner(key);
            seen[owner as usize] += 1;
            assert_eq!(owner / 2, shard_of(key, 3));
        }
        assert!(seen.iter().all(|&c| c > 800), "{seen:?}");
    }

    #[test]
    fn key_and_check_at_once_are_the_two_hashes() {
        let mut buf = Vec::new();
        for (p, n) in [("higgs", "1"), ("mastodon", "109"), ("", ""), ("t", "ü:x")] {
            assert_eq!(
                account_key_and_check(p, n, &mut buf),
                (account_key(p, n), account_check(p, n))
            );
        }
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(parse_shard("1/4"), Ok((1, 4)));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("0/0").is_err());
        assert!(parse_shard("x").is_err());
    }
}

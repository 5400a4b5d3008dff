//! Accounts: the count, their names and platforms, finding one, their numeric attributes.

use super::*;

impl Store {
    /// Number of accounts; dense ids run `0..account_count()`.
    pub fn account_count(&self) -> Result<u32> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT COALESCE(MAX(id + count - 1), 0) FROM account_blocks",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(n as u32)
    }

    /// Calls `f(account id, platforms.id, native id, handle)` for every account, in id order.
    pub(crate) fn for_each_account(
        &self,
        mut f: impl FnMut(i64, i64, &str, Option<&str>) -> Result<()>,
    ) -> Result<()> {
        let late_handles: rustc_hash::FxHashMap<i64, String> =
            self.id_map("SELECT id, handle FROM account_handles")?;
        self.for_each_blob(
            "SELECT id, count, data FROM account_blocks ORDER BY id",
            [],
            "account",
            |first, count, blob, corrupt| {
                let block = AccountBlockView::parse(blob, count).map_err(corrupt)?;
                for (i, (native, handle)) in block.native_ids().zip(block.handles()).enumerate() {
                    let id = first + i as i64;
                    let handle = match late_handles.get(&id) {
                        Some(h) => Some(h.as_str()),
                        None => handle.map_err(corrupt)?,
                    };
                    f(
                        id,
                        block.platform(i),
                        native.map_err(corrupt)?.unwrap_or(""),
                        handle,
                    )?;
                }
                Ok(())
            },
        )
    }

    /// The rows of `sql` (`SELECT id, value ...`) as a map from id to value.
    pub(super) fn id_map<V: rusqlite::types::FromSql>(
        &self,
        sql: &str,
    ) -> Result<rustc_hash::FxHashMap<i64, V>> {
        let mut st = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let map = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e));
        map
    }

    /// The platform id of every account, indexed by dense account id.
    pub(super) fn account_platforms(&self) -> Result<Vec<i64>> {
        let mut platform_of = Vec::with_capacity(self.account_count()? as usize);
        self.for_each_account(|_, platform, _, _| {
            platform_of.push(platform);
            Ok(())
        })?;
        Ok(platform_of)
    }

    /// Platform names by id.
    pub(super) fn platform_names(&self) -> Result<rustc_hash::FxHashMap<i64, String>> {
        self.id_map("SELECT id, name FROM platforms")
    }

    /// The name of account `id`'s platform, or the store is corrupt.
    fn platform_name<'a>(
        &self,
        platforms: &'a rustc_hash::FxHashMap<i64, String>,
        id: i64,
        platform: i64,
    ) -> Result<&'a str> {
        platforms
            .get(&platform)
            .map(String::as_str)
            .ok_or_else(|| self.corrupt(format!("account {id} is on no known platform {platform}")))
    }

    /// Account `id` as [`Store::accounts`] names it.
    fn account_info(
        &self,
        platforms: &rustc_hash::FxHashMap<i64, String>,
        id: i64,
        platform: i64,
        native: &str,
        handle: Option<&str>,
    ) -> Result<AccountInfo> {
        Ok(AccountInfo {
            dense: dense(id),
            platform: self.platform_name(platforms, id, platform)?.to_string(),
            native_id: native.to_string(),
            handle: handle.map(str::to_string),
        })
    }

    /// Every account, indexed by dense id.
    pub fn accounts(&self) -> Result<Vec<AccountInfo>> {
        let platforms = self.platform_names()?;
        let mut out = Vec::with_capacity(self.account_count()? as usize);
        self.for_each_account(|id, platform, native, handle| {
            if id != out.len() as i64 + 1 {
                return Err(self.corrupt("account ids are not dense".into()));
            }
            out.push(self.account_info(&platforms, id, platform, native, handle)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Calls `f(dense id, platform name, native id)` for every account, in id order, with the
    /// names borrowed from the stored blocks: what a reader that only keys accounts needs,
    /// without a `String` per account ([`Store::accounts`] builds three). Handles are not read.
    pub fn for_each_account_name(&self, mut f: impl FnMut(u32, &str, &str)) -> Result<()> {
        let platforms = self.platform_names()?;
        let mut next = 1i64;
        self.for_each_blob(
            "SELECT id, count, data FROM account_blocks ORDER BY id",
            [],
            "account",
            |first, count, blob, corrupt| {
                let block = AccountBlockView::parse(blob, count).map_err(corrupt)?;
                // The platform of the account before, looked up again only when it changes.
                let mut last: Option<(i64, &str)> = None;
                for (i, native) in block.native_ids().enumerate() {
                    let id = first + i as i64;
                    if id != next {
                        return Err(self.corrupt("account ids are not dense".into()));
                    }
                    next += 1;
                    let platform = block.platform(i);
                    let name = match last {
                        Some((p, name)) if p == platform => name,
                        _ => {
                            let name = self.platform_name(&platforms, id, platform)?;
                            last = Some((platform, name));
                            name
                        }
                    };
                    f(dense(id), name, native.map_err(corrupt)?.unwrap_or(""));
                }
                Ok(())
            },
        )
    }

    /// The accounts with the dense ids `ids` (in any order), as [`Store::accounts`] names
    /// them, in id order; ids beyond the store are left out.
    pub fn accounts_with_ids(&self, ids: &[u32]) -> Result<Vec<AccountInfo>> {
        let mut wanted = ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let platforms = self.platform_names()?;
        let mut out = Vec::with_capacity(wanted.len());
        let mut at = 0;
        self.for_each_account(|id, platform, native, handle| {
            let dense_id = dense(id);
            while at < wanted.len() && wanted[at] < dense_id {
                at += 1;
            }
            if wanted.get(at) != Some(&dense_id) {
                return Ok(());
            }
            out.push(self.account_info(&platforms, id, platform, native, handle)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Finds an account by `platform:native_id` (the native id also with a leading `@`, as
    /// Mastodon writes `@user@instance`), native id, or handle (with or without `@`); the first
    /// (lowest id) match of the first kind that matches.
    pub fn find_account(&self, query: &str) -> Result<u32> {
        let q = query.trim();
        let platforms = self.platform_names()?;
        let qualified = q.split_once(':').and_then(|(platform, native)| {
            let platform = platform.to_lowercase();
            let id = platforms.iter().find(|(_, name)| **name == platform)?.0;
            Some((*id, native))
        });
        let handle = q.trim_start_matches('@');
        let at_handle = format!("@{handle}");
        // Best match so far: (kind rank, id), rank 0 = platform:native, 1 = platform:@native,
        // 2 = native, 3 = handle.
        let mut best: Option<(u8, i64)> = None;
        self.for_each_account(|id, platform, native, h| {
            let rank = if qualified == Some((platform, native)) {
                0
            } else if qualified.is_some_and(|(p, n)| {
                p == platform && n.strip_prefix('@').is_some_and(|n| n == native)
            }) {
                1
            } else if native == q {
                2
            } else if h.is_some_and(|h| h == handle || h == at_handle) {
                3
            } else {
                return Ok(());
            };
            if best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, id));
            }
            Ok(())
        })?;
        match best {
            Some((_, id)) => Ok(dense(id)),
            None => Err(StoreError::UnknownAccount(q.to_string())),
        }
    }

    /// Numeric profile attributes (`followers_count`, ...) of every account that has any.
    pub fn numeric_attributes(&self, key: &str) -> Result<Vec<(u32, f64)>> {
        let mut st = self
            .conn
            .prepare("SELECT account, num FROM account_attrs WHERE key = ?1 AND num IS NOT NULL ORDER BY account")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([key], |r| Ok((dense(r.get(0)?), r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use crate::{AccountInfo, Store};
    use renown_model::{AccountRef, Event, Kind, Profile, Record};

    fn follow(platform: &str, actor: &str, target: &str) -> Record {
        let mut e = Event::new(platform, Kind::Follow, AccountRef::new(actor));
        e.target = Some(AccountRef::new(target));
        Record::Event(e)
    }

    /// Accounts on two platforms written in three batches (three blocks), one with a handle
    /// from the start and one whose handle a later profile teaches.
    fn store(dir: &std::path::Path) -> Store {
        let mut store = Store::open(&dir.join("a.db")).unwrap();
        let run = store.begin_run("x", "test").unwrap();
        let mut handled = Event::new("mastodon", Kind::Follow, AccountRef::new("m1"));
        handled.target = Some(AccountRef::with_handle("m2", Some("@m2".into())));
        store
            .write_batch(
                run,
                &[
                    (1, follow("twitter", "a", "b")),
                    (2, Record::Event(handled)),
                ],
                0,
            )
            .unwrap();
        store
            .write_batch(run, &[(3, follow("twitter", "c", "a"))], 0)
            .unwrap();
        let profile = Record::Profile(Profile {
            platform: "twitter".into(),
            account: AccountRef::with_handle("b", Some("@later".into())),
            ..Default::default()
        });
        store
            .write_batch(run, &[(4, profile), (5, follow("mastodon", "m3", "m1"))], 0)
            .unwrap();
        store
    }

    #[test]
    fn names_borrowed_row_by_row_are_the_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let accounts = store.accounts().unwrap();
        assert_eq!(accounts.len(), 6);
        let mut seen = Vec::new();
        store
            .for_each_account_name(|id, platform, native| {
                seen.push((id, platform.to_string(), native.to_string()))
            })
            .unwrap();
        let expected: Vec<(u32, String, String)> = accounts
            .iter()
            .map(|a| (a.dense, a.platform.clone(), a.native_id.clone()))
            .collect();
        assert_eq!(seen, expected);
        assert!(seen.iter().any(|s| s.1 == "mastodon") && seen.iter().any(|s| s.1 == "twitter"));
    }

    #[test]
    fn accounts_by_id_are_named_as_every_account_is() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let accounts = store.accounts().unwrap();
        let b = accounts.iter().position(|a| a.native_id == "b").unwrap() as u32;
        let m2 = accounts.iter().position(|a| a.native_id == "m2").unwrap() as u32;
        assert_eq!(accounts[b as usize].handle.as_deref(), Some("@later"));
        assert_eq!(accounts[m2 as usize].handle.as_deref(), Some("@m2"));
        let last = accounts.len() as u32 - 1;
        // Any order, repeated, and one beyond the store.
        let got = store.accounts_with_ids(&[last, b, 99, m2, b]).unwrap();
        let mut want: Vec<&AccountInfo> = vec![
            &accounts[b as usize],
            &accounts[m2 as usize],
            &accounts[last as usize],
        ];
        want.sort_by_key(|a| a.dense);
        assert_eq!(got.iter().collect::<Vec<_>>(), want);
        assert!(store.accounts_with_ids(&[]).unwrap().is_empty());
    }

    #[test]
    fn a_qualified_id_may_carry_mastodons_leading_at() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("a.db")).unwrap();
        let run = store.begin_run("x", "test").unwrap();
        let records = [
            (1, follow("mastodon", "ngo@social.example", "b@x.example")),
            (2, follow("twitter", "ngo@social.example", "b@x.example")),
        ];
        store.write_batch(run, &records, 0).unwrap();
        let accounts = store.accounts().unwrap();
        let on = |platform: &str| {
            accounts
                .iter()
                .position(|a| a.platform == platform && a.native_id == "ngo@social.example")
                .unwrap() as u32
        };
        for q in [
            "mastodon:@ngo@social.example",
            "mastodon:ngo@social.example",
        ] {
            assert_eq!(store.find_account(q).unwrap(), on("mastodon"), "{q}");
        }
        assert_eq!(
            store.find_account("twitter:@ngo@social.example").unwrap(),
            on("twitter")
        );
        assert!(store
            .find_account("mastodon:@nobody@social.example")
            .is_err());
    }
}

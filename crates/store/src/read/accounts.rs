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

    /// Every account, indexed by dense id.
    pub fn accounts(&self) -> Result<Vec<AccountInfo>> {
        let platforms = self.platform_names()?;
        let mut out = Vec::with_capacity(self.account_count()? as usize);
        self.for_each_account(|id, platform, native, handle| {
            if id != out.len() as i64 + 1 {
                return Err(self.corrupt("account ids are not dense".into()));
            }
            let platform = platforms.get(&platform).cloned().ok_or_else(|| {
                self.corrupt(format!("account {id} is on no known platform {platform}"))
            })?;
            out.push(AccountInfo {
                dense: dense(id),
                platform,
                native_id: native.to_string(),
                handle: handle.map(str::to_string),
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// Finds an account by `platform:native_id`, native id, or handle (with or without `@`);
    /// the first (lowest id) match of the first kind that matches.
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
        // Best match so far: (kind rank, id), rank 0 = platform:native, 1 = native, 2 = handle.
        let mut best: Option<(u8, i64)> = None;
        self.for_each_account(|id, platform, native, h| {
            let rank = if qualified == Some((platform, native)) {
                0
            } else if native == q {
                1
            } else if h.is_some_and(|h| h == handle || h == at_handle) {
                2
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

//! Identity across platforms: accounts an analyst declares to be one person.
//!
//! Accounts stay platform + native id; a person is a name over a set of accounts, written only
//! from an explicit list (`renown link FILE`). Measures sum over [`Store::person_groups`].
//! Profile links found in exports (Mastodon `rel="me"` fields, profile URLs) are only offered as
//! [`Suggestion`]s: nothing here merges accounts on its own.

use crate::{AccountInfo, Result, Store};
pub use renown_model::url::normalize_url;
use std::collections::HashMap;

const DDL: &str = "
CREATE TABLE IF NOT EXISTS person_links(
    account INTEGER PRIMARY KEY,
    person TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS person_links_by_person ON person_links(person);
";

/// Account attributes with this key prefix are suggested links (the rest of the key is a URL).
pub(crate) const SUGGEST_PREFIX: &str = "suggest_link:";

/// One row of a link file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkRow {
    /// The person's name, as the analyst writes it.
    pub person: String,
    /// The platform of the account linked to them.
    pub platform: String,
    /// A handle (`@x`, `x`, `@x@server`) or the native id.
    pub handle: String,
}

/// What a link file did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkReport {
    /// Accounts linked to a person.
    pub linked: u64,
    /// Accounts that belonged to another person before this file.
    pub moved: u64,
    /// (row index, reason) for rows naming no account in the store.
    pub unknown: Vec<(usize, String)>,
}

/// A link an export suggests, for the analyst to confirm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The account whose profile carries the link.
    pub account: u32,
    /// The URL the profile names.
    pub url: String,
    /// Where the link came from (`profile field "Web" (rel=me)`).
    pub why: String,
    /// Accounts on other platforms that the URL names (their native id or profile URL).
    pub matches: Vec<u32>,
}

impl Store {
    fn prepare_links(&self) -> Result<()> {
        self.conn.execute_batch(DDL).map_err(|e| self.err(e))
    }

    /// The account a link row names: by native id, else by handle (with or without `@`,
    /// case-insensitive), on that platform.
    fn resolve_link(
        &self,
        accounts: &[AccountInfo],
        row: &LinkRow,
    ) -> std::result::Result<u32, String> {
        let platform = row.platform.trim().to_ascii_lowercase();
        let want = row.handle.trim();
        let bare = want.trim_start_matches('@').to_lowercase();
        let on_platform = || accounts.iter().filter(|a| a.platform == platform);
        if on_platform().next().is_none() {
            return Err(format!("no account on platform {platform:?} in the store"));
        }
        if let Some(a) = on_platform().find(|a| a.native_id == want) {
            return Ok(a.dense);
        }
        let hits: Vec<&AccountInfo> = on_platform()
            .filter(|a| {
                a.native_id.to_lowercase() == bare
                    || a.handle
                        .as_deref()
                        .is_some_and(|h| h.trim_start_matches('@').to_lowercase() == bare)
            })
            .collect();
        match hits.as_slice() {
            [one] => Ok(one.dense),
            [] => Err(format!("no {platform} account {want:?} in the store")),
            many => Err(format!(
                "{} {platform} accounts match {want:?}; use the native id",
                many.len()
            )),
        }
    }

    /// Declares the accounts of `rows` to be the persons they name (replacing earlier links of
    /// the same accounts). Rows naming unknown accounts are reported, not guessed.
    pub fn link_accounts(&mut self, rows: &[LinkRow]) -> Result<LinkReport> {
        self.prepare_links()?;
        let accounts = self.accounts()?;
        let mut report = LinkReport::default();
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        for (i, row) in rows.iter().enumerate() {
            let person = row.person.trim();
            if person.is_empty() {
                report.unknown.push((i, "empty person name".into()));
                continue;
            }
            match self.resolve_link(&accounts, row) {
                Ok(dense) => {
                    let id = dense as i64 + 1;
                    let before: Option<String> = tx
                        .query_row(
                            "SELECT person FROM person_links WHERE account = ?1",
                            [id],
                            |r| r.get(0),
                        )
                        .ok();
                    if before.as_deref().is_some_and(|b| b != person) {
                        report.moved += 1;
                    }
                    tx.execute(
                        "INSERT OR REPLACE INTO person_links(account, person) VALUES (?1, ?2)",
                        rusqlite::params![id, person],
                    )
                    .map_err(|e| self.err(e))?;
                    report.linked += 1;
                }
                Err(reason) => report.unknown.push((i, reason)),
            }
        }
        crate::write::bump_generation(&tx).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(report)
    }

    /// Every person with the dense ids of their accounts, by name.
    pub fn persons(&self) -> Result<Vec<(String, Vec<u32>)>> {
        if !self.has_table("person_links")? {
            return Ok(Vec::new());
        }
        let mut st = self
            .conn
            .prepare("SELECT person, account FROM person_links ORDER BY person, account")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut out: Vec<(String, Vec<u32>)> = Vec::new();
        for row in rows {
            let (person, id) = row.map_err(|e| self.err(e))?;
            match out.last_mut() {
                Some((p, ids)) if *p == person => ids.push((id - 1) as u32),
                _ => out.push((person, vec![(id - 1) as u32])),
            }
        }
        Ok(out)
    }

    /// For each dense account id, the id of its group: the smallest dense id among the accounts
    /// linked to the same person, or itself when unlinked. Summing a per-account measure by
    /// group gives the per-person figure.
    pub fn person_groups(&self) -> Result<Vec<u32>> {
        let n = self.account_count()? as usize;
        let mut group: Vec<u32> = (0..n as u32).collect();
        for (_, ids) in self.persons()? {
            if let Some(&leader) = ids.iter().min() {
                for &id in &ids {
                    if (id as usize) < n {
                        group[id as usize] = leader;
                    }
                }
            }
        }
        Ok(group)
    }

    /// Links that exports suggest (profiles' [`renown_model::SuggestedLink`]s), each with the accounts on other
    /// platforms whose native id or `url` attribute is that URL.
    pub fn suggested_links(&self) -> Result<Vec<Suggestion>> {
        let accounts = self.accounts()?;
        // Everything that *is* a URL: native ids that look like sites, and profile `url`s.
        let mut by_url: HashMap<String, Vec<u32>> = HashMap::new();
        for a in &accounts {
            if a.native_id.contains('.') && !a.native_id.contains('@') {
                by_url
                    .entry(normalize_url(&a.native_id))
                    .or_default()
                    .push(a.dense);
            }
        }
        let mut st = self
            .conn
            .prepare("SELECT account, key, text FROM account_attrs WHERE key = 'url' OR key GLOB 'suggest_link:*'")
            .map_err(|e| self.err(e))?;
        let rows: Vec<(i64, String, Option<String>)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        let mut suggestions = Vec::new();
        for (account, key, text) in &rows {
            let dense = (*account - 1) as u32;
            if key == "url" {
                if let Some(u) = text {
                    by_url.entry(normalize_url(u)).or_default().push(dense);
                }
            } else if let Some(url) = key.strip_prefix(SUGGEST_PREFIX) {
                suggestions.push(Suggestion {
                    account: dense,
                    url: url.to_string(),
                    why: text.clone().unwrap_or_default(),
                    matches: Vec::new(),
                });
            }
        }
        let platform = |d: u32| accounts.get(d as usize).map(|a| a.platform.as_str());
        for s in &mut suggestions {
            let mut m: Vec<u32> = by_url
                .get(&normalize_url(&s.url))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&d| d != s.account && platform(d) != platform(s.account))
                .collect();
            m.sort_unstable();
            m.dedup();
            s.matches = m;
        }
        suggestions.sort_by(|a, b| (a.account, &a.url).cmp(&(b.account, &b.url)));
        Ok(suggestions)
    }

    fn has_table(&self, name: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use renown_model::{AccountRef, Event, Kind, Profile, Record, SuggestedLink};

    fn ev(platform: &str, actor: (&str, Option<&str>)) -> Record {
        Record::Event(Event::new(
            platform,
            Kind::Post,
            AccountRef::with_handle(actor.0, actor.1.map(str::to_string)),
        ))
    }

    #[test]
    fn links_group_accounts_and_report_unknowns() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("l.db")).unwrap();
        let run = store.begin_run("x", "test").unwrap();
        let profile = Record::Profile(Profile {
            platform: "mastodon".into(),
            account: AccountRef::new("dan@indieweb.social"),
            suggested_links: vec![SuggestedLink {
                url: "https://daniel.industries".into(),
                why: "profile field \"Web\" (rel=me)".into(),
            }],
            texts: vec![("url".into(), "https://indieweb.social/@dan".into())],
            ..Profile::default()
        });
        store
            .write_batch(
                run,
                &[
                    (1, ev("twitter", ("42", Some("@Dan")))),
                    (
                        2,
                        ev(
                            "mastodon",
                            ("dan@indieweb.social", Some("@dan@indieweb.social")),
                        ),
                    ),
                    (3, ev("twitter", ("43", None))),
                    (4, ev("blog", ("https://www.daniel.industries/", None))),
                    (5, profile),
                ],
                0,
            )
            .unwrap();
        assert_eq!(store.person_groups().unwrap(), [0, 1, 2, 3]);
        let rows = [
            LinkRow {
                person: "Dan".into(),
                platform: "Twitter".into(),
                handle: "@dan".into(),
            },
            LinkRow {
                person: "Dan".into(),
                platform: "mastodon".into(),
                handle: "@dan@indieweb.social".into(),
            },
            LinkRow {
                person: "Dan".into(),
                platform: "twitter".into(),
                handle: "@nobody".into(),
            },
            LinkRow {
                person: "Dan".into(),
                platform: "reddit".into(),
                handle: "dan".into(),
            },
        ];
        let report = store.link_accounts(&rows).unwrap();
        assert_eq!(report.linked, 2);
        assert_eq!(report.unknown.len(), 2);
        assert_eq!(report.unknown[0].0, 2);
        assert!(report.unknown[1]
            .1
            .contains("no account on platform \"reddit\""));
        assert_eq!(store.person_groups().unwrap(), [0, 0, 2, 3]);
        assert_eq!(store.persons().unwrap(), [("Dan".to_string(), vec![0, 1])]);
        // Relinking an account to someone else moves it.
        let again = store
            .link_accounts(&[LinkRow {
                person: "D2".into(),
                platform: "twitter".into(),
                handle: "42".into(),
            }])
            .unwrap();
        assert_eq!((again.linked, again.moved), (1, 1));
        let s = store.suggested_links().unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].account, s[0].url.as_str()),
            (1, "https://daniel.industries")
        );
        assert_eq!(s[0].matches, [3], "the blog account is that URL");
    }

    #[test]
    fn urls_normalize() {
        assert_eq!(normalize_url("https://www.Example.org/a/"), "example.org/a");
        assert_eq!(normalize_url("http://example.org"), "example.org");
    }
}

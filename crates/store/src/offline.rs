//! Offline figures: what an analyst knows of a person or account outside the platforms
//! (revenue, headcount, brand rank, press mentions, pageviews), for `renown gap` to set
//! against earned influence.
//!
//! One row per (subject, measure): the subject is a person linked by `renown link` or an
//! account. The table is created by the first `renown offline`, as `person_links` is by the
//! first `renown link`: a store without it (every store before it existed) reads as having no
//! offline figures, and an older renown opening a store with it ignores it, so the layout
//! version stays as it is.

use crate::{Result, Store};

const DDL: &str = "
CREATE TABLE IF NOT EXISTS offline_values(
    subject TEXT NOT NULL,
    measure TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY(subject, measure)) WITHOUT ROWID;
";

/// Whom an offline figure is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// A person named in `person_links`.
    Person(String),
    /// A dense account id.
    Account(u32),
}

impl Subject {
    fn key(&self) -> String {
        match self {
            Subject::Person(name) => format!("p:{name}"),
            Subject::Account(id) => format!("a:{}", *id as u64 + 1),
        }
    }

    fn parse(key: &str) -> Option<Subject> {
        match key.split_at_checked(2)? {
            ("p:", name) => Some(Subject::Person(name.to_string())),
            ("a:", id) => Some(Subject::Account(id.parse::<u32>().ok()?.checked_sub(1)?)),
            _ => None,
        }
    }
}

/// One figure as a file gives it: the subject as written (a linked person's name, or an
/// account as `renown explain` accepts it), the measure's name and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct OfflineRow {
    /// A linked person's name, or an account as `renown explain` accepts it.
    pub subject: String,
    /// What the figure measures (revenue, headcount, pageviews, …).
    pub measure: String,
    /// The figure.
    pub value: f64,
}

/// One stored figure.
#[derive(Clone, Debug, PartialEq)]
pub struct OfflineValue {
    /// The person or account it is about.
    pub subject: Subject,
    /// What it measures.
    pub measure: String,
    /// The figure.
    pub value: f64,
}

/// What storing a file of offline figures did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfflineReport {
    /// Figures stored (replacing earlier ones of the same subject and measure).
    pub stored: u64,
    /// (row index, reason) for rows naming no person or account, or with a bad value.
    pub unknown: Vec<(usize, String)>,
}

impl Store {
    /// Stores offline figures. A subject is a linked person when a person of that exact name
    /// is linked, else an account; rows naming neither, or with a non-finite value, are reported.
    pub fn set_offline(&mut self, rows: &[OfflineRow]) -> Result<OfflineReport> {
        self.conn.execute_batch(DDL).map_err(|e| self.err(e))?;
        let persons: std::collections::HashSet<String> =
            self.persons()?.into_iter().map(|p| p.0).collect();
        let mut report = OfflineReport::default();
        let mut resolved = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let subject = row.subject.trim();
            let measure = row.measure.trim();
            if measure.is_empty() {
                report.unknown.push((i, "empty measure name".into()));
                continue;
            }
            if !row.value.is_finite() {
                report.unknown.push((i, format!("{measure}: not a number")));
                continue;
            }
            let who = if persons.contains(subject) {
                Subject::Person(subject.to_string())
            } else {
                match self.find_account(subject) {
                    Ok(id) => Subject::Account(id),
                    Err(crate::StoreError::UnknownAccount(_)) => {
                        report
                            .unknown
                            .push((i, format!("no linked person or account {subject:?}")));
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            };
            resolved.push((who, measure.to_string(), row.value));
        }
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        for (who, measure, value) in &resolved {
            tx.execute(
                "INSERT OR REPLACE INTO offline_values(subject, measure, value) VALUES (?1, ?2, ?3)",
                rusqlite::params![who.key(), measure, value],
            )
            .map_err(|e| self.err(e))?;
            report.stored += 1;
        }
        crate::write::bump_generation(&tx).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(report)
    }

    /// Every stored offline figure, by subject and measure (none in a store without the table).
    pub fn offline_values(&self) -> Result<Vec<OfflineValue>> {
        let exists: bool = self
            .conn
            .query_row(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'offline_values'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        if !exists {
            return Ok(Vec::new());
        }
        let mut st = self
            .conn
            .prepare("SELECT subject, measure, value FROM offline_values ORDER BY subject, measure")
            .map_err(|e| self.err(e))?;
        let rows: Vec<(String, String, f64)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(subject, measure, value)| {
                let subject =
                    Subject::parse(&subject).ok_or_else(|| crate::StoreError::Corrupt {
                        path: self.path.display().to_string(),
                        reason: format!("offline value for {subject:?}: not a person or account"),
                    })?;
                Ok(OfflineValue {
                    subject,
                    measure,
                    value,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links::LinkRow;
    use renown_model::{AccountRef, Event, Kind, Record};

    fn post(platform: &str, id: &str) -> Record {
        Record::Event(Event::new(platform, Kind::Post, AccountRef::new(id)))
    }

    #[test]
    fn figures_name_persons_or_accounts_and_replace_earlier_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("o.db")).unwrap();
        let run = store.begin_run("x", "test").unwrap();
        store
            .write_batch(
                run,
                &[
                    (1, post("mastodon", "ana")),
                    (2, post("bluesky", "ana.b")),
                    (3, post("bluesky", "cy")),
                ],
                0,
            )
            .unwrap();
        // A store that never had offline figures (the layout before this table) has none.
        assert_eq!(store.offline_values().unwrap(), []);
        store
            .link_accounts(&[
                LinkRow {
                    person: "Ana".into(),
                    platform: "mastodon".into(),
                    handle: "ana".into(),
                },
                LinkRow {
                    person: "Ana".into(),
                    platform: "bluesky".into(),
                    handle: "ana.b".into(),
                },
            ])
            .unwrap();
        let row = |s: &str, m: &str, v: f64| OfflineRow {
            subject: s.into(),
            measure: m.into(),
            value: v,
        };
        let report = store
            .set_offline(&[
                row("Ana", "revenue", 10.0),
                row("bluesky:cy", "revenue", 2.0),
                row("nobody", "revenue", 1.0),
                row("Ana", "pageviews", f64::NAN),
            ])
            .unwrap();
        assert_eq!(report.stored, 2);
        assert_eq!(
            report.unknown.iter().map(|u| u.0).collect::<Vec<_>>(),
            [2, 3]
        );
        store.set_offline(&[row("Ana", "revenue", 12.0)]).unwrap();
        let values = store.offline_values().unwrap();
        assert_eq!(
            values,
            [
                OfflineValue {
                    subject: Subject::Account(2),
                    measure: "revenue".into(),
                    value: 2.0
                },
                OfflineValue {
                    subject: Subject::Person("Ana".into()),
                    measure: "revenue".into(),
                    value: 12.0
                },
            ]
        );
    }

    #[test]
    fn subject_keys_round_trip() {
        for s in [
            Subject::Person("a:b".into()),
            Subject::Account(0),
            Subject::Account(41),
        ] {
            assert_eq!(Subject::parse(&s.key()), Some(s));
        }
        assert_eq!(Subject::parse("x:1"), None);
        assert_eq!(Subject::parse("a:0"), None);
    }
}

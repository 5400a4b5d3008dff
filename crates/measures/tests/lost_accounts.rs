//! A store whose events name accounts it does not have (a lost account block): every registered
//! measure reports the broken store as an error, none indexes past its arrays and panics.

use renown_measures::{Scope, MEASURES};
use renown_model::{AccountRef, Event, Kind, Record};
use renown_store::{Store, StoreError};

fn ev(kind: Kind, a: &str, b: Option<&str>, t: i64) -> Record {
    let mut e = Event::new("twitter", kind, AccountRef::new(a));
    e.target = b.map(AccountRef::new);
    e.time = Some(t);
    e.item = Some(format!("{a}/{t}"));
    Record::Event(e)
}

#[test]
fn every_measure_reports_events_naming_a_lost_account() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let run = store.begin_run("x", "test").unwrap();
    let t = 1_700_000_000;
    store
        .write_batch(
            run,
            &[
                (1, ev(Kind::Post, "a", None, t)),
                (2, ev(Kind::Follow, "b", Some("a"), t + 1)),
                (3, ev(Kind::Reshare, "b", Some("a"), t + 2)),
            ],
            0,
        )
        .unwrap();
    // The second batch brings account 3 ("c"), who acts on and is acted on by every kind.
    let second: Vec<(u64, Record)> = [
        ev(Kind::Post, "c", None, t + 3),
        ev(Kind::Follow, "c", Some("a"), t + 4),
        ev(Kind::Follow, "a", Some("c"), t + 5),
        ev(Kind::Reshare, "a", Some("c"), t + 6),
        ev(Kind::Quote, "b", Some("c"), t + 7),
        ev(Kind::Reply, "c", Some("a"), t + 8),
        ev(Kind::Mention, "a", Some("c"), t + 9),
        ev(Kind::Like, "b", Some("c"), t + 10),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, r)| (10 + i as u64, r))
    .collect();
    store.write_batch(run, &second, 0).unwrap();
    rusqlite::Connection::open(store.path())
        .unwrap()
        .execute("DELETE FROM account_blocks WHERE id = 3", [])
        .unwrap();
    assert_eq!(store.account_count().unwrap(), 2);
    for m in MEASURES {
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            m.compute(&store, &Scope::default())
        }));
        match got {
            Err(_) => panic!("{} panicked on a store with a lost account", m.name),
            Ok(Ok(scores)) => panic!("{} scored a broken store: {scores:?}", m.name),
            Ok(Err(e)) => assert!(
                matches!(
                    e,
                    renown_measures::MeasureError::Store(StoreError::Corrupt { .. })
                ),
                "{}: {e}",
                m.name
            ),
        }
    }
}

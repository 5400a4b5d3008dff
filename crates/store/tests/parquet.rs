//! The Parquet export read back with the parquet crate's own reader: every field of every event,
//! nulls, empty and non-empty topic lists, handles learned from profiles, row groups.
#![cfg(feature = "parquet")]

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{Field, List};
use renown_model::{AccountRef, Event, Kind, Record};
use renown_store::{EventFilter, Store};

fn store_with(events: &[Event]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let run = store.begin_run("test", "test").unwrap();
    let recs: Vec<(u64, Record)> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (i as u64, Record::Event(e.clone())))
        .collect();
    store.write_batch(run, &recs, 0).unwrap();
    (dir, store)
}

fn events() -> Vec<Event> {
    let mut post = Event::new(
        "mastodon",
        Kind::Post,
        AccountRef::with_handle("1", Some("@ann".into())),
    );
    post.time = Some(1_341_100_800);
    post.item = Some("p1".into());
    post.topics = vec!["higgs".into(), "physics".into()];
    let mut reshare = Event::new("mastodon", Kind::Reshare, AccountRef::new("2"));
    reshare.time = Some(1_341_100_900);
    reshare.target = Some(AccountRef::new("1"));
    reshare.parent = Some("p1".into());
    let mut follow = Event::new("higgs", Kind::Follow, AccountRef::new("7"));
    follow.target = Some(AccountRef::new("8"));
    vec![post, reshare, follow]
}

fn text(f: &Field) -> Option<String> {
    match f {
        Field::Str(s) => Some(s.clone()),
        Field::Null => None,
        other => panic!("expected a string, got {other:?}"),
    }
}

#[test]
fn every_field_reads_back() {
    let (dir, store) = store_with(&events());
    let path = dir.path().join("e.parquet");
    let summary = store
        .write_parquet(
            &EventFilter::default(),
            std::fs::File::create(&path).unwrap(),
        )
        .unwrap();
    assert_eq!((summary.events, summary.row_groups), (3, 1));
    let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 3);
    let rows: Vec<Vec<(String, Field)>> = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| {
            r.unwrap()
                .get_column_iter()
                .map(|(n, f)| (n.clone(), f.clone()))
                .collect()
        })
        .collect();
    let names: Vec<&str> = rows[0].iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "event_id",
            "time",
            "platform",
            "kind",
            "actor_account",
            "actor",
            "actor_handle",
            "target_account",
            "target",
            "target_handle",
            "item",
            "parent",
            "topics"
        ]
    );
    let get = |row: usize, col: &str| rows[row].iter().find(|(n, _)| n == col).unwrap().1.clone();
    // The post: a time in milliseconds, a handle, two topics, no target.
    assert_eq!(get(0, "time"), Field::TimestampMillis(1_341_100_800_000));
    assert_eq!(text(&get(0, "platform")).as_deref(), Some("mastodon"));
    assert_eq!(text(&get(0, "kind")).as_deref(), Some("post"));
    assert_eq!(text(&get(0, "actor")).as_deref(), Some("1"));
    assert_eq!(text(&get(0, "actor_handle")).as_deref(), Some("@ann"));
    assert_eq!(get(0, "target_account"), Field::Null);
    assert_eq!(text(&get(0, "item")).as_deref(), Some("p1"));
    let topics = |row: usize| match get(row, "topics") {
        Field::ListInternal(l) => l
            .elements()
            .iter()
            .map(|f| text(f).unwrap())
            .collect::<Vec<_>>(),
        other => panic!("topics is not a list: {other:?}"),
    };
    assert_eq!(topics(0), ["higgs", "physics"]);
    // The reshare names the post's author by dense id and handle.
    assert_eq!(get(1, "actor_account"), Field::UInt(1));
    assert_eq!(get(1, "target_account"), Field::UInt(0));
    assert_eq!(text(&get(1, "target_handle")).as_deref(), Some("@ann"));
    assert_eq!(text(&get(1, "parent")).as_deref(), Some("p1"));
    assert_eq!(topics(1), Vec::<String>::new());
    // A timeless follow on another platform.
    assert_eq!(get(2, "time"), Field::Null);
    assert_eq!(text(&get(2, "platform")).as_deref(), Some("higgs"));
    assert_eq!(text(&get(2, "target")).as_deref(), Some("8"));
    assert_eq!(text(&get(2, "actor_handle")), None);
    let _: Option<List> = None;
}

#[test]
fn a_filter_and_an_empty_store_write_valid_files() {
    let (dir, store) = store_with(&events());
    let path = dir.path().join("f.parquet");
    let filter = EventFilter {
        kinds: Some(vec![Kind::Follow]),
        ..Default::default()
    };
    let s = store
        .write_parquet(&filter, std::fs::File::create(&path).unwrap())
        .unwrap();
    assert_eq!(s.events, 1);
    let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 1);

    let empty = tempfile::tempdir().unwrap();
    let store = Store::open(&empty.path().join("e.db")).unwrap();
    let path = empty.path().join("e.parquet");
    let s = store
        .write_parquet(
            &EventFilter::default(),
            std::fs::File::create(&path).unwrap(),
        )
        .unwrap();
    assert_eq!((s.events, s.row_groups), (0, 1));
    let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
    assert_eq!(
        reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .num_columns(),
        13
    );
}

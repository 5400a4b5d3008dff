//! A run abandoned after losing a process keeps the panics of its abandoned timely threads
//! quiet: the error names the lost process, and nothing prints "panicked" after it (the hook
//! was once restored before those threads had failed, which printed a worker's "MergeQueue
//! poisoned" panic over the error whenever the worker was scheduled late, as under load).

use renown_cluster::{run, ClusterConfig, ClusterError, Job, Measure};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn the_panics_of_threads_abandoned_after_a_lost_process_stay_quiet() {
    // Process 0 answers the hello as process 0, then dies.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let fake = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut hello = [0u8; 40];
        stream.read_exact(&mut hello).unwrap();
        hello[8..16].copy_from_slice(&0u64.to_le_bytes());
        stream.write_all(&hello).unwrap();
        std::thread::sleep(Duration::from_millis(200));
    });
    // The hook the program had before the run: it counts what reaches it.
    let printed = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&printed);
    std::panic::set_hook(Box::new(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    let config = ClusterConfig {
        addresses: vec![address.clone(), "127.0.0.1:1".into()],
        process: 1,
        workers: 1,
        connect_timeout: Duration::from_secs(20),
        stall_timeout: Duration::from_secs(20),
    };
    let job = Job {
        measure: Measure::PageRank,
        as_of: None,
        topic: None,
        platform: None,
        top: 10,
        stores: vec!["no-such-shard.db".into()],
        earned: Default::default(),
        pagerank_damping: 0.85,
        pagerank_cap: None,
        load_chunk: renown_cluster::rank::LOAD_CHUNK,
    };
    let result = run(&config, &job);
    fake.join().unwrap();
    match result {
        Err(ClusterError::Unreachable(e)) => {
            assert!(e.contains(&format!("lost process 0 ({address})")), "{e}")
        }
        other => panic!("expected the lost process named, got {other:?}"),
    }
    // An abandoned worker failing late, after `run` has returned.
    let late = std::thread::Builder::new()
        .name("timely:work-0".into())
        .spawn(|| panic!("MergeQueue poisoned."))
        .unwrap();
    assert!(late.join().is_err());
    let _ = std::panic::take_hook();
    assert_eq!(
        printed.load(Ordering::SeqCst),
        0,
        "a panic reached the program's hook"
    );
}

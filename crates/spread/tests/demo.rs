//! The demo's story, checked on a small simulation: the consistent contributors grow by fitness
//! (not by size), and the viral account has one large cascade that its later posts never repeat.

use renown_model::Record;
use renown_sim::{simulate, SimConfig, PLATFORM};
use renown_spread::cascades::{cascades, CascadeOptions, Origin};
use renown_spread::dynamics::{dynamics, DynamicsOptions};
use renown_store::Store;

#[test]
fn consistent_contributors_are_fit_and_the_viral_cascade_fades() {
    let cfg = SimConfig {
        accounts: 400,
        days: 240,
        bought_followers: 300,
        buy_day: 150,
        viral_day: 60,
        viral_size: 300,
        ..SimConfig::default()
    };
    let sim = simulate(&cfg);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("demo.db")).unwrap();
    let run = store.begin_run("sim", "sim").unwrap();
    let recs: Vec<(u64, Record)> = sim
        .events
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, e)| (i as u64, Record::Event(e)))
        .collect();
    store.write_batch(run, &recs, 0).unwrap();
    store.finish_run(run, "clean", None).unwrap();
    let t = &sim.truth;
    let find = |id: &str| store.find_account(&format!("{PLATFORM}:{id}")).unwrap();

    let d = dynamics(
        &store,
        &DynamicsOptions {
            bootstrap: 0,
            top: 0,
            ..DynamicsOptions::default()
        },
    )
    .unwrap();
    let listed = d.fitness.len();
    assert!(listed > 100, "{listed} accounts in the fitness list");
    let rank = |id: &str| {
        let a = find(id);
        d.fitness
            .iter()
            .position(|f| f.account == a)
            .unwrap_or_else(|| panic!("{id} not in the fitness list"))
    };
    let ranks: Vec<usize> = t.consistent.iter().map(|c| rank(c)).collect();
    eprintln!(
        "fitness ranks of the consistent contributors among {listed}: {ranks:?}; viral: {}",
        rank(&t.viral)
    );
    // All five in the top 5 % of the list.
    assert!(
        ranks.iter().all(|&r| r < listed.div_ceil(20)),
        "{ranks:?} of {listed}"
    );
    // The company's bought followers are follows, not engagement: no fitness from them.
    let buyer = find(&t.buyer);
    assert!(d
        .fitness
        .iter()
        .take(listed.div_ceil(20))
        .all(|f| f.account != buyer));

    let c = cascades(&store, &CascadeOptions::default()).unwrap();
    let viral = find(&t.viral);
    let biggest = &c.cascades[0];
    assert_eq!(biggest.root, viral, "the largest cascade is the viral one");
    assert_eq!(biggest.origin, Origin::Items);
    assert_eq!(biggest.id, t.viral_item);
    assert_eq!(biggest.stats.size, cfg.viral_size + 1);
    assert!(biggest.stats.depth >= 2 && biggest.stats.structural_virality > 2.0);
    // It fades: nothing the viral account posts later spreads even a tenth as far.
    let later: Vec<usize> = c
        .cascades
        .iter()
        .filter(|x| x.root == viral && x.stats.start > biggest.stats.start)
        .map(|x| x.stats.size)
        .collect();
    assert!(
        later.iter().all(|&n| n * 10 < biggest.stats.size),
        "{later:?}"
    );
    // The per-account view: the viral cascade is most of what the viral account ever started.
    let v = c.accounts.iter().find(|a| a.account == viral).unwrap();
    assert!(v.downstream_reach >= cfg.viral_size as u64);
    assert!(
        v.downstream_reach < 2 * cfg.viral_size as u64,
        "{}",
        v.downstream_reach
    );
}

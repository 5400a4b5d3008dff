//! Audit and classifier on the demo store (renown-sim's default two years, 3,000 + 5,009
//! accounts), each against the one-second budget of issue 5.
//!
//! cargo bench -p renown-audit --bench audit

use renown_audit::features::{self, expanded_names, Features};
use renown_audit::gbdt::{train, Params};
use renown_audit::report::audit_rows;
use renown_audit::rules::RULE_SETS;
use renown_audit::{instafake, Activity, Auditor, SuspicionConfig};
use renown_measures::Scope;
use renown_model::Record;
use renown_sim::{simulate, SimConfig, PLATFORM};
use renown_store::Store;
use std::time::Instant;

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(v);
    }
    (best, last.expect("runs > 0"))
}

fn main() {
    let sim = simulate(&SimConfig::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("demo.db")).expect("store");
    let run = store.begin_run("sim", "bench").expect("run");
    let recs: Vec<(u64, Record)> = sim
        .events
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, e)| (i as u64, Record::Event(e)))
        .collect();
    store.write_batch(run, &recs, 0).expect("write");
    let n = store.account_count().expect("count");
    println!(
        "demo store: {} events, {n} accounts (best of 5 runs)\n",
        recs.len()
    );
    let buyer = store
        .find_account(&format!("{PLATFORM}:{}", sim.truth.buyer))
        .expect("buyer");
    let scope = Scope::default();
    let cfg = SuspicionConfig::default();

    let (load, act) = time(5, || Activity::load(&store, &scope).expect("load"));
    let (one, audit) = time(5, || Auditor::new(&act, cfg.clone()).audit(buyer));
    let (all, rows) = time(5, || {
        audit_rows(&store, &scope, &cfg, None, None).expect("audit --all")
    });
    let (all_earned, _) = time(5, || {
        audit_rows(
            &store,
            &scope,
            &cfg,
            Some(&[buyer]),
            Some(&Default::default()),
        )
        .expect("audit with earned")
    });

    let data_dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/instafake"
    );
    let training = instafake::load(std::path::Path::new(data_dir)).ok();
    let model = training.as_ref().map(|d| {
        let x: Vec<Vec<f64>> = d.features.iter().map(Features::expanded).collect();
        time(5, || {
            train(&x, &d.fake, expanded_names(), &Params::default())
        })
    });
    let (classify, fakes) = time(5, || {
        let act = Activity::load(&store, &scope).expect("load");
        let feats = features::from_store(&store, &act).expect("features");
        let mut fake = 0usize;
        for f in &feats {
            if let Some((_, m)) = &model {
                fake += usize::from(m.predict(&f.expanded()) >= 0.5);
            }
            for set in RULE_SETS {
                std::hint::black_box(set.judge(f));
            }
        }
        fake
    });

    println!("| step | seconds | share of 1 s budget |");
    println!("|---|---:|---:|");
    let line = |what: &str, s: f64| println!("| {what} | {s:.3} | {:.0}% |", 100.0 * s);
    line("load activity (one scan of the store)", load);
    line(
        "audit one account (the buyer, 5,000+ followers), given activity",
        one,
    );
    line(
        &format!(
            "`renown audit --all --no-earned` ({} accounts, load included)",
            rows.len()
        ),
        all,
    );
    line(
        "`renown audit ACCOUNT` with earned influence (load + earned model)",
        all_earned,
    );
    if let Some((t, _)) = &model {
        line(
            "train the GBDT on InstaFake (1,194 accounts, 150 rounds)",
            *t,
        );
    }
    line(
        &format!("`renown classify --all` (load, features, model + 3 rule sets on {n} accounts)"),
        classify,
    );
    println!(
        "\nbuyer: {} followers, {} suspicious, quality {:.3}; classifier calls {fakes} accounts fake",
        audit.followers, audit.suspicious, audit.quality
    );
}

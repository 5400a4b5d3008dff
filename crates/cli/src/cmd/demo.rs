//! `renown demo`: a simulated network with its story told by every command.

use crate::output::{thousands, OutputFormat, Table};
use crate::Outcome;
use anyhow::Context;
use renown_app::backtest::{backtest, BacktestOptions};
use renown_ingest::schema::SchemaRow;
use renown_ingest::{ingest_path, IngestOptions};
use renown_measures::{competition_ranks, ranking, Scope, MEASURES};
use renown_sim::{simulate, SimConfig, PLATFORM};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

mod spread;

const EXAMPLES: &str = "\
Examples:
  renown demo
  renown demo --seed 7 --accounts 5000 --dir /tmp/demo

It simulates two years of a social network (no download), writes the events as JSON Lines in
DIR/events.jsonl, ingests them into DIR/demo.db (or the store --db / RENOWN_DB names, which it
replaces — it refuses a store holding anything but a demo), and prints what every measure says
about the accounts whose story is known. Explore further with `renown --db DIR/demo.db ...`.";

/// Simulate a social network and show what each measure makes of it.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Where the demo writes its events and store.
    #[arg(long, default_value = "renown-demo")]
    pub dir: PathBuf,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Ordinary accounts in the simulation.
    #[arg(long, default_value_t = 3000)]
    pub accounts: usize,
    /// Then open the dashboard on the demo store (at --addr) until Ctrl-C.
    #[arg(long)]
    pub serve: bool,
    /// Where `--serve` listens.
    #[arg(long, default_value = "127.0.0.1:7878", requires = "serve")]
    pub addr: std::net::SocketAddr,
}

pub fn run(args: Args, named_db: Option<&Path>) -> anyhow::Result<Outcome> {
    std::fs::create_dir_all(&args.dir)?;
    let db = match named_db {
        Some(db) => {
            refuse_to_replace_real_data(db)?;
            db.to_path_buf()
        }
        None => args.dir.join("demo.db"),
    };
    let cfg = SimConfig {
        seed: args.seed,
        accounts: args.accounts.max(100),
        quality_spread: 1.0,
        ..SimConfig::default()
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Simulating {} accounts over {} days (seed {}) ...",
        thousands(cfg.accounts as i64),
        cfg.days,
        cfg.seed
    )?;
    let sim = simulate(&cfg);
    let events_path = args.dir.join("events.jsonl");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&events_path)?);
        for e in &sim.events {
            serde_json::to_writer(&mut w, &SchemaRow::from_event(e, false))?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let mut store = renown_store::Store::open(&db)?;
    let report = ingest_path(
        &mut store,
        &events_path,
        &IngestOptions::default(),
        &mut |_, _, _| {},
    )?;
    writeln!(
        out,
        "Wrote {} events to {} and ingested them into {} ({} added in {:.2}s).\n",
        thousands(sim.events.len() as i64),
        events_path.display(),
        db.display(),
        thousands(report.added as i64),
        report.seconds
    )?;
    // What the analyst knows offline (pageviews, press mentions), for `renown gap`.
    let offline_path = args.dir.join("offline.csv");
    let offline = renown_sim::offline_figures(&sim.truth, cfg.seed);
    {
        let mut w = csv::Writer::from_path(&offline_path)?;
        w.write_record(["account", "pageviews", "press_mentions"])?;
        for f in &offline {
            w.write_record([
                format!("{PLATFORM}:{}", f.id),
                f.pageviews.to_string(),
                f.press_mentions.to_string(),
            ])?;
        }
        w.flush()?;
    }
    let offline_rows: Vec<renown_store::offline::OfflineRow> = offline
        .iter()
        .flat_map(|f| {
            [
                ("pageviews", f.pageviews),
                ("press_mentions", f.press_mentions),
            ]
            .map(|(measure, value)| renown_store::offline::OfflineRow {
                subject: format!("{PLATFORM}:{}", f.id),
                measure: measure.to_string(),
                value,
            })
        })
        .collect();
    store.set_offline(&offline_rows)?;
    drop(store);
    let store = renown_store::Snapshot::open(&db)?;

    let t = &sim.truth;
    let mut cast: Vec<(String, &str)> = t
        .consistent
        .iter()
        .map(|c| (c.clone(), "consistent contributor"))
        .collect();
    cast.push((t.viral.clone(), "one viral post, then faded"));
    cast.push((t.buyer.clone(), "company that bought followers"));
    cast.push((t.celebrity.clone(), "offline celebrity"));
    cast.push((t.meme_starter.clone(), "started a tag meme"));

    let accounts = store.accounts()?;
    let scope = Scope::default();
    let mut columns: Vec<&'static str> = vec!["account", "story"];
    // Per measure, each account's competition rank and how many accounts share its score.
    let mut ranks: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for m in MEASURES {
        columns.push(m.name);
        let scores = m.compute(&store, &scope)?;
        let order = ranking(&scores);
        let competition = competition_ranks(&order);
        let (mut rank_of, mut tie_of) = (vec![0usize; scores.len()], vec![1usize; scores.len()]);
        // One tie (one rank) after another.
        let mut start = 0;
        while start < order.len() {
            let rank = competition[start];
            let tie = competition[start..]
                .iter()
                .take_while(|&&r| r == rank)
                .count();
            for &(id, _) in &order[start..start + tie] {
                (rank_of[id as usize], tie_of[id as usize]) = (rank, tie);
            }
            start += tie;
        }
        ranks.push((rank_of, tie_of));
    }
    let mut table = Table::new(&columns);
    // The largest tie a known account is in, per measure: said below the table.
    let mut ties: Vec<Option<(usize, usize)>> = vec![None; MEASURES.len()];
    for (id, story) in &cast {
        let dense = store.find_account(&format!("{PLATFORM}:{id}"))? as usize;
        let mut row = vec![json!(accounts[dense].label()), json!(story)];
        for (m, (rank_of, tie_of)) in ranks.iter().enumerate() {
            let (rank, tie) = (rank_of[dense], tie_of[dense]);
            if tie > 1 {
                ties[m] = ties[m].max(Some((tie, rank)));
            }
            row.push(json!(tie_rank(rank, tie)));
        }
        table.push(row);
    }
    writeln!(
        out,
        "Rank of each known account among {} under every measure (1 = top):\n",
        thousands(accounts.len() as i64)
    )?;
    table.write(OutputFormat::Table, &mut out)?;
    let tied: Vec<String> = MEASURES
        .iter()
        .zip(&ties)
        .filter_map(|(m, t)| {
            t.map(|(n, rank)| format!("{} {} share rank {rank}", m.name, thousands(n as i64)))
        })
        .collect();
    if !tied.is_empty() {
        writeln!(
            out,
            "\n=N: a tie, the account shares its score with others and N is the tie's best rank; \
             a large tie says nothing about who is in it. Largest ties above: {}.",
            tied.join(", ")
        )?;
    }
    writeln!(out)?;
    let width = MEASURES.iter().map(|m| m.name.len()).max().unwrap_or(0);
    for m in MEASURES {
        writeln!(out, "  {:<width$}  {}", m.name, m.describe)?;
    }
    writeln!(
        out,
        "\nThe company tops the follower ranking with {} bought followers who never engage; \
         the consistent contributors are the ones people answer and reshare.",
        thousands(t.bought.len() as i64)
    )?;
    write!(
        out,
        "\n{}",
        spread::section(&store, PLATFORM, &t.consistent, &t.viral)?
    )?;
    // Follower audit (docs/AUDIT.md): the buyer's audience quality beside the honest accounts'.
    let ids: Vec<u32> = cast
        .iter()
        .map(|(id, _)| store.find_account(&format!("{PLATFORM}:{id}")))
        .collect::<Result<_, _>>()?;
    let mut audit = Table::new(&renown_audit::report::DEMO_COLUMNS);
    for row in renown_audit::report::demo_rows(&store, &ids)? {
        audit.push(row);
    }
    writeln!(
        out,
        "\nFollower audit: suspicious followers, audience quality (95% interval), biggest growth spike:\n"
    )?;
    audit.write(OutputFormat::Table, &mut out)?;
    // Which measure predicts here, and which recovers the latent quality the simulation drew.
    let truth_path = args.dir.join("truth.csv");
    {
        let mut w = csv::Writer::from_path(&truth_path)?;
        w.write_record(["account", "quality"])?;
        for (id, q) in &t.quality {
            w.write_record([format!("{PLATFORM}:{id}"), q.to_string()])?;
        }
        w.flush()?;
    }
    let (truth, _) = renown_app::backtest::truth_by_id(
        &store,
        t.quality
            .iter()
            .map(|(id, q)| (format!("{PLATFORM}:{id}"), *q)),
    )?;
    let mut bt = backtest(
        &store,
        &renown_app::Scope::default(),
        &BacktestOptions {
            bootstrap: 200,
            truth: Some(truth),
            ..BacktestOptions::default()
        },
        &renown_app::Params::default(),
    )?
    .answer;
    bt.splits.drain(..bt.splits.len().saturating_sub(1));
    writeln!(
        out,
        "\nBacktest (the last of `renown backtest`'s three rolling origins): every measure as of \
         the split, scored against the distinct accounts that engaged after it, and (truth \
         spearman) against each account's latent quality × activity, written to {}:\n",
        truth_path.display()
    )?;
    super::backtest::write_text(&bt, &mut out)?;
    let gap = renown_app::gap(
        &renown_app::Direct::new(&store),
        &renown_app::Scope::default(),
        &renown_app::GapQuery {
            offline_measure: Some("pageviews".into()),
            limit: Some(5),
        },
    )?;
    writeln!(
        out,
        "\nOffline vs earned ({} accounts with pageviews in {}, `renown gap`): the gap is \
         log10(earned / what a Theil-Sen line expects of that offline size).",
        gap.persons,
        offline_path.display()
    )?;
    for (title, rows) in [
        (
            "Big offline, not earned online",
            &gap.big_offline_not_earned,
        ),
        (
            "Earned online without offline weight",
            &gap.earned_without_offline_weight,
        ),
    ] {
        let cells: Vec<String> = rows
            .iter()
            .map(|r| format!("{} ({:+.2})", r.person.label, r.gap.unwrap_or(f64::NAN)))
            .collect();
        writeln!(out, "  {title}: {}", cells.join(", "))?;
    }
    writeln!(
        out,
        "\nNext: renown --db {} rank --by engagement --top 10\n      renown --db {} backtest --truth {}",
        db.display(),
        db.display(),
        truth_path.display()
    )?;
    if args.serve {
        drop(out);
        return super::serve::serve(renown_serve::Config::new(db), args.addr);
    }
    Ok(Outcome::Clean)
}

/// The demo replaces its store: never one that holds anything but an earlier demo.
fn refuse_to_replace_real_data(db: &Path) -> anyhow::Result<()> {
    if !db.exists() {
        return Ok(());
    }
    let refuse = || {
        format!(
            "demo replaces its store, and {} is not a demo store: name another with --db (or \
             unset RENOWN_DB to use DIR/demo.db)",
            db.display()
        )
    };
    let store = renown_store::Store::open_read_only(db).with_context(refuse)?;
    if store.accounts()?.iter().any(|a| a.platform != PLATFORM) {
        anyhow::bail!(refuse());
    }
    Ok(())
}

/// A rank as the demo's table shows it: `=N` when `tie` accounts share it.
fn tie_rank(rank: usize, tie: usize) -> String {
    if tie > 1 {
        format!("={rank}")
    } else {
        rank.to_string()
    }
}

use crate::Outcome;
use anyhow::Context;
use rayon::prelude::*;
use renown_graph::Rmat;
use renown_model::{AccountRef, Event, Kind, Record};
use std::io::Write;
use std::path::{Path, PathBuf};

const EXAMPLES: &str = "\
Examples:
  renown generate rmat --scale 20 --edge-factor 16 --seed 1 --out rmat20.el
  renown --db rmat.db generate rmat --scale 14 --store

R-MAT with the Graph500 parameters (a=0.57, b=0.19, c=0.19), node ids shuffled by a seeded
permutation; duplicates and self-loops kept. The same seed gives the same graph on any machine
and thread count. --out writes a `src dst` edge list; --store writes timeless follow events
(platform `rmat`, account ids = node ids) into the --db store.";

/// Generate synthetic graphs for benchmarks.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(clap::Subcommand, Debug)]
pub enum What {
    /// A Graph500 R-MAT power-law graph.
    Rmat(RmatArgs),
}

#[derive(clap::Args, Debug)]
pub struct RmatArgs {
    /// 2^scale nodes.
    #[arg(long)]
    pub scale: u32,
    /// Edges per node.
    #[arg(long, default_value_t = 16)]
    pub edge_factor: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write an edge list here ("-" for stdout).
    #[arg(long, required_unless_present = "store")]
    pub out: Option<PathBuf>,
    /// Write follow events into the store instead.
    #[arg(long, conflicts_with = "out")]
    pub store: bool,
}

pub fn run(args: Args, db: &Path) -> anyhow::Result<Outcome> {
    let What::Rmat(a) = args.what;
    let r = Rmat::graph500(a.scale, a.edge_factor, a.seed)?;
    let perm = r.permutation();
    // Chunks are generated in parallel, a batch at a time, and written in order.
    let batch = (rayon::current_num_threads() * 4) as u64;
    if a.store {
        let mut store = renown_store::Store::open(db)?;
        let name = format!(
            "rmat:scale={},ef={},seed={}",
            a.scale, a.edge_factor, a.seed
        );
        let run = store.begin_run(&name, "rmat")?;
        let mut pos = 0u64;
        for k in 0..r.chunks() {
            let mut recs = Vec::new();
            r.chunk(k, |s, d| {
                let mut e = Event::new(
                    "rmat",
                    Kind::Follow,
                    AccountRef::new(perm[s as usize].to_string()),
                );
                e.target = Some(AccountRef::new(perm[d as usize].to_string()));
                recs.push((pos, Record::Event(e)));
                pos += 1;
            });
            store.write_batch(run, &recs, 0)?;
        }
        store.finish_run(run, "clean", None)?;
        eprintln!("{pos} follow events written to {}", db.display());
        return Ok(Outcome::Clean);
    }
    let path = a.out.expect("clap requires --out without --store");
    let mut w: Box<dyn Write> = if path.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        )
    };
    let mut k = 0;
    while k < r.chunks() {
        let hi = (k + batch).min(r.chunks());
        let texts: Vec<Vec<u8>> = (k..hi)
            .into_par_iter()
            .map(|c| {
                let mut t = Vec::with_capacity(1 << 22);
                let mut line = itoa_pair();
                r.chunk(c, |s, d| line(&mut t, perm[s as usize], perm[d as usize]));
                t
            })
            .collect();
        for t in texts {
            w.write_all(&t)?;
        }
        k = hi;
    }
    w.flush()?;
    eprintln!(
        "{} nodes, {} edges written to {}",
        r.nodes(),
        r.edges(),
        path.display()
    );
    Ok(Outcome::Clean)
}

/// Appends `src dst\n` without going through `fmt`.
fn itoa_pair() -> impl FnMut(&mut Vec<u8>, u32, u32) {
    fn num(out: &mut Vec<u8>, mut v: u32) {
        let mut b = [0u8; 10];
        let mut i = b.len();
        loop {
            i -= 1;
            b[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        out.extend_from_slice(&b[i..]);
    }
    |out, s, d| {
        num(out, s);
        out.push(b' ');
        num(out, d);
        out.push(b'\n');
    }
}

use crate::Outcome;
use anyhow::{bail, Context};
use renown_graph::{
    pagerank_blocked, pagerank_pb, pagerank_with, read_pull_graph_auto, save_pull_graph,
    segment_bits, Blocked, Gather, Labelled, NodeOrder, PageRankOptions, Propagation, Real, Rmat,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const EXAMPLES: &str = "\
Examples:
  renown pagerank --input graph.el --iterations 20 --threads 2 --scores-out scores.npy
  renown pagerank --input soc-Slashdot0902.txt --tolerance 1e-9 --scores-out pr.csv
  renown pagerank --rmat-scale 26 --iterations 20     # a billion edges, generated in memory

Runs PageRank straight on an edge-list file (`src dst [weight]` per line, ids 0..n-1, `#`
comments) without a store, for benchmarks beside other graph libraries. It prints LOAD_S
(file → graph), one PR_S line per repetition and PR_ITERS on stdout; scores go to --scores-out
(.npy float32/float64 array indexed by node id, or .csv `node,score` rows).

By default the file's nodes are renumbered by decreasing in-degree, then out-degree, while
loading (counted in LOAD_S): neighbouring nodes then have lists of one length, so the kernel's
loop is predicted, and the gathered scores of the busiest sources stay in cache; scores are
written back under the file's ids. `--order input` keeps the file's numbering.

`--save graph.rpg` writes the loaded graph (renumbered, with the way back to the file's ids) as
a binary file that `--input graph.rpg` loads without parsing text (recognised by its first
bytes; --order and --nodes do not apply to it):
  renown pagerank --input graph.el --save graph.rpg --repeat 1
  renown pagerank --input graph.rpg --iterations 20

The kernel (`--kernel`): `blocked` regroups the in-edges by segments of 256 KiB of sources so
every gather hits the core's L2, each segment's destinations in runs of equal list length (built
once after loading, counted in LOAD_S); `pull` gathers over all sources; `auto` (the default) is
`blocked` when the sources fill more than one segment, else `pull`; `pb` is propagation
blocking (contributions copied into destination bins of 32 KiB, then added in L1; layout built
after loading), which moves ~13 bytes per edge and measured 5× slower than `blocked` on R-MAT
20 and 22 (BENCHMARKS.md, `PageRank against the memory floor, session 11`). On R-MAT 20 and
22 the blocked kernel takes 30-45 % less CPU than pull (BENCHMARKS.md, `Blocked PageRank in
runs of equal list length`).";

/// PageRank on an edge-list file (benchmark entry point; `rank --by pagerank` ranks a store).
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Edge-list text file, or a binary graph written by --save.
    #[arg(long, required_unless_present = "rmat_scale")]
    pub input: Option<PathBuf>,
    /// Generate a Graph500 R-MAT graph of this scale in memory instead of reading a file.
    #[arg(long, conflicts_with = "input")]
    pub rmat_scale: Option<u32>,
    /// Edge factor of the generated R-MAT graph.
    #[arg(long, default_value_t = 16)]
    pub edge_factor: u32,
    /// Seed of the generated R-MAT graph.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of nodes (default: largest id + 1).
    #[arg(long)]
    pub nodes: Option<u32>,
    /// Iterations (exactly this many when --tolerance is 0).
    #[arg(long, default_value_t = 20)]
    pub iterations: usize,
    /// Stop early when the L1 change is below tolerance × n (0 = run all iterations).
    #[arg(long, default_value_t = 0.0)]
    pub tolerance: f64,
    #[arg(long, default_value_t = 0.85)]
    pub damping: f64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Timed repetitions of PageRank (each prints a PR_S line).
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    /// Score precision.
    #[arg(long, value_enum, default_value_t = Precision::F32)]
    pub precision: Precision,
    /// Write scores here (.npy or .csv), indexed by the file's node ids.
    #[arg(long)]
    pub scores_out: Option<PathBuf>,
    /// Node numbering inside the engine (--input only; scores are always written by file id).
    #[arg(long, value_enum, default_value_t = Order::Degree)]
    pub order: Order,
    /// Write the loaded graph here as a binary file that --input reads back without parsing.
    #[arg(long, requires = "input")]
    pub save: Option<PathBuf>,
    /// PageRank kernel.
    #[arg(long, value_enum, default_value_t = Kernel::Auto)]
    pub kernel: Kernel,
    /// How the blocked kernel sums its lists of more than 8 sources in f32 (for measuring:
    /// none beat `scalar` on AMD Zen 4; BENCHMARKS.md, "SIMD gathers for the blocked
    /// PageRank, session 13"). `avx2` and `avx512` only where the CPU has them.
    #[arg(long, value_enum, default_value_t = GatherArg::Scalar)]
    pub gather: GatherArg,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatherArg {
    /// One offset load and one added load per source (the default).
    Scalar,
    /// Four offsets from one 8-byte load: the same bits as `scalar`.
    Packed,
    /// One AVX2 `vgatherdps` per 8 sources (f32 rounding differs from `scalar`'s).
    Avx2,
    /// One AVX-512 `vgatherdps` per 16 sources (f32 rounding differs from `scalar`'s).
    Avx512,
}

impl From<GatherArg> for Gather {
    fn from(g: GatherArg) -> Gather {
        match g {
            GatherArg::Scalar => Gather::Scalar,
            GatherArg::Packed => Gather::Packed,
            GatherArg::Avx2 => Gather::Avx2,
            GatherArg::Avx512 => Gather::Avx512,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// `blocked` when the sources' scores fill more than one segment, else `pull`.
    Auto,
    /// Gather each node's in-neighbours' scores over the whole graph.
    Pull,
    /// Gather segment by segment of sources (cache-blocked).
    Blocked,
    /// Propagation blocking: scatter the contributions into destination bins, then add each
    /// bin in L1 (Beamer et al. 2017, deterministic variant).
    Pb,
}

/// The layout the chosen kernel runs on, built after loading (counted in LOAD_S).
enum Layout {
    Pull,
    Blocked(Blocked),
    Pb(Propagation),
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Renumber by decreasing out-degree (cache locality of the gathers).
    Degree,
    /// Keep the file's ids.
    Input,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    F32,
    F64,
}

pub fn run(args: Args, _db: &Path) -> anyhow::Result<Outcome> {
    super::set_threads(args.threads)?;
    if args.repeat == 0 {
        bail!("--repeat must be at least 1");
    }
    if let Some(out) = &args.scores_out {
        score_format(out)?;
    }
    let start = Instant::now();
    let order = match args.order {
        Order::Degree => NodeOrder::Degree,
        Order::Input => NodeOrder::Input,
    };
    let g = match (&args.input, args.rmat_scale) {
        (Some(p), _) => read_pull_graph_auto(p, args.nodes, order)?,
        (None, Some(s)) => Labelled {
            graph: Rmat::graph500(s, args.edge_factor, args.seed)?.pull_graph()?,
            original: None,
        },
        (None, None) => bail!("give --input FILE or --rmat-scale S"),
    };
    let bits = match args.precision {
        Precision::F32 => segment_bits::<f32>(),
        Precision::F64 => segment_bits::<f64>(),
    };
    let blocked = match args.kernel {
        Kernel::Pull | Kernel::Pb => false,
        Kernel::Blocked => true,
        Kernel::Auto => g.graph.n() as u64 > 1 << bits,
    };
    if args.gather != GatherArg::Scalar && !(blocked && args.precision == Precision::F32) {
        bail!("--gather applies to the blocked kernel in f32 only");
    }
    let layout = if blocked {
        let t = Instant::now();
        let b = Blocked::with_segment_bits(&g.graph, bits)?.with_gather(args.gather.into())?;
        eprintln!(
            "blocked layout: {} segments, {} destination-segment pairs, {:.1} MB, built in {:.3} s",
            b.segments(),
            b.pairs(),
            b.bytes() as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
        Layout::Blocked(b)
    } else if args.kernel == Kernel::Pb {
        let t = Instant::now();
        let p = Propagation::new(&g.graph)?;
        let per_iteration = match args.precision {
            Precision::F32 => p.bytes_per_iteration::<f32>(),
            Precision::F64 => p.bytes_per_iteration::<f64>(),
        };
        eprintln!(
            "propagation blocking: {} bins, {} source-bin runs, {:.1} MB, {:.1} B/edge per iteration, built in {:.3} s",
            p.bins(),
            p.runs(),
            p.bytes() as f64 / 1e6,
            per_iteration as f64 / g.graph.m().max(1) as f64,
            t.elapsed().as_secs_f64()
        );
        Layout::Pb(p)
    } else {
        Layout::Pull
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "LOAD_S {:.6}", start.elapsed().as_secs_f64())?;
    if let Some(path) = &args.save {
        let t = Instant::now();
        save_pull_graph(path, &g)?;
        eprintln!(
            "saved {} in {:.3} s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
    }
    eprintln!(
        "{} nodes, {} edges, {:.1} MB in memory",
        g.graph.n(),
        g.graph.m(),
        g.graph.bytes() as f64 / 1e6
    );
    let opts = PageRankOptions {
        damping: args.damping,
        max_iterations: args.iterations,
        tolerance: args.tolerance,
        ..Default::default()
    };
    match args.precision {
        Precision::F32 => timed::<f32>(&g, &layout, &opts, &args, &mut out),
        Precision::F64 => timed::<f64>(&g, &layout, &opts, &args, &mut out),
    }
}

fn timed<T: Real + Npy>(
    g: &Labelled,
    layout: &Layout,
    opts: &PageRankOptions,
    args: &Args,
    out: &mut impl Write,
) -> anyhow::Result<Outcome> {
    let mut last = None;
    for _ in 0..args.repeat {
        let t = Instant::now();
        let pr = match layout {
            Layout::Blocked(b) => pagerank_blocked::<T>(&g.graph, b, opts)?,
            Layout::Pb(p) => pagerank_pb::<T>(&g.graph, p, opts)?,
            Layout::Pull => pagerank_with::<T>(&g.graph, opts)?,
        };
        let s = t.elapsed().as_secs_f64();
        writeln!(out, "PR_S {s:.6}")?;
        eprintln!(
            "{} iterations, {:.2} G edges/s",
            pr.iterations,
            g.graph.m() as f64 * pr.iterations as f64 / s / 1e9
        );
        last = Some(pr);
    }
    let pr = last.expect("repeat ≥ 1");
    writeln!(out, "PR_ITERS {}", pr.iterations)?;
    if let Some(path) = &args.scores_out {
        let scores = g.to_file_order(pr.scores);
        write_scores(path, &scores).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Outcome::Clean)
}

fn score_format(path: &Path) -> anyhow::Result<&'static str> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("npy") => Ok("npy"),
        Some("csv") => Ok("csv"),
        _ => bail!("--scores-out must end in .npy or .csv: {}", path.display()),
    }
}

/// Element types a .npy file can hold here.
pub trait Npy: Copy {
    const DESCR: &'static str;
    fn le_bytes(self, out: &mut Vec<u8>);
    fn as_f64(self) -> f64;
}

impl Npy for f32 {
    const DESCR: &'static str = "<f4";
    fn le_bytes(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Npy for f64 {
    const DESCR: &'static str = "<f8";
    fn le_bytes(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn as_f64(self) -> f64 {
        self
    }
}

/// Writes scores as a 1-D .npy array (format 1.0) or `node,score` CSV rows.
pub fn write_scores<T: Npy>(path: &Path, scores: &[T]) -> anyhow::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    if score_format(path)? == "npy" {
        let mut header = format!(
            "{{'descr': '{}', 'fortran_order': False, 'shape': ({},), }}",
            T::DESCR,
            scores.len()
        );
        // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        w.write_all(b"\x93NUMPY\x01\x00")?;
        w.write_all(&(header.len() as u16).to_le_bytes())?;
        w.write_all(header.as_bytes())?;
        let mut buf = Vec::with_capacity(std::mem::size_of_val(scores));
        for &s in scores {
            s.le_bytes(&mut buf);
        }
        w.write_all(&buf)?;
    } else {
        writeln!(w, "node,score")?;
        for (i, &s) in scores.iter().enumerate() {
            writeln!(w, "{i},{}", s.as_f64())?;
        }
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(input: &Path, order: Order, out: &Path) -> Args {
        Args {
            input: Some(input.to_path_buf()),
            rmat_scale: None,
            edge_factor: 16,
            seed: 1,
            nodes: None,
            iterations: 30,
            tolerance: 0.0,
            damping: 0.85,
            threads: None,
            repeat: 1,
            precision: Precision::F64,
            scores_out: Some(out.to_path_buf()),
            order,
            save: None,
            kernel: Kernel::Auto,
            gather: GatherArg::Scalar,
        }
    }

    /// `--gather packed` writes `scalar`'s bits; a SIMD gather writes them to f32 rounding where
    /// the CPU has it; `--gather` outside the blocked kernel in f32 is refused, not ignored.
    #[test]
    fn gather_variants_write_the_scalar_scores_and_apply_only_where_they_run() {
        let dir = tempfile::tempdir().unwrap();
        let el = dir.path().join("g.el");
        let mut text = String::new();
        // Nodes 0..20 each take 40 sources: lists long enough for the gather loops.
        for i in 0..2000u32 {
            text.push_str(&format!("{} {}\n", 20 + (i * 37) % 400, i % 20));
        }
        std::fs::write(&el, text).unwrap();
        let scores = |gather| -> anyhow::Result<String> {
            let out = dir.path().join(format!("{gather:?}.csv"));
            let mut a = args(&el, Order::Degree, &out);
            (a.kernel, a.precision, a.gather) = (Kernel::Blocked, Precision::F32, gather);
            run(a, dir.path())?;
            Ok(std::fs::read_to_string(&out)?)
        };
        let scalar = scores(GatherArg::Scalar).unwrap();
        assert_eq!(scalar.lines().count(), 421);
        assert_eq!(scores(GatherArg::Packed).unwrap(), scalar);
        for simd in [GatherArg::Avx2, GatherArg::Avx512] {
            let Ok(other) = scores(simd) else {
                assert!(!Gather::from(simd).available());
                continue;
            };
            for (a, b) in scalar.lines().zip(other.lines()).skip(1) {
                let (va, sa) = a.split_once(',').unwrap();
                let (vb, sb) = b.split_once(',').unwrap();
                let (sa, sb): (f64, f64) = (sa.parse().unwrap(), sb.parse().unwrap());
                assert_eq!(va, vb);
                assert!(
                    (sa - sb).abs() <= 1e-5 * sa,
                    "{simd:?}, node {va}: {sa} vs {sb}"
                );
            }
        }
        let out = dir.path().join("refused.csv");
        for (kernel, precision) in [
            (Kernel::Pull, Precision::F32),
            (Kernel::Blocked, Precision::F64),
        ] {
            let mut a = args(&el, Order::Degree, &out);
            (a.kernel, a.precision, a.gather) = (kernel, precision, GatherArg::Packed);
            let e = run(a, dir.path()).unwrap_err().to_string();
            assert!(e.contains("--gather applies to the blocked kernel"), "{e}");
        }
    }

    /// A graph saved with --save and read back gives the same scores, bit for bit, under the
    /// file's ids.
    #[test]
    fn saved_binary_graph_gives_the_same_scores() {
        let dir = tempfile::tempdir().unwrap();
        let el = dir.path().join("g.el");
        let mut text = String::new();
        for i in 0..500u32 {
            text.push_str(&format!("{} {}\n", (i * 17) % 101, (i * i) % 97));
        }
        std::fs::write(&el, text).unwrap();
        let bin = dir.path().join("g.rpg");
        let from_text = dir.path().join("t.csv");
        let mut a = args(&el, Order::Degree, &from_text);
        a.save = Some(bin.clone());
        run(a, dir.path()).unwrap();
        let from_bin = dir.path().join("b.csv");
        run(args(&bin, Order::Degree, &from_bin), dir.path()).unwrap();
        let t = std::fs::read_to_string(&from_text).unwrap();
        assert_eq!(t.lines().count(), 102);
        assert_eq!(t, std::fs::read_to_string(&from_bin).unwrap());
    }

    /// `--kernel blocked` and `--kernel pb` write the pull kernel's scores, to rounding, under the
    /// same ids.
    #[test]
    fn blocked_kernel_writes_the_pull_kernels_scores() {
        let dir = tempfile::tempdir().unwrap();
        let el = dir.path().join("g.el");
        let mut text = String::new();
        for i in 0..800u32 {
            text.push_str(&format!("{} {}\n", (i * 31) % 211, (i * i + 7) % 193));
        }
        std::fs::write(&el, text).unwrap();
        let scores = |kernel| {
            let out = dir.path().join(format!("{kernel:?}.csv"));
            let mut a = args(&el, Order::Degree, &out);
            a.kernel = kernel;
            run(a, dir.path()).unwrap();
            std::fs::read_to_string(&out)
                .unwrap()
                .lines()
                .skip(1)
                .map(|l| {
                    let (v, s) = l.split_once(',').unwrap();
                    (v.parse::<u32>().unwrap(), s.parse::<f64>().unwrap())
                })
                .collect::<Vec<_>>()
        };
        let pull = scores(Kernel::Pull);
        assert_eq!(pull.len(), 211);
        for kernel in [Kernel::Blocked, Kernel::Pb] {
            let other = scores(kernel);
            assert_eq!(other.len(), 211);
            for ((vp, sp), (vb, sb)) in pull.iter().zip(&other) {
                assert_eq!(vp, vb);
                assert!(
                    (sp - sb).abs() <= 1e-12 * sp,
                    "{kernel:?}, node {vp}: {sp} vs {sb}"
                );
            }
        }
    }

    /// Scores written after renumbering by degree are indexed by the file's ids.
    #[test]
    fn degree_order_writes_scores_by_file_id() {
        let dir = tempfile::tempdir().unwrap();
        let el = dir.path().join("g.el");
        // Node 7 is the busiest source, 0 is dangling, 5 isolated below the largest id.
        let mut text = String::new();
        for v in [1, 2, 3, 4, 6, 8] {
            text.push_str(&format!("7 {v}\n{v} 0\n"));
        }
        text.push_str("7 0\n1 7\n2 7\n8 1\n");
        std::fs::write(&el, text).unwrap();
        let read = |order, name: &str| {
            let out = dir.path().join(name);
            run(args(&el, order, &out), dir.path()).unwrap();
            std::fs::read_to_string(&out).unwrap()
        };
        let by_degree = read(Order::Degree, "d.csv");
        let by_input = read(Order::Input, "i.csv");
        let parse = |s: &str| -> Vec<(usize, f64)> {
            s.lines()
                .skip(1)
                .map(|l| {
                    let (a, b) = l.split_once(',').unwrap();
                    (a.parse().unwrap(), b.parse().unwrap())
                })
                .collect()
        };
        let (d, i) = (parse(&by_degree), parse(&by_input));
        assert_eq!(d.len(), 9);
        for ((vd, sd), (vi, si)) in d.iter().zip(&i) {
            assert_eq!(vd, vi);
            assert!((sd - si).abs() < 1e-12, "node {vd}: {sd} vs {si}");
        }
        // The hub's score stays at its file id, above the isolated node's.
        assert!(d[7].1 > d[5].1 && d[0].1 > d[5].1);
    }
}

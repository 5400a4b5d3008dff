//! The text load of `renown pagerank --input FILE` alone, for profiling the edge-list reader
//! with a small build:
//! `cargo run --release -p renown-graph --example load_edge_list -- FILE [--order input|degree] [--save OUT]`
//! prints the load time (file to graph, renumbering included) and, with `--save`, writes the
//! graph in the binary pull-graph format so two builds' graphs can be compared byte for byte.

use renown_graph::{read_pull_graph_ordered, save_pull_graph, NodeOrder};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let Some(file) = args.next().map(PathBuf::from) else {
        eprintln!("usage: load_edge_list FILE [--order input|degree] [--save OUT]");
        std::process::exit(2);
    };
    let (mut order, mut save) = (NodeOrder::Degree, None);
    while let Some(flag) = args.next() {
        match (flag.to_str(), args.next()) {
            (Some("--order"), Some(v)) if v == "input" => order = NodeOrder::Input,
            (Some("--order"), Some(v)) if v == "degree" => order = NodeOrder::Degree,
            (Some("--save"), Some(v)) => save = Some(PathBuf::from(v)),
            _ => {
                eprintln!("unknown argument {flag:?}");
                std::process::exit(2);
            }
        }
    }
    let started = Instant::now();
    let g = read_pull_graph_ordered(&file, None, order).expect("load");
    let secs = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&file).map_or(0, |m| m.len());
    println!(
        "LOAD_S {secs:.3} n {} m {} {:.0} MB/s",
        g.graph.n(),
        g.graph.m(),
        bytes as f64 / secs / 1e6
    );
    if let Some(out) = save {
        save_pull_graph(&out, &g).expect("save");
    }
}

use crate::Outcome;
use std::net::SocketAddr;
use std::path::Path;

const EXAMPLES: &str = "\
Examples:
  renown serve                                  # http://127.0.0.1:7878, read-only
  renown --db higgs.db serve --addr 127.0.0.1:0 # any free port
  RENOWN_TOKEN=s3cret renown serve              # also accept POST /api/ingest
  curl -H 'Authorization: Bearer s3cret' --data-binary @events.jsonl.gz \\
       'http://127.0.0.1:7878/api/ingest?name=events.jsonl.gz'

The dashboard is at the printed URL; the API is described at /api/openapi.json.
It binds to loopback unless told otherwise; anyone who can reach the address can read the store.
Requests must name the server in their Host header (a loopback name, the bound address, or a
name given with --allow-host); limits and status codes under load are in docs/SERVER.md.";

/// Serve the JSON API and the dashboard.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:7878")]
    pub addr: SocketAddr,
    /// Accept ingests over HTTP from requests carrying `Authorization: Bearer TOKEN`.
    #[arg(long, env = "RENOWN_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Largest request body accepted, in MiB, both as sent and once decompressed.
    #[arg(long, default_value_t = 256)]
    pub max_body_mb: u64,
    /// Seconds a read request may take before it is abandoned.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Also answer requests whose Host header is NAME (e.g. the machine's DNS name when it
    /// listens beyond loopback); repeatable. Others get 403 (DNS-rebinding protection).
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Open connections at most; beyond it the oldest idle connection is closed.
    #[arg(long, default_value_t = 256)]
    pub max_connections: usize,
    /// Long computations (the dynamics bootstrap) run at once; more get 503 with Retry-After.
    #[arg(long, default_value_t = 2)]
    pub max_jobs: usize,
    /// Seconds a read request waits for its answer; past them it is answered 202 with a
    /// "computing" status, the answer is finished in the background, and asking again gets it.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.5)]
    pub answer_within: f64,
}

pub fn run(args: Args, db: &Path, params: renown_app::Params) -> anyhow::Result<Outcome> {
    super::open_existing(db)?;
    if args.token.as_deref().is_some_and(|t| t.trim().len() < 8) {
        anyhow::bail!("--token must be at least 8 characters");
    }
    let mut config = renown_serve::Config::new(db.to_path_buf());
    config.token = args.token.clone();
    config.max_body = args.max_body_mb.saturating_mul(1 << 20);
    config.timeout = std::time::Duration::from_secs(args.timeout.max(1));
    if args.max_connections == 0 || args.max_jobs == 0 {
        anyhow::bail!("--max-connections and --max-jobs must be at least 1");
    }
    config.allowed_hosts = args.allow_host.clone();
    config.limits.max_connections = args.max_connections;
    config.max_jobs = args.max_jobs;
    if !(args.answer_within.is_finite() && (0.0..=86_400.0).contains(&args.answer_within)) {
        anyhow::bail!("--answer-within must be between 0 and 86400 seconds");
    }
    config.first_answer_within = Some(std::time::Duration::from_secs_f64(args.answer_within));
    config.params = params;
    serve(config, args.addr)
}

/// Serves `config` on `addr`, printing the URL once it listens.
pub fn serve(config: renown_serve::Config, addr: SocketAddr) -> anyhow::Result<Outcome> {
    let writable = config.token.is_some();
    let db = config.db.display().to_string();
    let params_source = config.params.source.clone();
    renown_serve::run(config, addr, |bound| {
        println!("renown dashboard on {db}: http://{bound}/");
        println!(
            "{}; Ctrl-C stops.",
            if writable {
                "POST /api/ingest accepts uploads with the token"
            } else {
                "read-only"
            }
        );
        if let Some(source) = &params_source {
            println!("measure parameters from {source}");
        }
        if !bound.ip().is_loopback() {
            eprintln!("note: listening on {bound}, reachable from other machines");
        }
    })?;
    Ok(Outcome::Clean)
}

//! `district-bench`: throughput and latency of the hot paths, for `make bench`.
//!
//! Each run drives one target with N concurrent clients for a fixed time after a warm-up and
//! appends one JSON line to the results; `report` turns the lines into tables. Targets:
//!
//! - `limit`: pgbench running the bare claim and release of seats (`bench/pg-limit`), the
//!   yardstick every hold figure is a ratio to;
//! - `engine`: `Bookings::hold` in this process, without HTTP and without the seat filter;
//! - `http`: a running server.
//!
//! `rush` is the flash sale: moviegoers arriving at a rate for one show (or, for the steady
//! state, spread over many), going from their city's movies and the show's movie to its seat
//! map, through the waiting room to a paid ticket (`rush`, `browse`, `journey`, `queue`).
//! `fanout` is one show's live seat stream followed by thousands of maps while its seats change.
//!
//! Scenarios: `many-shows` (every client holds seat pairs on shows of its own, each hold
//! replacing the client's earlier one on that show), `hot-show` (everyone holds random pairs of
//! one show), `seat-map` (GET /api/v1/shows/{id}/seats of a show of about 300 seats), `pages`
//! (the home, movie and seat-map pages, timed by the server's own latency histogram).
//! Configuration comes from the same environment as the server.

mod browse;
mod drive;
mod fanout;
mod gateway;
mod journey;
mod limit;
mod plan;
mod probe;
mod queue;
mod razorpay;
mod report;
mod rush;
mod stripe;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use server::config::Config;
use std::{collections::BTreeMap, io::Write as _, path::PathBuf, sync::Arc, time::Duration};
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(name = "district-bench", about = "Benchmarks the hot paths")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the scenarios against one target, one JSON line per run.
    Run(RunArgs),
    /// Prints a results file as tables, each hold figure relative to the limit of its round.
    Report {
        #[arg(long)]
        results: PathBuf,
    },
    /// A flash sale: moviegoers arriving at a rate for one show, each the whole way to a ticket.
    Rush(rush::RushArgs),
    /// One show's live seat stream followed by many maps while its seats change.
    Fanout(fanout::FanoutArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    #[arg(long, value_enum)]
    target: Target,
    /// Base URL of the server (http target).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Names the target in the report, e.g. "HTTP, Redis".
    #[arg(long)]
    label: Option<String>,
    #[arg(long, value_delimiter = ',', default_value = "32")]
    clients: Vec<usize>,
    #[arg(long, value_enum, value_delimiter = ',', default_value = "many-shows")]
    scenarios: Vec<Scenario>,
    /// Seconds measured, after the warm-up.
    #[arg(long, default_value_t = 5)]
    duration: u64,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// The server's process id, to report its CPU use (http target).
    #[arg(long)]
    server_pid: Option<u32>,
    /// The database `bench/pg-limit/schema.sql` is loaded in (limit target).
    #[arg(long, default_value = "district_pg_limit")]
    limit_db: String,
    #[arg(long, default_value = "target/bench/results.jsonl")]
    results: PathBuf,
    /// The round of an interleaved series this run belongs to.
    #[arg(long, default_value_t = 1)]
    round: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Target {
    Limit,
    Engine,
    Http,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, ValueEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
enum Scenario {
    ManyShows,
    HotShow,
    SeatMap,
    Pages,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Self::ManyShows => "many shows",
            Self::HotShow => "hot show",
            Self::SeatMap => "seat map",
            Self::Pages => "pages",
        }
    }

    fn holds(self) -> bool {
        matches!(self, Self::ManyShows | Self::HotShow)
    }
}

/// One measured run.
#[derive(Serialize, Deserialize)]
struct Outcome {
    round: u32,
    label: String,
    target: Target,
    scenario: Scenario,
    clients: usize,
    seconds: f64,
    requests: u64,
    per_second: f64,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
    /// pgbench's average latency.
    #[serde(default)]
    mean_ms: Option<f64>,
    ok: u64,
    refused: u64,
    other: u64,
    cpu: probe::Cpu,
    /// What PostgreSQL's backends were doing, sample counts.
    #[serde(default)]
    activity: BTreeMap<String, u64>,
    /// The server's own median per route, in ms.
    #[serde(default)]
    server_p50_ms: BTreeMap<String, f64>,
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Report { results } => report::print(&results),
        Command::Run(args) => tokio::runtime::Runtime::new()?.block_on(run(args)),
        Command::Rush(args) => tokio::runtime::Runtime::new()?.block_on(rush::run(args)),
        Command::Fanout(args) => tokio::runtime::Runtime::new()?.block_on(fanout::run(args)),
    }
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let label = args
        .label
        .clone()
        .unwrap_or_else(|| format!("{:?}", args.target).to_lowercase());
    let options = server::db::connect_options(config.database_url.expose_secret())?;
    let database = options.get_database().unwrap_or("district").to_owned();
    let pool = server::db::connect(
        config.database_url.expose_secret(),
        config.database_max_connections,
    )
    .await?;
    let most_clients = args.clients.iter().copied().max().unwrap_or(1);
    let users = Arc::new(plan::bench_users(&pool, most_clients).await?);
    let plan = Arc::new(plan::Plan::load(&pool, most_clients).await?);
    let redis = match &config.redis_url {
        Some(url) => Some(server::db::redis(url.expose_secret()).await?),
        None => None,
    };
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        // Answers are read as sent: unpacking a gzipped seat map is the phone's work, and here
        // it would take the two cores from the server being measured (it took 1.3 of them).
        .no_gzip()
        .build()?;
    let driver = Arc::new(match args.target {
        Target::Limit | Target::Http => drive::Driver::Http {
            client: http.clone(),
            base: args.url.trim_end_matches('/').to_owned(),
            tokens: plan::bearer_tokens(&config, &users),
        },
        Target::Engine => {
            // PostgreSQL alone: the filter is measured over HTTP.
            let state = server::state(&config, server::leptos_options(&config)?).await?;
            let bookings = state.bookings.clone();
            drive::Driver::Engine(Box::new(server::AppState::new(server::Domains {
                bookings: bookings.with_filter(app::booking::seat_filter::SeatFilter::off()),
                ..server::Domains::clone(&state)
            })))
        }
    });
    let limit = limit::Limit {
        options: options.clone(),
        database: args.limit_db.clone(),
        script: "bench/pg-limit/hold_cycle.sql".into(),
        connections: config.database_max_connections as usize,
    };
    let (warmup, duration) = (
        Duration::from_secs(args.warmup),
        Duration::from_secs(args.duration),
    );
    for &scenario in &args.scenarios {
        for &clients in &args.clients {
            // Reads write nothing to undo, and a rush's paid bookings, which a reset cannot
            // delete, may be on the plan's shows.
            if scenario.holds() {
                plan::reset(&pool, &plan, redis.clone()).await?;
            }
            let base = Outcome {
                round: args.round,
                label: label.clone(),
                target: args.target,
                scenario,
                clients,
                seconds: duration.as_secs_f64(),
                requests: 0,
                per_second: 0.0,
                p50_ms: None,
                p99_ms: None,
                mean_ms: None,
                ok: 0,
                refused: 0,
                other: 0,
                cpu: probe::Cpu::default(),
                activity: BTreeMap::new(),
                server_p50_ms: BTreeMap::new(),
            };
            let watched = if args.target == Target::Limit {
                args.limit_db.clone()
            } else {
                database.clone()
            };
            let stop = CancellationToken::new();
            let sampler = tokio::spawn(probe::activity(pool.clone(), watched, stop.clone()));
            let outcome = if args.target == Target::Limit {
                let measured = limit.run(clients, warmup, duration).await?;
                Outcome {
                    requests: measured.cycles,
                    per_second: measured.tps,
                    mean_ms: Some(measured.latency_ms),
                    ok: measured.cycles,
                    other: measured.failed,
                    cpu: measured.cpu,
                    ..base
                }
            } else {
                let window = drive::window(warmup, duration);
                let measuring = drive::clients(&driver, &plan, &users, scenario, clients, window);
                let cpu = async {
                    tokio::time::sleep_until(window.0.into()).await;
                    let before = probe::CpuSample::take(None, args.server_pid);
                    tokio::time::sleep_until(window.1.into()).await;
                    probe::CpuSample::take(None, args.server_pid)
                        .since(&before, duration.as_secs_f64())
                };
                let (tally, cpu) = tokio::join!(measuring, cpu);
                if let Some(error) = &tally.first_error {
                    eprintln!(
                        "bench: {} {clients}: first unexpected answer: {error}",
                        scenario.name()
                    );
                }
                let server_p50_ms = if scenario == Scenario::Pages {
                    probe::server_medians(&http, args.url.trim_end_matches('/')).await
                } else {
                    BTreeMap::new()
                };
                let requests = tally.latencies_us.len() as u64;
                Outcome {
                    requests,
                    per_second: requests as f64 / duration.as_secs_f64(),
                    p50_ms: Some(drive::percentile(&tally.latencies_us, 0.50)),
                    p99_ms: Some(drive::percentile(&tally.latencies_us, 0.99)),
                    ok: tally.ok,
                    refused: tally.refused,
                    other: tally.other,
                    cpu,
                    server_p50_ms,
                    ..base
                }
            };
            stop.cancel();
            let activity = sampler.await.unwrap_or_default();
            let outcome = Outcome {
                activity,
                ..outcome
            };
            eprintln!(
                "bench: {label}, {}, {clients} clients: {:.0}/s",
                scenario.name(),
                outcome.per_second
            );
            append(&args.results, &outcome)?;
        }
    }
    if args.scenarios.iter().any(|s| s.holds()) {
        plan::reset(&pool, &plan, redis).await?;
    }
    Ok(())
}

/// Adds `result` to a results file as one JSON line.
fn append(results: &std::path::Path, result: &impl Serialize) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(results)
        .with_context(|| format!("cannot write {}", results.display()))?;
    writeln!(file, "{}", serde_json::to_string(result)?)?;
    Ok(())
}

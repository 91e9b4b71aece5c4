//! `district-bench`: throughput and latency of seat holds, for `make bench`.
//!
//! Each run drives one target with N concurrent clients for a fixed time after a warm-up and
//! prints one Markdown row. Targets:
//!
//! - `http`: POST /api/v1/bookings/hold on a running server, one user and token per client;
//! - `engine`: `engine::hold` in this process, the same work without HTTP and without the seat
//!   filter;
//! - `postgres`: `engine::claim_seats` alone, the conditional write transaction, on a pool the
//!   size of the server's (DATABASE_MAX_CONNECTIONS): the ceiling the others are compared with.
//!
//! Scenarios:
//!
//! - `many-shows`: every client holds pairs of seats on shows of its own, no contention;
//! - `hot-show`: every client holds a random pair on the same (largest) show.
//!
//! Every held pair is aligned so that no selection leaves a single-seat gap, whatever else is
//! held. Configuration comes from the same environment as the server (DATABASE_URL, REDIS_URL,
//! JWT_SECRET, DATABASE_MAX_CONNECTIONS, HOLD_TTL_SECONDS...).

use anyhow::{bail, Context};
use app::{
    account::{tokens::Jwt, Role},
    booking::{
        engine::{self, Claim, HoldRequest, Policy},
        lock::SeatLock,
        BookingError,
    },
    state::AppState,
};
use clap::{Parser, Subcommand, ValueEnum};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use server::config::Config;
use sqlx::PgPool;
use std::{
    collections::{BTreeMap, HashMap},
    fmt::Write as _,
    io::Write as _,
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "district-bench", about = "Benchmarks seat holds")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the scenarios against one target, one Markdown row per run.
    Run(RunArgs),
    /// Prints a results file as one table, with each run's throughput relative to the ceiling.
    Report {
        #[arg(long)]
        results: PathBuf,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    #[arg(long, value_enum)]
    target: Target,
    /// Base URL of the server (http target).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Names the target in the output, e.g. "HTTP, Redis".
    #[arg(long)]
    label: Option<String>,
    #[arg(long, value_delimiter = ',', default_value = "32,256")]
    clients: Vec<usize>,
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "many-shows,hot-show"
    )]
    scenarios: Vec<Scenario>,
    /// Seconds measured, after the warm-up.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// The server's process id, to report its CPU use (http target).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Appends each run as one JSON line to this file.
    #[arg(long)]
    results: Option<PathBuf>,
    /// Prints the table header first.
    #[arg(long)]
    header: bool,
    /// The round of an interleaved series this run belongs to: the report compares each run
    /// with the ceiling of its own round, measured minutes apart at most.
    #[arg(long, default_value_t = 1)]
    round: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Target {
    Http,
    Engine,
    Postgres,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, ValueEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
enum Scenario {
    ManyShows,
    HotShow,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Self::ManyShows => "many shows",
            Self::HotShow => "hot show",
        }
    }
}

/// One measured run.
#[derive(Serialize, Deserialize)]
struct Outcome {
    #[serde(default)]
    round: u32,
    label: String,
    target: Target,
    scenario: Scenario,
    clients: usize,
    seconds: f64,
    requests: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    held: u64,
    refused: u64,
    other: u64,
    /// CPU cores busy on average during the measurement.
    cpu: Cpu,
}

#[derive(Default, Serialize, Deserialize)]
struct Cpu {
    bench: f64,
    server: Option<f64>,
    postgres: f64,
    machine: f64,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Report { results } => report(&results),
        Command::Run(args) => tokio::runtime::Runtime::new()?.block_on(run(args)),
    }
}

const HEADER: &str = "| target | scenario | clients | holds/s | p50 ms | p99 ms | 201 | 409 | other | CPU bench / server / postgres / machine |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|";

async fn run(args: RunArgs) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let label = args
        .label
        .clone()
        .unwrap_or_else(|| format!("{:?}", args.target).to_lowercase());
    let most_clients = args.clients.iter().copied().max().unwrap_or(1);
    let pool = server::db::connect(
        config.database_url.expose_secret(),
        config.database_max_connections,
    )
    .await?;
    let users = bench_users(&pool, most_clients).await?;
    let plan = Plan::load(&pool, most_clients).await?;
    let redis = match &config.redis_url {
        Some(url) => Some(server::db::redis(url.expose_secret()).await?),
        None => None,
    };
    let driver = match args.target {
        Target::Postgres => Driver::Postgres {
            pool: pool.clone(),
            policy: config.booking.clone(),
        },
        Target::Engine => {
            let mut state = server::state(&config, server::leptos_options(&config)?).await?;
            // PostgreSQL alone: claims kept in this process would outlive the resets between
            // runs, and the filter is measured over HTTP.
            state.seat_lock = SeatLock::off();
            Driver::Engine(Box::new(state))
        }
        Target::Http => {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(usize::MAX)
                .tcp_nodelay(true)
                .timeout(Duration::from_secs(30))
                .build()?;
            let jwt = Jwt::new(
                config.jwt_secret.expose_secret().as_bytes(),
                Duration::from_secs(4 * 3600),
            );
            Driver::Http {
                client,
                url: format!("{}/api/v1/bookings/hold", args.url.trim_end_matches('/')),
                tokens: users
                    .iter()
                    .map(|u| format!("Bearer {}", jwt.issue(*u, Role::Customer)))
                    .collect(),
            }
        }
    };
    let driver = Arc::new(driver);
    let users = Arc::new(users);
    if args.header {
        println!("{HEADER}");
    }
    for &scenario in &args.scenarios {
        for &clients in &args.clients {
            reset(&pool, &plan, redis.clone()).await?;
            let outcome = measure(
                &driver,
                &plan,
                &users,
                scenario,
                clients,
                Duration::from_secs(args.warmup),
                Duration::from_secs(args.duration),
                args.server_pid,
            )
            .await;
            let outcome = Outcome {
                round: args.round,
                label: label.clone(),
                target: args.target,
                ..outcome
            };
            println!("{}", row(&outcome));
            if let Some(path) = &args.results {
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                writeln!(file, "{}", serde_json::to_string(&outcome)?)?;
            }
        }
    }
    reset(&pool, &plan, redis).await?;
    Ok(())
}

fn row(o: &Outcome) -> String {
    let server = o
        .cpu
        .server
        .map_or_else(|| "-".to_owned(), |c| format!("{c:.2}"));
    format!(
        "| {} | {} | {} | {:.0} | {:.1} | {:.1} | {} | {} | {} | {:.2} / {} / {:.2} / {:.2} |",
        o.label,
        o.scenario.name(),
        o.clients,
        o.per_second,
        o.p50_ms,
        o.p99_ms,
        o.held,
        o.refused,
        o.other,
        o.cpu.bench,
        server,
        o.cpu.postgres,
        o.cpu.machine,
    )
}

/// Verified customers `bench-0000@bench.district.test`..., created when missing.
async fn bench_users(db: &PgPool, count: usize) -> anyhow::Result<Vec<Uuid>> {
    sqlx::query(
        "INSERT INTO users (email, name, password_hash, email_verified_at)
         SELECT format('bench-%s@bench.district.test', lpad(i::text, 4, '0')),
                format('Bench %s', i), '!', now()
           FROM generate_series(0, $1 - 1) AS i
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(count as i32)
    .execute(db)
    .await?;
    let users: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM users WHERE email LIKE 'bench-%@bench.district.test'
          ORDER BY email LIMIT $1",
    )
    .bind(count as i64)
    .fetch_all(db)
    .await?;
    if users.len() < count {
        bail!("only {} of {count} bench users exist", users.len());
    }
    Ok(users)
}

/// Two adjacent seats of one show, with their prices.
struct Pair {
    seats: Vec<Uuid>,
    prices: Vec<i64>,
}

struct Show {
    id: Uuid,
    currency: String,
    pairs: Vec<Pair>,
}

/// The shows each scenario uses.
struct Plan {
    /// Shows of client i: `many[i * per_client..(i + 1) * per_client]`.
    many: Vec<Arc<Show>>,
    per_client: usize,
    hot: Arc<Show>,
}

impl Plan {
    async fn load(db: &PgPool, most_clients: usize) -> anyhow::Result<Self> {
        // Shows that stay on sale for the whole benchmark.
        let shows: Vec<(Uuid, Uuid, String)> = sqlx::query_as(
            "SELECT id, screen_id, currency::text FROM shows
              WHERE status = 'scheduled' AND starts_at > now() + interval '2 hours'
              ORDER BY starts_at DESC, id",
        )
        .fetch_all(db)
        .await?;
        let screens: Vec<Uuid> = {
            let mut s: Vec<Uuid> = shows.iter().map(|s| s.1).collect();
            s.sort();
            s.dedup();
            s
        };
        let seats: Vec<(Uuid, Uuid, i32, i32, String, Uuid)> = sqlx::query_as(
            "SELECT screen_id, id, grid_row, grid_col, kind, category_id FROM seats
              WHERE screen_id = ANY($1)",
        )
        .bind(&screens)
        .fetch_all(db)
        .await?;
        let mut by_screen: HashMap<Uuid, Vec<PlanSeat>> = HashMap::new();
        for (screen, id, row, col, kind, category) in seats {
            by_screen.entry(screen).or_default().push(PlanSeat {
                id,
                row,
                col,
                standard: kind == "standard",
                category,
            });
        }
        let pairs_by_screen: HashMap<Uuid, Vec<[&PlanSeat; 2]>> = by_screen
            .iter()
            .map(|(screen, seats)| (*screen, gap_free_pairs(seats)))
            .collect();
        let most_pairs = pairs_by_screen.values().map(Vec::len).max().unwrap_or(0);
        let Some(hot_index) = shows
            .iter()
            .position(|s| pairs_by_screen.get(&s.1).map_or(0, Vec::len) == most_pairs)
        else {
            bail!("no show on sale: load the demo data first (district seed)");
        };
        let per_client = ((shows.len() - 1) / most_clients).min(16);
        if per_client == 0 {
            bail!(
                "{} shows on sale are too few for {most_clients} clients: seed more days",
                shows.len()
            );
        }
        let chosen: Vec<usize> = std::iter::once(hot_index)
            .chain(
                (0..shows.len())
                    .filter(|i| *i != hot_index)
                    .take(per_client * most_clients),
            )
            .collect();
        let ids: Vec<Uuid> = chosen.iter().map(|i| shows[*i].0).collect();
        let prices: Vec<(Uuid, Uuid, i64)> = sqlx::query_as(
            "SELECT show_id, category_id, price_minor FROM show_prices WHERE show_id = ANY($1)",
        )
        .bind(&ids)
        .fetch_all(db)
        .await?;
        let prices: HashMap<(Uuid, Uuid), i64> =
            prices.into_iter().map(|(s, c, p)| ((s, c), p)).collect();
        let mut plans = chosen.iter().map(|i| {
            let (id, screen, currency) = &shows[*i];
            Arc::new(Show {
                id: *id,
                currency: currency.clone(),
                pairs: pairs_by_screen[screen]
                    .iter()
                    .filter_map(|pair| {
                        let mut seats: Vec<&PlanSeat> = pair.to_vec();
                        seats.sort_by_key(|s| s.id);
                        Some(Pair {
                            seats: seats.iter().map(|s| s.id).collect(),
                            prices: seats
                                .iter()
                                .map(|s| prices.get(&(*id, s.category)).copied())
                                .collect::<Option<Vec<i64>>>()?,
                        })
                    })
                    .collect(),
            })
        });
        let hot = plans.next().expect("the hot show is chosen first");
        let many: Vec<Arc<Show>> = plans.filter(|s| !s.pairs.is_empty()).collect();
        if many.len() < per_client * most_clients || hot.pairs.is_empty() {
            bail!("not enough priced seats on the shows on sale: reload the demo data");
        }
        eprintln!(
            "bench: hot show {} with {} pairs; {} shows for the many-shows scenario ({per_client} per client)",
            hot.id,
            hot.pairs.len(),
            many.len(),
        );
        Ok(Self {
            many,
            per_client,
            hot,
        })
    }

    fn show_ids(&self) -> Vec<Uuid> {
        std::iter::once(self.hot.id)
            .chain(self.many.iter().map(|s| s.id))
            .collect()
    }
}

struct PlanSeat {
    id: Uuid,
    row: i32,
    col: i32,
    standard: bool,
    category: Uuid,
}

/// Pairs that never leave a single-seat gap, whichever of them are held: in each block of seats
/// side by side (between aisles), pairs start at even offsets from the block's start; in an odd
/// block the last three seats are never taken, so its right end is never a lone seat. Rows with
/// wheelchair spaces or companion seats are left out.
fn gap_free_pairs(seats: &[PlanSeat]) -> Vec<[&PlanSeat; 2]> {
    let mut rows: BTreeMap<i32, Vec<&PlanSeat>> = BTreeMap::new();
    for seat in seats {
        rows.entry(seat.row).or_default().push(seat);
    }
    let mut pairs = Vec::new();
    for row in rows.values_mut() {
        if row.iter().any(|s| !s.standard) {
            continue;
        }
        row.sort_by_key(|s| s.col);
        let mut blocks: Vec<Vec<&PlanSeat>> = Vec::new();
        for seat in row.iter() {
            match blocks.last_mut() {
                Some(block) if block.last().is_some_and(|l| l.col + 1 == seat.col) => {
                    block.push(seat)
                }
                _ => blocks.push(vec![seat]),
            }
        }
        for block in blocks {
            let usable = if block.len() % 2 == 0 {
                block.len()
            } else {
                block.len().saturating_sub(3)
            };
            for start in (0..usable.saturating_sub(1)).step_by(2) {
                pairs.push([block[start], block[start + 1]]);
            }
        }
    }
    pairs
}

/// Gives back every hold on the benchmark's shows (and their Redis claims), so each run starts
/// from the same state, and tidies up after the previous run.
async fn reset(
    db: &PgPool,
    plan: &Plan,
    redis: Option<redis::aio::ConnectionManager>,
) -> anyhow::Result<()> {
    let shows = plan.show_ids();
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE show_seats SET status = 'available', booking_id = NULL, held_until = NULL,
                version = version + 1, updated_at = now()
          WHERE show_id = ANY($1) AND status = 'held'",
    )
    .bind(&shows)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE bookings SET status = 'cancelled', cancelled_at = now(), updated_at = now()
          WHERE show_id = ANY($1) AND status = 'held'",
    )
    .bind(&shows)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    for table in ["show_seats", "bookings", "booking_seats", "outbox_events"] {
        sqlx::query(&format!("VACUUM (ANALYZE) {table}"))
            .execute(db)
            .await?;
    }
    sqlx::query("CHECKPOINT").execute(db).await?;
    if let Some(mut conn) = redis {
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg("seat:*")
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await?;
            if !keys.is_empty() {
                redis::cmd("DEL")
                    .arg(&keys)
                    .query_async::<i64>(&mut conn)
                    .await?;
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }
    Ok(())
}

enum Driver {
    Http {
        client: reqwest::Client,
        url: String,
        tokens: Vec<String>,
    },
    Engine(Box<AppState>),
    Postgres {
        pool: PgPool,
        policy: Policy,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Held,
    Refused,
    Other,
}

impl Driver {
    async fn hold(
        &self,
        client: usize,
        user: Uuid,
        show: &Show,
        pair: &Pair,
    ) -> (Answer, Option<String>) {
        match self {
            Self::Http {
                client: http,
                url,
                tokens,
            } => {
                let body = format!(
                    r#"{{"show_id":"{}","seat_ids":["{}","{}"]}}"#,
                    show.id, pair.seats[0], pair.seats[1]
                );
                let sent = http
                    .post(url)
                    .header("authorization", &tokens[client])
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                match sent {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let text = response.bytes().await;
                        match (status, text) {
                            (201, Ok(_)) => (Answer::Held, None),
                            (409, Ok(_)) => (Answer::Refused, None),
                            (code, body) => (
                                Answer::Other,
                                Some(format!(
                                    "{code} {}",
                                    body.map(|b| String::from_utf8_lossy(&b).into_owned())
                                        .unwrap_or_default()
                                )),
                            ),
                        }
                    }
                    Err(err) => (Answer::Other, Some(err.to_string())),
                }
            }
            Self::Engine(state) => {
                let request = HoldRequest {
                    show_id: show.id,
                    seat_ids: pair.seats.clone(),
                    wheelchair: false,
                };
                answer(engine::hold(state, user, &request).await.map(|_| ()))
            }
            Self::Postgres { pool, policy } => {
                let claim = Claim {
                    user_id: user,
                    show_id: show.id,
                    seat_ids: pair.seats.clone(),
                    prices: pair.prices.clone(),
                    amount: policy.amount(&pair.prices, &show.currency),
                    hold_ttl: policy.hold_ttl,
                };
                answer(engine::claim_seats(pool, &claim).await.map(|_| ()))
            }
        }
    }
}

fn answer(result: Result<(), BookingError>) -> (Answer, Option<String>) {
    match result {
        Ok(()) => (Answer::Held, None),
        Err(BookingError::SeatsUnavailable(_)) => (Answer::Refused, None),
        Err(err) => (Answer::Other, Some(format!("{err:?}"))),
    }
}

/// A small xorshift, so each client picks its seats without shared state.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    held: u64,
    refused: u64,
    other: u64,
    first_error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn measure(
    driver: &Arc<Driver>,
    plan: &Plan,
    users: &Arc<Vec<Uuid>>,
    scenario: Scenario,
    clients: usize,
    warmup: Duration,
    duration: Duration,
    server_pid: Option<u32>,
) -> Outcome {
    let start = Instant::now();
    let measure_from = start + warmup;
    let until = measure_from + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..clients {
        let driver = driver.clone();
        let user = users[client];
        let shows: Vec<Arc<Show>> = match scenario {
            Scenario::ManyShows => {
                plan.many[client * plan.per_client..(client + 1) * plan.per_client].to_vec()
            }
            Scenario::HotShow => vec![plan.hot.clone()],
        };
        tasks.spawn(async move {
            let mut tally = Tally::default();
            let mut rng = Rng(
                0x9E37_79B9_7F4A_7C15 ^ (client as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03)
            );
            let mut n = 0usize;
            loop {
                let began = Instant::now();
                if began >= until {
                    break;
                }
                let (show, pair) = match scenario {
                    Scenario::ManyShows => {
                        let show = &shows[n % shows.len()];
                        let pair = &show.pairs[(n / shows.len() + client) % show.pairs.len()];
                        (show, pair)
                    }
                    Scenario::HotShow => {
                        let show = &shows[0];
                        (show, &show.pairs[rng.below(show.pairs.len())])
                    }
                };
                n += 1;
                let (answer, error) = driver.hold(client, user, show, pair).await;
                // An answer that never waited (a refusal from the in-process filter) must still
                // let the timers and the other clients run.
                tokio::task::consume_budget().await;
                let ended = Instant::now();
                if began < measure_from || ended > until {
                    continue;
                }
                tally
                    .latencies_us
                    .push((ended - began).as_micros().min(u32::MAX as u128) as u32);
                match answer {
                    Answer::Held => tally.held += 1,
                    Answer::Refused => tally.refused += 1,
                    Answer::Other => {
                        tally.other += 1;
                        if tally.first_error.is_none() {
                            tally.first_error = error;
                        }
                    }
                }
            }
            tally
        });
    }
    tokio::time::sleep_until(measure_from.into()).await;
    let before = CpuSample::take(server_pid);
    tokio::time::sleep_until(until.into()).await;
    let after = CpuSample::take(server_pid);
    let mut all = Tally::default();
    while let Some(done) = tasks.join_next().await {
        let tally = done.expect("a bench client panicked");
        all.latencies_us.extend(tally.latencies_us);
        all.held += tally.held;
        all.refused += tally.refused;
        all.other += tally.other;
        if all.first_error.is_none() {
            all.first_error = tally.first_error;
        }
    }
    if let Some(error) = &all.first_error {
        eprintln!(
            "bench: {} {clients}: first unexpected answer: {error}",
            scenario.name()
        );
    }
    all.latencies_us.sort_unstable();
    let seconds = duration.as_secs_f64();
    let requests = all.latencies_us.len() as u64;
    Outcome {
        round: 1,
        label: String::new(),
        target: Target::Http,
        scenario,
        clients,
        seconds,
        requests,
        per_second: requests as f64 / seconds,
        p50_ms: percentile(&all.latencies_us, 0.50),
        p99_ms: percentile(&all.latencies_us, 0.99),
        held: all.held,
        refused: all.refused,
        other: all.other,
        cpu: after.since(&before, seconds),
    }
}

fn percentile(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((sorted_us.len() as f64 * q).ceil() as usize).clamp(1, sorted_us.len());
    f64::from(sorted_us[rank - 1]) / 1000.0
}

/// CPU time used so far, in clock ticks (USER_HZ, 100 per second on Linux).
struct CpuSample {
    bench: u64,
    server: Option<u64>,
    postgres: u64,
    machine_busy: u64,
}

const TICKS_PER_SECOND: f64 = 100.0;

impl CpuSample {
    fn take(server_pid: Option<u32>) -> Self {
        let mut postgres = 0;
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                let name = entry.file_name();
                let Some(pid) = name
                    .to_str()
                    .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
                else {
                    continue;
                };
                if let Some(("postgres", ticks)) = process_ticks(pid) {
                    postgres += ticks;
                }
            }
        }
        Self {
            bench: process_ticks("self").map_or(0, |(_, t)| t),
            server: server_pid.and_then(|pid| process_ticks(&pid.to_string()).map(|(_, t)| t)),
            postgres,
            machine_busy: machine_busy_ticks(),
        }
    }

    fn since(&self, before: &Self, seconds: f64) -> Cpu {
        let cores = |after: u64, before: u64| {
            after.saturating_sub(before) as f64 / TICKS_PER_SECOND / seconds
        };
        Cpu {
            bench: cores(self.bench, before.bench),
            server: self.server.zip(before.server).map(|(a, b)| cores(a, b)),
            postgres: cores(self.postgres, before.postgres),
            machine: cores(self.machine_busy, before.machine_busy),
        }
    }
}

/// A process's command name and user + system time (its own threads, not its children).
fn process_ticks(pid: &str) -> Option<(&'static str, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, rest) = stat.rsplit_once(')')?;
    let comm = head.split_once('(')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((
        if comm == "postgres" {
            "postgres"
        } else {
            "other"
        },
        ticks,
    ))
}

/// Busy time of the whole machine: everything in /proc/stat's cpu line but idle and iowait.
fn machine_busy_ticks() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0;
    };
    let Some(line) = stat.lines().next() else {
        return 0;
    };
    let values: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    values
        .iter()
        .take(8)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, v)| v)
        .sum()
}

/// The results file as one table: for every target the median of its rounds, and its
/// throughput relative to the direct PostgreSQL ceiling of the same scenario, client count and
/// round (median, with the lowest and highest round).
fn report(path: &PathBuf) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let runs: Vec<Outcome> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let ceiling: HashMap<(Scenario, usize, u32), f64> = runs
        .iter()
        .filter(|r| r.target == Target::Postgres && r.per_second > 0.0)
        .map(|r| ((r.scenario, r.clients, r.round), r.per_second))
        .collect();
    let rank = |t: Target| -> u8 {
        match t {
            Target::Postgres => 0,
            Target::Engine => 1,
            Target::Http => 2,
        }
    };
    // (scenario, clients, target rank, first appearance) -> the rounds of one target.
    let mut groups: BTreeMap<(Scenario, usize, u8, usize), Vec<&Outcome>> = BTreeMap::new();
    let mut order: HashMap<&str, usize> = HashMap::new();
    for r in &runs {
        let next = order.len();
        let seen = *order.entry(r.label.as_str()).or_insert(next);
        groups
            .entry((r.scenario, r.clients, rank(r.target), seen))
            .or_default()
            .push(r);
    }
    let mut out = String::new();
    let rounds = runs.iter().map(|r| r.round).max().unwrap_or(1);
    let _ = writeln!(
        out,
        "Medians of {rounds} round(s); the answer counts are totals over them.\n\n| scenario | clients | target | holds/s | vs ceiling | p50 ms | p99 ms | 201 | 409 | other |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    for group in groups.values() {
        let r = group[0];
        let ratios: Vec<f64> = group
            .iter()
            .filter_map(|g| {
                let c = ceiling.get(&(g.scenario, g.clients, g.round))?;
                Some(g.per_second / c)
            })
            .collect();
        let ratio = match (median(&ratios), min_max(&ratios)) {
            (Some(m), Some((lo, hi))) if ratios.len() > 1 => format!("{m:.2} ({lo:.2}-{hi:.2})"),
            (Some(m), _) => format!("{m:.2}"),
            _ => "-".to_owned(),
        };
        let of = |f: fn(&Outcome) -> f64| median_by(group, f);
        let total = |f: fn(&Outcome) -> u64| group.iter().map(|g| f(g)).sum::<u64>();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {} | {:.1} | {:.1} | {} | {} | {} |",
            r.scenario.name(),
            r.clients,
            r.label,
            of(|g| g.per_second),
            ratio,
            of(|g| g.p50_ms),
            of(|g| g.p99_ms),
            total(|g| g.held),
            total(|g| g.refused),
            total(|g| g.other),
        );
    }
    let _ = writeln!(
        out,
        "\nCPU cores busy on average, medians (2 = the whole machine):\n\n| scenario | clients | target | bench process | server | postgres | machine |\n|---|---:|---|---:|---:|---:|---:|"
    );
    for group in groups.values() {
        let r = group[0];
        let of = |f: fn(&Outcome) -> f64| median_by(group, f);
        let server: Vec<f64> = group.iter().filter_map(|g| g.cpu.server).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.2} | {} | {:.2} | {:.2} |",
            r.scenario.name(),
            r.clients,
            r.label,
            of(|g| g.cpu.bench),
            median(&server).map_or_else(|| "-".to_owned(), |c| format!("{c:.2}")),
            of(|g| g.cpu.postgres),
            of(|g| g.cpu.machine),
        );
    }
    print!("{out}");
    Ok(())
}

/// The median of one figure over a target's rounds.
fn median_by(group: &[&Outcome], figure: fn(&Outcome) -> f64) -> f64 {
    median(&group.iter().map(|g| figure(g)).collect::<Vec<_>>()).unwrap_or(0.0)
}

fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn min_max(values: &[f64]) -> Option<(f64, f64)> {
    let lo = values.iter().copied().reduce(f64::min)?;
    let hi = values.iter().copied().reduce(f64::max)?;
    Some((lo, hi))
}

//! `district-bench rush`: a blockbuster's opening minute, or with `--shows` an ordinary hour's
//! steady state. Moviegoers arrive at a set rate (open loop: each on schedule, whatever the
//! answers so far) and go the whole way, from their city's movies to a ticket (`journey`). At
//! the end the data itself is checked: seats sold against seats on sale, show by show, no seat
//! sold twice, every succeeded payment a confirmed booking or a refund; and the waiting room's
//! order (`queue`).

use super::{
    browse::{Browse, Way},
    drive::percentile,
    gateway::Gateway,
    journey::{Road, Step, Trip},
    plan, queue,
    razorpay::RazorpayApi,
    stripe::StripeApi,
};
use anyhow::Context;
use secrecy::ExposeSecret;
use serde::Serialize;
use server::config::Config;
use std::{collections::BTreeMap, path::PathBuf, sync::Arc, time::Duration};
use tokio::time::Instant;
use uuid::Uuid;

#[derive(clap::Args)]
pub struct RushArgs {
    /// Base URL of the server (or of the load balancer in front of several).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Names the setup in the report, e.g. "2 instances, Redis".
    #[arg(long, default_value = "rush")]
    label: String,
    /// Moviegoers arriving.
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    /// Shows they go to, moviegoer n to the n-th modulo this many: one for a flash sale, many
    /// for the steady state.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    shows: u16,
    /// Seconds over which they arrive, evenly.
    #[arg(long, default_value_t = 5.0)]
    within: f64,
    /// How the moviegoers read the city's movies and the show's movie before its seat map.
    #[arg(long, value_enum, default_value = "api")]
    browse: Browse,
    /// Out of a hundred, those who let their seats go instead of paying.
    #[arg(long, default_value_t = 10)]
    cancel_percent: u64,
    /// Out of a hundred who paid, those who then cancel the booking, for the refund its
    /// notice earns (the rush's show is three hours away or more, well before the cutoff).
    #[arg(long, default_value_t = 0)]
    refund_percent: u64,
    /// Out of a hundred payers, those whose first card the gateway declines (the sandbox or
    /// Razorpay: localstripe cannot confirm an intent again after a declined charge, which
    /// Stripe can).
    #[arg(long, default_value_t = 0, conflicts_with = "stripe")]
    declined_percent: u64,
    /// Out of a hundred payers, those the sandbox gateway confirms only after its delay.
    #[arg(long, default_value_t = 0, conflicts_with_all = ["stripe", "razorpay"])]
    delayed_percent: u64,
    /// Pay through Stripe, at this address of its API (as Stripe.js reaches it), instead of
    /// the sandbox.
    #[arg(long, conflicts_with = "razorpay")]
    stripe: Option<String>,
    /// Pay on Razorpay Checkout, at this address of Razorpay's stand-in, instead of the
    /// sandbox.
    #[arg(long)]
    razorpay: Option<String>,
    #[arg(long, default_value = "target/bench/rush.jsonl")]
    results: PathBuf,
}

#[derive(Serialize)]
struct Report {
    label: String,
    users: usize,
    shows: usize,
    arrivals_per_second: f64,
    /// From the first arrival to the last trip's end.
    seconds: f64,
    requests: usize,
    /// Per step: count, p50, p95, p99 in ms.
    steps: BTreeMap<String, (usize, f64, f64, f64)>,
    ends: BTreeMap<String, usize>,
    first_error: Option<String>,
    seats_on_sale: i64,
    seats_sold: i64,
    seats_bought: usize,
    queued: usize,
    most_ahead: u64,
    /// Pairs the room let in against the order of their turns (queue.rs).
    inversions: usize,
    /// Moviegoers let in before their turn could have come.
    out_of_turn: usize,
    /// Pairs whose tokens reached them against the order promised, beyond a poll's slack.
    inversions_seen: usize,
    breaches: Vec<String>,
}

pub async fn run(args: RushArgs) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let pool = server::db::connect(config.database_url.expose_secret(), 4).await?;
    let shows = fresh_shows(&pool, args.shows.into()).await?;
    let users = plan::bench_users(&pool, args.users).await?;
    let tokens = plan::bearer_tokens(&config, &users);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        // Well under the server's HEADER_READ_TIMEOUT, which also closes idle connections: a
        // connection is not picked up just as the server lets it go.
        .pool_idle_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()?;
    let gateway = match (&args.stripe, &args.razorpay, &config.payments.stripe) {
        (Some(base), _, Some(keys)) => Some(Gateway::Stripe(StripeApi {
            base: base.trim_end_matches('/').to_owned(),
            key: keys.secret_key.expose_secret().to_owned(),
        })),
        (Some(_), _, None) => anyhow::bail!("--stripe needs STRIPE_SECRET_KEY, as the server has"),
        (None, Some(base), _) => Some(Gateway::Razorpay(RazorpayApi {
            base: base.trim_end_matches('/').to_owned(),
        })),
        (None, None, _) => None,
    };
    let mut ways = Vec::with_capacity(shows.len());
    for show in &shows {
        ways.push(Way::to(&pool, *show, args.browse).await?);
    }
    let road = Arc::new(Road {
        http,
        base: args.url.trim_end_matches('/').to_owned(),
        origin: config.public_url.trim_end_matches('/').to_owned(),
        ways,
        room: config.bounds.waiting_room,
        cancel_percent: args.cancel_percent,
        refund_percent: args.refund_percent,
        declined_percent: args.declined_percent,
        delayed_percent: args.delayed_percent,
        gateway,
    });
    eprintln!(
        "rush: {} moviegoers for {} show(s), {} first, within {}s ({})",
        args.users,
        shows.len(),
        shows[0],
        args.within,
        args.label
    );
    let began = Instant::now();
    let gap = Duration::from_secs_f64(args.within / args.users.max(1) as f64);
    let mut trips = tokio::task::JoinSet::new();
    for (n, token) in tokens.into_iter().enumerate() {
        let road = road.clone();
        // Open loop: the n-th arrives at n gaps, however the earlier ones fare.
        tokio::time::sleep_until(began + gap * n as u32).await;
        trips.spawn(async move { road.travel(n, &token).await });
    }
    let mut all = Vec::with_capacity(args.users);
    while let Some(trip) = trips.join_next().await {
        all.push(trip.context("a moviegoer's task failed")?);
    }
    let seconds = began.elapsed().as_secs_f64();
    let report = report(&args, &pool, &shows, &all, seconds).await?;
    print(&report);
    super::append(&args.results, &report)?;
    anyhow::ensure!(
        report.breaches.is_empty(),
        "invariants broken: {:?}",
        report.breaches
    );
    Ok(())
}

/// `count` shows on sale three hours ahead or more with nobody's bookings yet, as near 300
/// seats as there are: each rush starts from fresh ones.
pub async fn fresh_shows(db: &sqlx::PgPool, count: usize) -> anyhow::Result<Vec<Uuid>> {
    let shows: Vec<Uuid> = sqlx::query_scalar(
        "SELECT sh.id FROM shows sh
          WHERE sh.status = 'scheduled' AND sh.starts_at > now() + interval '3 hours'
            AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.show_id = sh.id)
          ORDER BY abs((SELECT count(*) FROM seats s
                         WHERE s.screen_id = sh.screen_id AND s.kind = 'standard') - 300),
                   sh.starts_at DESC, sh.id
          LIMIT $1",
    )
    .bind(count as i64)
    .fetch_all(db)
    .await?;
    anyhow::ensure!(
        shows.len() == count,
        "{} shows left without bookings, {count} asked: seed again",
        shows.len()
    );
    Ok(shows)
}

async fn report(
    args: &RushArgs,
    db: &sqlx::PgPool,
    shows: &[Uuid],
    trips: &[Trip],
    seconds: f64,
) -> anyhow::Result<Report> {
    let mut by_step: BTreeMap<Step, Vec<u32>> = BTreeMap::new();
    for (step, us) in trips.iter().flat_map(|t| &t.timings) {
        by_step.entry(*step).or_default().push(*us);
    }
    let steps = by_step
        .into_iter()
        .map(|(step, mut us)| {
            us.sort_unstable();
            let at = |q| percentile(&us, q);
            (
                format!("{step:?}").to_lowercase(),
                (us.len(), at(0.5), at(0.95), at(0.99)),
            )
        })
        .collect();
    let mut ends = BTreeMap::new();
    for trip in trips {
        *ends
            .entry(format!("{:?}", trip.end).to_lowercase())
            .or_insert(0) += 1;
    }
    let sales: Vec<(Uuid, i64, i64)> = sqlx::query_as(
        "SELECT sh.id,
                (SELECT count(*) FROM seats s WHERE s.screen_id = sh.screen_id AND s.kind = 'standard'),
                (SELECT count(*) FROM booking_seats bs JOIN bookings b ON b.id = bs.booking_id
                  WHERE b.show_id = sh.id AND b.status = 'confirmed')
           FROM shows sh WHERE sh.id = ANY($1)",
    )
    .bind(shows)
    .fetch_all(db)
    .await?;
    let mut breaches = server::invariants::invariant_breaches(db).await?;
    for (show, on_sale, sold) in &sales {
        if sold > on_sale {
            breaches.push(format!("show {show}: {sold} seats sold of {on_sale}"));
        }
    }
    let seats_on_sale = sales.iter().map(|s| s.1).sum();
    let seats_sold = sales.iter().map(|s| s.2).sum();
    Ok(Report {
        label: args.label.clone(),
        users: args.users,
        shows: shows.len(),
        arrivals_per_second: args.users as f64 / args.within,
        seconds,
        requests: trips.iter().map(|t| t.timings.len()).sum(),
        steps,
        ends,
        first_error: trips.iter().find_map(|t| t.error.clone()),
        seats_on_sale,
        seats_sold,
        seats_bought: trips.iter().map(|t| t.seats).sum(),
        queued: trips.iter().filter(|t| t.queued.is_some()).count(),
        most_ahead: trips
            .iter()
            .filter_map(|t| Some(t.queued.as_ref()?.position))
            .max()
            .unwrap_or(0),
        inversions: queue::inversions(trips),
        out_of_turn: queue::out_of_turn(trips),
        inversions_seen: queue::inversions_seen(trips),
        breaches,
    })
}

fn print(report: &Report) {
    println!(
        "{}: {} moviegoers for {} show(s) at {:.0}/s, {:.1}s, {} requests",
        report.label,
        report.users,
        report.shows,
        report.arrivals_per_second,
        report.seconds,
        report.requests
    );
    for (step, (n, p50, p95, p99)) in &report.steps {
        println!("  {step:<8} {n:>7}  p50 {p50:>8.1} ms  p95 {p95:>8.1} ms  p99 {p99:>8.1} ms");
    }
    println!("  ends: {:?}", report.ends);
    println!(
        "  seats sold {} of {} on sale ({} bought); queued {}, most ahead {}",
        report.seats_sold,
        report.seats_on_sale,
        report.seats_bought,
        report.queued,
        report.most_ahead,
    );
    println!(
        "  inversions {} ({} let in out of turn); as the moviegoers saw it {}",
        report.inversions, report.out_of_turn, report.inversions_seen
    );
    if let Some(error) = &report.first_error {
        println!("  first error: {error}");
    }
    println!("  invariant breaches: {}", report.breaches.len());
}

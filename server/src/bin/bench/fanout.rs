//! `district-bench fanout`: one show's live seat stream opened by many seat maps at once while
//! its seats change, to measure what a change costs the server per open map and how long the
//! last map waits for it.
//!
//! The streams open first (each until its snapshot has arrived); then seat pairs are held and
//! let go again on a schedule, each hold and each release one change for every map. It ends
//! when every map has every change, or ten seconds after the last one.

use super::{drive::percentile, plan, probe::CpuSample};
use anyhow::Context;
use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::Value;
use server::config::Config;
use std::{
    collections::{HashMap, HashSet},
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use uuid::Uuid;

/// How long a map may take to get its snapshot, and the maps to receive the last change.
const SETTLE: Duration = Duration::from_secs(10);

#[derive(clap::Args)]
pub struct FanoutArgs {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    #[arg(long, default_value = "fan-out")]
    label: String,
    /// Seat maps following the show, all from this address: the server needs
    /// SEAT_STREAMS_PER_CLIENT at least this high (`make bench` sets it).
    #[arg(long, default_value_t = 2000)]
    streams: usize,
    /// Seat changes made (half holds, half releases).
    #[arg(long, default_value_t = 400)]
    changes: usize,
    /// Milliseconds between changes.
    #[arg(long, default_value_t = 20)]
    every_ms: u64,
    /// The server's process id, to report its CPU time.
    #[arg(long)]
    server_pid: Option<u32>,
    #[arg(long, default_value = "target/bench/fanout.jsonl")]
    results: PathBuf,
}

#[derive(Serialize)]
struct Report {
    label: String,
    streams: usize,
    changes: usize,
    changes_per_second: f64,
    /// Seconds until every stream had its snapshot.
    opening_seconds: f64,
    delivered: usize,
    /// Changes a map never heard of (a hold let go before it was announced is heard only as
    /// let go).
    missed: usize,
    /// Holds and releases no map heard of.
    unheard: (usize, usize),
    /// Events that said again a change a map already had.
    repeated: usize,
    /// Snapshots sent after the first (a stream that fell behind is put right by one).
    resent_snapshots: usize,
    /// Server CPU seconds from the first change until every map had every change (or the
    /// wait ran out), and half a second more.
    server_cpu_seconds: Option<f64>,
    /// Per event sent to a map, repeats included.
    server_cpu_us_per_event: Option<f64>,
    /// From a change's request to its arrival on a map, ms: p50, p99, and the last arrival of
    /// each change at p50 and p99 of changes.
    arrival_ms: (f64, f64),
    last_arrival_ms: (f64, f64),
}

/// What one map has heard: each change event with its first seat, that seat's version and
/// whether it says held, and snapshots after the first.
#[derive(Default)]
struct Heard {
    events: Vec<(Instant, Option<Uuid>, Option<u64>, bool)>,
    snapshots: usize,
}

pub async fn run(args: FanoutArgs) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let pool = server::db::connect(config.database_url.expose_secret(), 2).await?;
    let show = super::rush::fresh_shows(&pool, 1).await?[0];
    let pairs = args.changes.div_ceil(2);
    let holders = plan::bench_users(&pool, pairs.clamp(1, 50)).await?;
    let tokens = plan::bearer_tokens(&config, &holders);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .tcp_nodelay(true)
        .build()?;
    let base = args.url.trim_end_matches('/').to_owned();
    let seats_url = format!("{base}/api/v1/shows/{show}/seats");
    let map: Value = http.get(&seats_url).send().await?.json().await?;
    let free = free_pairs(&map);
    anyhow::ensure!(!free.is_empty(), "no free pair of seats on show {show}");
    eprintln!(
        "fanout: {} maps of show {show}, {} changes every {} ms ({})",
        args.streams, args.changes, args.every_ms, args.label
    );

    let heard: Arc<Vec<Mutex<Heard>>> =
        Arc::new((0..args.streams).map(|_| Mutex::default()).collect());
    let opening = Instant::now();
    let mut maps = tokio::task::JoinSet::new();
    let (opened, mut all_open) = tokio::sync::mpsc::channel(args.streams.max(1));
    for n in 0..args.streams {
        let (http, url, heard, opened) = (
            http.clone(),
            format!("{seats_url}/stream"),
            heard.clone(),
            opened.clone(),
        );
        maps.spawn(async move { follow(http, url, &heard[n], opened).await });
    }
    drop(opened);
    for _ in 0..args.streams {
        tokio::time::timeout(SETTLE, all_open.recv())
            .await
            .context("a map's snapshot did not come")?
            .context("a map's stream did not open")??;
    }
    let opening_seconds = opening.elapsed().as_secs_f64();

    let before = CpuSample::take(None, args.server_pid);
    let began = Instant::now();
    let mut asked = Vec::with_capacity(args.changes);
    let mut schedule = tokio::time::interval(Duration::from_millis(args.every_ms.max(1)));
    for k in 0..pairs {
        let (token, seats) = (&tokens[k % tokens.len()], &free[k % free.len()]);
        schedule.tick().await;
        asked.push(Instant::now());
        let body = serde_json::json!({ "show_id": show, "seat_ids": seats });
        let held: Value = http
            .post(format!("{base}/api/v1/bookings/hold"))
            .header("authorization", token)
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        let booking = held["booking_id"]
            .as_str()
            .with_context(|| format!("hold refused: {held}"))?;
        if asked.len() == args.changes {
            break;
        }
        schedule.tick().await;
        asked.push(Instant::now());
        http.delete(format!("{base}/api/v1/bookings/{booking}"))
            .header("authorization", token)
            .send()
            .await?
            .error_for_status()?;
    }
    let changes = asked.len();
    let changes_per_second = changes as f64 / began.elapsed().as_secs_f64();
    let deadline = Instant::now() + SETTLE;
    while Instant::now() < deadline && !heard.iter().all(|h| lock(h).events.len() >= changes) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Repeats may have filled a map's count before its last change came.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seconds = began.elapsed().as_secs_f64();
    let cpu = CpuSample::take(None, args.server_pid).since(&before, seconds);
    maps.abort_all();

    let Tally {
        delivered,
        resent,
        repeated,
        unheard,
        arrivals,
        last,
    } = tally(&heard, &free, &asked);
    let server_cpu_seconds = cpu.server.map(|cores| cores * seconds);
    let report = Report {
        label: args.label.clone(),
        streams: args.streams,
        changes,
        changes_per_second,
        opening_seconds,
        delivered,
        missed: args.streams * changes - delivered,
        repeated,
        unheard,
        resent_snapshots: resent,
        server_cpu_seconds,
        server_cpu_us_per_event: server_cpu_seconds
            .map(|s| s * 1e6 / (delivered + repeated).max(1) as f64),
        arrival_ms: (percentile(&arrivals, 0.5), percentile(&arrivals, 0.99)),
        last_arrival_ms: (percentile(&last, 0.5), percentile(&last, 0.99)),
    };
    println!("{}", serde_json::to_string_pretty(&report)?);
    super::append(&args.results, &report)
}

/// What the maps heard, change by change.
struct Tally {
    delivered: usize,
    resent: usize,
    repeated: usize,
    /// Holds and releases no map heard of.
    unheard: (usize, usize),
    /// Each arrival of a change on a map, sorted, in microseconds.
    arrivals: Vec<u32>,
    /// Each heard change's last arrival, sorted.
    last: Vec<u32>,
}

fn tally(heard: &[Mutex<Heard>], free: &[[Uuid; 2]], asked: &[Instant]) -> Tally {
    let changes = asked.len();
    // Change k is pair k / 2 of `free`, held when k is even. A change's events carry its seats'
    // versions, new with every change, so an event with a version already heard says a change
    // again; a new one belongs to the latest change of its seats and status asked before it.
    // An announcement reads the seats as they stand, so a hold let go at once may be heard
    // only as let go: that hold counts as missed.
    let pair_of: HashMap<Uuid, usize> = free
        .iter()
        .enumerate()
        .flat_map(|(p, seats)| seats.iter().map(move |seat| (*seat, p)))
        .collect();
    let mut of_key: HashMap<(usize, bool), Vec<usize>> = HashMap::new();
    for k in 0..changes {
        of_key
            .entry(((k / 2) % free.len(), k % 2 == 0))
            .or_default()
            .push(k);
    }
    let mut arrivals = Vec::new();
    let mut last: Vec<Option<u32>> = vec![None; changes];
    let (mut delivered, mut resent, mut repeated) = (0, 0, 0);
    for map in heard.iter() {
        let map = lock(map);
        resent += map.snapshots;
        let mut versions = HashSet::new();
        let mut first = vec![None; changes];
        for &(at, seat, version, held) in &map.events {
            let change = seat
                .and_then(|seat| pair_of.get(&seat))
                .zip(version.filter(|v| versions.insert(*v)))
                .and_then(|(&pair, _)| of_key.get(&(pair, held)))
                .and_then(|ks| ks.iter().rev().find(|&&k| asked[k] <= at));
            match change {
                Some(&k) if first[k].is_none() => first[k] = Some(at),
                _ => repeated += 1,
            }
        }
        for (k, at) in first.into_iter().enumerate() {
            let Some(at) = at else { continue };
            let us = micros(at.duration_since(asked[k]));
            arrivals.push(us);
            last[k] = last[k].max(Some(us));
            delivered += 1;
        }
    }
    let unheard = |held: bool| {
        (0..changes)
            .filter(|k| (k % 2 == 0) == held && last[*k].is_none())
            .count()
    };
    let unheard = (unheard(true), unheard(false));
    // A change no map heard has no last arrival.
    let mut last: Vec<u32> = last.into_iter().flatten().collect();
    arrivals.sort_unstable();
    last.sort_unstable();
    Tally {
        delivered,
        resent,
        repeated,
        unheard,
        arrivals,
        last,
    }
}

/// Reads one map's stream: says when its snapshot is in, then notes each change as it comes.
async fn follow(
    http: reqwest::Client,
    url: String,
    heard: &Mutex<Heard>,
    opened: tokio::sync::mpsc::Sender<anyhow::Result<()>>,
) {
    let mut live = match http
        .get(&url)
        .send()
        .await
        .and_then(|r| r.error_for_status())
    {
        Ok(live) => live,
        Err(err) => {
            let _ = opened.send(Err(err.into())).await;
            return;
        }
    };
    let mut opened = Some(opened);
    let mut text = String::new();
    while let Ok(Some(chunk)) = live.chunk().await {
        text.push_str(&String::from_utf8_lossy(&chunk));
        // Whole events only: an event ends with a blank line.
        while let Some(end) = text.find("\n\n") {
            let event: String = text.drain(..end + 2).collect();
            let now = Instant::now();
            if event.starts_with("event: seats") {
                let after = |key: &str| event.split_once(key).map(|(_, rest)| rest);
                let seat = after(r#""seat_ids":[""#).and_then(|rest| rest.get(..36)?.parse().ok());
                let version = after(r#""versions":["#).and_then(|rest| {
                    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
                    rest[..digits].parse().ok()
                });
                let held = event.contains(r#""status":"held""#);
                lock(heard).events.push((now, seat, version, held));
            } else if event.starts_with("event: snapshot") {
                match opened.take() {
                    Some(opened) => {
                        let _ = opened.send(Ok(())).await;
                    }
                    None => lock(heard).snapshots += 1,
                }
            }
        }
    }
}

fn lock(heard: &Mutex<Heard>) -> std::sync::MutexGuard<'_, Heard> {
    heard
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u128::from(u32::MAX)) as u32
}

/// The first two seats of each row where both are free standard seats side by side: a pair
/// at a row's end leaves no single seat behind, which the seat rules would refuse.
fn free_pairs(map: &Value) -> Vec<[Uuid; 2]> {
    let mut seats: Vec<(i64, i64, bool, Option<Uuid>)> = map["seats"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some((
                s["grid_row"].as_i64()?,
                s["grid_col"].as_i64()?,
                s["status"] == "available" && s["kind"] == "standard",
                s["id"].as_str()?.parse().ok(),
            ))
        })
        .collect();
    seats.sort_unstable_by_key(|s| (s.0, s.1));
    seats
        .chunk_by(|a, b| a.0 == b.0)
        .filter_map(|row| match row {
            [(_, a, true, Some(first)), (_, b, true, Some(second)), ..] if *b == a + 1 => {
                Some([*first, *second])
            }
            _ => None,
        })
        .collect()
}

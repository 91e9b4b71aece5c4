//! What the benchmark watches besides answers: CPU time of each process, what PostgreSQL's
//! backends are doing, and the server's own latency figures.

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::{collections::BTreeMap, time::Duration};
use tokio_util::sync::CancellationToken;

/// CPU cores busy on average during the measurement.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Cpu {
    /// The load generator: this process, or pgbench.
    pub bench: f64,
    pub server: Option<f64>,
    pub postgres: f64,
    pub machine: f64,
}

/// CPU time used so far, in clock ticks (USER_HZ, 100 per second on Linux).
pub struct CpuSample {
    client: u64,
    server: Option<u64>,
    postgres: u64,
    machine_busy: u64,
}

const TICKS_PER_SECOND: f64 = 100.0;

impl CpuSample {
    /// `client`: the load generator's process (this one when `None`).
    pub fn take(client: Option<u32>, server_pid: Option<u32>) -> Self {
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
        let client = client.map_or_else(|| "self".to_owned(), |pid| pid.to_string());
        Self {
            client: process_ticks(&client).map_or(0, |(_, t)| t),
            server: server_pid.and_then(|pid| process_ticks(&pid.to_string()).map(|(_, t)| t)),
            postgres,
            machine_busy: machine_busy_ticks(),
        }
    }

    pub fn since(&self, before: &Self, seconds: f64) -> Cpu {
        let cores = |after: u64, before: u64| {
            after.saturating_sub(before) as f64 / TICKS_PER_SECOND / seconds
        };
        Cpu {
            bench: cores(self.client, before.client),
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

/// How often `pg_stat_activity` is looked at during a measurement.
const EVERY: Duration = Duration::from_millis(20);

/// Counts, over the measurement, what each client backend of the database was doing: its
/// state, what it waited on, and the statement ("idle in transaction" is time wasted waiting
/// for the client).
pub async fn activity(
    db: PgPool,
    database: String,
    until: CancellationToken,
) -> BTreeMap<String, u64> {
    let mut seen = BTreeMap::new();
    let mut ticks = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            _ = until.cancelled() => return seen,
            _ = ticks.tick() => {}
        }
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT concat_ws(' | ', state, coalesce(wait_event_type || ':' || wait_event, 'on CPU'),
                              left(regexp_replace(query, '\\s+', ' ', 'g'), 48))
               FROM pg_stat_activity
              WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()
                AND state <> 'idle'",
        )
        .bind(&database)
        .fetch_all(&db)
        .await
        .unwrap_or_default();
        for (what,) in rows {
            *seen.entry(what).or_insert(0) += 1;
        }
    }
}

/// The server's median latency of each route's 200s, estimated from its own histogram at
/// /metrics as Prometheus's `histogram_quantile` does: within the bucket the median falls in,
/// as if the answers were spread evenly over it.
pub async fn server_medians(client: &reqwest::Client, base: &str) -> BTreeMap<String, f64> {
    let Ok(response) = client.get(format!("{base}/metrics")).send().await else {
        return BTreeMap::new();
    };
    medians(&response.text().await.unwrap_or_default())
}

fn medians(metrics: &str) -> BTreeMap<String, f64> {
    // Route to (upper bound, answers at or under it), in the order exported.
    let mut buckets: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    for line in metrics.lines().filter(|l| {
        l.starts_with("district_http_request_duration_seconds_bucket{")
            && l.contains("status=\"200\"")
    }) {
        let field = |name: &str| line.split(name).nth(1)?.split('"').next();
        let (Some(route), Some(bound)) = (field("route=\""), field("le=\"")) else {
            continue;
        };
        let bound = match bound {
            "+Inf" => f64::INFINITY,
            finite => match finite.parse() {
                Ok(bound) => bound,
                Err(_) => continue,
            },
        };
        let Some(count) = line.rsplit(' ').next().and_then(|c| c.parse().ok()) else {
            continue;
        };
        buckets.entry(route).or_default().push((bound, count));
    }
    buckets
        .into_iter()
        .filter_map(|(route, mut counts)| {
            counts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let half = counts.last()?.1 / 2.0;
            let at = counts.iter().position(|(_, n)| *n >= half && *n > 0.0)?;
            let (low, below) = if at == 0 { (0.0, 0.0) } else { counts[at - 1] };
            let (high, upto) = counts[at];
            let seconds = match high.is_finite() {
                true => low + (high - low) * (half - below) / (upto - below),
                false => low,
            };
            Some((route.to_owned(), seconds * 1000.0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::medians;

    #[test]
    fn a_median_falls_within_its_bucket() {
        let metrics = r#"# TYPE district_http_request_duration_seconds histogram
district_http_request_duration_seconds_bucket{method="GET",route="/",status="200",le="0.001"} 10
district_http_request_duration_seconds_bucket{method="GET",route="/",status="200",le="0.0025"} 70
district_http_request_duration_seconds_bucket{method="GET",route="/",status="200",le="0.005"} 100
district_http_request_duration_seconds_bucket{method="GET",route="/",status="200",le="+Inf"} 100
district_http_request_duration_seconds_bucket{method="GET",route="/",status="500",le="0.001"} 100
district_http_request_duration_seconds_bucket{method="GET",route="/",status="500",le="+Inf"} 100
district_http_request_duration_seconds_bucket{method="GET",route="/slow",status="200",le="30"} 1
district_http_request_duration_seconds_bucket{method="GET",route="/slow",status="200",le="+Inf"} 3
district_http_request_duration_seconds_count{method="GET",route="/",status="200"} 100
"#;
        let medians = medians(metrics);
        // The 50th of 100 answers is the 40th of the 60 between 1 and 2.5 ms.
        assert!((medians["/"] - 2.0).abs() < 1e-9, "{medians:?}");
        // Past the last finite bound, the median is that bound.
        assert!((medians["/slow"] - 30_000.0).abs() < 1e-9, "{medians:?}");
        assert_eq!(medians.len(), 2);
    }
}

//! Closed-loop clients: each sends its next request as soon as the last is answered, for a
//! warm-up and then a measured window, and keeps every latency.

use super::{
    plan::{Plan, Show},
    Scenario,
};
use app::booking::{BookingError, HoldRequest};
use server::AppState;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use uuid::Uuid;

pub enum Driver {
    /// POST /api/v1/bookings/hold, one token per client.
    Http {
        client: reqwest::Client,
        base: String,
        tokens: Vec<String>,
    },
    /// `Bookings::hold` in this process, without HTTP and without the seat filter.
    Engine(Box<AppState>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 201 for a hold, 200 for a read.
    Ok,
    /// 409: the seats were taken.
    Refused,
    Other,
}

/// What one client saw.
#[derive(Default)]
pub struct Tally {
    pub latencies_us: Vec<u32>,
    pub ok: u64,
    pub refused: u64,
    pub other: u64,
    pub first_error: Option<String>,
}

/// What a client asks for next.
enum Ask<'a> {
    Hold(&'a Show, [Uuid; 2]),
    Get(&'a str),
}

impl Driver {
    async fn send(&self, client: usize, user: Uuid, ask: Ask<'_>) -> (Answer, Option<String>) {
        match (self, ask) {
            (
                Self::Http {
                    client: http,
                    base,
                    tokens,
                },
                Ask::Hold(show, seats),
            ) => {
                let body = format!(
                    r#"{{"show_id":"{}","seat_ids":["{}","{}"]}}"#,
                    show.id, seats[0], seats[1]
                );
                let sent = http
                    .post(format!("{base}/api/v1/bookings/hold"))
                    .header("authorization", &tokens[client])
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                answer(sent).await
            }
            (
                Self::Http {
                    client: http, base, ..
                },
                Ask::Get(path),
            ) => {
                // As a phone asks: gzip welcome.
                let sent = http
                    .get(format!("{base}{path}"))
                    .header("accept-encoding", "gzip")
                    .send()
                    .await;
                answer(sent).await
            }
            (Self::Engine(state), Ask::Hold(show, seats)) => {
                let request = HoldRequest {
                    show_id: show.id.into(),
                    seat_ids: seats.map(Into::into).to_vec(),
                    wheelchair: false,
                };
                match state.bookings.hold(user.into(), &request).await {
                    Ok(_) => (Answer::Ok, None),
                    Err(BookingError::SeatsUnavailable(_)) => (Answer::Refused, None),
                    Err(err) => (Answer::Other, Some(format!("{err:?}"))),
                }
            }
            (Self::Engine(_), Ask::Get(_)) => (Answer::Other, Some("reads go over HTTP".into())),
        }
    }
}

async fn answer(sent: reqwest::Result<reqwest::Response>) -> (Answer, Option<String>) {
    match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            match (status, response.bytes().await) {
                (200 | 201, Ok(_)) => (Answer::Ok, None),
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

/// A small xorshift generator, so each client picks its seats without shared state, the same
/// in every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(0x9E37_79B9_7F4A_7C15 ^ (seed + 1).wrapping_mul(0xD1B5_4A32_D192_ED03))
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Runs `clients` clients of `scenario` through the warm-up and the measured window, which
/// starts at `measure_from`, and returns what they saw together.
pub async fn clients(
    driver: &Arc<Driver>,
    plan: &Arc<Plan>,
    users: &Arc<Vec<Uuid>>,
    scenario: Scenario,
    clients: usize,
    (measure_from, until): (Instant, Instant),
) -> Tally {
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..clients {
        let (driver, plan, user) = (driver.clone(), plan.clone(), users[client]);
        tasks.spawn(async move {
            let mut tally = Tally::default();
            let mut rng = Rng::new(client as u64);
            let mine = &plan.many[client * plan.per_client..(client + 1) * plan.per_client];
            let map = format!("/api/v1/shows/{}/seats", plan.map.0);
            let mut n = 0usize;
            loop {
                let began = Instant::now();
                if began >= until {
                    break;
                }
                let ask = match scenario {
                    Scenario::ManyShows => {
                        let show = &mine[n % mine.len()];
                        let pair = &show.pairs[(n / mine.len() + client) % show.pairs.len()];
                        Ask::Hold(show, pair.seats)
                    }
                    Scenario::HotShow => {
                        let show = &plan.hot;
                        Ask::Hold(show, show.pairs[rng.below(show.pairs.len())].seats)
                    }
                    Scenario::SeatMap => Ask::Get(&map),
                    Scenario::Pages => Ask::Get(&plan.pages[(n + client) % plan.pages.len()]),
                };
                n += 1;
                let (answer, error) = driver.send(client, user, ask).await;
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
                    Answer::Ok => tally.ok += 1,
                    Answer::Refused => tally.refused += 1,
                    Answer::Other => {
                        tally.other += 1;
                        tally.first_error = tally.first_error.or(error);
                    }
                }
            }
            tally
        });
    }
    let mut all = Tally::default();
    while let Some(done) = tasks.join_next().await {
        let tally = done.expect("a bench client panicked");
        all.latencies_us.extend(tally.latencies_us);
        all.ok += tally.ok;
        all.refused += tally.refused;
        all.other += tally.other;
        all.first_error = all.first_error.or(tally.first_error);
    }
    all.latencies_us.sort_unstable();
    all
}

pub fn percentile(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((sorted_us.len() as f64 * q).ceil() as usize).clamp(1, sorted_us.len());
    f64::from(sorted_us[rank - 1]) / 1000.0
}

/// The measured window of a run starting now.
pub fn window(warmup: Duration, duration: Duration) -> (Instant, Instant) {
    let from = Instant::now() + warmup;
    (from, from + duration)
}

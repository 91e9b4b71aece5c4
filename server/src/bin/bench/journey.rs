//! One moviegoer's trip through a rush: the seat map, a hold (through the waiting room when
//! it forms), then the sandbox checkout (or a gateway's own, gateway.rs), or letting the seats
//! go; and for some who paid, cancelling the booking for its refund.

use super::{drive::Rng, gateway::Gateway};
use app::payment::test_cards;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Picks of seats tried before giving up while seats still show as free.
const PICKS: usize = 12;
/// How long a paid booking may take to show as confirmed: a payment whose webhook was lost is
/// looked up at its gateway after a minute of quiet, on the settle job's next pass.
const CONFIRMING: Duration = Duration::from_secs(150);

/// What the trip came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// Paid, and the booking confirmed.
    Bought,
    /// Held, then let go.
    Released,
    /// Paid, then cancelled: the refund is recorded, and issued at the gateway by a job.
    Refunded,
    /// No free seat left on the map.
    SoldOut,
    /// Seats kept being taken under every pick.
    GaveUp,
    /// An answer no moviegoer should get (a 5xx, a timeout, an unexpected status).
    Failed,
}

/// The timed steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Map,
    /// The live seat stream, to its first event.
    Stream,
    Hold,
    Poll,
    Pay,
    /// A call to the gateway's own API, as its checkout script makes it.
    Gateway,
    Release,
    /// A paid booking cancelled.
    Cancel,
}

pub struct Trip {
    pub end: End,
    pub seats: usize,
    /// (step, microseconds) of every request.
    pub timings: Vec<(Step, u32)>,
    /// The place the first 202 gave, and when it said the turn would come.
    pub position: Option<u64>,
    pub promised: Option<Instant>,
    pub admitted: Option<Instant>,
    pub error: Option<String>,
}

pub struct Road {
    pub http: Client,
    pub base: String,
    /// PUBLIC_URL's origin: the sandbox checkout is a page of the site.
    pub origin: String,
    pub show: Uuid,
    pub cancel_percent: u64,
    pub refund_percent: u64,
    pub declined_percent: u64,
    pub delayed_percent: u64,
    /// Where the moviegoers pay, when not on the sandbox.
    pub gateway: Option<Gateway>,
}

impl Road {
    /// The trip of moviegoer `n` holding `token`.
    pub async fn travel(&self, n: usize, token: &str) -> Trip {
        let mut trip = Trip {
            end: End::Failed,
            seats: 0,
            timings: Vec::new(),
            position: None,
            promised: None,
            admitted: None,
            error: None,
        };
        let mut rng = Rng::new(n as u64);
        if let Err(error) = self.go(&mut trip, &mut rng, token).await {
            trip.end = End::Failed;
            trip.error = Some(error);
        }
        trip
    }

    async fn go(&self, trip: &mut Trip, rng: &mut Rng, token: &str) -> Result<(), String> {
        let mut admission: Option<String> = None;
        let mut picks = 0;
        let (booking, seats) = loop {
            let (_, map) = self
                .call(trip, Step::Map, self.get(&self.seats_url(), token))
                .await?;
            // Open while the seats are chosen and held, as the seat page keeps it.
            let live = self.stream(trip, token).await?;
            let Some(seats) = pick(&map, rng) else {
                trip.end = End::SoldOut;
                return Ok(());
            };
            picks += 1;
            let body = serde_json::json!({ "show_id": self.show, "seat_ids": seats });
            let mut hold = self.post("/api/v1/bookings/hold", token).json(&body);
            if let Some(admission) = &admission {
                hold = hold.header("admission-token", admission);
            }
            let (status, answer) = self.call(trip, Step::Hold, hold).await?;
            // The seat page is left, for the booking or the queue page, or read again.
            drop(live);
            match status {
                StatusCode::CREATED => break (answer["booking_id"].clone(), seats.len()),
                StatusCode::ACCEPTED => {
                    let place = &answer["queue"];
                    let position = place["position"].as_u64().unwrap_or(0);
                    trip.position.get_or_insert(position);
                    let wait = place["estimated_wait_seconds"].as_u64().unwrap_or(0);
                    trip.promised
                        .get_or_insert(Instant::now() + Duration::from_secs(wait));
                    admission = Some(self.wait_turn(trip, place, token).await?);
                    trip.admitted = Some(Instant::now());
                    picks -= 1;
                }
                StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY if picks < PICKS => {}
                StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY => {
                    trip.end = End::GaveUp;
                    return Ok(());
                }
                other => return Err(format!("hold: {other} {answer}")),
            }
        };
        let booking = booking.as_str().unwrap_or_default().to_owned();
        if rng.below(100) < self.cancel_percent as usize {
            trip.end = End::Released;
            return self.cancel(trip, Step::Release, &booking, token).await;
        }
        self.pay(trip, rng, &booking, token).await?;
        if rng.below(100) < self.refund_percent as usize {
            trip.end = End::Refunded;
            return self.cancel(trip, Step::Cancel, &booking, token).await;
        }
        trip.end = End::Bought;
        trip.seats = seats;
        Ok(())
    }

    /// `DELETE` of the booking: a hold let go, or a paid booking cancelled. A 200 that leaves
    /// the booking standing would be neither.
    async fn cancel(
        &self,
        trip: &mut Trip,
        step: Step,
        booking: &str,
        token: &str,
    ) -> Result<(), String> {
        let cancel = self.delete(&format!("/api/v1/bookings/{booking}"), token);
        let booking = self.expect(trip, step, cancel, StatusCode::OK).await?;
        match booking["status"].as_str() {
            Some("cancelled") => Ok(()),
            _ => Err(format!("{step:?}: {booking}")),
        }
    }

    /// Polls the place in line as its answers say, until the admission token comes.
    async fn wait_turn(
        &self,
        trip: &mut Trip,
        place: &Value,
        token: &str,
    ) -> Result<String, String> {
        let url = format!(
            "{}{}",
            self.base,
            place["poll_url"].as_str().unwrap_or_default()
        );
        let mut wait = place["estimated_wait_seconds"]
            .as_u64()
            .unwrap_or(1)
            .clamp(1, 5);
        loop {
            tokio::time::sleep(Duration::from_secs(wait)).await;
            let poll = self.http.get(&url).header("authorization", token);
            let (status, turn) = self.call(trip, Step::Poll, poll).await?;
            if status != StatusCode::OK {
                return Err(format!("queue: {status} {turn}"));
            }
            if let Some(admission) = turn["admission_token"].as_str() {
                return Ok(admission.to_owned());
            }
            wait = turn["queue"]["estimated_wait_seconds"]
                .as_u64()
                .unwrap_or(1)
                .clamp(1, 5);
        }
    }

    /// The checkout: on the gateway's own when the road goes there (gateway.rs), else the
    /// sandbox's: a payment started and a card entered on the gateway's page (which sends the
    /// signed webhook), then the booking confirmed. Some first cards are declined
    /// (the moviegoer pays again with the card that succeeds) and some confirmed only after
    /// the gateway's delay, as `declined_percent` and `delayed_percent` say.
    async fn pay(
        &self,
        trip: &mut Trip,
        rng: &mut Rng,
        booking: &str,
        token: &str,
    ) -> Result<(), String> {
        let roll = rng.below(100) as u64;
        if let Some(gateway) = &self.gateway {
            let declined_first = roll < self.declined_percent;
            return self
                .pay_at(trip, booking, token, gateway, declined_first)
                .await;
        }
        let first = if roll < self.declined_percent {
            test_cards::DECLINED
        } else if roll < self.declined_percent + self.delayed_percent {
            test_cards::DELAYED
        } else {
            test_cards::SUCCEEDS
        };
        let payment = self.checkout(trip, booking, token, first).await?;
        if first == test_cards::DECLINED {
            self.until(
                trip,
                &format!("/api/v1/payments/{payment}"),
                token,
                "failed",
            )
            .await?;
            self.checkout(trip, booking, token, test_cards::SUCCEEDS)
                .await?;
        }
        self.until(
            trip,
            &format!("/api/v1/bookings/{booking}"),
            token,
            "confirmed",
        )
        .await
    }

    /// Starts a sandbox payment of the booking and enters `card`: the payment's id.
    async fn checkout(
        &self,
        trip: &mut Trip,
        booking: &str,
        token: &str,
        card: &str,
    ) -> Result<String, String> {
        let body = serde_json::json!({ "booking_id": booking, "provider": "sandbox" });
        let start = self.post("/api/v1/payments/initiate", token).json(&body);
        // 200: the payment already open, when a balancer sent the request again.
        let payment = match self.call(trip, Step::Pay, start).await? {
            (StatusCode::CREATED | StatusCode::OK, payment) => payment,
            (status, body) => return Err(format!("Pay: {status} {body}")),
        };
        let payment = payment["payment_id"].as_str().unwrap_or_default();
        let form = [("payment_id", payment), ("choice", "pay"), ("card", card)];
        let card = self
            .http
            .post(format!("{}/_fn/payment/sandbox/choose", self.base))
            .header("origin", &self.origin)
            .form(&form);
        self.call(trip, Step::Pay, card).await?;
        Ok(payment.to_owned())
    }

    /// Reads `path` every half second until its `status` is `wanted`.
    pub(super) async fn until(
        &self,
        trip: &mut Trip,
        path: &str,
        token: &str,
        wanted: &str,
    ) -> Result<(), String> {
        let since = Instant::now();
        loop {
            let url = format!("{}{path}", self.base);
            let (_, state) = self.call(trip, Step::Pay, self.get(&url, token)).await?;
            if state["status"] == wanted {
                return Ok(());
            }
            if since.elapsed() > CONFIRMING {
                return Err(format!("{path} not {wanted}: {state}"));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// The show's live seat stream, once its first event (the snapshot) has arrived.
    async fn stream(&self, trip: &mut Trip, token: &str) -> Result<reqwest::Response, String> {
        let began = Instant::now();
        let url = format!("{}/stream", self.seats_url());
        let opened = self.get(&url, token).send().await;
        let mut live = opened.map_err(|e| format!("stream: {e}"))?;
        if live.status() != StatusCode::OK {
            return Err(format!("stream: {}", live.status()));
        }
        live.chunk().await.map_err(|e| format!("stream: {e}"))?;
        let took = began.elapsed().as_micros().min(u32::MAX as u128) as u32;
        trip.timings.push((Step::Stream, took));
        Ok(live)
    }

    fn seats_url(&self) -> String {
        format!("{}/api/v1/shows/{}/seats", self.base, self.show)
    }

    /// A GET as a phone sends it (gzip welcome: the client asks for it and unpacks it).
    fn get(&self, url: &str, token: &str) -> reqwest::RequestBuilder {
        self.http.get(url).header("authorization", token)
    }

    pub(super) fn post(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .header("authorization", token)
    }

    fn delete(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http
            .delete(format!("{}{path}", self.base))
            .header("authorization", token)
    }

    async fn expect(
        &self,
        trip: &mut Trip,
        step: Step,
        request: reqwest::RequestBuilder,
        wanted: StatusCode,
    ) -> Result<Value, String> {
        match self.call(trip, step, request).await? {
            (status, body) if status == wanted => Ok(body),
            (status, body) => Err(format!("{step:?}: {status} {body}")),
        }
    }

    /// Sends `request`, timing it; a 5xx or a failure to answer is an error of the trip.
    pub(super) async fn call(
        &self,
        trip: &mut Trip,
        step: Step,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Value), String> {
        let began = Instant::now();
        let sent = request.send().await;
        let answer = match sent {
            Ok(response) => {
                let status = response.status();
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| format!("{step:?}: {e}"))?;
                (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
            }
            Err(err) => return Err(format!("{step:?}: {err}")),
        };
        let took = began.elapsed().as_micros().min(u32::MAX as u128) as u32;
        trip.timings.push((step, took));
        if answer.0.is_server_error() {
            return Err(format!("{step:?}: {} {}", answer.0, answer.1));
        }
        Ok(answer)
    }
}

/// Two free standard seats side by side, at random; one free seat when no two are together.
fn pick(map: &Value, rng: &mut Rng) -> Option<Vec<String>> {
    let mut free: Vec<(i64, i64, &str)> = map["seats"]
        .as_array()?
        .iter()
        .filter(|s| s["status"] == "available" && s["kind"] == "standard")
        .filter_map(|s| {
            Some((
                s["grid_row"].as_i64()?,
                s["grid_col"].as_i64()?,
                s["id"].as_str()?,
            ))
        })
        .collect();
    if free.is_empty() {
        return None;
    }
    free.sort_unstable();
    let pairs: Vec<[&str; 2]> = free
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && w[1].1 == w[0].1 + 1)
        .map(|w| [w[0].2, w[1].2])
        .collect();
    if pairs.is_empty() {
        return Some(vec![free[rng.below(free.len())].2.to_owned()]);
    }
    Some(pairs[rng.below(pairs.len())].map(str::to_owned).to_vec())
}

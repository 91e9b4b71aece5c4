//! One moviegoer's trip through a rush: the city's movies and the show's movie (browse.rs), the
//! seat map, a hold (through the waiting room when it forms, queue.rs), then the sandbox
//! checkout (or a gateway's own, gateway.rs), or letting the seats go; and for some who paid,
//! cancelling the booking for its refund.

use super::{
    browse::Way,
    drive::Rng,
    gateway::Gateway,
    plan::pick,
    queue::{unix_ms, Queued},
};
use app::booking::waiting_room::RoomSettings;
use app::payment::test_cards;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Picks of seats tried before giving up while seats still show as free.
const PICKS: usize = 12;
/// Places in line taken before the trip counts as failed: more than one only when a poll
/// reaches an instance that has no place for the moviegoer (two instances without Redis).
const PLACES: usize = 20;
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
    /// The city's movies now showing.
    Home,
    /// The movie (on the pages, with its showtimes).
    Movie,
    /// The movie's showtimes in the city, on the show's day (over REST).
    Showtimes,
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
    /// The time in the waiting room, if the room formed.
    pub queued: Option<Queued>,
    pub error: Option<String>,
}

pub struct Road {
    pub http: Client,
    pub base: String,
    /// PUBLIC_URL's origin: the sandbox checkout is a page of the site.
    pub origin: String,
    /// Moviegoer n goes to the show of `ways[n % ways.len()]`.
    pub ways: Vec<Way>,
    /// The waiting room's settings, read from the same environment as the servers' (queue.rs).
    pub room: RoomSettings,
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
            queued: None,
            error: None,
        };
        let mut rng = Rng::new(n as u64);
        let way = &self.ways[n % self.ways.len()];
        if let Err(error) = self.go(&mut trip, &mut rng, way, token).await {
            trip.end = End::Failed;
            trip.error = Some(error);
        }
        trip
    }

    async fn go(
        &self,
        trip: &mut Trip,
        rng: &mut Rng,
        way: &Way,
        token: &str,
    ) -> Result<(), String> {
        self.browse(trip, way, token).await?;
        let mut admission: Option<String> = None;
        let (mut picks, mut places) = (0, 0);
        let (booking, seats) = loop {
            let (_, map) = self
                .call(
                    trip,
                    Step::Map,
                    self.get(&seats_url(&self.base, way), token),
                )
                .await?;
            // Open while the seats are chosen and held, as the seat page keeps it.
            let live = self.stream(trip, way, token).await?;
            let Some(seats) = pick(&map, rng) else {
                trip.end = End::SoldOut;
                return Ok(());
            };
            picks += 1;
            let body = serde_json::json!({ "show_id": way.show, "seat_ids": seats });
            let mut hold = self.post("/api/v1/bookings/hold", token).json(&body);
            if let Some(admission) = &admission {
                hold = hold.header("admission-token", admission);
            }
            let sent = unix_ms();
            let (status, answer) = self.call(trip, Step::Hold, hold).await?;
            // The seat page is left, for the booking or the queue page, or read again.
            drop(live);
            match status {
                StatusCode::CREATED => break (answer["booking_id"].clone(), seats.len()),
                StatusCode::ACCEPTED if places < PLACES => {
                    admission = self.queue(trip, &answer, sent, token).await?;
                    places += 1;
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

    /// The reads on the way to the show, each answered 200.
    async fn browse(&self, trip: &mut Trip, way: &Way, token: &str) -> Result<(), String> {
        for (step, path) in &way.reads {
            let mut read = self.get(&format!("{}{path}", self.base), token);
            if let Some(cookie) = &way.cookie {
                read = read.header(reqwest::header::COOKIE, cookie);
            }
            self.expect(trip, *step, read, StatusCode::OK).await?;
        }
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
    async fn stream(
        &self,
        trip: &mut Trip,
        way: &Way,
        token: &str,
    ) -> Result<reqwest::Response, String> {
        let began = Instant::now();
        let url = format!("{}/stream", seats_url(&self.base, way));
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
            // With what caused it, down to the socket: reqwest's own message names only the
            // request.
            Err(err) => return Err(format!("{step:?}: {:#}", anyhow::Error::new(err))),
        };
        let took = began.elapsed().as_micros().min(u32::MAX as u128) as u32;
        trip.timings.push((step, took));
        if answer.0.is_server_error() {
            return Err(format!("{step:?}: {} {}", answer.0, answer.1));
        }
        Ok(answer)
    }
}

fn seats_url(base: &str, way: &Way) -> String {
    format!("{base}/api/v1/shows/{}/seats", way.show)
}

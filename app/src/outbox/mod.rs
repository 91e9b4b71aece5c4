//! The transactional outbox: every domain event is written in the transaction that causes it,
//! and relays on every instance hand it to the consumers (mail, Kafka) after commit. Delivery
//! is at least once; each event carries its id so a consumer can tell a repeat.
//!
//! docs/EVENTS.md lists the events, their payloads and their consumers.

mod kafka;
mod relay;

pub use kafka::{partition_of, topic, Kafka, KafkaSettings};
pub use relay::{Relay, RelaySettings};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// The PostgreSQL channel an insert into the outbox notifies at commit.
pub const CHANNEL: &str = "district_outbox";

/// An event as consumers receive it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    /// `booking`, `payment`, `show`, `user` or `screen`: the family, and so the Kafka topic.
    pub aggregate_type: String,
    /// The booking, payment, show, user or screen the event is about; events of one aggregate
    /// are delivered in the order they were written.
    pub aggregate_id: Uuid,
    pub event_type: String,
    pub schema_version: i16,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    /// Consumers that already have it (an earlier attempt failed for another one).
    #[serde(skip)]
    pub delivered_to: Vec<String>,
}

/// One consumer of the outbox. `deliver` gets a batch in outbox order and answers for each
/// event, in the same order; an event the consumer has no use for is simply `Ok`.
#[async_trait::async_trait]
pub trait Consumer: Send + Sync {
    /// Recorded with each event it has taken, so a retry skips it; never rename one lightly.
    fn name(&self) -> &'static str;
    async fn deliver(&self, events: &[&Event]) -> Vec<Result<(), String>>;
}

/// Writes an event in the caller's transaction (events raised in SQL functions are written
/// there, with the same columns).
pub async fn record(
    tx: &mut PgConnection,
    aggregate_type: &str,
    aggregate_id: Uuid,
    event_type: &str,
    payload: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(aggregate_type)
    .bind(aggregate_id)
    .bind(event_type)
    .bind(payload)
    .execute(tx)
    .await?;
    Ok(())
}

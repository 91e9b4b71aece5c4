//! The outbox relay and where it publishes.

use super::{bounds::count, vars::Vars, ConfigError};
use app::outbox::{KafkaSettings, RelaySettings};

#[derive(Clone, Debug)]
pub struct Events {
    /// OUTBOX_BATCH (200), OUTBOX_POLL (500ms), OUTBOX_LEASE (60s), OUTBOX_MAX_ATTEMPTS (10),
    /// OUTBOX_BACKOFF (1s), OUTBOX_MAX_BACKOFF (10m), OUTBOX_RETENTION (7d).
    pub relay: RelaySettings,
    /// KAFKA_BROKERS (host:port, comma-separated; unset: no Kafka), KAFKA_PARTITIONS (3) and
    /// KAFKA_REPLICATION (1) for the topics it creates, KAFKA_TIMEOUT (10s) for one attempt.
    pub kafka: Option<KafkaSettings>,
}

pub(super) fn events(vars: &Vars) -> Result<Events, ConfigError> {
    let d = RelaySettings::default();
    let relay = RelaySettings {
        batch: count(vars, "OUTBOX_BATCH", d.batch as usize)? as i64,
        poll: vars.duration_or("OUTBOX_POLL", d.poll)?,
        lease: vars.duration_or("OUTBOX_LEASE", d.lease)?,
        max_attempts: count(vars, "OUTBOX_MAX_ATTEMPTS", d.max_attempts as usize)? as i32,
        backoff: vars.duration_or("OUTBOX_BACKOFF", d.backoff)?,
        max_backoff: vars.duration_or("OUTBOX_MAX_BACKOFF", d.max_backoff)?,
        retention: vars.duration_or("OUTBOX_RETENTION", d.retention)?,
    };
    let brokers: Vec<String> = vars
        .optional("KAFKA_BROKERS")
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let kafka = match brokers.is_empty() {
        true => None,
        false => Some(KafkaSettings {
            brokers,
            partitions: count(vars, "KAFKA_PARTITIONS", 3)? as i32,
            replication: count(vars, "KAFKA_REPLICATION", 1)? as i16,
            timeout: vars.duration_or("KAFKA_TIMEOUT", std::time::Duration::from_secs(10))?,
        }),
    };
    Ok(Events { relay, kafka })
}

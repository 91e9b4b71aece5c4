//! The Kafka consumer of the outbox: each event published to its family's topic
//! (`district.bookings`, `district.payments`, ...), keyed by its aggregate id and partitioned
//! the way Kafka's own clients partition a key (murmur2), so one booking's or show's events
//! stay in order. The value is the event as JSON, with its id and schema version; readers
//! drop an id they have seen, since delivery is at least once.
//!
//! The connection is made on first use and again after any failure, so a broker that is down
//! at start-up or goes away only delays events.

use super::{Consumer, Event};
use rskafka::{
    client::{
        partition::{Compression, PartitionClient, UnknownTopicHandling},
        Client, ClientBuilder,
    },
    record::Record,
    BackoffConfig,
};
use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};
use tokio::sync::Mutex;

#[derive(Clone, Debug)]
pub struct KafkaSettings {
    pub brokers: Vec<String>,
    /// Partitions of each topic this creates.
    pub partitions: i32,
    pub replication: i16,
    /// How long one attempt at the broker may take before the batch is left to a retry.
    pub timeout: Duration,
}

pub struct Kafka {
    settings: KafkaSettings,
    connection: Mutex<Option<Connection>>,
}

struct Connection {
    client: Client,
    partitions: HashMap<(String, i32), Arc<PartitionClient>>,
    /// Topics known to exist, with their partition counts.
    topics: HashMap<String, i32>,
}

/// The topic of an event's family.
pub fn topic(event: &Event) -> String {
    format!("district.{}s", event.aggregate_type)
}

impl Kafka {
    pub fn new(settings: KafkaSettings) -> Self {
        Self {
            settings,
            connection: Mutex::new(None),
        }
    }

    /// Connects unless connected.
    async fn connect(&self) -> Result<(), String> {
        let mut guard = self.connection.lock().await;
        if guard.is_none() {
            let client = ClientBuilder::new(self.settings.brokers.clone())
                .client_id("district")
                .backoff_config(BackoffConfig {
                    deadline: Some(self.settings.timeout),
                    ..BackoffConfig::default()
                })
                .build()
                .await
                .map_err(|e| format!("connecting: {e}"))?;
            *guard = Some(Connection {
                client,
                partitions: HashMap::new(),
                topics: HashMap::new(),
            });
        }
        Ok(())
    }

    /// Publishes one topic-partition's share of a batch, in order, in one request.
    async fn publish(&self, topic: &str, key: &[u8], records: Vec<Record>) -> Result<(), String> {
        let mut guard = self.connection.lock().await;
        let connection = guard.as_mut().ok_or("not connected")?;
        let count = match connection.topics.get(topic) {
            Some(count) => *count,
            None => {
                let count = self.ensure_topic(&connection.client, topic).await?;
                connection.topics.insert(topic.to_owned(), count);
                count
            }
        };
        let partition = partition_of(key, count);
        let client = match connection.partitions.get(&(topic.to_owned(), partition)) {
            Some(client) => client.clone(),
            None => {
                let client = Arc::new(
                    connection
                        .client
                        .partition_client(topic, partition, UnknownTopicHandling::Retry)
                        .await
                        .map_err(|e| e.to_string())?,
                );
                connection
                    .partitions
                    .insert((topic.to_owned(), partition), client.clone());
                client
            }
        };
        drop(guard);
        client
            .produce(records, Compression::NoCompression)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// The topic's partition count, creating it when missing.
    async fn ensure_topic(&self, client: &Client, topic: &str) -> Result<i32, String> {
        let listed = client.list_topics().await.map_err(|e| e.to_string())?;
        if let Some(found) = listed.iter().find(|t| t.name == topic) {
            return Ok(found.partitions.len() as i32);
        }
        let controller = client.controller_client().map_err(|e| e.to_string())?;
        match controller
            .create_topic(
                topic,
                self.settings.partitions,
                self.settings.replication,
                5_000,
            )
            .await
        {
            Ok(()) => Ok(self.settings.partitions),
            // Another instance created it first.
            Err(err) if err.to_string().contains("TopicAlreadyExists") => {
                Ok(self.settings.partitions)
            }
            Err(err) => Err(format!("creating {topic}: {err}")),
        }
    }
}

#[async_trait::async_trait]
impl Consumer for Kafka {
    fn name(&self) -> &'static str {
        "kafka"
    }

    async fn deliver(&self, events: &[&Event]) -> Vec<Result<(), String>> {
        // Events grouped by topic and key, each group in outbox order.
        let mut groups: BTreeMap<(String, uuid::Uuid), Vec<usize>> = BTreeMap::new();
        for (i, event) in events.iter().enumerate() {
            groups
                .entry((topic(event), event.aggregate_id))
                .or_default()
                .push(i);
        }
        let connected = tokio::time::timeout(self.settings.timeout, self.connect()).await;
        if let Err(err) = connected.unwrap_or_else(|_| Err("connecting: timed out".into())) {
            return vec![Err(err); events.len()];
        }
        let mut results = vec![Ok(()); events.len()];
        for ((topic, key), members) in groups {
            let records = members.iter().map(|&i| record(events[i])).collect();
            let key = key.to_string();
            let sent = match tokio::time::timeout(
                self.settings.timeout,
                self.publish(&topic, key.as_bytes(), records),
            )
            .await
            {
                Ok(sent) => sent,
                Err(_) => Err("the broker did not answer in time".to_owned()),
            };
            if sent.is_err() {
                // Connect afresh next time: the broker may have moved or restarted.
                *self.connection.lock().await = None;
            }
            for i in members {
                results[i] = sent.clone();
            }
        }
        results
    }
}

fn record(event: &Event) -> Record {
    Record {
        key: Some(event.aggregate_id.to_string().into_bytes()),
        value: Some(serde_json::to_vec(event).expect("an event serialises")),
        headers: BTreeMap::from([
            (
                "event_type".to_owned(),
                event.event_type.clone().into_bytes(),
            ),
            ("event_id".to_owned(), event.id.to_string().into_bytes()),
        ]),
        timestamp: event.created_at,
    }
}

/// Kafka's default partitioner: murmur2 of the key, made positive, modulo the partitions.
pub fn partition_of(key: &[u8], partitions: i32) -> i32 {
    ((murmur2(key) & 0x7fff_ffff) % partitions.max(1) as u32) as i32
}

fn murmur2(data: &[u8]) -> u32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    let mut h = SEED ^ data.len() as u32;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> 24;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M) ^ k;
    }
    let rest = chunks.remainder();
    if rest.len() >= 3 {
        h ^= u32::from(rest[2]) << 16;
    }
    if rest.len() >= 2 {
        h ^= u32::from(rest[1]) << 8;
    }
    if let Some(&first) = rest.first() {
        h ^= u32::from(first);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^ (h >> 15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_land_where_kafkas_own_clients_put_them() {
        // Values from Kafka's Java client (Utils.murmur2, the default partitioner's hash).
        assert_eq!(murmur2(b"21") as i32, -973932308);
        assert_eq!(murmur2(b"foobar") as i32, -790332482);
        assert_eq!(murmur2(b"a-little-bit-long-string") as i32, -985981536);
        assert_eq!(murmur2(b"a-little-bit-longer-string") as i32, -1486304829);
        assert_eq!(
            murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") as i32,
            -58897971
        );
        assert_eq!(murmur2(b"abc") as i32, 479470107);
    }
}

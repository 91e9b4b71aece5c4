//! Reading server-sent events off a streaming body.

use axum::body::Body;
use http_body_util::BodyExt;
use serde_json::Value;

pub struct Events {
    body: Body,
    buffer: String,
}

/// What a stream did next.
#[derive(Debug)]
pub enum Next {
    Event(String, Value),
    /// The server closed the stream.
    Ended,
    /// Nothing within the time given.
    Quiet,
}

impl Events {
    pub fn new(body: Body) -> Self {
        Self {
            body,
            buffer: String::new(),
        }
    }

    /// The next event, or whether the stream ended or stayed quiet for `within`.
    pub async fn next(&mut self, within: std::time::Duration) -> Next {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|line| line.strip_prefix(name))
                        .map(|v| v.trim().to_owned())
                };
                match (field("event:"), field("data:")) {
                    (Some(event), Some(data)) => {
                        return Next::Event(event, serde_json::from_str(&data).unwrap())
                    }
                    _ => continue, // a keep-alive comment
                }
            }
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return Next::Quiet,
                Ok(None) => return Next::Ended,
                Ok(Some(frame)) => {
                    if let Ok(data) = frame.unwrap().into_data() {
                        self.buffer.push_str(&String::from_utf8_lossy(&data));
                    }
                }
            }
        }
    }

    /// The next event, which must come within `within`.
    pub async fn event(&mut self, within: std::time::Duration) -> (String, Value) {
        match self.next(within).await {
            Next::Event(name, data) => (name, data),
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

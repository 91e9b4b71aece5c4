//! Offers as the admin API takes them.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

/// An offer as `overrides` change a 20% one valid for a day around now.
pub fn offer(code: &str, overrides: Value) -> Value {
    let mut offer = json!({
        "code": code, "kind": "percent", "value": 20,
        "valid_from": Utc::now() - Duration::hours(1),
        "valid_to": Utc::now() + Duration::days(1),
    });
    offer
        .as_object_mut()
        .unwrap()
        .extend(overrides.as_object().unwrap().clone());
    offer
}

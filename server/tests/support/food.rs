//! Food and drinks: a theater's menu items and what a show has left of them.

use super::{staff::id, staff::Setup, Reply};
use http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// Large popcorn at 290.00 with 5% GST, `stock` a show.
pub fn popcorn(stock: Option<i32>) -> Value {
    json!({"name": "Popcorn", "size": "Large", "veg": true, "price": 29_000, "tax": "gst5",
           "stock_per_show": stock})
}

impl Setup {
    /// A menu item of the venue's theater, made by its admin (the first staff member).
    pub async fn menu_item(&self, body: Value) -> Value {
        let uri = format!("/api/v1/admin/theaters/{}/menu", self.venue.theater_id);
        let made = self.post(Some(0), &uri, body).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        made.json()
    }

    pub async fn order(&self, user: Uuid, booking: Uuid, items: &[(Uuid, i32)]) -> Reply {
        let items: Vec<Value> = items
            .iter()
            .map(|(item, quantity)| json!({"item_id": item, "quantity": quantity}))
            .collect();
        let uri = format!("/api/v1/bookings/{booking}/items");
        self.as_customer(user, "POST", &uri, Some(json!({ "items": items })))
            .await
    }

    pub async fn left(&self, item: Uuid) -> Value {
        let uri = format!(
            "/api/v1/theaters/{}/menu?show_id={}",
            self.venue.theater_id, self.venue.show_id
        );
        let menu = self.call(None, "GET", &uri, None).await;
        assert_eq!(menu.status, StatusCode::OK, "{}", menu.body);
        menu.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| id(&i["item_id"]) == item)
            .map(|i| i["left"].clone())
            .unwrap_or(Value::Null)
    }

    pub async fn sold(&self, item: Uuid) -> i32 {
        sqlx::query_scalar("SELECT sold FROM food_stock WHERE show_id = $1 AND item_id = $2")
            .bind(self.venue.show_id)
            .bind(item)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

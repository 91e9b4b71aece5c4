//! The outbox relay as the tests drive it: run until nothing is due, run in the background as
//! a server does, and a dead letter to find.

use server::AppState;
use sqlx::PgPool;

/// Runs the outbox relay until nothing is due, as the relay job does after each commit;
/// answers how many events it claimed.
pub async fn relay(state: &AppState) -> usize {
    let mut claimed = 0;
    loop {
        match state.relay.pass().await.unwrap() {
            0 => return claimed,
            n => claimed += n,
        }
    }
}

/// An event parked as a dead letter, for the dashboard's tests; answers its id.
pub async fn dead_letter(db: &PgPool) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload, attempts,
                                    dead_at)
         VALUES ('show', gen_random_uuid(), 'show.test', '{}', 10, now()) RETURNING id",
    )
    .fetch_one(db)
    .await
    .unwrap()
}

/// Runs the outbox relay in the background for the rest of the test, as a server does (for
/// tests that read the mail of account flows, sent by the relay).
pub fn relaying(state: &AppState) {
    let relay = state.relay.clone();
    tokio::spawn(relay.run(tokio_util::sync::CancellationToken::new()));
}

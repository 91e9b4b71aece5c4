//! `Idempotency-Key` for mutating booking and payment calls: a retry with the same key gets the
//! first answer instead of doing the work twice.
//!
//! The key is claimed before the work starts; the answer is saved when it is final. An answer
//! that asks to try again (a 5xx, a 429, `seats_changing`) frees the key instead, so the retry
//! does the work rather than replaying the refusal for a day. The work and the saving of its
//! answer run on a task of their own, so a client that hangs up mid-request cannot leave work
//! done with its answer unsaved. A second request while the first is still running is a 409; a
//! claim left behind by a crashed process can be taken over after a short while.
//!
//! Work that would do something new when run twice (a hold makes a new booking) records what
//! it made under the key ([`RequestKey`]) in the transaction that makes it. A claim taken over
//! after a crash between that commit and the saved answer then answers with what was made, as
//! it is now ([`Run::Recovered`]), instead of doing the work again. Work that is idempotent by
//! nature (confirming, cancelling, starting a payment) simply runs again.

use crate::error::envelope;
use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::future::Future;
use uuid::Uuid;

pub const HEADER: &str = "idempotency-key";
/// A claim without an answer this old belongs to a request that died.
const ABANDONED_AFTER_SECONDS: f64 = 30.0;

/// The key a request was claimed under, for work that records what it made.
#[derive(Clone, Debug)]
pub struct RequestKey {
    pub scope: String,
    pub key: String,
}

/// How the work is to answer.
#[derive(Debug)]
pub enum Run {
    /// Do the work; record what it makes under the key, when there is one.
    Fresh(Option<RequestKey>),
    /// The work was done under this key and made this resource: answer with it.
    Recovered(Uuid),
}

/// Runs `work` once per (scope, key): `scope` names the caller and the operation, `request`
/// is what was asked (a different request under the same key is refused). Without the header
/// the work simply runs.
pub async fn once<F, Fut>(
    db: &PgPool,
    headers: &HeaderMap,
    scope: &str,
    request: &[u8],
    work: F,
) -> Response
where
    F: FnOnce(Run) -> Fut + Send + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let Some(key) = headers.get(HEADER) else {
        return work(Run::Fresh(None)).await;
    };
    let key = match key.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) => key,
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_idempotency_key",
                "err-idempotency-key",
            )
        }
    };
    let hash = Sha256::digest(request).to_vec();
    let run = match claim(db, scope, key, &hash).await {
        Ok(Claimed::Fresh) => Run::Fresh(Some(RequestKey {
            scope: scope.to_owned(),
            key: key.to_owned(),
        })),
        Ok(Claimed::Recovered(made)) => Run::Recovered(made),
        Ok(Claimed::Replay(status, body)) => return replay(status, body),
        Ok(Claimed::Reused) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "err-idempotency-reused",
            )
        }
        Ok(Claimed::InProgress) => {
            return refuse(
                StatusCode::CONFLICT,
                "request_in_progress",
                "err-idempotency-busy",
            )
        }
        Err(err) => {
            tracing::error!(error = %err, "idempotency key unavailable");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "err-try-again",
            );
        }
    };
    let (db, scope, key) = (db.clone(), scope.to_owned(), key.to_owned());
    let finished = tokio::spawn(async move {
        let response = work(run).await;
        save(&db, &scope, &key, response).await
    });
    finished.await.unwrap_or_else(|err| {
        tracing::error!(error = %err, "idempotent request failed");
        refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "err-try-again",
        )
    })
}

/// Saves a final answer under the key, or frees the key when the answer asks to try again.
async fn save(db: &PgPool, scope: &str, key: &str, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let saved = if try_again(parts.status, &json) {
        sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2")
            .bind(scope)
            .bind(key)
            .execute(db)
            .await
    } else {
        sqlx::query(
            "UPDATE idempotency_keys SET status_code = $3, response_body = $4
              WHERE scope = $1 AND key = $2",
        )
        .bind(scope)
        .bind(key)
        .bind(parts.status.as_u16() as i16)
        .bind(json)
        .execute(db)
        .await
    };
    if let Err(err) = saved {
        tracing::warn!(error = %err, "idempotent answer not saved");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// An answer that says the same request may well succeed soon.
fn try_again(status: StatusCode, body: &serde_json::Value) -> bool {
    status.is_server_error()
        || status == StatusCode::ACCEPTED
        || status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::CONFLICT && body["error"]["code"] == "seats_changing")
}

enum Claimed {
    Fresh,
    Recovered(Uuid),
    Replay(u16, serde_json::Value),
    Reused,
    InProgress,
}

/// Request hash, the saved answer's status and body, what the work made, and whether the
/// claim was abandoned.
type SavedKey = (
    Vec<u8>,
    Option<i16>,
    Option<serde_json::Value>,
    Option<Uuid>,
    bool,
);

async fn claim(db: &PgPool, scope: &str, key: &str, hash: &[u8]) -> Result<Claimed, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(hash)
    .execute(db)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claimed::Fresh);
    }
    let saved: Option<SavedKey> = sqlx::query_as(
        "SELECT request_hash, status_code, response_body, resource_id,
                created_at < now() - make_interval(secs => $3)
           FROM idempotency_keys WHERE scope = $1 AND key = $2",
    )
    .bind(scope)
    .bind(key)
    .bind(ABANDONED_AFTER_SECONDS)
    .fetch_optional(db)
    .await?;
    let Some((saved_hash, status, body, made, abandoned)) = saved else {
        // Pruned between the two statements: claim it afresh.
        return Box::pin(claim(db, scope, key, hash)).await;
    };
    if saved_hash != hash {
        return Ok(Claimed::Reused);
    }
    if let Some(status) = status {
        return Ok(Claimed::Replay(status as u16, body.unwrap_or_default()));
    }
    if abandoned {
        let taken = sqlx::query(
            "UPDATE idempotency_keys SET created_at = now()
              WHERE scope = $1 AND key = $2 AND status_code IS NULL
                AND created_at < now() - make_interval(secs => $3)",
        )
        .bind(scope)
        .bind(key)
        .bind(ABANDONED_AFTER_SECONDS)
        .execute(db)
        .await?
        .rows_affected();
        if taken == 1 {
            return Ok(made.map_or(Claimed::Fresh, Claimed::Recovered));
        }
    }
    Ok(Claimed::InProgress)
}

fn replay(status: u16, body: serde_json::Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let message = crate::i18n::Text::new(message);
    envelope(status, code, &message, Default::default(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_that_ask_to_try_again_free_the_key() {
        let none = json!(null);
        let code = |code: &str| json!({"error": {"code": code}});
        assert!(try_again(StatusCode::SERVICE_UNAVAILABLE, &none));
        assert!(try_again(
            StatusCode::TOO_MANY_REQUESTS,
            &code("rate_limited")
        ));
        assert!(try_again(StatusCode::CONFLICT, &code("seats_changing")));
        assert!(!try_again(StatusCode::CONFLICT, &code("seats_unavailable")));
        assert!(!try_again(
            StatusCode::UNPROCESSABLE_ENTITY,
            &code("validation_failed")
        ));
        assert!(!try_again(StatusCode::CREATED, &none));
    }
}

//! A page's render (or a server function's call) runs to its end even when its visitor leaves
//! mid-way.
//!
//! Leptos (0.8) disposes of a render's reactive values as soon as its response is dropped, but
//! a `Suspense` still waiting for its data goes on in a detached task and, once the data come,
//! walks its children again, reading values that are gone: a panic in that task whenever a
//! visitor leaves at that moment (a phone going back, a tab closed, a link followed early). So the
//! render runs in a task of its own, the visitor gets its chunks while listening, and the rest
//! is read and dropped. Pages answer within milliseconds; a render still going at twice the
//! request's time limit (whose 503 the visitor has had by then) is dropped all the same.

use axum::{
    body::Body,
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures_util::StreamExt;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

/// Chunks waiting for a slow visitor before the render waits too.
const BUFFERED: usize = 8;

pub async fn run_to_end(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let (head, answer) = oneshot::channel();
    let (chunks, received) = mpsc::channel(BUFFERED);
    let render = async move {
        let (parts, body) = next.run(request).await.into_parts();
        let mut listening = head.send(parts).is_ok();
        let mut frames = body.into_data_stream();
        while let Some(chunk) = frames.next().await {
            listening = listening && chunks.send(chunk).await.is_ok();
        }
    };
    tokio::spawn(
        async move {
            let _ = tokio::time::timeout(limit * 2, render).await;
        }
        .in_current_span(),
    );
    match answer.await {
        Ok(parts) => {
            let mut received = received;
            let body = futures_util::stream::poll_fn(move |cx| received.poll_recv(cx));
            Response::from_parts(parts, Body::from_stream(body))
        }
        // The render panicked before it had an answer.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

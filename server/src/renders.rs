//! A page's render runs to its end even when its visitor leaves mid-way.
//!
//! Leptos (0.8) disposes of a render's reactive values as soon as its response is dropped, but
//! a `Suspense` still waiting for its data goes on in a detached task and, once the data come,
//! walks its children again, reading values that are gone: a panic in that task whenever a
//! visitor leaves at that moment (a phone going back, a tab closed, a link followed early), and
//! once in the tests a worker thread stuck for good on a lock of the page's it was cleaning. So
//! the page renders whole in a task of its own, which a visitor's leaving does not stop. Pages
//! (all but the staff's check-in) wait for their data before their first byte anyway
//! (`SsrMode::Async`), so the visitor gets the page as soon as before, with its length. A
//! render still going at twice the request's time limit (whose 503 the visitor has had by
//! then) is dropped all the same.
//!
//! What is not a page passes as it is: server functions, which render nothing (a call cut off
//! with its request stops there, as any REST call does), and the files the fallback serves.

use app::error::envelope;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::Response,
};
use std::time::Duration;
use tracing::Instrument;

/// Where server functions answer (`#[server(prefix = ...)]` in `app`).
const SERVER_FUNCTIONS: &str = "/_fn/";

pub async fn run_to_end(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with(SERVER_FUNCTIONS) {
        return next.run(request).await;
    }
    let render = async move {
        let response = next.run(request).await;
        if !is_html(&response) {
            return Ok(response);
        }
        let (parts, body) = response.into_parts();
        let page = axum::body::to_bytes(body, usize::MAX).await?;
        Ok::<_, axum::Error>(Response::from_parts(parts, Body::from(page)))
    };
    let render = tokio::spawn(
        async move { tokio::time::timeout(limit.saturating_mul(2), render).await }
            .in_current_span(),
    );
    let failed = match render.await {
        Ok(Ok(Ok(page))) => return page,
        Ok(Ok(Err(body))) => body.to_string(),
        Ok(Err(_)) => "still going at twice the time limit".to_owned(),
        Err(task) => task.to_string(),
    };
    tracing::error!(%failed, "a page's render broke off");
    envelope(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        &app::i18n::Text::new("err-internal"),
        Default::default(),
        None,
    )
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{
        body::{Bytes, HttpBody},
        middleware,
        routing::get,
        Router,
    };
    use futures_util::{stream, StreamExt};
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };
    use tower::ServiceExt;

    /// An answer at `path` in two chunks, the second 50 ms later, that notes when it was made:
    /// a script where the path says so, a page otherwise.
    fn app(
        path: &str,
        second: impl Fn() -> Bytes + Send + Sync + 'static,
        made: Arc<AtomicBool>,
    ) -> Router {
        let second = Arc::new(second);
        let kind = if path.ends_with(".js") {
            "text/javascript"
        } else {
            "text/html; charset=utf-8"
        };
        let page = move || {
            let (second, made) = (second.clone(), made.clone());
            async move {
                let chunks = stream::iter([0, 1]).then(move |n| {
                    let (second, made) = (second.clone(), made.clone());
                    async move {
                        if n == 0 {
                            return Ok::<_, std::io::Error>(Bytes::from_static(b"<p>first</p>"));
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        let chunk = second();
                        made.store(true, Ordering::SeqCst);
                        Ok(chunk)
                    }
                });
                ([(header::CONTENT_TYPE, kind)], Body::from_stream(chunks))
            }
        };
        Router::new()
            .route(path, get(page))
            .layer(middleware::from_fn_with_state(
                Duration::from_secs(5),
                run_to_end,
            ))
    }

    fn ask(path: &str) -> Request {
        Request::get(path).body(Body::empty()).unwrap()
    }

    fn second() -> Bytes {
        Bytes::from_static(b"<p>second</p>")
    }

    /// Asks for `path`, leaves after 10 ms, and tells whether the page's second chunk was made.
    async fn leave_early(path: &str) -> bool {
        let made = Arc::new(AtomicBool::new(false));
        let asked = app(path, second, made.clone()).oneshot(ask(path));
        let read =
            async { axum::body::to_bytes(asked.await.unwrap().into_body(), usize::MAX).await };
        let left = tokio::time::timeout(Duration::from_millis(10), read).await;
        assert!(left.is_err(), "the page came whole before its second chunk");
        tokio::time::sleep(Duration::from_millis(200)).await;
        made.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn a_visitor_who_stays_gets_the_whole_page_with_its_length() {
        let made = Arc::new(AtomicBool::new(false));
        let answer = app("/", second, made).oneshot(ask("/")).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.body().size_hint().exact(), Some(25));
        let page = axum::body::to_bytes(answer.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&page[..], b"<p>first</p><p>second</p>");
    }

    #[tokio::test]
    async fn the_render_goes_on_after_its_visitor_leaves() {
        assert!(leave_early("/").await, "the rest of the page was rendered");
    }

    #[tokio::test]
    async fn server_functions_and_files_stop_with_their_request() {
        for path in ["/_fn/page", "/swagger/bundle.js"] {
            assert!(!leave_early(path).await, "{path} went on");
        }
    }

    #[tokio::test]
    async fn a_render_that_breaks_off_gets_the_error_envelope_not_a_cut_page() {
        let made = Arc::new(AtomicBool::new(false));
        let broken = app("/", || panic!("the second chunk breaks"), made);
        let answer = broken.oneshot(ask("/")).await.unwrap();
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(answer.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&body).contains(r#""code":"internal""#));
    }
}

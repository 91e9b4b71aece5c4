//! A visitor who leaves while a page is still rendering: the render stops quietly, whatever
//! point it had reached. The part of a page that waits for its data can finish after the page's
//! own reactive values are gone, and must not touch them then.
//!
//! A binary of its own: it counts every panic in the process, and detached tasks' panics
//! reach no test otherwise.

mod support;

use axum::{body::Body, http::Request, Router};
use chrono::Duration;
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::{
    forms::{hold_form, post_form, sign_in},
    get,
    venue::venue,
};
use tower::ServiceExt;

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Counts panics anywhere in the process, detached tasks included, and still prints them.
fn count_panics() {
    let print = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        print(info);
    }));
}

/// Asks for `uri` and goes away after `patience`: before the answer, mid-body or never.
async fn leave_after(app: &Router, uri: &str, cookie: &str, patience: std::time::Duration) {
    let request = Request::get(uri)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    let app = app.clone();
    let _ = tokio::time::timeout(patience, async move {
        let response = app.oneshot(request).await.unwrap();
        axum::body::to_bytes(response.into_body(), usize::MAX).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_page_left_mid_render_panics_nothing() {
    support::with_database(&MIGRATOR, left_mid_render).await;
}

async fn left_mid_render(db: PgPool) {
    support::seed(&db).await;
    let venue = venue(&db, 4, 8, Duration::days(1)).await;
    let app = support::app(db.clone());
    let cookie = sign_in(&app).await;
    let show_page = format!("/shows/{}", venue.show_id);
    let map = get(&app, &show_page, &[("cookie", &cookie)]).await;
    let form = hold_form(&map.body, &venue, &["C3", "C4"]);
    let held = post_form(&app, &show_page, "/_fn/booking/hold", &form, Some(&cookie)).await;
    let page = held.headers["location"].to_str().unwrap().to_owned();
    assert!(page.starts_with("/bookings/"), "held: {page}");

    // Visitors leave at every moment from the request to a little past a whole render.
    let started = std::time::Instant::now();
    let whole = get(&app, &page, &[("cookie", &cookie)]).await;
    let render = started.elapsed();
    assert!(
        whole.body.contains(r#"data-testid="food""#),
        "{}",
        whole.body
    );

    count_panics();
    const VISITORS: u32 = 1000;
    for n in (0..VISITORS).step_by(4) {
        let visitors = (n..n + 4).map(|k| {
            let patience = render.mul_f64(1.2 * f64::from(k) / f64::from(VISITORS));
            leave_after(&app, &page, &cookie, patience)
        });
        futures_util::future::join_all(visitors).await;
    }
    // What was left running has finished or been dropped by now.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        0,
        "a page left mid-render panicked"
    );
}

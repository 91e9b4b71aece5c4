//! Visitors who leave while a page is still rendering: nothing panics, whatever point the
//! render had reached. The part of a page that waits for its data can finish after the page's
//! own reactive values are gone, and must not touch them then.
//!
//! A binary of its own: it counts every panic in the process, and detached tasks' panics
//! reach no test otherwise.

mod support;

use axum::{body::Body, http::Request, Router};
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::{
    panic::AssertUnwindSafe,
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};
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

/// Asks for `uri` and goes away after `patience`; tells whether it left before the whole page.
async fn leave_after(app: &Router, uri: &str, cookie: &str, patience: Duration) -> bool {
    let request = Request::get(uri)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    let app = app.clone();
    let whole = tokio::time::timeout(patience, async move {
        let response = app.oneshot(request).await.unwrap();
        axum::body::to_bytes(response.into_body(), usize::MAX).await
    })
    .await;
    whole.is_err()
}

/// A thousand visitors leave `uri`, four at a time, at every moment from their request to a
/// little past the quickest whole render; answers how many left before the whole page.
async fn leave_at_every_moment(app: &Router, uri: &str, cookie: &str) -> u32 {
    let mut render = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        get(app, uri, &[("cookie", cookie)]).await;
        render = render.min(started.elapsed());
    }
    const VISITORS: u32 = 1000;
    let mut early = 0;
    for n in (0..VISITORS).step_by(4) {
        let visitors = (n..n + 4).map(|k| {
            let patience = render.mul_f64(1.2 * f64::from(k) / f64::from(VISITORS));
            leave_after(app, uri, cookie, patience)
        });
        let left = futures_util::future::join_all(visitors).await;
        early += left.into_iter().filter(|early| *early).count() as u32;
    }
    early
}

/// On a runtime of two workers, like the server's. Leptos left to itself did worse than panic
/// here: a worker stuck for good on a lock while it cleaned a left page up. So the runtime
/// runs on a thread of its own, and a test that has not ended in three minutes fails.
#[test]
fn pages_left_mid_render_panic_nothing() {
    let (done, ended) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let test = support::with_database(&MIGRATOR, left_mid_render);
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| runtime.block_on(test)));
        let _ = done.send(outcome);
    });
    match ended.recv_timeout(Duration::from_secs(180)) {
        Ok(outcome) => outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        Err(_) => panic!("pages left mid-render left the runtime stuck"),
    }
}

async fn left_mid_render(db: PgPool) {
    support::seed(&db).await;
    let venue = venue(&db, 4, 8, chrono::Duration::days(1)).await;
    let app = support::app(db.clone());
    let cookie = sign_in(&app).await;
    let show_page = format!("/shows/{}", venue.show_id);
    let map = get(&app, &show_page, &[("cookie", &cookie)]).await;
    let form = hold_form(&map.body, &venue, &["C3", "C4"]);
    let held = post_form(&app, &show_page, "/_fn/booking/hold", &form, Some(&cookie)).await;
    let booking = held.headers["location"].to_str().unwrap().to_owned();
    assert!(booking.starts_with("/bookings/"), "held: {booking}");
    let whole = get(&app, &booking, &[("cookie", &cookie)]).await;
    assert!(
        whole.body.contains(r#"data-testid="food""#),
        "{}",
        whole.body
    );

    count_panics();
    // A held booking's page (forms, a countdown, its data awaited) and a page that is not there.
    for page in [booking.as_str(), "/no-such-page"] {
        let early = leave_at_every_moment(&app, page, &cookie).await;
        assert!(
            early > 500,
            "{page}: only {early} visitors of 1000 left mid-render"
        );
    }
    // What was left running has finished by now.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        0,
        "a page left mid-render panicked"
    );
}

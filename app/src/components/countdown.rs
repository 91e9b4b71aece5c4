//! A countdown to a deadline (a seat hold's), ticking once the page is hydrated. The deadline
//! comes from the server, so reloading the page shows the same time left.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Milliseconds since the epoch on this side of the wire (the browser has no system clock
/// that chrono can read in wasm).
fn now_millis() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        web_sys::js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Utc::now().timestamp_millis()
    }
}

/// "9:41" left, then "0:00"; `expired` is told when time is up.
#[component]
pub fn Countdown(deadline: DateTime<Utc>, #[prop(into)] expired: Callback<()>) -> impl IntoView {
    let now = RwSignal::new(now_millis());
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(now_millis()),
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let left = move || ((deadline.timestamp_millis() - now.get()) / 1000).max(0);
    Effect::new(move |done: Option<bool>| {
        let over = left() == 0;
        if over && done != Some(true) {
            expired.run(());
        }
        over
    });
    view! {
        <span role="timer" data-deadline=deadline.to_rfc3339() class="font-mono tabular-nums">
            {move || format!("{}:{:02}", left() / 60, left() % 60)}
        </span>
    }
}

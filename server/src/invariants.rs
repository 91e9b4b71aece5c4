//! The booking and money invariants, checked on the data itself: what `district check`
//! reports, and what the tests, the benchmark and the fault scripts assert after their runs.
//! Each check is a query naming what breaks it; none returns a row while the invariants hold.

use sqlx::PgPool;
use std::time::Duration;

/// Breaches of the booking and money invariants, described; empty when they hold.
pub async fn invariant_breaches(db: &PgPool) -> sqlx::Result<Vec<String>> {
    let mut found = seat_breaches(db).await?;
    found.extend(money_breaches(db).await?);
    Ok(found)
}

/// No seat is on the lines of two live bookings, and a seat's live line carries its newest
/// version (which the seat maps' announcements take as the seat's).
pub async fn seat_breaches(db: &PgPool) -> sqlx::Result<Vec<String>> {
    let live = "booking_state(b.status, b.hold_expires_at) IN ('held', 'confirmed')";
    let two_live = format!(
        "SELECT bs.show_id::text || '/' || bs.seat_id::text FROM booking_seats bs
           JOIN bookings b ON b.id = bs.booking_id
          WHERE {live}
          GROUP BY bs.show_id, bs.seat_id HAVING count(*) > 1"
    );
    let older = "SELECT bs.show_id::text || '/' || bs.seat_id::text FROM booking_seats bs
                  WHERE bs.status IN ('held', 'confirmed')
                    AND EXISTS (SELECT 1 FROM booking_seats e
                                 WHERE e.show_id = bs.show_id AND e.seat_id = bs.seat_id
                                   AND e.status NOT IN ('held', 'confirmed')
                                   AND e.version > bs.version)";
    breaches(
        db,
        &[
            ("seat in two live bookings", &two_live),
            ("seat's live line older than an ended one", older),
        ],
    )
    .await
}

/// Sums the money: every succeeded payment either confirmed its booking or paid one of its
/// food orders, or is refunded in full (what was taken, not what was asked); the payments that
/// paid for a booking are refunded together exactly what its cancellation made due, and none
/// more than it took; every confirmed booking that costs something was paid for by succeeded
/// payments of exactly its total.
pub async fn money_breaches(db: &PgPool) -> sqlx::Result<Vec<String>> {
    const REFUNDED: &str =
        "coalesce((SELECT sum(r.amount_minor) FROM refunds r WHERE r.payment_id = p.id), 0)";
    // Payment `p` paid for booking `b`: it confirmed it, or paid one of its food orders.
    const PAID_FOR: &str = "(p.id = b.payment_id OR p.id IN (SELECT fo.payment_id FROM food_orders fo
                                                      WHERE fo.booking_id = b.id AND fo.status = 'paid'))";
    let unconfirmed = format!(
        "SELECT p.id::text FROM payments p
          WHERE p.status = 'succeeded'
            AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.payment_id = p.id)
            AND NOT EXISTS (SELECT 1 FROM food_orders fo WHERE fo.payment_id = p.id)
            AND {REFUNDED} <> coalesce(p.received_minor, p.amount_minor)"
    );
    let over = format!(
        "SELECT p.id::text FROM payments p
          WHERE {REFUNDED} > coalesce(p.received_minor, p.amount_minor)"
    );
    let policy = format!(
        "SELECT b.id::text FROM bookings b
          WHERE EXISTS (SELECT 1 FROM payments p WHERE {PAID_FOR})
            AND (SELECT sum({REFUNDED}) FROM payments p WHERE {PAID_FOR})
                <> CASE WHEN b.status = 'cancelled' THEN b.refund_due_minor ELSE 0 END"
    );
    let unpaid = format!(
        "SELECT b.id::text FROM bookings b
          WHERE b.status = 'confirmed' AND b.total_minor > 0
            AND b.total_minor <> coalesce((SELECT sum(p.amount_minor) FROM payments p
                                            WHERE p.status = 'succeeded' AND {PAID_FOR}), 0)"
    );
    let checks = [
        (
            "money taken that no ticket or full refund accounts for",
            unconfirmed.as_str(),
        ),
        ("refunds of more than was taken", over.as_str()),
        (
            "a paid booking refunded other than its policy says",
            policy.as_str(),
        ),
        ("confirmed without payments of its total", unpaid.as_str()),
        (
            "an offer's uses other than its redemptions that stand",
            "SELECT o.code FROM offers o
              WHERE o.redeemed <> (SELECT count(*) FROM booking_offers bo
                                    JOIN bookings b ON b.id = bo.booking_id
                                   WHERE bo.offer_id = o.id AND b.status = 'confirmed'
                                     AND bo.redeemed_at IS NOT NULL AND bo.released_at IS NULL)
                 OR o.redeemed > coalesce(o.max_uses, o.redeemed)",
        ),
        (
            "a discount other than its offers'",
            "SELECT b.id::text FROM bookings b
              WHERE b.discount_minor <> coalesce((SELECT sum(bo.discount_minor)
                                                    FROM booking_offers bo WHERE bo.booking_id = b.id), 0)",
        ),
        (
            "food other than the booking's lines",
            "SELECT b.id::text FROM bookings b
               LEFT JOIN (SELECT booking_id, sum(unit_price_minor * quantity) AS food,
                                 sum(tax_minor) AS tax
                            FROM booking_items GROUP BY booking_id) f ON f.booking_id = b.id
              WHERE b.food_minor <> coalesce(f.food, 0) OR b.food_tax_minor <> coalesce(f.tax, 0)",
        ),
        (
            "a show's stock sold other than its standing bookings' items",
            "SELECT fs.show_id::text || '/' || fs.item_id::text FROM food_stock fs
              WHERE fs.sold <> coalesce((SELECT sum(bi.quantity) FROM booking_items bi
                                           JOIN bookings b ON b.id = bi.booking_id
                                          WHERE b.show_id = fs.show_id AND bi.item_id = fs.item_id
                                            AND b.status IN ('held', 'confirmed')), 0)
                 OR fs.sold > coalesce(fs.quantity, fs.sold)",
        ),
    ];
    breaches(db, &checks).await
}

/// Work left behind by a fault: holds past their deadline by more than `lag` that no sweep
/// ended, and events the relay has not delivered within `lag` or gave up on.
pub async fn lag_breaches(db: &PgPool, lag: Duration) -> sqlx::Result<Vec<String>> {
    let seconds = lag.as_secs_f64();
    let holds = format!(
        "SELECT id::text FROM bookings
          WHERE status = 'held' AND hold_expires_at < now() - make_interval(secs => {seconds})"
    );
    let events = format!(
        "SELECT id::text FROM outbox_events
          WHERE published_at IS NULL
            AND (dead_at IS NOT NULL OR created_at < now() - make_interval(secs => {seconds}))"
    );
    let checks = [
        ("a hold left past its deadline", holds.as_str()),
        ("an event not relayed", events.as_str()),
    ];
    breaches(db, &checks).await
}

async fn breaches(db: &PgPool, checks: &[(&str, &str)]) -> sqlx::Result<Vec<String>> {
    let mut found = Vec::new();
    for (what, sql) in checks {
        let ids: Vec<String> = sqlx::query_scalar(sql).fetch_all(db).await?;
        found.extend(ids.into_iter().map(|id| format!("{what}: {id}")));
    }
    Ok(found)
}

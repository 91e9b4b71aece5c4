//! Property-based fuzzing of what takes input from outside or decides money and seats: the
//! webhook signatures and parsers, the layout import, the seat rules and the amounts. Each
//! property runs a bounded number of generated cases (`CASES`), so it fits in every test run;
//! `PROPTEST_CASES` asks for more.

#![cfg(feature = "ssr")]

use app::{
    booking::{policy::Policy, rules, Amount},
    catalog::SeatKind,
    dashboard::{
        draft::{Brush, Draft},
        layout::{ScreenLayout, MAX_COLUMNS, MAX_ROWS},
    },
    ids::SeatId,
    money,
    offer::{discounted, discounts, OfferBase, OfferKind, Terms},
    payment::{event, signature},
};
use proptest::prelude::*;
use serde_json::{json, Value};

const CASES: u32 = 256;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(CASES),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// JSON shaped like a gateway's event: the keys the parsers look for, at any depth, with any
/// values, so generated bodies get past the first checks.
fn event_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        "[a-z_.]{0,24}".prop_map(Value::String),
        "[0-9a-f-]{36}".prop_map(Value::String),
    ];
    let keys = prop_oneof![
        Just("type"),
        Just("event"),
        Just("id"),
        Just("data"),
        Just("object"),
        Just("metadata"),
        Just("payment_id"),
        Just("amount"),
        Just("amount_received"),
        Just("currency"),
        Just("status"),
        Just("payload"),
        Just("payment"),
        Just("entity"),
        Just("notes"),
        Just("refund"),
        Just("order_id"),
        Just("created"),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..6).prop_map(|map| {
                Value::Object(map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

fn seat_id(n: usize) -> SeatId {
    uuid::Uuid::from_u128(n as u128 + 1).into()
}

/// Rows of seats side by side (no aisles), each free or taken.
fn rows() -> impl Strategy<Value = Vec<rules::Seat>> {
    (1..4usize, 1..14usize).prop_flat_map(|(rows, columns)| {
        prop::collection::vec(any::<bool>(), rows * columns).prop_map(move |free| {
            free.iter()
                .enumerate()
                .map(|(n, free)| rules::Seat {
                    id: seat_id(n),
                    label: format!(
                        "{}{}",
                        (b'A' + (n / columns) as u8) as char,
                        n % columns + 1
                    ),
                    grid_row: (n / columns) as i32,
                    grid_col: (n % columns) as i32,
                    category: "Classic".into(),
                    kind: SeatKind::Standard,
                    free: *free,
                })
                .collect()
        })
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_signed_webhook_verifies_and_any_change_to_it_is_refused(
        secret in prop::collection::vec(any::<u8>(), 1..48),
        body in prop::collection::vec(any::<u8>(), 1..256),
        at in 0i64..4_000_000_000,
        flip in any::<prop::sample::Index>(),
    ) {
        let header = signature::timestamped(&secret, at, &body);
        prop_assert!(signature::verify_timestamped(&secret, Some(&header), &body, at).is_ok());
        let mut changed = body.clone();
        let i = flip.index(changed.len());
        changed[i] ^= 1;
        prop_assert!(signature::verify_timestamped(&secret, Some(&header), &changed, at).is_err());
        let late = at + signature::TOLERANCE_SECONDS as i64 + 1;
        prop_assert!(signature::verify_timestamped(&secret, Some(&header), &body, late).is_err());
        let mut other = secret.clone();
        other[0] ^= 1;
        prop_assert!(signature::verify_timestamped(&other, Some(&header), &body, at).is_err());
        let hex = signature::hex_signature(&secret, &body);
        prop_assert!(signature::verify_hex(&secret, Some(&hex), &body).is_ok());
        prop_assert!(signature::verify_hex(&secret, Some(&hex), &changed).is_err());
    }

    #[test]
    fn any_signature_header_is_answered_without_a_panic(
        header in ".{0,120}",
        shaped in ("-?[0-9]{0,12}", "[0-9a-fA-Fz]{0,70}", "[a-z0-9]{0,3}")
            .prop_map(|(t, v, k)| format!("t={t},v1={v},{k}={v}")),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        for header in [header.as_str(), shaped.as_str()] {
            let _ = signature::verify_timestamped(b"secret", Some(header), &body, 1_700_000_000);
            let _ = signature::verify_hex(b"secret", Some(header), &body);
        }
    }

    #[test]
    fn the_webhook_parsers_take_any_body_without_a_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
        shaped in event_json(),
        id in proptest::option::of("[a-zA-Z0-9_]{0,20}"),
    ) {
        let shaped = serde_json::to_vec(&shaped).unwrap();
        for body in [&bytes, &shaped] {
            let _ = event::sandbox(body);
            let _ = event::stripe(body);
            let _ = event::razorpay(id.as_deref(), body);
        }
    }

    #[test]
    fn any_imported_layout_is_judged_without_a_panic(layout in event_json(), text in ".{0,200}") {
        let candidates = [
            serde_json::from_value::<ScreenLayout>(layout).ok(),
            serde_json::from_str::<ScreenLayout>(&text).ok(),
        ];
        for layout in candidates.into_iter().flatten() {
            let _ = layout.problems();
        }
    }

    #[test]
    fn layouts_the_editor_draws_are_sound_and_survive_export_and_import(
        rows in 1..=MAX_ROWS.min(12),
        columns in 1..=MAX_COLUMNS.min(16),
        strokes in prop::collection::vec((0..12i32, 0..16i32, 0..4u8), 0..40),
    ) {
        let mut draft = Draft::new(rows, columns, "Classic");
        draft.add_category("Prime");
        for (row, col, brush) in strokes {
            let brush = match brush {
                0 => Brush::Erase,
                1 => Brush::Category("Prime".into()),
                2 => Brush::Kind(SeatKind::Wheelchair),
                _ => Brush::Kind(SeatKind::Companion),
            };
            draft.paint(row % rows, col % columns, &brush);
        }
        let layout = draft.layout();
        let text = serde_json::to_string(&layout).unwrap();
        let imported: ScreenLayout = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&imported, &layout);
        if !layout.seats.is_empty() {
            prop_assert!(layout.problems().is_empty(), "{:?}", layout.problems());
        }
        prop_assert_eq!(Draft::from_layout(&imported).layout(), layout);
    }

    #[test]
    fn a_suggested_block_is_free_side_by_side_and_passes_the_rules(
        seats in rows(),
        count in 1..6usize,
        picked in prop::collection::vec(0..60usize, 0..6),
    ) {
        let block = rules::best_block(&seats, count, None);
        if !block.is_empty() {
            prop_assert_eq!(block.len(), count);
            let chosen: Vec<&rules::Seat> =
                block.iter().map(|id| seats.iter().find(|s| s.id == *id).unwrap()).collect();
            prop_assert!(chosen.iter().all(|s| s.free));
            prop_assert!(chosen.windows(2).all(|w| w[0].grid_row == w[1].grid_row
                && w[1].grid_col == w[0].grid_col + 1));
            prop_assert!(rules::check(&seats, &block, false).is_ok());
        }
        // Any selection, of seats there or not, gets an answer.
        let selection: Vec<SeatId> = picked.into_iter().map(seat_id).collect();
        let _ = rules::check(&seats, &selection, false);
        let _ = rules::watched(&seats, &selection);
    }

    #[test]
    fn amounts_add_up_and_discounts_never_take_more_than_the_tickets(
        prices in prop::collection::vec(0i64..5_000_000, 1..=10),
        fee in 0i64..100_000,
        percent in 0i64..=100,
        offers in prop::collection::vec((any::<bool>(), 0i64..10_000_000, proptest::option::of(0i64..5_000_000), any::<bool>()), 0..4),
    ) {
        let policy = Policy { convenience_fee: fee, fee_tax_percent: percent, ..Policy::default() };
        let amount = policy.amount(&prices, "INR");
        prop_assert_eq!(amount.subtotal, prices.iter().sum::<i64>());
        prop_assert_eq!(amount.convenience_fee, fee * prices.len() as i64);
        // Tax rounds half up to the paisa.
        let exact = amount.convenience_fee * percent;
        prop_assert!(amount.tax * 100 - exact < 100 && exact - amount.tax * 100 <= 50);
        prop_assert_eq!(amount.total, amount.subtotal + amount.convenience_fee + amount.tax);

        let terms: Vec<(Terms, i64)> = offers
            .into_iter()
            .map(|(percent, value, cap, on_total)| {
                let kind = if percent { OfferKind::Percent } else { OfferKind::Flat };
                let base = if on_total { OfferBase::Total } else { OfferBase::Tickets };
                let value = if percent { value % 101 } else { value };
                (Terms { kind, value, max_discount: cap, base }, amount.subtotal)
            })
            .collect();
        let taken = discounts(&amount, &terms);
        prop_assert!(taken.iter().all(|d| *d >= 0));
        let after: Amount = discounted(&amount, &taken);
        prop_assert!(after.total >= 0 && after.total <= amount.total);
        prop_assert!(after.discount <= amount.tickets_gross());
        prop_assert_eq!(after.total, amount.total - after.discount);
    }

    #[test]
    fn money_reads_back_as_the_amount_it_shows(minor in any::<i64>(), code in "[A-Z]{3}") {
        for currency in ["INR", code.as_str()] {
            let text = money::format(minor, currency);
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            let shown: u128 = digits.parse().unwrap();
            let paise = if text.contains('.') { shown } else { shown * 100 };
            prop_assert_eq!(paise, u128::from(minor.unsigned_abs()) , "{}", text);
            prop_assert_eq!(text.starts_with('-'), minor < 0);
        }
    }
}

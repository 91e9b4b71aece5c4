//! Texts and pushes: each moviegoer hears of their bookings on the channels they chose, through
//! stand-ins speaking Twilio's and Firebase Cloud Messaging's wire formats; a device the push
//! service no longer knows is forgotten; one channel failing holds back only that channel.

mod support;

use app::account::Role;
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    phone::{FcmStandIn, Twilio, GONE_DEVICE},
    staff::{setup_with, Setup},
};
use uuid::Uuid;

const SID: &str = "AC00000000000000000000000000000001";
const PHONE: &str = "+919812345678";

/// A customer with a verified phone (verification itself is tested with the accounts).
async fn customer_with_phone(db: &PgPool) -> Uuid {
    let user = support::venue::customers(db, 1).await[0];
    sqlx::query("UPDATE users SET phone = $2, phone_verified_at = now() WHERE id = $1")
        .bind(user)
        .bind(PHONE)
        .execute(db)
        .await
        .unwrap();
    user
}

async fn as_user(
    s: &Setup,
    user: Uuid,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> support::Reply {
    let token = support::bearer(&s.state, user, Role::Customer);
    support::send(&s.app, method, uri, body, &[("authorization", &token)]).await
}

async fn choose(s: &Setup, user: Uuid, email: bool, sms: bool, push: bool) -> support::Reply {
    let body = json!({"notify": {"email": email, "sms": sms, "push": push}});
    as_user(s, user, "PUT", "/api/v1/users/profile", Some(body)).await
}

async fn email_of(db: &PgPool, user: Uuid) -> String {
    sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Which consumers have taken the booking's event of `kind`.
async fn taken_by(db: &PgPool, booking: Uuid, kind: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT delivered_to FROM outbox_events WHERE aggregate_id = $1 AND event_type = $2",
    )
    .bind(booking)
    .bind(kind)
    .fetch_one(db)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn bookings_are_told_by_text_and_push_as_the_moviegoer_chose(db: PgPool) {
    let (twilio, fcm) = (
        Twilio::start(SID, "twilio-secret").await,
        FcmStandIn::start().await,
    );
    let mail = support::mail_dir();
    let key_file = fcm.key_file.to_string_lossy().into_owned();
    let vars = [
        ("TWILIO_ACCOUNT_SID", SID),
        ("TWILIO_AUTH_TOKEN", "twilio-secret"),
        ("TWILIO_FROM_NUMBER", "+15005550006"),
        ("TWILIO_API_BASE", twilio.base.as_str()),
        ("FCM_SERVICE_ACCOUNT_FILE", key_file.as_str()),
        ("FCM_API_BASE", fcm.base.as_str()),
        ("MAIL_DIR", mail.as_str()),
    ];
    let s = setup_with(&db, Duration::days(2), &vars).await;
    let buyer = customer_with_phone(&db).await;

    let chosen = choose(&s, buyer, false, true, true).await;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.body);
    assert_eq!(
        chosen.json()["notify"],
        json!({"email": false, "sms": true, "push": true})
    );
    for (token, platform) in [("device-1", "android"), (GONE_DEVICE, "ios")] {
        let body = json!({"token": token, "platform": platform});
        let registered = as_user(&s, buyer, "POST", "/api/v1/users/devices", Some(body)).await;
        assert_eq!(
            registered.status,
            StatusCode::NO_CONTENT,
            "{}",
            registered.body
        );
    }

    let (booking, _) = s.buy(buyer, &["A1", "A2"]).await;
    assert!(
        twilio.texts().is_empty() && fcm.pushes().is_empty(),
        "nothing from the request"
    );
    support::outbox::relay(&s.state).await;

    let texts = twilio.texts();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0]["To"], PHONE);
    assert_eq!(texts[0]["From"], "+15005550006");
    assert!(texts[0]["Body"].contains("Booking confirmed"), "{texts:?}");
    assert!(
        texts[0]["Body"].contains(&format!("/bookings/{booking}")),
        "{texts:?}"
    );
    let pushes = fcm.pushes();
    assert_eq!(pushes.len(), 1, "{pushes:?}");
    let message = &pushes[0]["message"];
    assert_eq!(message["token"], "device-1");
    assert!(message["notification"]["title"]
        .as_str()
        .unwrap()
        .starts_with("Booking confirmed"));
    assert!(message["data"]["link"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/bookings/{booking}")));
    assert_eq!(
        fcm.sign_ins(),
        1,
        "signed in once, with a JWT the token URI verified"
    );
    let devices: Vec<String> =
        sqlx::query_scalar("SELECT token FROM push_devices WHERE user_id = $1")
            .bind(buyer)
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        devices,
        ["device-1"],
        "the unregistered device is forgotten"
    );
    let email = email_of(&db, buyer).await;
    assert!(
        support::mail_to(&mail, &email).is_empty(),
        "no email: not chosen"
    );

    // Texts off, email on: the cancellation is mailed and pushed, not texted.
    assert_eq!(
        choose(&s, buyer, true, false, true).await.status,
        StatusCode::OK
    );
    let cancelled = as_user(
        &s,
        buyer,
        "DELETE",
        &format!("/api/v1/bookings/{booking}"),
        None,
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    support::outbox::relay(&s.state).await;
    assert_eq!(twilio.texts().len(), 1);
    let pushes = fcm.pushes();
    assert_eq!(pushes.len(), 2);
    assert!(pushes[1]["message"]["notification"]["title"]
        .as_str()
        .unwrap()
        .starts_with("Booking cancelled"));
    assert_eq!(fcm.sign_ins(), 1, "the access token is kept while it lasts");
    assert!(support::mail_to(&mail, &email).contains("Booking cancelled"));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_failing_text_service_holds_back_texts_only(db: PgPool) {
    // Twilio refuses these credentials: texts fail, pushes (to the log) and mail go out.
    let twilio = Twilio::start(SID, "the-right-secret").await;
    let vars = [
        ("TWILIO_ACCOUNT_SID", SID),
        ("TWILIO_AUTH_TOKEN", "a-wrong-secret"),
        ("TWILIO_FROM_NUMBER", "+15005550006"),
        ("TWILIO_API_BASE", twilio.base.as_str()),
    ];
    let s = setup_with(&db, Duration::days(2), &vars).await;
    let buyer = customer_with_phone(&db).await;
    assert_eq!(
        choose(&s, buyer, true, true, true).await.status,
        StatusCode::OK
    );
    let (booking, _) = s.buy(buyer, &["B1"]).await;
    support::outbox::relay(&s.state).await;

    let mut taken = taken_by(&db, booking, "booking.confirmed").await;
    taken.sort();
    assert_eq!(taken, ["account_mail", "mail", "push", "seats", "waitlist"]);
    let attempts: i32 = sqlx::query_scalar(
        "SELECT attempts FROM outbox_events WHERE aggregate_id = $1 AND event_type = 'booking.confirmed'",
    )
    .bind(booking)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(attempts, 1, "to be tried again, for texts");
    assert!(twilio.texts().is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn texts_need_a_phone_and_devices_belong_to_their_user(db: PgPool) {
    let s = setup_with(&db, Duration::days(2), &[]).await;
    let users = support::venue::customers(&db, 2).await;
    let (ana, ben) = (users[0], users[1]);

    let refused = choose(&s, ana, true, true, false).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("phone number"), "{}", refused.body);
    let profile = as_user(&s, ana, "GET", "/api/v1/users/profile", None).await;
    assert_eq!(
        profile.json()["notify"],
        json!({"email": true, "sms": false, "push": true})
    );

    for body in [
        json!({"token": "", "platform": "android"}),
        json!({"token": "x".repeat(5000), "platform": "android"}),
        json!({"token": "device", "platform": "fax"}),
        json!({"token": "téléphone", "platform": "web"}),
    ] {
        let answer = as_user(&s, ana, "POST", "/api/v1/users/devices", Some(body)).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.body
        );
    }
    let body = json!({"token": "shared-phone", "platform": "web"});
    as_user(&s, ana, "POST", "/api/v1/users/devices", Some(body.clone())).await;
    let forget = |user| {
        as_user(
            &s,
            user,
            "DELETE",
            "/api/v1/users/devices/shared-phone",
            None,
        )
    };
    // Ben cannot drop Ana's device...
    assert_eq!(forget(ben).await.status, StatusCode::NO_CONTENT);
    let owner = || async {
        sqlx::query_scalar::<_, Uuid>(
            "SELECT user_id FROM push_devices WHERE token = 'shared-phone'",
        )
        .fetch_optional(&db)
        .await
        .unwrap()
    };
    assert_eq!(owner().await, Some(ana));
    // ...but signing in on it moves it to him, and then it is his to drop.
    as_user(&s, ben, "POST", "/api/v1/users/devices", Some(body)).await;
    assert_eq!(owner().await, Some(ben));
    forget(ben).await;
    assert_eq!(owner().await, None);

    // With no text or push service configured, both go to the log and the events are done.
    let (booking, _) = s.buy(ana, &["B1"]).await;
    support::outbox::relay(&s.state).await;
    let taken = taken_by(&db, booking, "booking.confirmed").await;
    assert!(
        taken.iter().any(|c| c == "sms") && taken.iter().any(|c| c == "push"),
        "{taken:?}"
    );
}

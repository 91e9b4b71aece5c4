//! "Save to Google Wallet": the link of a confirmed ticket carries a JWT signed with the
//! configured service account (a key pair made by openssl), holding the event ticket whose
//! barcode is the ticket's own signed token.

mod support;

use app::account::Role;
use chrono::Duration;
use http::StatusCode;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{bearer, phone::rsa_pair, send, staff::setup_with, venue::customers};

const ISSUER: &str = "3388000000022799999";
const SAVE: &str = "https://pay.google.com/gp/v/save/";

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_confirmed_ticket_is_offered_to_google_wallet_signed_by_the_issuer(db: PgPool) {
    let dir = std::env::temp_dir().join(format!("district-wallet-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (private, public) = rsa_pair(&dir);
    let account = dir.join("service-account.json");
    let email = "wallet@district-test.iam.gserviceaccount.com";
    let key = json!({
        "type": "service_account", "project_id": "district-test",
        "private_key": std::fs::read_to_string(&private).unwrap(),
        "client_email": email, "token_uri": "https://oauth2.googleapis.com/token",
    });
    std::fs::write(&account, key.to_string()).unwrap();
    let s = setup_with(
        &db,
        Duration::days(2),
        &[
            ("GOOGLE_WALLET_ISSUER_ID", ISSUER),
            (
                "GOOGLE_WALLET_SERVICE_ACCOUNT_FILE",
                account.to_str().unwrap(),
            ),
        ],
    )
    .await;
    let buyer = customers(&db, 1).await[0];
    let (booking, _) = s.buy(buyer, &["C3", "C4"]).await;
    let token = bearer(&s.state, buyer, Role::Customer);
    let auth = [("authorization", token.as_str())];
    let uri = format!("/api/v1/bookings/{booking}/ticket");
    let ticket = send(&s.app, "GET", &uri, None, &auth).await;
    assert_eq!(ticket.status, StatusCode::OK, "{}", ticket.body);
    let ticket = ticket.json();
    let url = ticket["google_wallet_url"].as_str().expect("a save link");
    let jwt = url
        .strip_prefix(SAVE)
        .expect("Google Wallet's save address");

    let mut rules = Validation::new(Algorithm::RS256);
    rules.set_audience(&["google"]);
    rules.set_issuer(&[email]);
    rules.required_spec_claims.clear();
    let claims: Value =
        jsonwebtoken::decode(jwt, &DecodingKey::from_rsa_pem(&public).unwrap(), &rules)
            .expect("signed with the service account's key")
            .claims;
    assert_eq!(claims["typ"], "savetowallet");
    // The site's own address (PUBLIC_URL as the tests set it).
    assert_eq!(claims["origins"], json!(["http://district.test"]));
    let class = &claims["payload"]["eventTicketClasses"][0];
    let object = &claims["payload"]["eventTicketObjects"][0];
    assert_eq!(object["id"], format!("{ISSUER}.booking-{booking}"));
    assert_eq!(object["classId"], class["id"]);
    assert_eq!(class["id"], format!("{ISSUER}.show-{}", s.venue.show_id));
    assert_eq!(object["barcode"]["type"], "QR_CODE");
    assert_eq!(object["barcode"]["value"], ticket["token"]);
    assert_eq!(
        object["seatInfo"]["seat"]["defaultValue"]["value"],
        "C3, C4"
    );
    let code: String = sqlx::query_scalar("SELECT code FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(object["reservationInfo"]["confirmationCode"], code);

    // Another key does not verify it: the signature is checked, not just read.
    let elsewhere = dir.join("other");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let (_, other) = rsa_pair(&elsewhere);
    assert!(jsonwebtoken::decode::<Value>(
        jwt,
        &DecodingKey::from_rsa_pem(&other).unwrap(),
        &rules
    )
    .is_err());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn without_an_issuer_no_wallet_link_is_offered(db: PgPool) {
    let s = setup_with(&db, Duration::days(2), &[]).await;
    let buyer = customers(&db, 1).await[0];
    let (booking, _) = s.buy(buyer, &["C3", "C4"]).await;
    let token = bearer(&s.state, buyer, Role::Customer);
    let uri = format!("/api/v1/bookings/{booking}/ticket");
    let ticket = send(
        &s.app,
        "GET",
        &uri,
        None,
        &[("authorization", token.as_str())],
    )
    .await;
    assert_eq!(ticket.status, StatusCode::OK, "{}", ticket.body);
    assert!(ticket.json()["google_wallet_url"].is_null());
}

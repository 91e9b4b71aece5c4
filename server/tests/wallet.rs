//! Wallet passes of a confirmed ticket, whose barcode is the ticket's own signed token. "Save
//! to Google Wallet": a link carrying a JWT signed with the configured service account (a key
//! pair made by openssl). Apple Wallet: a `.pkpass` whose manifest's signature openssl verifies
//! against a certificate authority made for the test (standing in for Apple's WWDR).

mod support;

use app::account::Role;
use chrono::Duration;
use http::StatusCode;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::{io::Read, path::Path, process::Command};
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
    assert!(ticket.json()["apple_wallet_url"].is_null());
    let pass = format!("/api/v1/bookings/{booking}/ticket.pkpass");
    let pass = send(
        &s.app,
        "GET",
        &pass,
        None,
        &[("authorization", token.as_str())],
    )
    .await;
    assert_eq!(pass.status, StatusCode::NOT_FOUND);
}

/// Runs openssl in `dir`; whether it succeeded.
fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl")
        .status
        .success()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_confirmed_ticket_comes_as_an_apple_wallet_pass_whose_signature_verifies(db: PgPool) {
    let dir = std::env::temp_dir().join(format!("district-pkpass-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let made = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=Test Worldwide Developer Relations",
            "-days",
            "2",
        ][..],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "pass.key",
            "-out",
            "pass.csr",
            "-subj",
            "/UID=pass.test.district/CN=Pass Type ID: pass.test.district",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "pass.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "pass.pem",
            "-days",
            "2",
        ],
    ];
    for args in made {
        assert!(openssl(&dir, args), "openssl {args:?}");
    }
    let file = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let (cert, key, ca) = (file("pass.pem"), file("pass.key"), file("ca.pem"));
    let s = setup_with(
        &db,
        Duration::days(2),
        &[
            ("APPLE_WALLET_PASS_TYPE_ID", "pass.test.district"),
            ("APPLE_WALLET_TEAM_ID", "TEAM123456"),
            ("APPLE_WALLET_CERT_FILE", &cert),
            ("APPLE_WALLET_KEY_FILE", &key),
            ("APPLE_WALLET_WWDR_FILE", &ca),
        ],
    )
    .await;
    let buyer = customers(&db, 1).await[0];
    let (booking, _) = s.buy(buyer, &["C3", "C4"]).await;
    let token = bearer(&s.state, buyer, Role::Customer);
    let auth = [("authorization", token.as_str())];
    let ticket = send(
        &s.app,
        "GET",
        &format!("/api/v1/bookings/{booking}/ticket"),
        None,
        &auth,
    )
    .await
    .json();
    let url = ticket["apple_wallet_url"].as_str().expect("a pass link");
    let request = http::Request::get(url)
        .header("authorization", token.as_str())
        .body(axum::body::Body::empty())
        .unwrap();
    let reply = tower::ServiceExt::oneshot(s.app.clone(), request)
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(
        reply.headers()["content-type"],
        "application/vnd.apple.pkpass"
    );
    let bytes = axum::body::to_bytes(reply.into_body(), 1 << 20)
        .await
        .unwrap();

    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut body = Vec::new();
        entry.read_to_end(&mut body).unwrap();
        files.insert(entry.name().to_owned(), body);
    }
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "en.lproj/pass.strings",
            "hi.lproj/pass.strings",
            "icon.png",
            "icon@2x.png",
            "manifest.json",
            "pass.json",
            "signature"
        ]
    );
    // The labels, keys of pass.json, read in the phone's language (UTF-16 with its mark).
    let hindi = &files["hi.lproj/pass.strings"];
    assert_eq!(hindi[..2], [0xFF, 0xFE]);
    let units: Vec<u16> = hindi[2..]
        .chunks(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    let hindi = String::from_utf16(&units).unwrap();
    assert!(hindi.contains("\"SEATS\" = \"सीटें\";\n"), "{hindi}");
    // The manifest names every other file with its SHA-1.
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    for (name, body) in &files {
        if name != "manifest.json" && name != "signature" {
            use sha1::Digest;
            let sha1: String = sha1::Sha1::digest(body)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(manifest[name], sha1, "{name}");
        }
    }
    let pass: Value = serde_json::from_slice(&files["pass.json"]).unwrap();
    assert_eq!(pass["passTypeIdentifier"], "pass.test.district");
    assert_eq!(pass["teamIdentifier"], "TEAM123456");
    assert_eq!(pass["serialNumber"], booking.to_string());
    assert_eq!(pass["barcodes"][0]["message"], ticket["token"]);
    assert_eq!(pass["barcodes"][0]["format"], "PKBarcodeFormatQR");
    assert_eq!(pass["eventTicket"]["secondaryFields"][0]["value"], "C3, C4");

    // openssl verifies the detached signature of the manifest up to the test's authority, and
    // refuses it for a manifest changed by one byte.
    std::fs::write(dir.join("manifest.json"), &files["manifest.json"]).unwrap();
    std::fs::write(dir.join("signature"), &files["signature"]).unwrap();
    let verify = |content: &str| {
        openssl(
            &dir,
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "signature",
                "-content",
                content,
                "-CAfile",
                "ca.pem",
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
        )
    };
    assert!(verify("manifest.json"), "the signature verifies");
    let mut changed = files["manifest.json"].clone();
    changed[2] ^= 1;
    std::fs::write(dir.join("changed.json"), changed).unwrap();
    assert!(
        !verify("changed.json"),
        "a changed manifest does not verify"
    );
}

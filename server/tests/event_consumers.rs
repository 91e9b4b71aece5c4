//! The outbox's consumers against real servers: the booking mails through aiosmtpd, read back
//! and parsed (headers, both parts, the link, the QR code), a cancellation and an address
//! check likewise; an event the mail server keeps refusing, parked and sent again by a
//! platform admin; every event published to a real Kafka-protocol broker (tansu) once, in
//! order per key, also after the broker was down.

mod support;

use app::booking::ticket::TicketKeys;
use chrono::Duration;
use http::StatusCode;
use mailparse::{MailHeaderMap, ParsedMail};
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use support::{
    kafka::Broker,
    smtp,
    staff::{setup_with, Setup},
};
use uuid::Uuid;

fn smtp_vars(port: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SMTP_HOST", "127.0.0.1".into()),
        ("SMTP_PORT", port.into()),
        ("SMTP_TLS", "none".into()),
        ("SMTP_FROM", "District <tickets@district.test>".into()),
    ]
}

fn borrowed<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A real SMTP server, and a venue mailing through it whose movie's title needs escaping.
async fn mailing_setup(db: &PgPool) -> (smtp::Server, Setup) {
    let server = smtp::Server::start();
    let vars = smtp_vars(&server.port.to_string());
    let s = setup_with(db, Duration::days(2), &borrowed(&vars)).await;
    sqlx::query("UPDATE movies SET title = 'Fast & <Furious>' WHERE id = $1")
        .bind(s.venue.movie_id)
        .execute(db)
        .await
        .unwrap();
    (server, s)
}

/// The parts of a message of the given type, depth first.
fn parts<'a>(mail: &'a ParsedMail<'a>, mime: &str, found: &mut Vec<&'a ParsedMail<'a>>) {
    if mail.ctype.mimetype == mime {
        found.push(mail);
    }
    for part in &mail.subparts {
        parts(part, mime, found);
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_confirmed_booking_is_mailed_with_both_parts_its_link_and_a_qr_code_that_scans(
    db: PgPool,
) {
    let (server, s) = mailing_setup(&db).await;
    let buyer = support::venue::customers(&db, 1).await[0];
    let (booking, _) = s.buy(buyer, &["A1", "A2"]).await;
    assert!(
        server.messages().is_empty(),
        "nothing is mailed from the request"
    );

    support::outbox::relay(&s.state).await;
    let arrived = support::eventually(|| async { !server.messages().is_empty() }).await;
    assert!(arrived, "the confirmation was mailed");
    let messages = server.messages();
    let raw = messages
        .iter()
        .find(|m| m.contains("Booking confirmed"))
        .expect("the confirmation");
    let mail = mailparse::parse_mail(raw.as_bytes()).unwrap();
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(buyer)
        .fetch_one(&db)
        .await
        .unwrap();
    let headers = &mail.headers;
    assert_eq!(headers.get_first_value("To"), Some(email));
    assert_eq!(
        headers.get_first_value("From").as_deref(),
        Some("District <tickets@district.test>")
    );
    let subject = headers.get_first_value("Subject").unwrap();
    assert!(
        subject.starts_with("Booking confirmed: Fast & <Furious> ("),
        "{subject}"
    );
    let event: i64 = sqlx::query_scalar(
        "SELECT id FROM outbox_events WHERE event_type = 'booking.confirmed' AND aggregate_id = $1",
    )
    .bind(booking)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        headers.get_first_value("Message-ID"),
        Some(format!("<event-{event}@district.test>"))
    );
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");

    let link = format!("http://district.test/bookings/{booking}");
    let (mut texts, mut htmls, mut images) = (Vec::new(), Vec::new(), Vec::new());
    parts(&mail, "text/plain", &mut texts);
    parts(&mail, "text/html", &mut htmls);
    parts(&mail, "image/png", &mut images);
    let text = texts[0].get_body().unwrap();
    assert!(text.contains("Fast & <Furious>"), "{text}");
    assert!(text.contains("Seats A1, A2."), "{text}");
    assert!(text.contains(&link), "{text}");
    let html = htmls[0].get_body().unwrap();
    assert!(html.contains("Fast &amp; &lt;Furious&gt;"), "{html}");
    assert!(!html.contains("<Furious>"));
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(html.contains("src=\"cid:ticket-qr\""));

    // The inline image is the e-ticket: a QR code whose token the ticket key accepts.
    let image = images[0];
    assert_eq!(
        image.headers.get_first_value("Content-ID").as_deref(),
        Some("<ticket-qr>")
    );
    let png = image.get_body_raw().unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let (w, h) = (frame.width as usize, frame.height as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = prepared.detect_grids();
    let (_, token) = grids[0].decode().unwrap();
    let keys = TicketKeys::from_base64(server::config::DEV_TICKET_SIGNING_KEY).unwrap();
    let ticket = keys.verify(&token).unwrap();
    assert_eq!(Uuid::from(ticket.booking), booking);

    // Delivered once: running the relay again sends nothing more.
    support::outbox::relay(&s.state).await;
    assert_eq!(server.messages().len(), messages.len());
}

/// The one message of `server` whose subject starts with `subject`, parsed: its plain-text
/// and HTML bodies, after checking they are the two parts of one alternative.
fn bodies(server: &smtp::Server, subject: &str) -> (String, String) {
    let messages = server.messages();
    let raw = messages
        .iter()
        .filter(|m| {
            let mail = mailparse::parse_mail(m.as_bytes()).unwrap();
            let found = mail.headers.get_first_value("Subject").unwrap_or_default();
            found.starts_with(subject)
        })
        .collect::<Vec<_>>();
    assert_eq!(raw.len(), 1, "one mail {subject:?} among {messages:?}");
    let mail = mailparse::parse_mail(raw[0].as_bytes()).unwrap();
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    let (mut texts, mut htmls) = (Vec::new(), Vec::new());
    parts(&mail, "text/plain", &mut texts);
    parts(&mail, "text/html", &mut htmls);
    (texts[0].get_body().unwrap(), htmls[0].get_body().unwrap())
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_cancellation_and_an_address_check_arrive_whole_over_smtp(db: PgPool) {
    let (server, s) = mailing_setup(&db).await;
    let buyer = support::venue::customers(&db, 1).await[0];
    let (booking, _) = s.buy(buyer, &["B1", "B2"]).await;
    let token = support::bearer(&s.state, buyer, app::account::Role::Customer);
    let auth = [("authorization", token.as_str())];
    let uri = format!("/api/v1/bookings/{booking}");
    let cancelled = support::send(&s.app, "DELETE", &uri, None, &auth).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let body = serde_json::json!({"name": "Meera & Ravi", "email": "meera@example.com",
                                  "password": "popcorn-and-chai"});
    let signed_up = support::send(&s.app, "POST", "/api/v1/auth/signup", Some(body), &[]).await;
    assert_eq!(signed_up.status, StatusCode::CREATED, "{}", signed_up.body);
    support::outbox::relay(&s.state).await;
    let arrived = support::eventually(|| async { server.messages().len() >= 3 }).await;
    assert!(arrived, "{:?}", server.messages());

    // The cancellation: what is refunded (in full, two days ahead), escaped, with its link.
    let (text, html) = bodies(&server, "Booking cancelled: Fast & <Furious>");
    let link = format!("http://district.test/bookings/{booking}");
    assert!(
        text.contains("is cancelled") && text.contains("is being refunded"),
        "{text}"
    );
    assert!(text.contains(&link), "{text}");
    assert!(
        html.contains("Fast &amp; &lt;Furious&gt;") && !html.contains("<Furious>"),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");

    // The address check: greeting escaped, and the link in both parts.
    let (text, html) = bodies(&server, "Confirm your email for District");
    assert!(text.contains("Hello Meera & Ravi,"), "{text}");
    assert!(
        html.contains("Meera &amp; Ravi") && !html.contains("Meera & Ravi"),
        "{html}"
    );
    let link = "http://district.test/verify-email?token=";
    assert!(text.contains(link), "{text}");
    assert!(html.contains(&format!("href=\"{link}")), "{html}");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn booking_mail_comes_in_the_language_the_user_reads_the_site_in(db: PgPool) {
    let (server, s) = mailing_setup(&db).await;
    let buyer = support::venue::customers(&db, 1).await[0];
    sqlx::query("UPDATE users SET language = 'hi' WHERE id = $1")
        .bind(buyer)
        .execute(&db)
        .await
        .unwrap();
    let (_, _) = s.buy(buyer, &["B1", "B2"]).await;
    support::outbox::relay(&s.state).await;
    let arrived = support::eventually(|| async { !server.messages().is_empty() }).await;
    assert!(arrived, "{:?}", server.messages());
    let (text, html) = bodies(&server, "बुकिंग पक्की:");
    assert!(text.starts_with("नमस्ते "), "{text}");
    assert!(
        text.contains("पक्की हो गई है") && text.contains("प्रवेश पर यह QR कोड दिखाएँ"),
        "{text}"
    );
    // The show's time is written the Hindi way, and nothing of the English mail is left.
    assert!(text.contains("अपराह्न") || text.contains("पूर्वाह्न"), "{text}");
    for english in [
        "Hello",
        "is confirmed",
        "Show this QR code",
        "Your booking",
        "Or open",
    ] {
        assert!(
            !text.contains(english) && !html.contains(english),
            "{english}: {text}"
        );
    }
    assert!(html.contains("<html lang=\"hi\">"), "{html}");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn account_mail_comes_in_the_language_signed_up_in(db: PgPool) {
    let (server, s) = mailing_setup(&db).await;
    let body = serde_json::json!({"name": "Meera", "email": "meera@example.com",
                                  "password": "popcorn-and-chai", "language": "hi"});
    let signed_up = support::send(&s.app, "POST", "/api/v1/auth/signup", Some(body), &[]).await;
    assert_eq!(signed_up.status, StatusCode::CREATED, "{}", signed_up.body);
    let asked = serde_json::json!({"email": "meera@example.com"});
    let uri = "/api/v1/auth/forgot-password";
    let reset = support::send(&s.app, "POST", uri, Some(asked), &[]).await;
    assert!(reset.status.is_success(), "{}", reset.body);
    support::outbox::relay(&s.state).await;
    let arrived = support::eventually(|| async { server.messages().len() >= 2 }).await;
    assert!(arrived, "{:?}", server.messages());
    for (subject, says) in [
        ("डिस्ट्रिक्ट के लिए अपना ईमेल पुष्ट करें", "24 घंटे तक"),
        ("अपना डिस्ट्रिक्ट पासवर्ड रीसेट करें", "60 मिनट तक"),
    ] {
        let (text, html) = bodies(&server, subject);
        assert!(text.starts_with("नमस्ते Meera"), "{text}");
        assert!(text.contains(says), "{text}");
        for english in [
            "Hello",
            "Confirm your email",
            "Choose a new password",
            "Or open",
        ] {
            assert!(
                !text.contains(english) && !html.contains(english),
                "{english}: {text}"
            );
        }
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn an_event_the_mail_server_keeps_refusing_is_parked_and_a_platform_admin_sends_it_again(
    db: PgPool,
) {
    // The mail server is not up yet: every attempt fails.
    let port = support::free_port();
    let mut vars = smtp_vars(&port.to_string());
    vars.extend([
        ("OUTBOX_MAX_ATTEMPTS", "3".to_owned()),
        ("OUTBOX_BACKOFF", "1ms".to_owned()),
        ("OUTBOX_MAX_BACKOFF", "1ms".to_owned()),
    ]);
    let s = setup_with(&db, Duration::days(2), &borrowed(&vars)).await;
    let buyer = support::venue::customers(&db, 1).await[0];
    let (booking, _) = s.buy(buyer, &["B1"]).await;
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        support::outbox::relay(&s.state).await;
    }
    let (dead, attempts, error): (i64, i32, Option<String>) = sqlx::query_as(
        "SELECT id, attempts, last_error FROM outbox_events
          WHERE event_type = 'booking.confirmed' AND aggregate_id = $1 AND dead_at IS NOT NULL",
    )
    .bind(booking)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(attempts, 3);
    assert!(error.unwrap().starts_with("mail: "));
    s.state.relay.measure().await.unwrap();
    let metrics = support::get_as_operator(&s.app, "/metrics").await;
    assert!(
        metrics.body.contains("district_outbox_dead_letters 1"),
        "{}",
        metrics.body
    );

    // Platform admins see it; no one else does.
    let uri = "/api/v1/admin/outbox/dead-letters";
    assert_eq!(
        s.call(Some(0), "GET", uri, None).await.status,
        StatusCode::FORBIDDEN
    );
    let listed = s.call(Some(3), "GET", uri, None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let items = listed.json()["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
    assert_eq!(items[0]["id"], dead);
    assert_eq!(items[0]["event_type"], "booking.confirmed");

    // Once the mail server is up, the retry goes through.
    let server = smtp::Server::start_on(port);
    let retry = format!("/api/v1/admin/outbox/dead-letters/{dead}/retry");
    assert_eq!(
        s.call(Some(0), "POST", &retry, None).await.status,
        StatusCode::FORBIDDEN
    );
    let retried = s.call(Some(3), "POST", &retry, None).await;
    assert_eq!(retried.status, StatusCode::NO_CONTENT, "{}", retried.body);
    assert_eq!(
        s.call(Some(3), "POST", &retry, None).await.status,
        StatusCode::NOT_FOUND,
        "no longer a dead letter"
    );
    support::outbox::relay(&s.state).await;
    let arrived = support::eventually(|| async {
        server
            .messages()
            .iter()
            .any(|m| m.contains("Booking confirmed"))
    })
    .await;
    assert!(arrived, "{:?}", server.messages());
    let published: bool =
        sqlx::query_scalar("SELECT published_at IS NOT NULL FROM outbox_events WHERE id = $1")
            .bind(dead)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(published);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn every_event_reaches_kafka_once_in_order_per_key_also_after_the_broker_was_down(
    db: PgPool,
) {
    // The broker is down at first.
    let port = support::free_port();
    let vars = [
        ("KAFKA_BROKERS", format!("127.0.0.1:{port}")),
        ("KAFKA_PARTITIONS", "2".to_owned()),
        ("KAFKA_TIMEOUT", "1s".to_owned()),
        ("OUTBOX_BACKOFF", "1ms".to_owned()),
        ("OUTBOX_MAX_BACKOFF", "1ms".to_owned()),
    ];
    let s = setup_with(&db, Duration::days(2), &borrowed(&vars)).await;
    let buyers = support::venue::customers(&db, 3).await;
    for (buyer, seats) in buyers
        .iter()
        .zip([["A1", "A2"], ["A3", "A4"], ["A5", "A6"]])
    {
        s.buy(*buyer, &seats).await;
    }
    // Two attempts fail (and each is recorded) while it is down.
    for _ in 0..2 {
        assert!(s.state.relay.pass().await.unwrap() > 0);
    }
    let waiting: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(waiting > 0, "nothing is published while the broker is down");
    let failed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox_events WHERE attempts = 2 AND last_error LIKE 'kafka: %'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(failed > 0);

    let broker = Broker::start_on(port);
    // More happens once it is up: another hold.
    let held = s.hold(buyers[0], s.venue.show_id, &["C1"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let caught_up = support::eventually(|| async {
        support::outbox::relay(&s.state).await;
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
                .fetch_one(&db)
                .await
                .unwrap();
        left == 0
    })
    .await;
    assert!(caught_up, "the relay caught up");

    let written: Vec<(i64, String, Uuid)> =
        sqlx::query_as("SELECT id, aggregate_type, aggregate_id FROM outbox_events ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for family in ["bookings", "payments"] {
        let partitions = broker.records(&format!("district.{family}")).await;
        assert_eq!(partitions.len(), 2, "district.{family} has its partitions");
        let count = partitions.len() as i32;
        for (partition, records) in partitions {
            let mut last: HashMap<String, i64> = HashMap::new();
            for (key, value) in records {
                let id = value["id"].as_i64().unwrap();
                assert_eq!(value["schema_version"], 1);
                *seen.entry(id).or_default() += 1;
                // Keyed by the aggregate, on the partition Kafka's own clients would pick.
                assert_eq!(key, value["aggregate_id"].as_str().unwrap());
                assert_eq!(app::outbox::partition_of(key.as_bytes(), count), partition);
                let before = last.insert(key.clone(), id).unwrap_or(0);
                assert!(before < id, "{key}: {id} after {before}");
            }
        }
    }
    let expected: HashSet<i64> = written
        .iter()
        .filter(|(_, kind, _)| kind == "booking" || kind == "payment")
        .map(|(id, ..)| *id)
        .collect();
    assert_eq!(seen.keys().copied().collect::<HashSet<_>>(), expected);
    assert!(seen.values().all(|&n| n == 1), "each event once: {seen:?}");
}

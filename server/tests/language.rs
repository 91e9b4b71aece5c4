//! The page's language: `?lang=`, then the signed-in user's setting, then the `lang` cookie,
//! then `Accept-Language`; `<html lang>` says which, and the page's words are in it.

mod support;

use app::i18n::{message_ids, tr, Lang};
use axum::{body::Body, http::Request, Router};
use http::StatusCode;
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::Reply;

/// A request's headers, as (name, value).
type Headers<'a> = &'a [(&'a str, &'a str)];

async fn page(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::get(uri).header("host", "district.test");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    support::request(app, request.body(Body::empty()).unwrap()).await
}

/// What `<html lang>` says.
fn html_lang(reply: &Reply) -> &str {
    let at = reply.body.find("<html lang=\"").expect("an html element") + "<html lang=\"".len();
    &reply.body[at..at + reply.body[at..].find('"').unwrap()]
}

/// The page's text as a reader sees it: no tags, scripts or styles.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        rest = &rest[open..];
        let skip_to = ["<script", "<style", "<template"]
            .iter()
            .find(|tag| rest.starts_with(**tag))
            .map(|tag| format!("</{}", &tag[1..]));
        let end = match skip_to {
            Some(close) => rest.find(&close).unwrap_or(rest.len()),
            None => 0,
        };
        rest = &rest[end..];
        rest = rest.find('>').map_or("", |close| &rest[close + 1..]);
    }
    text.push_str(rest);
    text
}

/// The English catalogue's words a Hindi page still shows: each message whose English text is
/// on the English page must not be on the Hindi one (but the language switch, which names
/// English on a Hindi page).
fn untranslated(english: &Reply, hindi: &Reply) -> Vec<String> {
    let (english, hindi) = (visible_text(&english.body), visible_text(&hindi.body));
    message_ids(Lang::En.catalogue())
        .into_iter()
        .filter(|id| id != "language-name")
        .map(|id| tr(Lang::En, &id))
        .filter(|words| words.chars().filter(char::is_ascii_alphabetic).count() >= 3)
        .filter(|words| has_words(&english, words) && has_words(&hindi, words))
        .collect()
}

/// Whether `text` holds `words` as whole words ("Mon" is not in "Monsoon").
fn has_words(text: &str, words: &str) -> bool {
    let alphanumeric = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(words).any(|(at, _)| {
        !alphanumeric(text[..at].chars().next_back())
            && !alphanumeric(text[at + words.len()..].chars().next())
    })
}

/// Page `uri` asked for in Hindi (at `hindi_uri`, with `headers`): found, and with no message
/// of the English page left on it. Answers the Hindi page.
async fn in_hindi(app: &Router, uri: &str, hindi_uri: &str, headers: Headers<'_>) -> Reply {
    in_hindi_but_data(app, uri, hindi_uri, headers, &[]).await
}

/// As `in_hindi`, for a page showing `data` in English (a synopsis that says "left", a screen
/// called "Main"): a message whose words are in the data may be left, as the data's.
async fn in_hindi_but_data(
    app: &Router,
    uri: &str,
    hindi_uri: &str,
    headers: Headers<'_>,
    data: &[String],
) -> Reply {
    let english = page(app, uri, &[]).await;
    let hindi = page(app, hindi_uri, headers).await;
    assert_eq!(hindi.status, StatusCode::OK, "{uri}");
    let mut left = untranslated(&english, &hindi);
    left.retain(|words| !data.iter().any(|text| has_words(text, words)));
    assert_eq!(left, Vec::<String>::new(), "{uri}");
    hindi
}

fn sets_cookie(reply: &Reply, value: &str) -> bool {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with(&format!("lang={value};")))
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn pages_are_in_the_language_asked_for_then_remembered_then_preferred(db: PgPool) {
    support::seed(&db).await;
    let app = support::app(db);
    let cases: [(&str, Headers, &str); 7] = [
        ("/", &[], "en"),
        ("/", &[("accept-language", "hi-IN,hi;q=0.9,en;q=0.8")], "hi"),
        ("/", &[("accept-language", "fr-FR,fr")], "en"),
        (
            "/",
            &[("cookie", "lang=hi"), ("accept-language", "en")],
            "hi",
        ),
        ("/?lang=en", &[("cookie", "lang=hi")], "en"),
        ("/?lang=hi", &[], "hi"),
        ("/?lang=xx", &[("cookie", "lang=hi")], "hi"),
    ];
    for (uri, headers, want) in cases {
        let reply = page(&app, uri, headers).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert_eq!(html_lang(&reply), want, "{uri} {headers:?}");
        let lang = Lang::parse(want).unwrap();
        let text = visible_text(&reply.body);
        assert!(text.contains(&tr(lang, "nav-theaters")), "{uri}: {text}");
        assert!(text.contains(&tr(lang, "footer-about")), "{uri}");
    }
    // Asking remembers the choice in a cookie, and says so only when it changes.
    let asked = page(&app, "/?lang=hi", &[]).await;
    assert!(sets_cookie(&asked, "hi"), "{:?}", asked.headers);
    let again = page(&app, "/?lang=hi", &[("cookie", "lang=hi")]).await;
    assert!(!sets_cookie(&again, "hi"));
    assert!(asked
        .headers
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap().contains("Accept-Language")));

    // The page's words are all Hindi, the missing page's too.
    let english = page(&app, "/", &[]).await;
    assert_eq!(untranslated(&english, &asked), Vec::<String>::new());
    let missing_en = page(&app, "/no-such-page", &[]).await;
    let missing_hi = page(&app, "/no-such-page?lang=hi", &[]).await;
    assert_eq!(missing_hi.status, StatusCode::NOT_FOUND);
    assert!(visible_text(&missing_hi.body).contains(&tr(Lang::Hi, "not-found-heading")));
    assert_eq!(untranslated(&missing_en, &missing_hi), Vec::<String>::new());
    for uri in [
        "/search",
        "/login",
        "/signup",
        "/forgot-password",
        "/reset-password?token=x",
        "/verify-email",
    ] {
        in_hindi(&app, uri, uri, &[("cookie", "lang=hi")]).await;
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_movie_its_seat_map_and_theaters_read_in_hindi(db: PgPool) {
    support::seed(&db).await;
    let app = support::app(db.clone());
    // The movie page opens on the show's own day: late in the evening, today has no more.
    let (slug, day, show, theater): (String, String, uuid::Uuid, String) = sqlx::query_as(
        "SELECT m.slug, (s.starts_at AT TIME ZONE c.time_zone)::date::text, s.id, t.slug
           FROM shows s JOIN movies m ON m.id = s.movie_id
           JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id
           JOIN cities c ON c.id = t.city_id
          WHERE s.starts_at > now() + interval '1 hour' AND s.status = 'scheduled'
          ORDER BY s.starts_at LIMIT 1",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    // What the seed wrote in English, which these pages show as it is ("Sarath City Mall").
    let data: Vec<String> = sqlx::query_scalar(
        "SELECT synopsis FROM movies UNION ALL SELECT title FROM movies
         UNION ALL SELECT name FROM screens UNION ALL SELECT name FROM theaters
         UNION ALL SELECT address FROM theaters",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    for (uri, hindi) in [
        (format!("/movies/{slug}?date={day}"), "&lang=hi"),
        (format!("/shows/{show}"), "?lang=hi"),
    ] {
        let hindi = in_hindi_but_data(&app, &uri, &format!("{uri}{hindi}"), &[], &data).await;
        // Days, months and times are written the Hindi way.
        let text = visible_text(&hindi.body);
        let named = (1..=7).any(|day| text.contains(&tr(Lang::Hi, &format!("weekday-{day}"))));
        assert!(named, "{uri}: no Hindi weekday in {text}");
        assert!(
            text.contains("अपराह्न") || text.contains("पूर्वाह्न"),
            "{uri}: no time written the Hindi way"
        );
    }
    for uri in ["/theaters".to_owned(), format!("/theaters/{theater}")] {
        in_hindi_but_data(&app, &uri, &format!("{uri}?lang=hi"), &[], &data).await;
    }
    // Near a point, each theater's distance in the page's units.
    let near = "/theaters?lat=19.0550&lng=72.8300";
    let hindi = in_hindi(&app, near, &format!("{near}&lang=hi"), &[]).await;
    let text = visible_text(&hindi.body);
    assert!(text.contains(" किमी") && !text.contains(" km"), "{text}");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_signed_in_user_keeps_their_language_on_any_browser(db: PgPool) {
    support::seed(&db).await;
    let app = support::app(db.clone());
    let login = Request::post("/_fn/account/login")
        .header("host", "district.test")
        .header("origin", "http://district.test")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=customer%40demo.district.test&password=district-demo",
        ))
        .unwrap();
    let signed_in = support::request(&app, login).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let session = signed_in
        .session_cookie()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let setting = || async {
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT language FROM users WHERE email = 'customer@demo.district.test'",
        )
        .fetch_one(&db)
        .await
        .unwrap()
    };
    assert_eq!(setting().await, None);
    let chose = page(&app, "/?lang=hi", &[("cookie", &session)]).await;
    assert_eq!(html_lang(&chose), "hi");
    assert_eq!(setting().await.as_deref(), Some("hi"));
    // Another browser, which prefers English and remembers English: the user's setting wins.
    let elsewhere = format!("{session}; lang=en");
    let reply = page(
        &app,
        "/",
        &[("cookie", &elsewhere), ("accept-language", "en")],
    )
    .await;
    assert_eq!(html_lang(&reply), "hi");
    // Signed out, the same browser is in English again.
    let reply = page(&app, "/", &[("cookie", "lang=en")]).await;
    assert_eq!(html_lang(&reply), "en");
    let back = page(&app, "/?lang=en", &[("cookie", &session)]).await;
    assert_eq!(html_lang(&back), "en");
    assert_eq!(setting().await.as_deref(), Some("en"));
}

/// A plain form post (no wasm) to server function `path`, from a page in `lang`'s cookie;
/// answers where the form is sent back to.
async fn failed_form(app: &Router, path: &str, from: &str, form: &str, lang: &str) -> String {
    let request = Request::post(path)
        .header("host", "district.test")
        .header("origin", "http://district.test")
        .header("referer", format!("http://district.test{from}"))
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("lang={lang}"))
        .body(Body::from(form.to_owned()))
        .unwrap();
    let failed = support::request(app, request).await;
    assert!(failed.status.is_redirection(), "{}", failed.status);
    let location = failed.headers["location"].to_str().unwrap();
    location[location.find(from).expect("back to the form")..].to_owned()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn errors_are_said_in_the_language_of_the_page_that_shows_them(db: PgPool) {
    use app::i18n::{Text, Value};
    support::seed(&db).await;
    let app = support::app(db);
    let said = |lang, text: &Text| text.in_lang(lang);

    // An error of the whole form: wrong password.
    let form = "email=customer%40demo.district.test&password=not-the-password";
    let back = failed_form(&app, "/_fn/account/login", "/login", form, "hi").await;
    let wrong = Text::new("err-credentials");
    let hindi = page(&app, &back, &[("cookie", "lang=hi")]).await;
    assert!(
        hindi.body.contains(&said(Lang::Hi, &wrong)),
        "{}",
        hindi.body
    );
    assert!(!hindi.body.contains(&said(Lang::En, &wrong)));
    // The same error, read back on an English page, is English.
    let english = page(&app, &back, &[("cookie", "lang=en")]).await;
    assert!(english.body.contains(&said(Lang::En, &wrong)));

    // Errors of single fields, one with an argument.
    let form = "name=Asha&email=not-an-address&password=short";
    let back = failed_form(&app, "/_fn/account/signup", "/signup", form, "hi").await;
    let hindi = page(&app, &back, &[("cookie", "lang=hi")]).await;
    let short = Text::new("err-too-short").arg("min", Value::Number(8));
    for text in [Text::new("err-email"), short] {
        assert!(hindi.body.contains(&said(Lang::Hi, &text)), "{text:?}");
        assert!(!hindi.body.contains(&said(Lang::En, &text)), "{text:?}");
    }
    assert_eq!(
        untranslated(&page(&app, &back, &[("cookie", "lang=en")]).await, &hindi),
        Vec::<String>::new()
    );
}

/// Each dashboard page, the layout editor and the staff check-in page, as staff read them in
/// Hindi: no message of the English page left.
#[sqlx::test(migrator = "MIGRATOR")]
async fn the_dashboard_and_the_staff_pages_are_in_hindi(db: PgPool) {
    use chrono::{Duration, Utc};
    let s = support::staff::setup(&db, Duration::hours(30)).await;
    // The test movie's title holds a word the dashboard says ("Movie"): a title of its own.
    sqlx::query("UPDATE movies SET title = 'Kaagaz Ke Phool'")
        .execute(&db)
        .await
        .unwrap();
    let buyer = support::venue::customers(&db, 1).await[0];
    let (booking, _) = s.buy(buyer, &["B1", "B2"]).await;
    let code: String = sqlx::query_scalar("SELECT code FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(&db)
        .await
        .unwrap();
    let cookies = s.sessions().await;
    let (theater, show, screen) = (s.venue.theater_id, s.venue.show_id, s.venue.screen_id);
    let date = (Utc::now() + Duration::hours(30))
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    // The theater's admin (0) and a platform admin (3).
    let pages = [
        (0, "/dashboard".to_owned()),
        (0, format!("/dashboard/theaters/{theater}?date={date}")),
        (0, format!("/dashboard/theaters/{theater}/schedule")),
        (0, format!("/dashboard/theaters/{theater}/screens")),
        (0, format!("/dashboard/theaters/{theater}/screens/new")),
        (0, format!("/dashboard/screens/{screen}/layout")),
        (0, format!("/dashboard/theaters/{theater}/reports")),
        (0, format!("/dashboard/theaters/{theater}/audit")),
        (0, format!("/dashboard/theaters/{theater}/menu")),
        (0, format!("/dashboard/shows/{show}/food")),
        (0, format!("/dashboard/shows/{show}/waitlist")),
        (0, format!("/dashboard/bookings?q={code}")),
        (0, "/dashboard/offers".to_owned()),
        (0, "/staff/check-in".to_owned()),
        (3, "/dashboard/platform".to_owned()),
        (3, "/dashboard/movies".to_owned()),
        (3, "/dashboard/movies/new".to_owned()),
        (3, format!("/dashboard/theaters/{theater}/admins")),
    ];
    for (who, uri) in pages {
        signed_in_hindi(&s.app, &cookies[who], &uri).await;
    }
}

/// Page `uri` in browser session `session`, in English and in Hindi: found, and no message of
/// the English page left on the Hindi one.
async fn signed_in_hindi(app: &Router, session: &str, uri: &str) {
    let english = page(app, uri, &[("cookie", session)]).await;
    assert_eq!(english.status, StatusCode::OK, "{uri}");
    let in_hindi = format!("{session}; lang=hi");
    let hindi = page(app, uri, &[("cookie", &in_hindi)]).await;
    assert_eq!(hindi.status, StatusCode::OK, "{uri}");
    assert_eq!(html_lang(&hindi), "hi", "{uri}");
    assert_eq!(
        untranslated(&english, &hindi),
        Vec::<String>::new(),
        "{uri}"
    );
}

/// A moviegoer's own pages: the account, the bookings, a held booking with its payment panel,
/// the sandbox checkout, a confirmed booking with its e-ticket.
#[sqlx::test(migrator = "MIGRATOR")]
async fn a_moviegoers_own_pages_are_in_hindi(db: PgPool) {
    use chrono::Duration;
    let s = support::staff::setup(&db, Duration::days(3)).await;
    sqlx::query("UPDATE movies SET title = 'Kaagaz Ke Phool'")
        .execute(&db)
        .await
        .unwrap();
    let cookies = s.sessions().await;
    let customer = s.users[2].0;
    let (confirmed, _) = s.buy(customer, &["B1", "B2"]).await;
    let held = s.held(customer, &["C1", "C2"]).await;
    let paying = s.held(customer, &["D1"]).await;
    let payment = s.start_payment(customer, paying).await;
    for uri in [
        "/account".to_owned(),
        "/bookings".to_owned(),
        format!("/bookings/{held}"),
        format!("/bookings/{confirmed}"),
        format!("/bookings/{paying}"),
        format!("/pay/sandbox/{payment}"),
    ] {
        signed_in_hindi(&s.app, &cookies[2], &uri).await;
    }
}

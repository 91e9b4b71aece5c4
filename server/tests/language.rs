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
    let english = page(app, uri, &[]).await;
    let hindi = page(app, hindi_uri, headers).await;
    assert_eq!(hindi.status, StatusCode::OK, "{uri}");
    assert_eq!(
        untranslated(&english, &hindi),
        Vec::<String>::new(),
        "{uri}"
    );
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
    let (slug, show, theater): (String, uuid::Uuid, String) = sqlx::query_as(
        "SELECT m.slug, s.id, t.slug FROM shows s JOIN movies m ON m.id = s.movie_id
           JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id
          WHERE s.starts_at > now() + interval '1 hour' AND s.status = 'scheduled'
          ORDER BY s.starts_at LIMIT 1",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    for uri in [format!("/movies/{slug}"), format!("/shows/{show}")] {
        let hindi = in_hindi(&app, &uri, &format!("{uri}?lang=hi"), &[]).await;
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
        in_hindi(&app, &uri, &format!("{uri}?lang=hi"), &[]).await;
    }
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

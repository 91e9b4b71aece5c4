//! Accounts over REST: sign-up, sign-in, tokens, verification, reset, roles and rate limits.
//! Long: one test per flow, each readable on its own.

mod support;

use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{mail_dir, mail_to, mailed_token, mailed_token_after, send, Reply};

struct Api {
    app: axum::Router,
    mail: String,
    db: PgPool,
}

impl Api {
    fn new(db: PgPool) -> Self {
        Self::with(db, &[])
    }

    fn with(db: PgPool, vars: &[(&str, &str)]) -> Self {
        let mail = mail_dir();
        let mut vars = vars.to_vec();
        vars.push(("MAIL_DIR", &mail));
        let state = support::state_with(db.clone(), None, &vars);
        support::outbox::relaying(&state);
        let app = server::router(state);
        Self { app, mail, db }
    }

    async fn post(&self, uri: &str, body: Value) -> Reply {
        send(&self.app, "POST", uri, Some(body), &[]).await
    }

    async fn get_as(&self, uri: &str, token: &str) -> Reply {
        send(
            &self.app,
            "GET",
            uri,
            None,
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await
    }

    async fn signup(&self, email: &str) -> Value {
        let reply = self
            .post(
                "/api/v1/auth/signup",
                json!({"name": "Asha", "email": email, "password": "popcorn-and-chai"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.json()
    }

    async fn login(&self, email: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/auth/login",
            json!({"email": email, "password": password}),
        )
        .await
    }
}

async fn user_count(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn signup_creates_a_customer_with_tokens(db: PgPool) {
    let api = Api::new(db);
    let body = api.signup("  Asha@Example.COM ").await;
    assert_eq!(body["user"]["email"], "asha@example.com");
    assert_eq!(body["user"]["role"], "customer");
    assert_eq!(body["user"]["email_verified"], false);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["user"].get("password_hash").is_none());
    let token = body["access_token"].as_str().unwrap();
    let profile = api.get_as("/api/v1/users/profile", token).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert_eq!(profile.json()["email"], "asha@example.com");
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&api.db)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn signup_validation_names_each_field_and_creates_nothing(db: PgPool) {
    let api = Api::new(db);
    let cases = [
        (
            json!({"name": "", "email": "a@example.com", "password": "long enough"}),
            "name",
        ),
        (
            json!({"name": "A", "email": "not-an-email", "password": "long enough"}),
            "email",
        ),
        (
            json!({"name": "A", "email": "a@example.com", "password": "short"}),
            "password",
        ),
        (
            json!({"name": "A", "email": "a@example.com", "password": "a@example.com"}),
            "password",
        ),
        (
            json!({"name": "A", "email": "a@example.com", "password": "long enough", "phone": "call me"}),
            "phone",
        ),
    ];
    for (body, field) in cases {
        let reply = api.post("/api/v1/auth/signup", body).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let error = &reply.json()["error"];
        assert_eq!(error["code"], "validation_failed");
        assert!(
            error["fields"][field]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{field}: {error}"
        );
    }
    let missing = api.post("/api/v1/auth/signup", json!({"name": "A"})).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let malformed = send(
        &api.app,
        "POST",
        "/api/v1/auth/signup",
        None,
        &[("content-type", "application/json")],
    )
    .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json()["error"]["code"], "malformed_json");
    assert_eq!(user_count(&api.db).await, 0);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_second_account_for_an_email_is_a_conflict(db: PgPool) {
    let api = Api::new(db);
    api.signup("asha@example.com").await;
    let again = api
        .post(
            "/api/v1/auth/signup",
            json!({"name": "B", "email": "ASHA@example.com", "password": "another one"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["error"]["code"], "email_taken");
    assert_eq!(user_count(&api.db).await, 1);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn wrong_password_and_unknown_email_look_the_same(db: PgPool) {
    let api = Api::new(db);
    api.signup("asha@example.com").await;
    let ok = api.login("ASHA@example.com", "popcorn-and-chai").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.json()["refresh_token"].as_str().is_some());
    let wrong = api.login("asha@example.com", "popcorn-and-tea").await;
    let unknown = api.login("nobody@example.com", "popcorn-and-chai").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (wrong.status, wrong.body.clone()),
        (unknown.status, unknown.body)
    );
    assert_eq!(wrong.json()["error"]["code"], "invalid_credentials");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn bad_access_tokens_are_401(db: PgPool) {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let api = Api::new(db);
    let body = api.signup("asha@example.com").await;
    let good = body["access_token"].as_str().unwrap();
    let user = body["user"]["id"].as_str().unwrap();
    let secret = EncodingKey::from_secret(b"district-development-jwt-secret-not-for-production");
    let now = chrono::Utc::now().timestamp();
    let claims =
        |exp: i64| json!({"sub": user, "role": "admin", "iss": "district", "iat": now, "exp": exp});

    let expired = encode(&Header::new(Algorithm::HS256), &claims(now - 5), &secret).unwrap();
    let wrong_alg = encode(&Header::new(Algorithm::HS512), &claims(now + 600), &secret).unwrap();
    let wrong_key = encode(
        &Header::new(Algorithm::HS256),
        &claims(now + 600),
        &EncodingKey::from_secret(b"guess"),
    )
    .unwrap();
    let mut parts: Vec<&str> = good.split('.').collect();
    let forged_claims = base64_url(&claims(now + 600).to_string());
    parts[1] = &forged_claims;
    let tampered = parts.join(".");
    let unsigned = format!(
        "{}.{}.",
        base64_url(r#"{"alg":"none","typ":"JWT"}"#),
        forged_claims
    );

    for (name, token) in [
        ("expired", expired),
        ("wrong algorithm", wrong_alg),
        ("wrong key", wrong_key),
        ("tampered", tampered),
        ("alg none", unsigned),
        ("garbage", "abc".into()),
    ] {
        let reply = api.get_as("/api/v1/users/profile", &token).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(reply.json()["error"]["code"], "unauthenticated", "{name}");
    }
    let anonymous = send(&api.app, "GET", "/api/v1/users/profile", None, &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.get_as("/api/v1/users/profile", good).await.status,
        StatusCode::OK
    );
}

fn base64_url(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family(db: PgPool) {
    let api = Api::new(db);
    let first = api.signup("asha@example.com").await;
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();

    let second = api
        .post("/api/v1/auth/refresh-token", json!({"refresh_token": r1}))
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let r2 = second.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert_eq!(
        api.get_as(
            "/api/v1/users/profile",
            second.json()["access_token"].as_str().unwrap()
        )
        .await
        .status,
        StatusCode::OK
    );

    // The rotated token comes back: someone copied it. Both it and its successor die.
    let replay = api
        .post("/api/v1/auth/refresh-token", json!({"refresh_token": r1}))
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.json()["error"]["code"], "invalid_refresh_token");
    let successor = api
        .post("/api/v1/auth/refresh-token", json!({"refresh_token": r2}))
        .await;
    assert_eq!(successor.status, StatusCode::UNAUTHORIZED, "family revoked");

    // A separate sign-in is a separate family and keeps working.
    let other = api
        .login("asha@example.com", "popcorn-and-chai")
        .await
        .json();
    let r3 = other["refresh_token"].as_str().unwrap();
    assert_eq!(
        api.post("/api/v1/auth/refresh-token", json!({"refresh_token": r3}))
            .await
            .status,
        StatusCode::OK
    );
    let unknown = api
        .post(
            "/api/v1/auth/refresh-token",
            json!({"refresh_token": "made-up"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn logout_ends_the_refresh_token(db: PgPool) {
    let api = Api::new(db);
    let body = api.signup("asha@example.com").await;
    let refresh = body["refresh_token"].as_str().unwrap();
    let out = api
        .post("/api/v1/auth/logout", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = api
        .post(
            "/api/v1/auth/refresh-token",
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn verification_links_work_once_and_expire(db: PgPool) {
    let api = Api::new(db);
    let body = api.signup("asha@example.com").await;
    let token = mailed_token(&api.mail, "asha@example.com", "/verify-email").await;
    let verified = api
        .post("/api/v1/auth/verify-email", json!({"token": token}))
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(
        api.get_as("/api/v1/users/profile", access).await.json()["email_verified"],
        true
    );
    let again = api
        .post("/api/v1/auth/verify-email", json!({"token": token}))
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.json()["error"]["code"], "invalid_token");

    // A second account's link, expired before use.
    api.signup("ravi@example.com").await;
    let late = mailed_token(&api.mail, "ravi@example.com", "/verify-email").await;
    sqlx::query("UPDATE user_tokens SET expires_at = now() - interval '1 second'")
        .execute(&api.db)
        .await
        .unwrap();
    let expired = api
        .post("/api/v1/auth/verify-email", json!({"token": late}))
        .await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
    let still: bool = sqlx::query_scalar(
        "SELECT email_verified_at IS NULL FROM users WHERE email = 'ravi@example.com'",
    )
    .fetch_one(&api.db)
    .await
    .unwrap();
    assert!(still);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn password_reset_is_single_use_and_ends_every_sign_in(db: PgPool) {
    let api = Api::new(db);
    let body = api.signup("asha@example.com").await;
    let old_refresh = body["refresh_token"].as_str().unwrap().to_owned();

    let known = api
        .post(
            "/api/v1/auth/forgot-password",
            json!({"email": "asha@example.com"}),
        )
        .await;
    let unknown = api
        .post(
            "/api/v1/auth/forgot-password",
            json!({"email": "ghost@example.com"}),
        )
        .await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(
        (known.status, known.body.clone()),
        (unknown.status, unknown.body),
        "same answer either way"
    );
    let token = mailed_token(&api.mail, "asha@example.com", "/reset-password").await;

    let weak = api
        .post(
            "/api/v1/auth/reset-password",
            json!({"token": token, "password": "short"}),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reset = api
        .post(
            "/api/v1/auth/reset-password",
            json!({"token": token, "password": "a brand new secret"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let reuse = api
        .post(
            "/api/v1/auth/reset-password",
            json!({"token": token, "password": "yet another secret"}),
        )
        .await;
    assert_eq!(reuse.status, StatusCode::BAD_REQUEST);

    assert_eq!(
        api.login("asha@example.com", "popcorn-and-chai")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api.login("asha@example.com", "a brand new secret")
            .await
            .status,
        StatusCode::OK
    );
    let stale = api
        .post(
            "/api/v1/auth/refresh-token",
            json!({"refresh_token": old_refresh}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED, "old sign-ins ended");

    api.post(
        "/api/v1/auth/forgot-password",
        json!({"email": "asha@example.com"}),
    )
    .await;
    let late = mailed_token_after(
        &api.mail,
        "asha@example.com",
        "/reset-password",
        Some(&token),
    )
    .await;
    sqlx::query("UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'reset_password'")
        .execute(&api.db)
        .await
        .unwrap();
    let expired = api
        .post(
            "/api/v1/auth/reset-password",
            json!({"token": late, "password": "too late now!"}),
        )
        .await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn profile_updates_and_email_change_needs_verification(db: PgPool) {
    let api = Api::new(db);
    let body = api.signup("asha@example.com").await;
    let token = body["access_token"].as_str().unwrap();
    let auth = [("authorization", format!("Bearer {token}"))];
    let auth: Vec<(&str, &str)> = auth.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let put = |body: Value| send(&api.app, "PUT", "/api/v1/users/profile", Some(body), &auth);

    // Whoever holds a session cannot move the account without its password.
    for (password, reason) in [(None, "missing"), (Some("not-the-password"), "wrong")] {
        let refused =
            put(json!({"email": "asha.r@example.com", "current_password": password})).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}");
        assert!(refused.json()["error"]["fields"]["current_password"].is_string());
    }
    let updated = put(json!({"name": "Asha R", "phone": "98765 43210",
        "email": "asha.r@example.com", "current_password": "popcorn-and-chai"}))
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let profile = updated.json();
    assert_eq!(profile["name"], "Asha R");
    assert_eq!(profile["phone"], "+919876543210");
    assert_eq!(
        profile["email"], "asha@example.com",
        "unchanged until verified"
    );
    assert_eq!(profile["pending_email"], "asha.r@example.com");
    // The old address hears of it, with the way to stop it.
    let notice = support::eventually(|| async {
        mail_to(&api.mail, "asha@example.com").contains("asha.r@example.com")
    })
    .await;
    assert!(
        notice,
        "the old address is told: {}",
        mail_to(&api.mail, "asha@example.com")
    );
    let link = mailed_token(&api.mail, "asha.r@example.com", "/verify-email").await;
    assert_eq!(
        api.post("/api/v1/auth/verify-email", json!({"token": link}))
            .await
            .status,
        StatusCode::OK
    );
    let profile = api.get_as("/api/v1/users/profile", token).await.json();
    assert_eq!(profile["email"], "asha.r@example.com");
    assert_eq!(profile["email_verified"], true);
    assert_eq!(profile["pending_email"], Value::Null);

    // A change can be called off; its link then does nothing.
    let moving =
        put(json!({"email": "elsewhere@example.com", "current_password": "popcorn-and-chai"}))
            .await;
    assert_eq!(moving.json()["pending_email"], "elsewhere@example.com");
    let link = mailed_token(&api.mail, "elsewhere@example.com", "/verify-email").await;
    let called_off = send(
        &api.app,
        "DELETE",
        "/api/v1/users/profile/email-change",
        None,
        &auth,
    )
    .await;
    assert_eq!(called_off.status, StatusCode::OK, "{}", called_off.body);
    assert_eq!(called_off.json()["pending_email"], Value::Null);
    assert_eq!(
        api.post("/api/v1/auth/verify-email", json!({"token": link}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let bad =
        put(json!({"name": " ", "preferred_city_id": "00000000-0000-0000-0000-000000000000"}))
            .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["error"]["fields"]["name"].is_string());
    let no_city = put(json!({"preferred_city_id": "00000000-0000-0000-0000-000000000000"})).await;
    assert_eq!(no_city.status, StatusCode::UNPROCESSABLE_ENTITY);
    api.signup("taken@example.com").await;
    assert_eq!(
        put(json!({"email": "taken@example.com", "current_password": "popcorn-and-chai"}))
            .await
            .status,
        StatusCode::CONFLICT
    );

    let bookings = api.get_as("/api/v1/users/bookings", token).await;
    assert_eq!(bookings.status, StatusCode::OK);
    assert_eq!(
        bookings.json(),
        json!({"items": [], "page": 1, "per_page": 20, "total": 0})
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn phone_codes_verify_once_and_lock_after_wrong_guesses(db: PgPool) {
    let api = Api::with(db, &[("RATE_LIMIT_VERIFY_PER_ACCOUNT", "100/1h")]);
    let body = api.signup("asha@example.com").await;
    let token = body["access_token"].as_str().unwrap();
    let auth = format!("Bearer {token}");
    let call = |uri: &'static str, body: Option<Value>| {
        let auth = auth.clone();
        let app = api.app.clone();
        async move { send(&app, "POST", uri, body, &[("authorization", &auth)]).await }
    };
    // Texts cost money: only an account whose email is confirmed gets them.
    let unconfirmed = call("/api/v1/users/phone/send-code", None).await;
    assert_eq!(
        unconfirmed.status,
        StatusCode::FORBIDDEN,
        "{}",
        unconfirmed.body
    );
    sqlx::query("UPDATE users SET email_verified_at = now()")
        .execute(&api.db)
        .await
        .unwrap();
    let no_phone = call("/api/v1/users/phone/send-code", None).await;
    assert_eq!(no_phone.status, StatusCode::UNPROCESSABLE_ENTITY);
    send(
        &api.app,
        "PUT",
        "/api/v1/users/profile",
        Some(json!({"phone": "+91 98765 43210"})),
        &[("authorization", &auth)],
    )
    .await;

    assert_eq!(
        call("/api/v1/users/phone/send-code", None).await.status,
        StatusCode::ACCEPTED
    );
    // The log sender does not reveal the code; put a known one in place the way the service stores it.
    let user: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&api.db)
        .await
        .unwrap();
    let known = sha256(&format!("{user}:123456"));
    sqlx::query("UPDATE phone_verifications SET code_hash = $1")
        .bind(&known)
        .execute(&api.db)
        .await
        .unwrap();

    let wrong = call(
        "/api/v1/users/phone/verify",
        Some(json!({"code": "000000"})),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.json()["error"]["code"], "invalid_code");
    let right = call(
        "/api/v1/users/phone/verify",
        Some(json!({"code": "123456"})),
    )
    .await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    assert_eq!(right.json()["phone_verified"], true);
    let again = call(
        "/api/v1/users/phone/verify",
        Some(json!({"code": "123456"})),
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");

    // Five wrong guesses burn a code, even the right one after them.
    call("/api/v1/users/phone/send-code", None).await;
    sqlx::query("UPDATE phone_verifications SET code_hash = $1")
        .bind(&known)
        .execute(&api.db)
        .await
        .unwrap();
    for _ in 0..5 {
        call(
            "/api/v1/users/phone/verify",
            Some(json!({"code": "999999"})),
        )
        .await;
    }
    let locked = call(
        "/api/v1/users/phone/verify",
        Some(json!({"code": "123456"})),
    )
    .await;
    assert_eq!(locked.status, StatusCode::BAD_REQUEST);
}

fn sha256(text: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).to_vec()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn roles_guard_admin_routes_and_theater_scope(db: PgPool) {
    support::seed(&db).await;
    let api = Api::new(db.clone());
    let token = |email: &'static str| {
        let api = &api;
        async move {
            let reply = api.login(email, server::seed::DEFAULT_DEMO_PASSWORD).await;
            assert_eq!(reply.status, StatusCode::OK, "{email}: {}", reply.body);
            reply.json()["access_token"].as_str().unwrap().to_owned()
        }
    };
    let customer = token(server::seed::DEMO_CUSTOMER).await;
    let theater_admin = token(server::seed::DEMO_THEATER_ADMIN).await;
    let admin = token(server::seed::DEMO_ADMIN).await;
    let theater_in = |city: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, uuid::Uuid>(
                "SELECT t.id FROM theaters t JOIN cities c ON c.id = t.city_id WHERE c.slug = $1 LIMIT 1",
            )
            .bind(city)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let mumbai = theater_in("mumbai").await;
    let pune = theater_in("pune").await;

    let denied = api.get_as("/api/v1/admin/theaters", &customer).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.json()["error"]["code"], "forbidden");
    assert_eq!(
        api.get_as(&format!("/api/v1/admin/theaters/{mumbai}"), &customer)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&api.app, "GET", "/api/v1/admin/theaters", None, &[])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let own = api
        .get_as("/api/v1/admin/theaters", &theater_admin)
        .await
        .json();
    assert_eq!(own["total"], 5);
    let own = own["items"].as_array().unwrap();
    assert_eq!(own.len(), 5, "every Mumbai theater and nothing else");
    assert!(own.iter().all(|t| t["city"] == "Mumbai"));
    assert_eq!(
        api.get_as(&format!("/api/v1/admin/theaters/{mumbai}"), &theater_admin)
            .await
            .status,
        StatusCode::OK
    );
    let other = api
        .get_as(&format!("/api/v1/admin/theaters/{pune}"), &theater_admin)
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);

    assert_eq!(
        api.get_as(&format!("/api/v1/admin/theaters/{pune}"), &admin)
            .await
            .status,
        StatusCode::OK
    );
    let all = api.get_as("/api/v1/admin/theaters", &admin).await.json();
    assert!(all["total"].as_i64().unwrap() > 5);
    assert!(all["items"].as_array().unwrap().len() > 5);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn brute_force_login_is_rate_limited(db: PgPool) {
    let api = Api::with(db, &[("RATE_LIMIT_LOGIN_PER_ACCOUNT", "3/1m")]);
    api.signup("asha@example.com").await;
    for _ in 0..3 {
        assert_eq!(
            api.login("asha@example.com", "guess-guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = api.login("asha@example.com", "popcorn-and-chai").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.json()["error"]["code"], "rate_limited");
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));

    let off = Api::with(
        api.db.clone(),
        &[
            ("RATE_LIMIT_LOGIN_PER_ACCOUNT", "3/1m"),
            ("RATE_LIMIT_ENABLED", "false"),
        ],
    );
    for _ in 0..5 {
        assert_eq!(
            off.login("asha@example.com", "guess-guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

/// Counted in Redis, a limit holds across instances; with Redis gone each instance goes on
/// counting in its own memory rather than letting everything through.
#[tokio::test]
async fn rate_limits_are_shared_through_redis_and_fall_back_to_memory() {
    use app::ratelimit::{Limit, RateLimiter};
    let redis = support::redis_server::Server::start();
    let conn = redis::Client::open(redis.url())
        .unwrap()
        .get_connection_manager()
        .await
        .unwrap();
    let one = RateLimiter::new(true, Some(conn.clone()));
    let two = RateLimiter::new(true, Some(conn));
    let limit = Limit::per_minute(4);
    for instance in [&one, &two, &one, &two] {
        assert!(instance.hit("login:asha", limit).await.is_ok());
    }
    // Four in all, across both: the fifth waits for the first to recover (one per 15 s).
    let wait = two.hit("login:asha", limit).await.unwrap_err();
    assert!((1..=15).contains(&wait), "{wait}");
    assert!(one.hit("login:asha", limit).await.is_err());
    assert!(
        one.hit("login:ravi", limit).await.is_ok(),
        "keys are separate"
    );

    drop(redis);
    for _ in 0..4 {
        assert!(one.hit("login:asha", limit).await.is_ok());
    }
    assert!(one.hit("login:asha", limit).await.is_err());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn unknown_api_paths_answer_in_the_envelope(db: PgPool) {
    let api = Api::new(db);
    let reply = send(&api.app, "GET", "/api/v1/nothing-here", None, &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["error"]["code"], "not_found");
}

/// A stand-in for Twilio's Messages API on a local port, recording what it was sent.
async fn twilio_stand_in() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
) {
    use axum::{extract::State, http::HeaderMap, routing::post};
    type Sent = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;
    let sent: Sent = Default::default();
    let app = axum::Router::new()
        .route(
            "/2010-04-01/Accounts/{sid}/Messages.json",
            post(
                |State(sent): State<Sent>, headers: HeaderMap, body: String| async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    sent.lock().unwrap().push((auth, body));
                    (
                        StatusCode::CREATED,
                        axum::Json(json!({"sid": "SM0001", "status": "queued"})),
                    )
                },
            ),
        )
        .with_state(sent.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, sent)
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn phone_codes_are_texted_through_twilio(db: PgPool) {
    let (base, sent) = twilio_stand_in().await;
    let api = Api::with(
        db,
        &[
            ("TWILIO_ACCOUNT_SID", "AC123"),
            ("TWILIO_AUTH_TOKEN", "twilio-secret"),
            ("TWILIO_FROM_NUMBER", "+15005550006"),
            ("TWILIO_API_BASE", &base),
        ],
    );
    let body = api
        .post("/api/v1/auth/signup", json!({"name": "Asha", "email": "a@example.com", "password": "popcorn-and-chai", "phone": "+91 98765 43210"}))
        .await
        .json();
    let auth = format!("Bearer {}", body["access_token"].as_str().unwrap());
    sqlx::query("UPDATE users SET email_verified_at = now()")
        .execute(&api.db)
        .await
        .unwrap();
    let sent_code = send(
        &api.app,
        "POST",
        "/api/v1/users/phone/send-code",
        None,
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(sent_code.status, StatusCode::ACCEPTED, "{}", sent_code.body);

    let (authorization, form) = sent.lock().unwrap().pop().expect("Twilio was called");
    assert_eq!(
        authorization, "Basic QUMxMjM6dHdpbGlvLXNlY3JldA==",
        "account SID and token"
    );
    let fields: std::collections::HashMap<String, String> = form
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace('+', " ").replace("%2B", "+")))
        .collect();
    assert_eq!(fields["To"], "+919876543210");
    assert_eq!(fields["From"], "+15005550006");
    let code: String = fields["Body"].chars().take(6).collect();
    assert!(
        code.chars().all(|c| c.is_ascii_digit()),
        "{}",
        fields["Body"]
    );

    let verified = send(
        &api.app,
        "POST",
        "/api/v1/users/phone/verify",
        Some(json!({"code": code})),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.json()["phone_verified"], true);

    // A user who reads the site in Hindi gets the code in Hindi.
    sqlx::query("UPDATE users SET language = 'hi'")
        .execute(&api.db)
        .await
        .unwrap();
    let again = "/api/v1/users/phone/send-code";
    let sent_code = send(&api.app, "POST", again, None, &[("authorization", &auth)]).await;
    assert_eq!(sent_code.status, StatusCode::ACCEPTED, "{}", sent_code.body);
    let (_, form) = sent.lock().unwrap().pop().expect("Twilio was called again");
    let fields: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(&form).unwrap();
    assert!(
        fields["Body"].contains("आपका डिस्ट्रिक्ट सत्यापन कोड है"),
        "{}",
        fields["Body"]
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn booking_needs_a_confirmed_email_unless_switched_off(db: PgPool) {
    use app::booking::BookingError;
    let venue = support::venue::venue(&db, 4, 8, chrono::Duration::days(1)).await;
    let strict = support::state_with(db.clone(), None, &[("MAIL_DIR", &mail_dir())]);
    let relaxed = support::state_with(
        db.clone(),
        None,
        &[("EMAIL_VERIFICATION_REQUIRED", "false")],
    );
    let api = Api::new(db);
    let user: uuid::Uuid = api.signup("a@example.com").await["user"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let hold = |state: &server::AppState, seats: &[&str]| {
        let request = support::hold_request(venue.show_id, &venue.ids(seats), false);
        let bookings = state.bookings.clone();
        async move { bookings.hold(user.into(), &request).await }
    };
    assert_eq!(
        hold(&strict, &["B1", "B2"]).await.unwrap_err(),
        BookingError::EmailNotVerified
    );
    hold(&relaxed, &["B1", "B2"]).await.expect("switched off");
    let token = mailed_token(&api.mail, "a@example.com", "/verify-email").await;
    api.post("/api/v1/auth/verify-email", json!({"token": token}))
        .await;
    hold(&strict, &["C1", "C2"]).await.expect("verified now");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn mail_goes_out_over_smtp_to_a_real_server(db: PgPool) {
    let smtp = support::smtp::Server::start();
    let port = smtp.port.to_string();
    let api = Api::with(
        db,
        &[
            ("SMTP_HOST", "127.0.0.1"),
            ("SMTP_PORT", &port),
            ("SMTP_TLS", "none"),
            ("SMTP_FROM", "District <tickets@district.test>"),
        ],
    );
    api.signup("asha@example.com").await;
    let asked = api
        .post(
            "/api/v1/auth/forgot-password",
            json!({"email": "asha@example.com"}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED);
    // The verification mail of the sign-up, then the reset link, sent after the answer.
    let arrived = support::eventually(|| async { smtp.messages().len() >= 2 }).await;
    assert!(arrived, "{:?}", smtp.messages());
    let reset = smtp
        .messages()
        .into_iter()
        .find(|m| support::smtp::header(m, "Subject") == Some("Reset your District password"))
        .expect("the reset mail");
    assert_eq!(
        support::smtp::header(&reset, "To"),
        Some("asha@example.com")
    );
    assert_eq!(
        support::smtp::header(&reset, "From"),
        Some("District <tickets@district.test>")
    );
    let body = support::smtp::body(&reset);
    let token = body
        .split("/reset-password?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a reset link");
    let reset = api
        .post(
            "/api/v1/auth/reset-password",
            json!({"token": token, "password": "a whole new secret"}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "the link from the mail works");
    // The relay sent both from events that carry no link: a token is made as its mail goes.
    let events: Vec<(String, String)> = sqlx::query_as(
        "SELECT event_type, payload::text FROM outbox_events WHERE aggregate_type = 'user'
          ORDER BY id",
    )
    .fetch_all(&api.db)
    .await
    .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(kinds, ["user.signed_up", "user.password_reset_asked"]);
    assert!(events.iter().all(|e| !e.1.contains(token)), "{events:?}");
}

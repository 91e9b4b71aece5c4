use super::*;
use app::ratelimit::Limit;
use secrecy::ExposeSecret;
use std::collections::HashMap;

/// Parses `pairs` as development would (APP_ENV=development unless they say otherwise).
fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut vars = HashMap::from([("APP_ENV".to_owned(), "development".to_owned())]);
    vars.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_lookup(|name| vars.get(name).cloned())
}

/// Exactly `pairs`, nothing assumed.
fn parse_only(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: HashMap<&str, &str> = pairs.iter().copied().collect();
    Config::from_lookup(|name| vars.get(name).map(|v| v.to_string()))
}

const JWT: (&str, &str) = ("JWT_SECRET", "a-production-secret-that-is-long-enough-0123");
const TICKET_KEY: (&str, &str) = (
    "TICKET_SIGNING_KEY",
    "cHJvZHVjdGlvbi10aWNrZXQtc2VlZC0zMi1ieXRlcyE=",
);
const PUBLIC: (&str, &str) = ("PUBLIC_URL", "https://district.example");

#[test]
fn a_process_told_nothing_runs_as_production_and_refuses_development_secrets() {
    let err = parse_only(&[DB]).unwrap_err();
    assert_eq!(err.var, "JWT_SECRET", "no APP_ENV is production: {err}");
    let config = parse_only(&[DB, JWT, TICKET_KEY, PUBLIC]).unwrap();
    assert_eq!(config.app_env, AppEnv::Production);
    assert!(config.secure_cookies());
    for (name, published) in [
        ("JWT_SECRET", DEV_JWT_SECRET),
        ("TICKET_SIGNING_KEY", DEV_TICKET_SIGNING_KEY),
        ("SANDBOX_WEBHOOK_SECRET", DEV_SANDBOX_WEBHOOK_SECRET),
        ("STRIPE_WEBHOOK_SECRET", DEV_SANDBOX_WEBHOOK_SECRET),
        ("RAZORPAY_WEBHOOK_SECRET", DEV_JWT_SECRET),
    ] {
        let mut vars = vec![DB, JWT, TICKET_KEY, PUBLIC, ("PAYMENTS_SANDBOX", "true")];
        vars.push(("SANDBOX_WEBHOOK_SECRET", "whsec_a_real_one_0123456789"));
        vars.extend([
            ("STRIPE_SECRET_KEY", "sk_live_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_real"),
        ]);
        vars.extend([
            ("RAZORPAY_KEY_ID", "rzp_live_x"),
            ("RAZORPAY_KEY_SECRET", "real"),
            ("RAZORPAY_WEBHOOK_SECRET", "real"),
        ]);
        assert!(parse_only(&vars).is_ok());
        vars.retain(|(n, _)| *n != name);
        vars.push((name, published));
        let err = parse_only(&vars).unwrap_err();
        assert_eq!(err.var, name);
        assert!(err.problem.contains("development value"), "{err}");
        assert!(
            !err.to_string().contains(published),
            "the value is not echoed"
        );
        // Development takes the same value.
        vars.push(("APP_ENV", "development"));
        assert!(parse_only(&vars).is_ok(), "{name} in development");
    }
    let err = parse_only(&[DB, JWT, TICKET_KEY]).unwrap_err();
    assert_eq!(err.var, "PUBLIC_URL", "production says where it is served");
}

#[test]
fn cookies_are_secure_when_the_site_is_served_over_https() {
    assert!(!parse(&[DB]).unwrap().secure_cookies());
    assert!(parse(&[DB, PUBLIC]).unwrap().secure_cookies());
    assert_eq!(
        parse(&[DB, ("PUBLIC_URL", "district.example")])
            .unwrap_err()
            .var,
        "PUBLIC_URL"
    );
}

const DB: (&str, &str) = (
    "DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/district",
);

#[test]
fn defaults_fill_everything_but_the_database() {
    let config = parse(&[DB]).unwrap();
    assert_eq!(config.port, 8080);
    assert_eq!(config.booking.hold_ttl, Duration::from_secs(600));
    assert!(config.auto_migrate);
    assert!(config.redis_url.is_none());
}

#[test]
fn missing_database_url_names_the_variable() {
    let err = parse(&[]).unwrap_err();
    assert_eq!(err.var, "DATABASE_URL");
    assert!(err
        .to_string()
        .starts_with("configuration error: DATABASE_URL is required"));
}

#[test]
fn bad_port_names_the_variable_and_the_value() {
    for bad in ["eighty", "70000", "-1", "0"] {
        let err = parse(&[DB, ("APP_PORT", bad)]).unwrap_err();
        assert_eq!(err.var, "APP_PORT", "{bad}");
        assert!(err.to_string().contains(bad), "{err}");
    }
}

#[test]
fn production_requires_real_secrets() {
    let err = parse(&[DB, ("APP_ENV", "production")]).unwrap_err();
    assert_eq!(err.var, "JWT_SECRET");
    let short = parse(&[DB, ("JWT_SECRET", "short")]).unwrap_err();
    assert_eq!(short.var, "JWT_SECRET");
    let (jwt, key) = (JWT, TICKET_KEY);
    let production = ("APP_ENV", "production");
    let err = parse(&[DB, production, jwt, PUBLIC]).unwrap_err();
    assert_eq!(err.var, "TICKET_SIGNING_KEY");
    let config = parse(&[DB, production, jwt, key, PUBLIC]).unwrap();
    assert!(
        config.payments.sandbox_secret.is_none(),
        "no sandbox in production"
    );
    // The sandbox in production only when asked for, and never with the development secret.
    let sandbox = ("PAYMENTS_SANDBOX", "true");
    let err = parse(&[DB, production, jwt, key, PUBLIC, sandbox]).unwrap_err();
    assert_eq!(err.var, "SANDBOX_WEBHOOK_SECRET");
}

#[test]
fn payment_and_ticket_settings_are_validated() {
    let config = parse(&[DB]).unwrap();
    assert_eq!(config.payments.grace, Duration::from_secs(300));
    assert!(
        config.payments.sandbox_secret.is_some(),
        "the sandbox is on outside production"
    );
    let err = parse(&[DB, ("PAYMENT_GRACE_SECONDS", "901")]).unwrap_err();
    assert_eq!(err.var, "PAYMENT_GRACE_SECONDS");
    let stripe = ("STRIPE_SECRET_KEY", "sk_test_stripe-supersecret");
    let err = parse(&[DB, stripe]).unwrap_err();
    assert_eq!(
        err.var, "STRIPE_WEBHOOK_SECRET",
        "Stripe's webhooks need their secret"
    );
    let keys = parse(&[DB, stripe, ("STRIPE_WEBHOOK_SECRET", "whsec_x")])
        .unwrap()
        .payments
        .stripe
        .expect("Stripe is on with its keys");
    assert_eq!(keys.api_base, "https://api.stripe.com");
    assert!(!format!("{keys:?}").contains("supersecret"));
    for bad in ["not base64!", "c2hvcnQ="] {
        let err = parse(&[DB, ("TICKET_SIGNING_KEY", bad)]).unwrap_err();
        assert_eq!(err.var, "TICKET_SIGNING_KEY", "{bad}");
    }
}

#[test]
fn durations_and_hold_ttl_are_validated() {
    let config = parse(&[DB, ("JWT_EXPIRY", "1h"), ("HOLD_TTL_SECONDS", "300")]).unwrap();
    assert_eq!(config.jwt_expiry, Duration::from_secs(3600));
    let long = parse(&[DB, ("JWT_EXPIRY", "24h")]).unwrap_err();
    assert_eq!(long.var, "JWT_EXPIRY", "access tokens live an hour at most");
    assert_eq!(config.booking.hold_ttl, Duration::from_secs(300));
    assert_eq!(
        parse(&[DB, ("JWT_EXPIRY", "soon")]).unwrap_err().var,
        "JWT_EXPIRY"
    );
    assert_eq!(
        parse(&[DB, ("HOLD_TTL_SECONDS", "5")]).unwrap_err().var,
        "HOLD_TTL_SECONDS"
    );
    let filter = |raw| parse(&[DB, ("SEAT_FILTER_TIMEOUT", raw)]);
    assert_eq!(
        filter("250ms").unwrap().bounds.seat_filter_timeout,
        Duration::from_millis(250)
    );
    assert_eq!(
        parse(&[DB]).unwrap().bounds.seat_filter_timeout,
        Duration::from_millis(100)
    );
    assert_eq!(filter("0ms").unwrap_err().var, "SEAT_FILTER_TIMEOUT");
    assert_eq!(filter("5s").unwrap_err().var, "SEAT_FILTER_TIMEOUT");
}

#[test]
fn rate_limits_parse_count_and_window() {
    let config = parse(&[DB, ("RATE_LIMIT_LOGIN_PER_IP", "3/10s")]).unwrap();
    assert_eq!(
        config.rate_limits.login_per_ip,
        Limit {
            max: 3,
            window: Duration::from_secs(10)
        }
    );
    assert_eq!(
        parse(&[DB, ("RATE_LIMIT_LOGIN_PER_IP", "lots")])
            .unwrap_err()
            .var,
        "RATE_LIMIT_LOGIN_PER_IP"
    );
    assert!(
        !parse(&[DB, ("RATE_LIMIT_ENABLED", "false")])
            .unwrap()
            .rate_limit_enabled
    );
}

#[test]
fn other_malformed_values_are_rejected() {
    assert_eq!(
        parse(&[DB, ("APP_ENV", "staging")]).unwrap_err().var,
        "APP_ENV"
    );
    assert_eq!(
        parse(&[DB, ("AUTO_MIGRATE", "maybe")]).unwrap_err().var,
        "AUTO_MIGRATE"
    );
    assert_eq!(
        parse(&[DB, ("REDIS_URL", "localhost:6379")])
            .unwrap_err()
            .var,
        "REDIS_URL"
    );
    assert_eq!(
        parse(&[("DATABASE_URL", "mysql://x")]).unwrap_err().var,
        "DATABASE_URL"
    );
    let tls = parse(&[DB, ("SMTP_TLS", "ssl")]).unwrap_err();
    assert_eq!(tls.var, "SMTP_TLS");
    assert!(
        tls.problem.contains("starttls, tls, none"),
        "{}",
        tls.problem
    );
    assert_eq!(
        parse(&[DB, ("SMTP_TLS", "None")]).unwrap().smtp.tls,
        app::notify::SmtpTls::Plain
    );
    for (var, value) in [
        ("SEAT_STREAMS_PER_CLIENT", "0"),
        ("PASSWORD_HASH_CONCURRENCY", "many"),
        ("SMS_COUNTRY_CODES", "India"),
        ("HOLD_TIME_BUDGET", "5m"),
    ] {
        assert_eq!(parse(&[DB, (var, value)]).unwrap_err().var, var, "{value}");
    }
}

#[test]
fn secrets_never_show_in_debug_output() {
    let config = parse(&[
        ("DATABASE_URL", "postgres://app:hunter2-db@db/district"),
        ("JWT_SECRET", "a-very-long-jwt-secret-value-0123456789"),
        ("SMTP_PASSWORD", "smtp-supersecret"),
        ("SANDBOX_WEBHOOK_SECRET", "whsec-sandbox-supersecret"),
        (
            "TICKET_SIGNING_KEY",
            "cHJvZHVjdGlvbi10aWNrZXQtc2VlZC0zMi1ieXRlcyE=",
        ),
    ])
    .unwrap();
    let shown = format!("{config:?}");
    for secret in [
        "hunter2-db",
        "a-very-long-jwt-secret",
        "smtp-supersecret",
        "whsec-sandbox-supersecret",
        "cHJvZHVjdGlvbi10aWNrZXQtc2VlZC0zMi1ieXRlcyE",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked");
    }
    assert_eq!(
        config.jwt_secret.expose_secret(),
        "a-very-long-jwt-secret-value-0123456789"
    );
}

#[test]
fn a_google_wallet_issuer_needs_its_key_and_the_key_its_issuer() {
    let err = parse(&[DB, ("GOOGLE_WALLET_ISSUER_ID", "3388000000022799999")]).unwrap_err();
    assert_eq!(err.var, "GOOGLE_WALLET_ISSUER_ID");
    let err = parse(&[
        DB,
        ("GOOGLE_WALLET_SERVICE_ACCOUNT_FILE", "/keys/wallet.json"),
    ])
    .unwrap_err();
    assert_eq!(err.var, "GOOGLE_WALLET_ISSUER_ID");
    let both = parse(&[
        DB,
        ("GOOGLE_WALLET_ISSUER_ID", "3388000000022799999"),
        ("GOOGLE_WALLET_SERVICE_ACCOUNT_FILE", "/keys/wallet.json"),
    ])
    .unwrap();
    let wallet = both.google_wallet.expect("configured");
    assert_eq!(wallet.issuer_id, "3388000000022799999");
    assert!(parse(&[DB]).unwrap().google_wallet.is_none());
}

#[test]
fn the_apple_wallet_variables_go_together() {
    let all = [
        ("APPLE_WALLET_PASS_TYPE_ID", "pass.example.district"),
        ("APPLE_WALLET_TEAM_ID", "TEAM123456"),
        ("APPLE_WALLET_CERT_FILE", "/keys/pass.pem"),
        ("APPLE_WALLET_KEY_FILE", "/keys/pass.key"),
        ("APPLE_WALLET_WWDR_FILE", "/keys/wwdr.pem"),
    ];
    let apple = parse(&[&[DB][..], &all].concat()).unwrap().apple_wallet;
    assert_eq!(apple.expect("configured").team_id, "TEAM123456");
    let err = parse(&[DB, all[0], all[1], all[2], all[4]]).unwrap_err();
    assert_eq!(err.var, "APPLE_WALLET_KEY_FILE");
    assert!(parse(&[DB]).unwrap().apple_wallet.is_none());
}

//! What the service sends through, built from the configuration: mail, wallet passes, pushes
//! and texts. A key or certificate that cannot be read stops start-up; what is not configured
//! logs instead, or (the wallets) is not offered.

use crate::config::Config;
use app::{
    booking::{apple_pass::AppleWallet, wallet::GoogleWallet},
    notify::{Mailer, Push, ServiceAccount, Sms, SmtpSettings, SmtpTls},
};
use secrecy::ExposeSecret;

/// SMTP when SMTP_HOST is set (SendGrid's relay when only SENDGRID_API_KEY is), files in
/// MAIL_DIR when that is set, the log otherwise.
pub(crate) fn mailer(config: &Config) -> anyhow::Result<Mailer> {
    let smtp = &config.smtp;
    let relay = match (&smtp.host, &smtp.sendgrid_api_key) {
        (Some(host), _) => Some(SmtpSettings {
            host: host.clone(),
            port: smtp.port,
            tls: smtp.tls,
            credentials: smtp
                .username
                .clone()
                .zip(smtp.password.as_ref().map(|p| p.expose_secret().to_owned())),
            from: smtp.from.clone(),
        }),
        (None, Some(key)) => Some(SmtpSettings {
            host: "smtp.sendgrid.net".into(),
            port: 587,
            tls: SmtpTls::StartTls,
            credentials: Some(("apikey".into(), key.expose_secret().to_owned())),
            from: smtp.from.clone(),
        }),
        (None, None) => None,
    };
    Ok(match (relay, &config.mail_dir) {
        (Some(relay), _) => Mailer::smtp(relay)?,
        (None, Some(dir)) => Mailer::Files(dir.into()),
        (None, None) => Mailer::Log {
            show_body: !config.is_production(),
        },
    })
}

/// A service account's JSON key from `file`, named by the variable `var` in errors.
fn service_account(var: &str, file: &std::path::Path) -> anyhow::Result<ServiceAccount> {
    let shown = file.display();
    let key =
        std::fs::read_to_string(file).map_err(|err| anyhow::anyhow!("{var} {shown}: {err}"))?;
    serde_json::from_str(&key).map_err(|err| anyhow::anyhow!("{var} {shown}: {err}"))
}

/// The Google Wallet issuer, when configured; an unreadable key stops start-up.
pub(crate) fn google_wallet(config: &Config) -> anyhow::Result<Option<GoogleWallet>> {
    let Some(wallet) = &config.google_wallet else {
        return Ok(None);
    };
    const VAR: &str = "GOOGLE_WALLET_SERVICE_ACCOUNT_FILE";
    let account = service_account(VAR, &wallet.account_file)?;
    let issuer = GoogleWallet::new(wallet.issuer_id.clone(), &account, &config.public_url)
        .map_err(|err| anyhow::anyhow!("{VAR}: {err}"))?;
    Ok(Some(issuer))
}

/// The Apple Wallet pass type, when configured; an unreadable certificate or key stops start-up.
pub(crate) fn apple_wallet(config: &Config) -> anyhow::Result<Option<AppleWallet>> {
    let Some(apple) = &config.apple_wallet else {
        return Ok(None);
    };
    let read = |var: &str, file: &std::path::Path| {
        std::fs::read_to_string(file)
            .map_err(|err| anyhow::anyhow!("{var} {}: {err}", file.display()))
    };
    let pass = AppleWallet::from_pem(
        &apple.pass_type_id,
        &apple.team_id,
        &read("APPLE_WALLET_CERT_FILE", &apple.certificate_file)?,
        &read("APPLE_WALLET_KEY_FILE", &apple.key_file)?,
        &read("APPLE_WALLET_WWDR_FILE", &apple.intermediate_file)?,
    )
    .map_err(|err| anyhow::anyhow!("Apple Wallet: {err}"))?;
    Ok(Some(pass))
}

/// FCM with the configured service account, or the log; an unreadable key stops start-up.
pub(crate) fn push(config: &Config) -> anyhow::Result<Push> {
    let Some(fcm) = &config.fcm else {
        return Ok(Push::Log);
    };
    let file = fcm.account_file.display();
    let account = service_account("FCM_SERVICE_ACCOUNT_FILE", &fcm.account_file)?;
    Push::fcm(account, &fcm.api_base)
        .map_err(|err| anyhow::anyhow!("FCM_SERVICE_ACCOUNT_FILE {file}: {err}"))
}

pub(crate) fn sms(config: &Config) -> Sms {
    let twilio = &config.twilio;
    match (&twilio.account_sid, &twilio.auth_token, &twilio.from_number) {
        (Some(sid), Some(token), Some(from)) => Sms::Twilio {
            client: reqwest::Client::new(),
            api_base: twilio.api_base.trim_end_matches('/').to_owned(),
            account_sid: sid.clone(),
            auth_token: token.expose_secret().to_owned(),
            from: from.clone(),
        },
        _ => Sms::Log {
            show_body: !config.is_production(),
        },
    }
}

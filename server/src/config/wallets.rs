//! Wallet passes of confirmed tickets: the Google Wallet issuer and the Apple Wallet pass type,
//! each configured by all of its variables or none.

use super::{vars::Vars, ConfigError};

/// GOOGLE_WALLET_ISSUER_ID and GOOGLE_WALLET_SERVICE_ACCOUNT_FILE (a service account's JSON
/// key): confirmed tickets offer "Save to Google Wallet", a link signed with that key. Both or
/// neither.
#[derive(Clone, Debug)]
pub struct GoogleWallet {
    pub issuer_id: String,
    pub account_file: std::path::PathBuf,
}

/// APPLE_WALLET_PASS_TYPE_ID, APPLE_WALLET_TEAM_ID and the PEM files APPLE_WALLET_CERT_FILE (the
/// pass type's certificate), APPLE_WALLET_KEY_FILE (its key) and APPLE_WALLET_WWDR_FILE
/// (Apple's intermediate certificate): confirmed tickets come as signed Apple Wallet passes.
/// All or none.
#[derive(Clone, Debug)]
pub struct AppleWallet {
    pub pass_type_id: String,
    pub team_id: String,
    pub certificate_file: std::path::PathBuf,
    pub key_file: std::path::PathBuf,
    pub intermediate_file: std::path::PathBuf,
}

/// The Google Wallet issuer, when both of its variables are set.
pub(super) fn google_wallet(vars: &Vars) -> Result<Option<GoogleWallet>, ConfigError> {
    match (
        vars.optional("GOOGLE_WALLET_ISSUER_ID"),
        vars.optional("GOOGLE_WALLET_SERVICE_ACCOUNT_FILE"),
    ) {
        (Some(issuer_id), Some(file)) => Ok(Some(GoogleWallet {
            issuer_id,
            account_file: file.into(),
        })),
        (None, None) => Ok(None),
        _ => Err(ConfigError::new(
            "GOOGLE_WALLET_ISSUER_ID",
            "goes with GOOGLE_WALLET_SERVICE_ACCOUNT_FILE: set both or neither",
        )),
    }
}

/// The Apple Wallet pass type, when all five of its variables are set; some but not all is an
/// error naming the first missing.
pub(super) fn apple_wallet(vars: &Vars) -> Result<Option<AppleWallet>, ConfigError> {
    const NAMES: [&str; 5] = [
        "APPLE_WALLET_PASS_TYPE_ID",
        "APPLE_WALLET_TEAM_ID",
        "APPLE_WALLET_CERT_FILE",
        "APPLE_WALLET_KEY_FILE",
        "APPLE_WALLET_WWDR_FILE",
    ];
    let values = NAMES.map(|name| vars.optional(name));
    if values.iter().all(Option::is_none) {
        return Ok(None);
    }
    if let Some(missing) = NAMES.iter().zip(&values).find(|(_, v)| v.is_none()) {
        return Err(ConfigError::new(
            missing.0,
            "the Apple Wallet variables go together: set all five or none",
        ));
    }
    let [pass_type_id, team_id, certificate, key, intermediate] =
        values.map(Option::unwrap_or_default);
    Ok(Some(AppleWallet {
        pass_type_id,
        team_id,
        certificate_file: certificate.into(),
        key_file: key.into(),
        intermediate_file: intermediate.into(),
    }))
}

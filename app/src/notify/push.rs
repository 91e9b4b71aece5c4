//! Push notifications through Firebase Cloud Messaging's HTTP v1 API, signed in as a service
//! account: a JWT signed with its key buys an access token at its token URI (kept until a
//! minute before it runs out), which authorises each send.

use super::{fail, Note, SendError};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::{
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::sync::Mutex;

const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

/// The fields of a service account's JSON key that signing in needs.
#[derive(Clone, Deserialize)]
pub struct ServiceAccount {
    pub project_id: String,
    pub client_email: String,
    pub private_key: String,
    pub token_uri: String,
}

#[derive(Clone)]
pub enum Push {
    Fcm(Arc<Fcm>),
    /// No service account configured: pushes are logged, token shortened.
    Log,
}

/// What became of one push.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    Sent,
    /// The token is no longer valid: the app was removed or signed out.
    Gone,
}

pub struct Fcm {
    client: reqwest::Client,
    api_base: String,
    account: ServiceAccount,
    key: EncodingKey,
    token: Mutex<Option<(String, Instant)>>,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

#[derive(Deserialize)]
struct Granted {
    access_token: String,
    expires_in: u64,
}

impl Push {
    /// FCM for `account`, at `api_base` (FCM itself, or a stand-in).
    pub fn fcm(account: ServiceAccount, api_base: &str) -> Result<Self, SendError> {
        let key = EncodingKey::from_rsa_pem(account.private_key.as_bytes()).map_err(fail)?;
        Ok(Self::Fcm(Arc::new(Fcm {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(fail)?,
            api_base: api_base.trim_end_matches('/').to_owned(),
            account,
            key,
            token: Mutex::default(),
        })))
    }

    pub async fn send(&self, device: &str, note: &Note) -> Result<Pushed, SendError> {
        match self {
            Self::Fcm(fcm) => fcm.send(device, note).await,
            Self::Log => {
                let tail: String = device
                    .chars()
                    .rev()
                    .take(6)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let device = format!("…{tail}");
                tracing::info!(%device, title = %note.title, "push (log transport)");
                Ok(Pushed::Sent)
            }
        }
    }
}

impl Fcm {
    async fn access_token(&self) -> Result<String, SendError> {
        let mut cached = self.token.lock().await;
        if let Some((token, _)) = cached.as_ref().filter(|(_, until)| *until > Instant::now()) {
            return Ok(token.clone());
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let claims = Claims {
            iss: &self.account.client_email,
            scope: SCOPE,
            aud: &self.account.token_uri,
            iat: now,
            exp: now + 3600,
        };
        let assertion = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map_err(fail)?;
        let response = self
            .client
            .post(&self.account.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(fail)?;
        if !response.status().is_success() {
            return Err(SendError(format!(
                "token URI answered {}",
                response.status()
            )));
        }
        let granted: Granted = response.json().await.map_err(fail)?;
        let kept = Duration::from_secs(granted.expires_in.saturating_sub(60));
        *cached = Some((granted.access_token.clone(), Instant::now() + kept));
        Ok(granted.access_token)
    }

    async fn send(&self, device: &str, note: &Note) -> Result<Pushed, SendError> {
        let url = format!(
            "{}/v1/projects/{}/messages:send",
            self.api_base, self.account.project_id
        );
        let message = json!({ "message": {
            "token": device,
            "notification": { "title": note.title, "body": note.body },
            "data": { "link": note.link },
            "webpush": { "fcm_options": { "link": note.link } },
        }});
        let response = self
            .client
            .post(url)
            .bearer_auth(self.access_token().await?)
            .json(&message)
            .send()
            .await
            .map_err(fail)?;
        let status = response.status();
        if status.is_success() {
            return Ok(Pushed::Sent);
        }
        let body = response.text().await.unwrap_or_default();
        if status == reqwest::StatusCode::NOT_FOUND || body.contains("UNREGISTERED") {
            return Ok(Pushed::Gone);
        }
        if status == reqwest::StatusCode::UNAUTHORIZED {
            // The token was revoked or ran out early: the next send signs in again.
            *self.token.lock().await = None;
        }
        Err(SendError(format!("FCM answered {status}")))
    }
}

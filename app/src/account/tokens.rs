//! Secrets handed to clients: short-lived JWT access tokens, and opaque random tokens
//! (refresh, email verification, password reset) of which only a SHA-256 is stored.

use super::Role;
use crate::ids::UserId;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::{sync::Arc, time::Duration};

const ISSUER: &str = "district";
/// Access tokens are for the REST API only; a token minted for anything else is refused.
const AUDIENCE: &str = "district-api";

/// A URL-safe token with 256 bits of randomness.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored in place of a token: a leak of the table leaks no usable token.
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: UserId,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// HS256 signing for access tokens. Only HS256 is accepted, so `alg: none` or a swapped
/// algorithm is rejected.
#[derive(Clone)]
pub struct Jwt {
    encoding: Arc<EncodingKey>,
    decoding: Arc<DecodingKey>,
    pub expiry: Duration,
}

impl Jwt {
    pub fn new(secret: &[u8], expiry: Duration) -> Self {
        Self {
            encoding: Arc::new(EncodingKey::from_secret(secret)),
            decoding: Arc::new(DecodingKey::from_secret(secret)),
            expiry,
        }
    }

    pub fn issue(&self, user_id: UserId, role: Role) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            role,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + self.expiry.as_secs() as i64,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with an in-memory key cannot fail")
    }

    /// The claims of a valid, unexpired token signed with our key.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), digest(&b));
    }

    #[test]
    fn jwt_round_trips_and_rejects_tampering() {
        let jwt = Jwt::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60));
        let user = UserId(uuid::Uuid::new_v4());
        let token = jwt.issue(user, Role::Customer);
        let claims = jwt.verify(&token).unwrap();
        assert_eq!((claims.sub, claims.role), (user, Role::Customer));

        let other = Jwt::new(b"another-secret-another-secret-!!", Duration::from_secs(60));
        assert!(other.verify(&token).is_none(), "wrong key");
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"{user}","role":"admin","iss":"district","iat":0,"exp":9999999999}}"#
        ));
        assert!(jwt.verify(&parts.join(".")).is_none(), "tampered claims");
    }

    #[test]
    fn a_token_for_another_audience_is_refused() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let jwt = Jwt::new(secret, Duration::from_secs(60));
        let now = chrono::Utc::now().timestamp();
        let forge = |aud: Option<&str>| {
            let mut claims = serde_json::json!({
                "sub": uuid::Uuid::new_v4(), "role": "customer", "iss": ISSUER,
                "iat": now, "exp": now + 60,
            });
            if let Some(aud) = aud {
                claims["aud"] = aud.into();
            }
            let key = EncodingKey::from_secret(secret);
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap()
        };
        assert!(jwt.verify(&forge(Some(AUDIENCE))).is_some());
        assert!(jwt.verify(&forge(Some("district-mail-links"))).is_none());
        assert!(jwt.verify(&forge(None)).is_none());
    }
}

//! "Save to Google Wallet": a link carrying a JWT signed with the issuer's service account,
//! which holds the whole event ticket (its class and object), so Google needs nothing else from
//! us. The ticket's barcode is the same signed token as the e-ticket's QR code.

use super::{Booking, BookingStatus};
use crate::notify::ServiceAccount;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

const SAVE: &str = "https://pay.google.com/gp/v/save/";

pub struct GoogleWallet {
    issuer_id: String,
    client_email: String,
    key: EncodingKey,
    /// Where the link may be shown: the site's own address.
    origin: String,
}

impl GoogleWallet {
    pub fn new(
        issuer_id: String,
        account: &ServiceAccount,
        origin: &str,
    ) -> Result<Self, jsonwebtoken::errors::Error> {
        Ok(Self {
            issuer_id,
            client_email: account.client_email.clone(),
            key: EncodingKey::from_rsa_pem(account.private_key.as_bytes())?,
            origin: origin.trim_end_matches('/').to_owned(),
        })
    }

    /// The save link of a confirmed booking's ticket, `token` its signed ticket token.
    pub fn save_url(&self, booking: &Booking, token: &str) -> Option<String> {
        if booking.status != BookingStatus::Confirmed {
            return None;
        }
        let claims = json!({
            "iss": self.client_email,
            "aud": "google",
            "typ": "savetowallet",
            "iat": chrono::Utc::now().timestamp(),
            "origins": [self.origin],
            "payload": {
                "eventTicketClasses": [self.class(booking)],
                "eventTicketObjects": [self.object(booking, token)],
            },
        });
        let jwt = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key);
        match jwt {
            Ok(jwt) => Some(format!("{SAVE}{jwt}")),
            Err(err) => {
                tracing::error!(error = %err, "google wallet link not signed");
                None
            }
        }
    }

    /// One class per show: what every ticket of it shares.
    fn class(&self, booking: &Booking) -> Value {
        let show = &booking.show;
        json!({
            "id": format!("{}.show-{}", self.issuer_id, show.show_id),
            "issuerName": "District",
            "reviewStatus": "UNDER_REVIEW",
            "eventName": text(&format!("{} ({}, {})", show.movie_title, show.format, show.language)),
            "venue": {"name": text(&show.theater_name), "address": text(&show.screen_name)},
            "dateTime": {"start": show.starts_at.to_rfc3339()},
        })
    }

    fn object(&self, booking: &Booking, token: &str) -> Value {
        json!({
            "id": format!("{}.booking-{}", self.issuer_id, booking.booking_id),
            "classId": format!("{}.show-{}", self.issuer_id, booking.show.show_id),
            "state": "ACTIVE",
            "reservationInfo": {"confirmationCode": booking.code},
            "seatInfo": {"seat": text(&booking.seat_labels())},
            "barcode": {"type": "QR_CODE", "value": token, "alternateText": booking.code},
        })
    }
}

/// A localized string in English (India), as Google Wallet writes them.
fn text(value: &str) -> Value {
    json!({"defaultValue": {"language": "en-IN", "value": value}})
}

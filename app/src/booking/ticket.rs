//! Ticket tokens: what a ticket's QR code carries. An EdDSA (Ed25519) JWT naming the booking,
//! its show and seats, so a staff device can tell a genuine ticket offline with the public key
//! alone (any JWT library verifies it). Whether a ticket was already used is not in the token:
//! check-in records that, online, once. The token is shown as a QR code drawn on the server.

use crate::ids::{BookingId, ShowId};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::SigningKey;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use qrcode::{render::svg, EcLevel, QrCode};
use serde::{Deserialize, Serialize};

/// Tokens meant for ticket checks only: an access token is never a ticket, nor the reverse.
const AUDIENCE: &str = "district-ticket";

/// PKCS #8 v1 wrapping of an Ed25519 private key (RFC 8410): this prefix, then the 32-byte seed.
const PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// What a ticket says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    #[serde(rename = "sub")]
    pub booking: BookingId,
    pub show: ShowId,
    /// Seat labels as printed ("F7"), for the checker's screen.
    pub seats: Vec<String>,
    /// Unix seconds after which the ticket is void (after the show).
    #[serde(rename = "exp")]
    pub valid_until: i64,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    #[serde(flatten)]
    ticket: Ticket,
    aud: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("the ticket signing key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("the ticket has expired")]
    Expired,
    #[error("the ticket is not genuine")]
    Forged,
}

/// The signing key and the public key that checks it.
#[derive(Clone)]
pub struct TicketKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    public: [u8; 32],
}

/// Shows the public key only.
impl std::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketKeys")
            .field("public", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl TicketKeys {
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let public = SigningKey::from_bytes(seed).verifying_key().to_bytes();
        let der = [&PKCS8_PREFIX[..], seed].concat();
        Self {
            encoding: EncodingKey::from_ed_der(&der),
            decoding: DecodingKey::from_ed_der(&public),
            public,
        }
    }

    /// From a 32-byte seed in standard or URL-safe base64 (how the key is configured).
    pub fn from_base64(seed: &str) -> Result<Self, TicketError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(seed.trim())
            .or_else(|_| URL_SAFE_NO_PAD.decode(seed.trim()))
            .map_err(|_| TicketError::BadKey)?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| TicketError::BadKey)?;
        Ok(Self::from_seed(&seed))
    }

    /// The public key as a JWK's `x` (base64url), for whoever verifies tickets offline.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.public)
    }

    pub fn issue(&self, ticket: &Ticket) -> String {
        let claims = Claims {
            ticket: ticket.clone(),
            aud: AUDIENCE.into(),
        };
        // Signing a serialisable struct with a well-formed key cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &self.encoding)
            .expect("an Ed25519 key from a seed signs")
    }

    /// The ticket a token carries, if this key signed it and it has not expired.
    pub fn verify(&self, token: &str) -> Result<Ticket, TicketError> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token.trim(), &self.decoding, &validation)
            .map(|data| data.claims.ticket)
            .map_err(|err| match err.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TicketError::Expired,
                _ => TicketError::Forged,
            })
    }
}

/// The QR code of a ticket token, as SVG (shown without any script). Medium error correction,
/// so a scuffed phone screen still scans.
pub fn qr_svg(token: &str) -> String {
    qr(token)
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .build()
}

/// The QR code as a greyscale PNG, 6 pixels a module with the standard quiet zone of four
/// modules: what mail readers show inline (few of them draw SVG).
pub fn qr_png(token: &str) -> Vec<u8> {
    const SCALE: usize = 6;
    const QUIET: usize = 4;
    let code = qr(token);
    let (modules, colors) = (code.width(), code.to_colors());
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = ((i % modules + QUIET) * SCALE, (i / modules + QUIET) * SCALE);
            for row in y..y + SCALE {
                pixels[row * side + x..row * side + x + SCALE].fill(0);
            }
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(&pixels))
        .expect("a PNG encodes into memory");
    png
}

pub(super) fn qr(token: &str) -> QrCode {
    // A ticket names at most ten seats: its token is a few hundred bytes, far below the
    // 2,331 a QR code holds at this level.
    QrCode::with_error_correction_level(token, EcLevel::M).expect("a ticket token fits a QR code")
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn ticket(valid_until: i64) -> Ticket {
        Ticket {
            booking: BookingId(Uuid::from_u128(7)),
            show: ShowId(Uuid::from_u128(9)),
            seats: vec!["F7".into(), "F8".into()],
            valid_until,
        }
    }

    fn tomorrow() -> i64 {
        chrono::Utc::now().timestamp() + 86_400
    }

    #[test]
    fn a_ticket_reads_back_with_the_key_that_signed_it() {
        let keys = TicketKeys::from_seed(&[1; 32]);
        let issued = ticket(tomorrow());
        assert_eq!(keys.verify(&keys.issue(&issued)), Ok(issued));
    }

    #[test]
    fn the_public_key_matches_rfc_8032() {
        // RFC 8032, section 7.1, test 1: the secret key and its public key.
        let seed = hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let keys = TicketKeys::from_seed(&seed.unwrap().try_into().unwrap());
        assert_eq!(
            URL_SAFE_NO_PAD.decode(keys.public_key()).unwrap(),
            hex::decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
                .unwrap()
        );
    }

    #[test]
    fn forged_altered_and_expired_tickets_are_refused() {
        let keys = TicketKeys::from_seed(&[1; 32]);
        let other = TicketKeys::from_seed(&[2; 32]);
        let token = keys.issue(&ticket(tomorrow()));
        assert_eq!(other.verify(&token), Err(TicketError::Forged));
        assert_eq!(
            keys.verify(&other.issue(&ticket(tomorrow()))),
            Err(TicketError::Forged)
        );
        // The same signature over a ticket for more seats.
        let (_, rest) = token.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let mut more = ticket(tomorrow());
        more.seats.push("F9".into());
        let payload = serde_json::to_vec(&Claims {
            ticket: more,
            aud: AUDIENCE.into(),
        })
        .unwrap();
        let header = token.split('.').next().unwrap();
        let altered = format!("{header}.{}.{signature}", URL_SAFE_NO_PAD.encode(payload));
        assert_eq!(keys.verify(&altered), Err(TicketError::Forged));
        assert_eq!(keys.verify("not a token"), Err(TicketError::Forged));
        let past = chrono::Utc::now().timestamp() - 60;
        assert_eq!(
            keys.verify(&keys.issue(&ticket(past))),
            Err(TicketError::Expired)
        );
    }

    #[test]
    fn keys_are_configured_as_32_bytes_of_base64() {
        let standard = base64::engine::general_purpose::STANDARD.encode([1; 32]);
        let keys = TicketKeys::from_base64(&standard).unwrap();
        assert_eq!(
            keys.public_key(),
            TicketKeys::from_seed(&[1; 32]).public_key()
        );
        assert!(TicketKeys::from_base64(&URL_SAFE_NO_PAD.encode([1; 32])).is_ok());
        for bad in [
            "",
            "short",
            &base64::engine::general_purpose::STANDARD.encode([1; 31]),
        ] {
            assert!(
                matches!(TicketKeys::from_base64(bad), Err(TicketError::BadKey)),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_token_for_another_audience_is_not_a_ticket() {
        // Signed by the right key and shaped like a ticket, but meant for something else.
        let keys = TicketKeys::from_seed(&[1; 32]);
        let claims = Claims {
            ticket: ticket(tomorrow()),
            aud: "district-api".into(),
        };
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &keys.encoding).unwrap();
        assert_eq!(keys.verify(&token), Err(TicketError::Forged));
    }

    #[test]
    fn the_qr_code_scans_back_to_the_token() {
        let keys = TicketKeys::from_seed(&[1; 32]);
        let mut long = ticket(tomorrow());
        long.seats = (1..=10).map(|n| format!("AA{n}")).collect();
        let token = keys.issue(&long);
        // Read by an independent decoder, from the code's modules drawn 4 px each with a quiet
        // zone of 4 modules, as a camera would see the screen.
        let code = qr(&token);
        let (modules, colors) = (code.width(), code.to_colors());
        let side = (modules + 8) * 4;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = ((x / 4).wrapping_sub(4), (y / 4).wrapping_sub(4));
            let dark =
                mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark;
            if dark {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, read) = grids[0].decode().unwrap();
        assert_eq!(read, token);
        assert_eq!(keys.verify(&read), Ok(long));

        let svg = qr_svg(&token);
        assert!(
            svg.starts_with("<?xml") || svg.starts_with("<svg"),
            "{}",
            &svg[..40]
        );
        assert!(svg.contains("<path"));
    }
}

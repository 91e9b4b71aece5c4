//! Signatures on what gateways send us. Stripe and the sandbox sign webhooks with a
//! `t=<unix>,v1=<hex>` header: HMAC-SHA256 of `"<t>.<raw body>"`, accepted only within
//! [`TOLERANCE_SECONDS`] of now so that a captured delivery cannot be replayed later. Razorpay
//! sends a bare hex HMAC-SHA256: of the raw body for webhooks, of `"<order_id>|<payment_id>"`
//! for a checkout. Signatures are always checked over the bytes as received (re-serialised JSON
//! would differ), and compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a timestamped signature may be from now, either way.
pub const TOLERANCE_SECONDS: u64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is missing")]
    Missing,
    #[error("the signature header is malformed")]
    Malformed,
    #[error("the signature does not match")]
    Mismatch,
    /// Genuine, but made too long ago (or too far ahead): a replay, or a wrong clock.
    #[error("the signature is outside the {TOLERANCE_SECONDS} s tolerance")]
    Stale,
}

fn mac(secret: &[u8], parts: &[&[u8]]) -> Hmac<Sha256> {
    // HMAC takes a key of any length; this never fails.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    for part in parts {
        mac.update(part);
    }
    mac
}

/// The `t=<unix>,v1=<hex>` header over `body` signed at `at`: how the sandbox signs webhooks.
pub fn timestamped(secret: &[u8], at: i64, body: &[u8]) -> String {
    let tag = mac(secret, &[at.to_string().as_bytes(), b".", body]).finalize();
    format!("t={at},v1={}", hex::encode(tag.into_bytes()))
}

/// Checks a `t=<unix>,v1=<hex>` header (`Stripe-Signature`, `Sandbox-Signature`) over the raw
/// body at `now` (unix seconds). Any `v1` entry may match, since a gateway rolling its secret
/// signs with both; entries of other schemes are ignored.
pub fn verify_timestamped(
    secret: &[u8],
    header: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let (mut at, mut tags) = (None, Vec::new());
    for entry in header.split(',') {
        let (key, value) = entry
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" => {
                at = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                )
            }
            "v1" => tags.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?),
            _ => {}
        }
    }
    let at = at.ok_or(SignatureError::Malformed)?;
    let signed = mac(secret, &[at.to_string().as_bytes(), b".", body]);
    if !tags
        .iter()
        .any(|tag| signed.clone().verify_slice(tag).is_ok())
    {
        return Err(if tags.is_empty() {
            SignatureError::Malformed
        } else {
            SignatureError::Mismatch
        });
    }
    if now.abs_diff(at) > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// The bare hex HMAC-SHA256 of `message`: Razorpay's signatures.
pub fn hex_signature(secret: &[u8], message: &[u8]) -> String {
    hex::encode(mac(secret, &[message]).finalize().into_bytes())
}

/// Checks a bare hex signature (`X-Razorpay-Signature` over the raw body).
pub fn verify_hex(
    secret: &[u8],
    header: Option<&str>,
    message: &[u8],
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let tag = hex::decode(header.trim()).map_err(|_| SignatureError::Malformed)?;
    mac(secret, &[message])
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}

/// Checks the signature a Razorpay checkout returns, against the order id we stored (never
/// the one the callback names, or a payment of one order could pay for another).
pub fn verify_razorpay_checkout(
    key_secret: &[u8],
    stored_order_id: &str,
    payment_id: &str,
    signature: &str,
) -> Result<(), SignatureError> {
    let message = format!("{stored_order_id}|{payment_id}");
    verify_hex(key_secret, Some(signature), message.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_district_test";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment.succeeded"}"#;
    const AT: i64 = 1_767_225_600;

    #[test]
    fn timestamped_signatures_match_an_independent_hmac() {
        // Python: hmac.new(SECRET, b"1767225600." + BODY, hashlib.sha256).hexdigest()
        assert_eq!(
            timestamped(SECRET, AT, BODY),
            "t=1767225600,v1=43df31e165acbc32d9c8a7b463a65a724e6b288452806f910c54a18befd6e814"
        );
    }

    #[test]
    fn a_timestamped_signature_holds_only_for_its_body_secret_and_time() {
        let header = timestamped(SECRET, AT, BODY);
        let check = |secret: &[u8], header: Option<&str>, body: &[u8], now: i64| {
            verify_timestamped(secret, header, body, now)
        };
        assert_eq!(check(SECRET, Some(&header), BODY, AT + 299), Ok(()));
        assert_eq!(check(SECRET, Some(&header), BODY, AT - 299), Ok(()));
        let tampered = br#"{"id":"evt_1","type":"payment.succeeded" }"#;
        assert_eq!(
            check(SECRET, Some(&header), tampered, AT),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check(b"whsec_other", Some(&header), BODY, AT),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            check(SECRET, Some(&header), BODY, AT + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            check(SECRET, Some(&header), BODY, AT - 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(check(SECRET, None, BODY, AT), Err(SignatureError::Missing));
        // A replay with a fresh timestamp and the old tag is no longer signed.
        let old_tag = header.split_once(",v1=").unwrap().1;
        let moved = format!("t={},v1={old_tag}", AT + 600);
        assert_eq!(
            check(SECRET, Some(&moved), BODY, AT + 600),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn any_v1_entry_may_match_and_other_schemes_are_ignored() {
        let good = timestamped(SECRET, AT, BODY);
        let tag = good.split_once(",v1=").unwrap().1;
        let rolled = format!("t={AT},v1={},v0=abc,v1={tag}", "00".repeat(32));
        assert_eq!(verify_timestamped(SECRET, Some(&rolled), BODY, AT), Ok(()));
    }

    #[test]
    fn malformed_headers_are_told_apart_from_wrong_ones() {
        for header in [
            "",
            "garbage",
            "t=now,v1=00",
            "v1=00",
            "t=1767225600",
            "t=1767225600,v1=zz",
        ] {
            assert_eq!(
                verify_timestamped(SECRET, Some(header), BODY, AT),
                Err(SignatureError::Malformed),
                "{header}"
            );
        }
    }

    #[test]
    fn hex_signatures_match_rfc_4231() {
        // RFC 4231, test case 2.
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(
            hex_signature(b"Jefe", b"what do ya want for nothing?"),
            expected
        );
        assert_eq!(
            verify_hex(b"Jefe", Some(expected), b"what do ya want for nothing?"),
            Ok(())
        );
        assert_eq!(
            verify_hex(b"Jefe", Some(expected), b"what do ya want for nothing!"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify_hex(b"Jefe", None, b""), Err(SignatureError::Missing));
        assert_eq!(
            verify_hex(b"Jefe", Some("not hex"), b""),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn a_razorpay_checkout_is_checked_against_the_stored_order() {
        // Python: hmac.new(b"rzp_key_secret", b"order_9A33XWu170gUtm|pay_29QQoUBi66xm2f", sha256)
        let signature = "83aed3fb7f5346c030faba88472c9afb64db45c6738f342fd45927a74427556d";
        let check = |order: &str| {
            verify_razorpay_checkout(b"rzp_key_secret", order, "pay_29QQoUBi66xm2f", signature)
        };
        assert_eq!(check("order_9A33XWu170gUtm"), Ok(()));
        assert_eq!(check("order_someone_elses"), Err(SignatureError::Mismatch));
    }
}

//! Apple Wallet passes: a `.pkpass` is a zip of `pass.json`, its images, `manifest.json` (the
//! SHA-1 of every other file) and `signature`, a detached CMS (PKCS #7) signature of the
//! manifest made with the pass type's certificate, carrying Apple's intermediate (WWDR)
//! certificate. The pass's barcode is the ticket's own signed token. Its labels are keys that
//! `en.lproj` and `hi.lproj/pass.strings` name from the catalogues, so Wallet shows them in
//! the phone's language.

use super::{Actor, Booking, BookingError, Bookings};
use crate::{
    i18n::{tr, tr_with, Arg, Lang},
    ids::BookingId,
};
use rsa::{pkcs1::DecodeRsaPrivateKey, pkcs1v15::SigningKey, pkcs8::DecodePrivateKey};
use serde_json::json;
use sha1::Digest as _;
use sha2::Sha256;
use std::io::Write;
use x509_cert::{
    der::{oid::ObjectIdentifier, DecodePem, Encode},
    Certificate,
};

const ICON: &[u8] = include_bytes!("../../../public/icons/icon-192.png");
/// The pass's labels: the key `pass.json` gives, and the catalogue's message for it.
const LABELS: [(&str, &str); 7] = [
    ("MOVIE", "pass-movie"),
    ("SEATS", "pass-seats"),
    ("SCREEN", "pass-screen"),
    ("SHOWTIME", "pass-showtime"),
    ("FORMAT", "pass-format"),
    ("THEATER", "pass-theater"),
    ("BOOKING CODE", "pass-code"),
];
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SHA_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

impl Bookings {
    /// A confirmed booking's ticket as an Apple Wallet pass, for whoever may see the ticket;
    /// 404 where no pass type is configured.
    pub async fn ticket_pass(
        &self,
        actor: Actor,
        booking: BookingId,
    ) -> Result<(Booking, Vec<u8>), BookingError> {
        let apple = self.apple.as_ref().ok_or(BookingError::NotFound)?;
        let issued = self.ticket(actor, booking).await?;
        let booking = self.get(actor, booking).await?;
        let pass = apple.pass(&booking, &issued.token).map_err(|err| {
            tracing::error!(error = %err, "apple wallet pass not made");
            BookingError::Unavailable
        })?;
        Ok((booking, pass))
    }
}

/// The pass type a theater chain registered with Apple, and what signs its passes.
pub struct AppleWallet {
    pass_type_id: String,
    team_id: String,
    key: SigningKey<Sha256>,
    certificate: Certificate,
    /// Apple's intermediate certificate (WWDR), which vouches for ours.
    intermediate: Certificate,
}

impl AppleWallet {
    /// From the pass type's certificate and key and Apple's intermediate, all PEM.
    pub fn from_pem(
        pass_type_id: &str,
        team_id: &str,
        certificate: &str,
        key: &str,
        intermediate: &str,
    ) -> Result<Self, String> {
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(key)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(key))
            .map_err(|err| format!("the key: {err}"))?;
        let certificate =
            Certificate::from_pem(certificate).map_err(|err| format!("the certificate: {err}"))?;
        let intermediate = Certificate::from_pem(intermediate)
            .map_err(|err| format!("the intermediate certificate: {err}"))?;
        Ok(Self {
            pass_type_id: pass_type_id.to_owned(),
            team_id: team_id.to_owned(),
            key: SigningKey::new(key),
            certificate,
            intermediate,
        })
    }

    /// The `.pkpass` of a confirmed booking's ticket, `token` its signed ticket token.
    pub fn pass(&self, booking: &Booking, token: &str) -> Result<Vec<u8>, String> {
        let pass = serde_json::to_vec_pretty(&self.pass_json(booking, token))
            .map_err(|err| err.to_string())?;
        let (english, hindi) = (strings(Lang::En), strings(Lang::Hi));
        let files: [(&str, &[u8]); 5] = [
            ("pass.json", &pass),
            ("icon.png", ICON),
            ("icon@2x.png", ICON),
            ("en.lproj/pass.strings", &english),
            ("hi.lproj/pass.strings", &hindi),
        ];
        let manifest: serde_json::Map<String, serde_json::Value> = files
            .iter()
            .map(|(name, bytes)| {
                let sha1 = hex::encode(sha1::Sha1::digest(bytes));
                (name.to_string(), sha1.into())
            })
            .collect();
        let manifest = serde_json::to_vec(&manifest).map_err(|err| err.to_string())?;
        let signature = self.sign(&manifest)?;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let all = files.into_iter().chain([
            ("manifest.json", &manifest[..]),
            ("signature", &signature[..]),
        ]);
        for (name, bytes) in all {
            zip.start_file(name, stored)
                .map_err(|err| err.to_string())?;
            zip.write_all(bytes).map_err(|err| err.to_string())?;
        }
        Ok(zip.finish().map_err(|err| err.to_string())?.into_inner())
    }

    fn pass_json(&self, booking: &Booking, token: &str) -> serde_json::Value {
        let show = &booking.show;
        let field = |key: &str, label: &str, value: &str| json!({"key": key, "label": label, "value": value});
        json!({
            "formatVersion": 1,
            "passTypeIdentifier": self.pass_type_id,
            "teamIdentifier": self.team_id,
            "serialNumber": booking.booking_id.to_string(),
            "organizationName": "District",
            "description": tr_with(Lang::En, "pass-description", &[("movie", Arg::Text(&show.movie_title))]),
            "backgroundColor": "rgb(79, 70, 229)",
            "foregroundColor": "rgb(255, 255, 255)",
            "labelColor": "rgb(224, 231, 255)",
            "relevantDate": show.starts_at.to_rfc3339(),
            "eventTicket": {
                "primaryFields": [field("movie", "MOVIE", &show.movie_title)],
                "secondaryFields": [field("seats", "SEATS", &booking.seat_labels()), field("screen", "SCREEN", &show.screen_name)],
                "auxiliaryFields": [field("time", "SHOWTIME", &show.local_time), field("format", "FORMAT", &format!("{} · {}", show.format, show.language))],
                "backFields": [field("theater", "THEATER", &show.theater_name), field("code", "BOOKING CODE", &booking.code)],
            },
            "barcodes": [{"format": "PKBarcodeFormatQR", "message": token, "messageEncoding": "iso-8859-1", "altText": booking.code}],
        })
    }

    /// A detached CMS signature of `manifest`, SHA-256 with RSA, with both certificates.
    fn sign(&self, manifest: &[u8]) -> Result<Vec<u8>, String> {
        use cms::{
            builder::{SignedDataBuilder, SignerInfoBuilder},
            cert::{CertificateChoices, IssuerAndSerialNumber},
            signed_data::{EncapsulatedContentInfo, SignerIdentifier},
        };
        let fail = |err: cms::builder::Error| err.to_string();
        let content = EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        };
        let sha256 = x509_cert::spki::AlgorithmIdentifierOwned {
            oid: ID_SHA_256,
            parameters: None,
        };
        let digest = Sha256::digest(manifest);
        let tbs = &self.certificate.tbs_certificate;
        let signer = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        });
        let mut signer_info =
            SignerInfoBuilder::new(&self.key, signer, sha256.clone(), &content, Some(&digest))
                .map_err(fail)?;
        // Wallet refuses a signature without the time it was made.
        let signed_at = cms::builder::create_signing_time_attribute().map_err(fail)?;
        signer_info.add_signed_attribute(signed_at).map_err(fail)?;
        let signed = SignedDataBuilder::new(&content)
            .add_digest_algorithm(sha256)
            .map_err(fail)?
            .add_certificate(CertificateChoices::Certificate(self.certificate.clone()))
            .map_err(fail)?
            .add_certificate(CertificateChoices::Certificate(self.intermediate.clone()))
            .map_err(fail)?
            .add_signer_info::<SigningKey<Sha256>, rsa::pkcs1v15::Signature>(signer_info)
            .map_err(fail)?
            .build()
            .map_err(fail)?;
        signed.to_der().map_err(|err| err.to_string())
    }
}

/// `lang`'s `pass.strings`: `"MOVIE" = "…";` a line each, in UTF-16 with its byte order mark,
/// as Wallet reads them.
fn strings(lang: Lang) -> Vec<u8> {
    let text: String = LABELS
        .iter()
        .map(|(key, id)| format!("\"{key}\" = \"{}\";\n", tr(lang, id).replace('"', "\\\"")))
        .collect();
    std::iter::once(0xFEFF)
        .chain(text.encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect()
}

//! Input rules shared by the server and the browser, so both give the same message.

use super::{AccountError, FieldErrors};
use crate::i18n::Text;
use serde::{Deserialize, Serialize};

pub const MIN_PASSWORD: usize = 8;
pub const MAX_PASSWORD: usize = 128;
const MAX_NAME: usize = 100;
const MAX_EMAIL: usize = 254;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignupInput {
    pub name: String,
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// The language to write to them in (mail included); the site's default when left out.
    #[serde(default)]
    pub language: Option<crate::i18n::Lang>,
}

/// Trimmed and lower-cased: one address, one account.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl SignupInput {
    /// The normalized input, or every problem at once.
    pub fn validate(&self) -> Result<SignupInput, AccountError> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_owned();
        let email = normalize_email(&self.email);
        if let Err(message) = check_name(&name) {
            errors.insert("name".into(), message);
        }
        if let Err(message) = check_email(&email) {
            errors.insert("email".into(), message);
        }
        if let Err(message) = check_password(&self.password, &email) {
            errors.insert("password".into(), message);
        }
        let phone = match self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => None,
            Some(raw) => match normalize_phone(raw) {
                Ok(phone) => Some(phone),
                Err(message) => {
                    errors.insert("phone".into(), message);
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(AccountError::Invalid(errors));
        }
        Ok(SignupInput {
            name,
            email,
            password: self.password.clone(),
            phone,
            language: self.language,
        })
    }
}

/// An address typed to sign in or to reset a password, normalized; a 422 naming the field when
/// it cannot be an address, before any limit counts it.
#[cfg(feature = "ssr")]
pub fn sign_in_email(email: &str) -> Result<String, AccountError> {
    let email = normalize_email(email);
    check_email(&email)
        .map_err(|message| AccountError::Invalid(crate::error::field("email", message)))?;
    Ok(email)
}

/// Password rules for a new password, with the message to show when it fails.
pub fn validate_new_password(password: &str, email: &str) -> Result<(), AccountError> {
    check_password(password, &normalize_email(email))
        .map_err(|m| AccountError::Invalid(crate::error::field("password", m)))
}

/// A name is plain text wherever it is shown, emails included: no control characters (no
/// header injection) and nothing a mail reader would turn into a link.
pub(crate) fn check_name(name: &str) -> Result<(), Text> {
    match name.chars().count() {
        0 => return Err(Text::new("err-name-empty")),
        n if n > MAX_NAME => return Err(Text::new("err-too-long").arg("max", MAX_NAME)),
        _ => {}
    }
    if name.chars().any(|c| c.is_control() || "<>@/\\".contains(c))
        || name.split_whitespace().any(looks_like_domain)
    {
        return Err(Text::new("err-name-plain"));
    }
    Ok(())
}

/// `evil.example` or `www.x`: a dot with a word of two or more letters after it.
fn looks_like_domain(word: &str) -> bool {
    word.split('.')
        .skip(1)
        .any(|part| part.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
}

pub(crate) fn check_email(email: &str) -> Result<(), Text> {
    let valid = email.len() <= MAX_EMAIL
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"<>()[]\\,;:".contains(c))
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if valid {
        Ok(())
    } else {
        Err(Text::new("err-email"))
    }
}

fn check_password(password: &str, email: &str) -> Result<(), Text> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        Err(Text::new("err-too-short").arg("min", MIN_PASSWORD))
    } else if length > MAX_PASSWORD {
        Err(Text::new("err-too-long").arg("max", MAX_PASSWORD))
    } else if !email.is_empty() && normalize_email(password) == email {
        Err(Text::new("err-password-email"))
    } else {
        Ok(())
    }
}

/// Phone numbers in international form: `+` and 10 to 15 digits; Indian 10-digit numbers get +91.
pub(crate) fn normalize_phone(raw: &str) -> Result<String, Text> {
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    let allowed = raw
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    let phone = if raw.trim_start().starts_with('+') {
        format!("+{digits}")
    } else if digits.len() == 10 {
        format!("+91{digits}")
    } else {
        format!("+{digits}")
    };
    if allowed && (11..=16).contains(&phone.len()) {
        Ok(phone)
    } else {
        Err(Text::new("err-phone"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, email: &str, password: &str, phone: Option<&str>) -> SignupInput {
        SignupInput {
            name: name.into(),
            email: email.into(),
            password: password.into(),
            phone: phone.map(Into::into),
            language: None,
        }
    }

    #[test]
    fn normalizes_what_it_accepts() {
        let ok = input(
            " Asha ",
            "  Asha@Example.COM ",
            "long enough",
            Some("98765 43210"),
        )
        .validate()
        .unwrap();
        assert_eq!(ok.name, "Asha");
        assert_eq!(ok.email, "asha@example.com");
        assert_eq!(ok.phone.as_deref(), Some("+919876543210"));
    }

    #[test]
    fn names_are_plain_text() {
        for fine in [
            "Asha Rao",
            "J.R.R. Tolkien",
            "Dr. A. K. Sen",
            "Zoë O'Brien",
            "आशा",
        ] {
            assert_eq!(check_name(fine), Ok(()), "{fine}");
        }
        for link in [
            "Win at evil.example",
            "www.x.in",
            "http://evil.example",
            "a@b.c",
            "<b>Asha</b>",
            "Asha\r\nBcc: all@x.in",
            "tab\there",
        ] {
            assert!(check_name(link).is_err(), "{link}");
        }
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let err = input("", "not-an-email", "short", Some("call me"))
            .validate()
            .unwrap_err();
        let AccountError::Invalid(fields) = err else {
            panic!()
        };
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            ["email", "name", "password", "phone"]
        );
    }

    #[test]
    fn password_cannot_be_the_email() {
        let err = input("A", "a@example.com", "A@Example.com", None)
            .validate()
            .unwrap_err();
        let said = err.field_message("password").unwrap();
        assert!(said.to_string().contains("email"), "{said}");
        assert!(validate_new_password("a@example.com", "A@example.com").is_err());
        assert!(validate_new_password("a much better one", "a@example.com").is_ok());
    }

    #[test]
    fn emails_need_a_domain() {
        for bad in [
            "a@b",
            "@example.com",
            "a@.com",
            "a b@example.com",
            "a@example.com.",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_email("first.last+tag@mail.example.in").is_ok());
    }
}

//! Every email's one layout, as plain text and as HTML. Whatever a user or a theater wrote
//! (names, titles) reaches the HTML escaped; links are ours and absolute.

use crate::i18n::{tr, tr_with, Arg, Lang};

/// An email before it is addressed.
#[derive(Clone, Debug, Default)]
pub struct Letter {
    pub subject: String,
    /// Whom it greets.
    pub name: String,
    pub paragraphs: Vec<String>,
    pub link: Option<Link>,
    /// Shown inline (the e-ticket's QR code).
    pub image: Option<Image>,
    /// Set for mail sent from an event, so a repeated delivery has the same Message-ID and
    /// mail readers show it once.
    pub message_id: Option<String>,
    /// The language of its greeting and frame.
    pub lang: Lang,
}

#[derive(Clone, Debug)]
pub struct Link {
    pub label: String,
    pub url: String,
}

#[derive(Clone, Debug)]
pub struct Image {
    pub png: Vec<u8>,
    pub alt: String,
}

/// The content id the HTML part uses for the inline image.
pub const IMAGE_ID: &str = "ticket-qr";

impl Letter {
    pub fn new(subject: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            name: name.into(),
            ..Self::default()
        }
    }

    /// The same, greeting and signed off in `lang`.
    pub fn in_lang(self, lang: Lang) -> Self {
        Self { lang, ..self }
    }

    pub fn says(mut self, paragraph: impl Into<String>) -> Self {
        self.paragraphs.push(paragraph.into());
        self
    }

    /// A paragraph only when `when` holds.
    pub fn says_if(self, when: bool, paragraph: impl FnOnce() -> String) -> Self {
        if when {
            self.says(paragraph())
        } else {
            self
        }
    }

    pub fn links(mut self, label: impl Into<String>, url: impl Into<String>) -> Self {
        self.link = Some(Link {
            label: label.into(),
            url: url.into(),
        });
        self
    }

    pub fn text(&self) -> String {
        let hello = tr_with(self.lang, "mail-hello", &[("name", Arg::Text(&self.name))]);
        let mut text = format!("{hello}\n\n");
        for paragraph in &self.paragraphs {
            text.push_str(paragraph);
            text.push_str("\n\n");
        }
        if let Some(link) = &self.link {
            text.push_str(&format!("{}:\n{}\n\n", link.label, link.url));
        }
        text.push_str(&tr(self.lang, "site-name"));
        text.push('\n');
        text
    }

    pub fn html(&self) -> String {
        let hello = tr_with(self.lang, "mail-hello", &[("name", Arg::Text(&self.name))]);
        let mut body = format!("<p style=\"margin:0 0 16px\">{}</p>", escape(&hello));
        for paragraph in &self.paragraphs {
            body.push_str(&format!(
                "<p style=\"margin:0 0 16px\">{}</p>",
                escape(paragraph)
            ));
        }
        if let Some(image) = &self.image {
            body.push_str(&format!(
                "<p style=\"margin:0 0 16px;text-align:center\"><img src=\"cid:{IMAGE_ID}\" \
                 alt=\"{}\" width=\"240\" height=\"240\" style=\"display:inline-block\"></p>",
                escape(&image.alt)
            ));
        }
        if let Some(link) = &self.link {
            body.push_str(&format!(
                "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#e11d48;color:#ffffff;\
                 padding:12px 20px;border-radius:8px;text-decoration:none;font-weight:600\">{}</a></p>\
                 <p style=\"margin:0 0 16px;font-size:13px;color:#52525b\">{}</p>",
                escape(&link.url),
                escape(&link.label),
                escape(&tr_with(self.lang, "mail-or-open", &[("url", Arg::Text(&link.url))]))
            ));
        }
        format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\"><title>{subject}</title></head>\
             <body style=\"margin:0;background:#f4f4f5;font-family:system-ui,sans-serif;color:#18181b\">\
             <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td align=\"center\" style=\"padding:24px\">\
             <table role=\"presentation\" width=\"100%\" style=\"max-width:560px;background:#ffffff;border-radius:12px\"><tr><td style=\"padding:24px;font-size:15px;line-height:1.5\">\
             <p style=\"margin:0 0 24px;font-size:20px;font-weight:700;color:#e11d48\">{site}</p>\
             {body}\
             <p style=\"margin:24px 0 0;font-size:12px;color:#71717a\">{footer}</p>\
             </td></tr></table></td></tr></table></body></html>",
            subject = escape(&self.subject),
            lang = self.lang.as_str(),
            site = escape(&tr(self.lang, "site-name")),
            footer = escape(&tr(self.lang, "mail-footer")),
        )
    }
}

/// Text safe in HTML content and in a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_in_html_and_kept_in_text() {
        let letter = Letter::new("Booking <b>", "Asha <script>")
            .says("Rock & \"Roll\"")
            .links("See it", "https://district.test/bookings/1?a=1&b=2");
        let html = letter.html();
        assert!(html.contains("Hello Asha &lt;script&gt;,"));
        assert!(html.contains("Rock &amp; &quot;Roll&quot;"));
        assert!(html.contains("href=\"https://district.test/bookings/1?a=1&amp;b=2\""));
        assert!(!html.contains("<script>"));
        let text = letter.text();
        assert!(text.starts_with("Hello Asha <script>,\n\nRock & \"Roll\"\n\n"));
        assert!(text.contains("See it:\nhttps://district.test/bookings/1?a=1&b=2\n"));
    }

    #[test]
    fn a_text_message_names_the_sender_in_the_letters_language() {
        let letter = |lang| {
            Letter::new("Booking", "Asha")
                .in_lang(lang)
                .links("See it", "https://district.test/bookings/1")
        };
        let text = |lang| super::super::Note::from_letter(&letter(lang)).text();
        assert_eq!(
            text(crate::i18n::Lang::En),
            "District: Booking. https://district.test/bookings/1"
        );
        assert!(text(crate::i18n::Lang::Hi).starts_with("डिस्ट्रिक्ट: Booking."));
    }
}

//! Money as text and as speech.

use crate::i18n::{tr_with, Arg, Lang};
use crate::money;

/// What a screen reader should say: "250 rupees" rather than "₹250" ("250 रुपये").
pub fn spoken(lang: Lang, minor: i64, currency: &str) -> String {
    if currency != "INR" {
        return money::format(minor, currency);
    }
    let rupees = money::format(minor, currency)
        .trim_start_matches('₹')
        .to_owned();
    tr_with(lang, "rupees-spoken", &[("amount", Arg::Text(&rupees))])
}

#[cfg(test)]
mod tests {
    #[test]
    fn rupees_are_spoken_in_words() {
        use crate::i18n::Lang;
        assert_eq!(super::spoken(Lang::En, 25_000, "INR"), "250 rupees");
        assert_eq!(
            super::spoken(Lang::En, 123_456_750, "INR"),
            "12,34,567.50 rupees"
        );
        assert_eq!(super::spoken(Lang::Hi, 25_000, "INR"), "250 रुपये");
        assert_eq!(super::spoken(Lang::En, 1_000, "USD"), "USD 10");
    }
}

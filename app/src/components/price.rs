//! Money as text and as speech.

use crate::money;

/// What a screen reader should say: "250 rupees" rather than "₹250".
pub fn spoken(minor: i64, currency: &str) -> String {
    if currency != "INR" {
        return money::format(minor, currency);
    }
    let rupees = money::format(minor, currency)
        .trim_start_matches('₹')
        .to_owned();
    format!("{rupees} rupees")
}

#[cfg(test)]
mod tests {
    #[test]
    fn rupees_are_spoken_in_words() {
        assert_eq!(super::spoken(25_000, "INR"), "250 rupees");
        assert_eq!(super::spoken(123_456_750, "INR"), "12,34,567.50 rupees");
        assert_eq!(super::spoken(1_000, "USD"), "USD 10");
    }
}

//! Money as people read it: rupees with Indian digit grouping (₹1,23,456), other currencies
//! by their code with thousands grouping.

/// Minor units (paise) of INR to display text; other currencies keep their code.
pub fn format(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    let (whole, fraction) = (minor / 100, minor % 100);
    let grouped = if currency == "INR" {
        group_indian(whole)
    } else {
        group_thousands(whole)
    };
    let amount = if fraction == 0 {
        grouped
    } else {
        format!("{grouped}.{fraction:02}")
    };
    match currency {
        "INR" => format!("{sign}₹{amount}"),
        other => format!("{sign}{other} {amount}"),
    }
}

/// Minor units as a plain decimal in major units ("-1234.50"), for files machines read.
pub fn plain(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

/// A count as both languages write it: 1234567 -> "12,34,567".
pub fn count(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group_indian(n.unsigned_abs()))
}

/// 1234567 -> "12,34,567": the last three digits, then groups of two.
fn group_indian(n: u64) -> String {
    let digits = n.to_string();
    if digits.len() <= 3 {
        return digits;
    }
    let (head, tail) = digits.split_at(digits.len() - 3);
    let mut groups: Vec<&str> = Vec::new();
    let mut rest = head;
    while rest.len() > 2 {
        let (left, right) = rest.split_at(rest.len() - 2);
        groups.push(right);
        rest = left;
    }
    groups.push(rest);
    groups.reverse();
    format!("{},{tail}", groups.join(","))
}

/// 1234567 -> "1,234,567".
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_amounts_are_major_units_with_two_decimals() {
        assert_eq!(plain(53_540), "535.40");
        assert_eq!(plain(5), "0.05");
        assert_eq!(plain(-3_540), "-35.40");
    }

    #[test]
    fn rupees_use_indian_grouping() {
        assert_eq!(format(25_000, "INR"), "₹250");
        assert_eq!(format(123_456_700, "INR"), "₹12,34,567");
        assert_eq!(format(100_050, "INR"), "₹1,000.50");
        assert_eq!(format(99, "INR"), "₹0.99");
        assert_eq!(format(-5_000, "INR"), "-₹50");
        assert_eq!(format(1_000_000_000, "USD"), "USD 10,000,000");
    }
}

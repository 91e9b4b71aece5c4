//! What food and drinks add to a booking. Each line's tax is its price times its quantity at
//! the item's GST rate, rounded half up to the minor unit (as the database checks each line);
//! offers never take anything off food.

use super::{BookingItem, FoodTax};
use crate::booking::Amount;

/// A booking's food, before and of tax.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FoodLines {
    pub food: i64,
    pub food_tax: i64,
}

/// The tax on `quantity` of an item at `unit_price`.
pub fn line_tax(unit_price: i64, quantity: i32, tax: FoodTax) -> i64 {
    (unit_price * i64::from(quantity) * tax.percent() + 50) / 100
}

/// The food lines of `items`.
pub fn food_lines(items: &[BookingItem]) -> FoodLines {
    items
        .iter()
        .fold(FoodLines::default(), |sum, item| FoodLines {
            food: sum.food + item.unit_price * i64::from(item.quantity),
            food_tax: sum.food_tax + line_tax(item.unit_price, item.quantity, item.tax),
        })
}

/// `amount` with its food replaced by `lines`.
pub fn with_food(amount: &Amount, lines: FoodLines) -> Amount {
    Amount {
        food: lines.food,
        food_tax: lines.food_tax,
        total: amount.total - amount.food - amount.food_tax + lines.food + lines.food_tax,
        ..amount.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(unit_price: i64, quantity: i32, tax: FoodTax) -> BookingItem {
        BookingItem::priced("Popcorn", None, quantity, unit_price, tax)
    }

    #[test]
    fn line_tax_rounds_half_up_per_line() {
        // 5% of ₹2.10 is 10.5 paise: 11. 18% of 3 × ₹0.25 is 13.5 paise: 14.
        assert_eq!(line_tax(210, 1, FoodTax::Gst5), 11);
        assert_eq!(line_tax(25, 3, FoodTax::Gst18), 14);
        assert_eq!(line_tax(9_999, 2, FoodTax::Exempt), 0);
        assert_eq!(line_tax(29_000, 2, FoodTax::Gst5), 2_900);
    }

    #[test]
    fn food_adds_to_the_total_and_replaces_what_was_there() {
        let amount = Amount {
            subtotal: 50_000,
            convenience_fee: 6_000,
            tax: 1_080,
            food: 0,
            food_tax: 0,
            discount: 10_000,
            total: 47_080,
            currency: "INR".into(),
        };
        let lines = food_lines(&[item(29_000, 2, FoodTax::Gst5), item(210, 1, FoodTax::Gst18)]);
        assert_eq!(
            lines,
            FoodLines {
                food: 58_210,
                food_tax: 2_938
            }
        );
        let fed = with_food(&amount, lines);
        assert_eq!(fed.total, 47_080 + 58_210 + 2_938);
        assert_eq!(fed.gross() - fed.discount, fed.total);
        let emptied = with_food(&fed, FoodLines::default());
        assert_eq!(emptied, amount);
    }
}

//! The ticket PDF read back by independent readers: `lopdf` for the file and its text, `rqrr`
//! for the QR code drawn on its page.

use super::*;
use lopdf::{content::Content, Document, Object};

fn read(pdf: &[u8]) -> Document {
    Document::load_mem(pdf).expect("a PDF any reader opens")
}

#[test]
fn the_pdf_says_what_the_booking_page_says() {
    let (booking, token) = sample();
    let pdf = ticket_pdf(&booking, &token);
    assert!(pdf.starts_with(b"%PDF-1.4"));
    let doc = read(&pdf);
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 1);
    let text = doc.extract_text(&[1]).unwrap();
    for expected in [
        "DISTRICT  E-TICKET",
        "The Long Night of the Monsoon",
        "IMAX 2D | Hindi",
        "Galaxy Cinemas, Andheri",
        "Fri 28 Nov, 7:45 PM | Audi 2",
        "Seats: F7, F8",
        "DST7K2Q9",
        "Rs. 500",
        "Rs. 535.40",
        "Total",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text:?}");
    }
    assert!(
        !text.contains("Director"),
        "a title too long for its line is clipped: {text:?}"
    );
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .unwrap();
    let title = doc.get_dictionary(info).unwrap().get(b"Title").unwrap();
    assert_eq!(title.as_str().unwrap(), b"District ticket DST7K2Q9");
}

#[test]
fn the_qr_code_on_the_page_scans_back_to_the_token() {
    let (booking, token) = sample();
    let doc = read(&ticket_pdf(&booking, &token));
    let page = doc.get_pages()[&1];
    let content = Content::decode(&doc.get_page_content(page)).unwrap();
    let squares: Vec<[f32; 4]> = content
        .operations
        .iter()
        .filter(|op| op.operator == "re")
        .map(|op| {
            let n: Vec<f32> = op.operands.iter().map(|o| o.as_float().unwrap()).collect();
            [n[0], n[1], n[2], n[3]]
        })
        .collect();
    assert!(squares.len() > 100, "{} squares", squares.len());
    // Painted at 4 pixels a point, white paper first, as a phone would see the printout.
    const SCALE: f32 = 4.0;
    let side = (WIDTH * SCALE) as usize;
    let rows = (HEIGHT * SCALE) as usize;
    let mut paper = vec![255u8; side * rows];
    for [x, y, w, h] in squares {
        let (x0, x1) = (
            (x * SCALE).round() as usize,
            ((x + w) * SCALE).round() as usize,
        );
        let top = ((HEIGHT - y - h) * SCALE).round() as usize;
        let bottom = ((HEIGHT - y) * SCALE).round() as usize;
        for row in top..bottom {
            paper[row * side + x0..row * side + x1].fill(0);
        }
    }
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(side, rows, |x, y| paper[y * side + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one code on the page");
    let (_, read) = grids[0].decode().unwrap();
    assert_eq!(read, token);
}

#[test]
fn text_is_escaped_and_written_in_the_fonts_encoding() {
    assert_eq!(escape("(₹5) \\ x"), "\\(Rs. 5\\) \\\\ x");
    assert_eq!(encode("Café – “Ek” …"), b"Caf\xe9 \x96 \x93Ek\x94 \x85");
    assert_eq!(encode("बाहुबली"), b"???????");
    assert_eq!(clip("Short"), "Short");
    assert_eq!(clip(&"A".repeat(40)).chars().count(), TITLE_CHARS);
}

#[test]
fn food_and_drinks_are_priced_and_listed_for_the_counter() {
    use crate::food::{food_lines, with_food, BookingItem, FoodTax};
    let (mut booking, token) = sample();
    booking.items = vec![
        BookingItem::priced("Popcorn", Some("Large"), 2, 29_000, FoodTax::Gst5),
        BookingItem::priced("Cola", None, 1, 15_000, FoodTax::Gst18),
    ];
    booking.amount = with_food(&booking.amount, food_lines(&booking.items));
    let text = read(&ticket_pdf(&booking, &token))
        .extract_text(&[1])
        .unwrap();
    // 2 × ₹290 at 5% and ₹150 at 18%: ₹730 and ₹56 of GST; ₹535.40 + ₹786 in all.
    for expected in [
        "Food and drinks with GST",
        "Rs. 786",
        "Convenience fee with GST",
        "Rs. 1,321.40",
        "At the food counter: 2 x Popcorn \\(Large\\), 1 x Cola",
    ] {
        let expected = expected.replace("\\(", "(").replace("\\)", ")");
        assert!(text.contains(&expected), "{expected:?} in {text:?}");
    }
}

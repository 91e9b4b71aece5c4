//! The e-ticket as a one-page PDF to keep or print: what the booking page shows (movie,
//! theater, screen, show time at the theater, seats, price lines, booking code) around the
//! ticket's QR code. Written directly (PDF 1.4, the standard fonts every reader has, the QR
//! code as filled squares), so it needs no font files and no PDF library. The standard fonts
//! speak Windows-1252: the rupee sign becomes "Rs. ", other text outside it a "?". So its words
//! come from the English catalogue whatever the reader's language (Devanagari would need an
//! embedded font and a text shaper).

use super::{ticket::qr, Actor, Booking, BookingError, Bookings};
use crate::{
    i18n::{tr, tr_with, Arg, Lang},
    ids::BookingId,
    money,
};
use std::fmt::Write;

/// A6 portrait, in points.
const WIDTH: f32 = 298.0;
const HEIGHT: f32 = 420.0;
const MARGIN: f32 = 22.0;
/// The QR code's side, quiet zone included.
const QR_SIDE: f32 = 170.0;
/// Characters that fit a line at the title's size.
const TITLE_CHARS: usize = 30;
/// Characters that fit a line at the note's size.
const NOTE_CHARS: usize = 64;

impl Bookings {
    /// A confirmed booking's ticket as a PDF, for whoever may see the booking.
    pub async fn ticket_pdf(
        &self,
        actor: Actor,
        booking: BookingId,
    ) -> Result<(Booking, Vec<u8>), BookingError> {
        let issued = self.ticket(actor, booking).await?;
        let booking = self.get(actor, booking).await?;
        let pdf = ticket_pdf(&booking, &issued.token);
        Ok((booking, pdf))
    }
}

/// The PDF of `booking`'s ticket, its QR code carrying `token`.
pub fn ticket_pdf(booking: &Booking, token: &str) -> Vec<u8> {
    let mut page = Page::default();
    let show = &booking.show;
    let left = MARGIN;
    let say = |id: &str| tr(Lang::En, id);
    page.text(Font::Bold, 11.0, left, HEIGHT - 34.0, &say("pdf-heading"));
    page.text(
        Font::Bold,
        16.0,
        left,
        HEIGHT - 60.0,
        &clip(&show.movie_title),
    );
    let what = format!("{} | {}", show.format, show.language);
    page.text(Font::Regular, 10.0, left, HEIGHT - 76.0, &what);
    page.text(Font::Regular, 10.0, left, HEIGHT - 92.0, &show.theater_name);
    let when = format!("{} | {}", show.local_time, show.screen_name);
    page.text(Font::Bold, 10.0, left, HEIGHT - 108.0, &when);
    let seats: Vec<&str> = booking.seats.iter().map(|s| s.label.as_str()).collect();
    let seats = tr_with(
        Lang::En,
        "pdf-seats",
        &[("seats", Arg::Text(&seats.join(", ")))],
    );
    page.text(Font::Regular, 10.0, left, HEIGHT - 124.0, &seats);

    let bottom = HEIGHT - 136.0 - QR_SIDE;
    page.qr(token, (WIDTH - QR_SIDE) / 2.0, bottom);
    let code_width = booking.code.len() as f32 * 0.6 * 16.0;
    let code_y = bottom - 18.0;
    page.text(
        Font::Mono,
        16.0,
        (WIDTH - code_width) / 2.0,
        code_y,
        &booking.code,
    );

    let amount = &booking.amount;
    // Five lines fit between the code and the note: with food, the fee and the food are each
    // one line with their tax, and the items go in the note.
    let mut lines = vec![("pdf-tickets", amount.subtotal)];
    if booking.items.is_empty() {
        lines.push(("booking-fee", amount.convenience_fee));
        lines.push(("booking-fee-gst", amount.tax));
    } else {
        lines.push(("pdf-fee-with-gst", amount.convenience_fee + amount.tax));
        lines.push(("pdf-food-with-gst", amount.food + amount.food_tax));
    }
    if amount.discount > 0 {
        lines.push(("booking-discount", -amount.discount));
    }
    lines.push(("booking-total", amount.total));
    let mut y = code_y - 22.0;
    for (id, minor) in lines {
        let font = if id == "booking-total" {
            Font::Bold
        } else {
            Font::Regular
        };
        let price = money::format(minor, &amount.currency);
        page.text(font, 9.0, left, y, &say(id));
        page.text(font, 9.0, WIDTH - MARGIN - 70.0, y, &price);
        y -= 12.0;
    }
    let note = if booking.items.is_empty() {
        say("pdf-entrance")
    } else {
        let items = booking.food_labels();
        let note = tr_with(Lang::En, "pdf-food", &[("items", Arg::Text(&items))]);
        clip_to(&note, NOTE_CHARS)
    };
    page.text(Font::Regular, 7.5, left, 14.0, &note);
    let title = tr_with(Lang::En, "pdf-title", &[("code", Arg::Text(&booking.code))]);
    page.finish(&title)
}

/// A title longer than a line ends in an ellipsis.
fn clip(text: &str) -> String {
    clip_to(text, TITLE_CHARS)
}

fn clip_to(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let kept: String = text.chars().take(chars - 1).collect();
    format!("{}\u{2026}", kept.trim_end())
}

#[derive(Clone, Copy)]
enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
            Font::Mono => "F3",
        }
    }
}

/// The page's content stream, in PDF's drawing operators.
#[derive(Default)]
struct Page {
    content: String,
}

impl Page {
    fn text(&mut self, font: Font, size: f32, x: f32, y: f32, text: &str) {
        let _ = writeln!(
            self.content,
            "BT /{} {size} Tf {x:.1} {y:.1} Td ({}) Tj ET",
            font.resource(),
            escape(text)
        );
    }

    /// The code's dark modules as squares (a row's runs as one rectangle each), inside a quiet
    /// zone of four modules, with the origin at the bottom left corner of the zone.
    fn qr(&mut self, token: &str, x: f32, y: f32) {
        let code = qr(token);
        let (modules, colors) = (code.width(), code.to_colors());
        let unit = QR_SIDE / (modules + 8) as f32;
        let _ = writeln!(self.content, "0 g");
        for row in 0..modules {
            let top = y + QR_SIDE - (row + 4) as f32 * unit;
            let mut column = 0;
            while column < modules {
                let dark = |c: usize| colors[row * modules + c] == qrcode::Color::Dark;
                if !dark(column) {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < modules && dark(column) {
                    column += 1;
                }
                let left = x + (start + 4) as f32 * unit;
                let run = (column - start) as f32 * unit;
                let _ = writeln!(
                    self.content,
                    "{left:.3} {:.3} {run:.3} {unit:.3} re",
                    top - unit
                );
            }
        }
        let _ = writeln!(self.content, "f");
    }

    /// The whole file: catalog, page tree, page, fonts, content, info, cross-reference table.
    fn finish(self, title: &str) -> Vec<u8> {
        let font = |name: &str| {
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>"
            )
        };
        let content = encode(&self.content);
        let objects: Vec<Vec<u8>> = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] \
                 /Resources << /Font << /F1 4 0 R /F2 5 0 R /F3 6 0 R >> >> /Contents 7 0 R >>"
            )
            .into_bytes(),
            font("Helvetica").into_bytes(),
            font("Helvetica-Bold").into_bytes(),
            font("Courier-Bold").into_bytes(),
            [
                format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(),
                content,
                b"\nendstream".to_vec(),
            ]
            .concat(),
            [
                b"<< /Title (".to_vec(),
                encode(&escape(title)),
                b") /Producer (District) >>".to_vec(),
            ]
            .concat(),
        ];
        let mut file = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (number, object) in (1..).zip(&objects) {
            offsets.push(file.len());
            file.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
            file.extend_from_slice(object);
            file.extend_from_slice(b"\nendobj\n");
        }
        let xref = file.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for offset in offsets {
            let _ = writeln!(table, "{offset:010} 00000 n ");
        }
        let _ = write!(
            table,
            "trailer\n<< /Size {} /Root 1 0 R /Info 8 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        );
        file.extend_from_slice(table.as_bytes());
        file
    }
}

/// A literal string's special characters escaped.
fn escape(text: &str) -> String {
    text.replace('\u{20b9}', "Rs. ")
        .replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

/// Text as Windows-1252 bytes, what the standard fonts are set to read.
fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{20ac}' => 0x80,
            '\u{2026}' => 0x85,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            c if (c as u32) < 0x80 || (0xa0..=0xff).contains(&(c as u32)) => c as u8,
            _ => b'?',
        })
        .collect()
}

/// For tests: the ticket a booking's PDF would carry.
#[cfg(test)]
fn sample() -> (Booking, String) {
    use super::{
        ticket::{Ticket, TicketKeys},
        Amount, BookedSeat, BookingShow, BookingStatus,
    };
    let show = BookingShow {
        show_id: uuid::Uuid::from_u128(7).into(),
        movie_title: "The Long Night of the Monsoon (Director’s Cut)".into(),
        movie_slug: "monsoon".into(),
        theater_name: "Galaxy Cinemas, Andheri".into(),
        screen_name: "Audi 2".into(),
        format: "IMAX 2D".into(),
        language: "Hindi".into(),
        starts_at: chrono::Utc::now(),
        local_time: "Fri 28 Nov, 7:45 PM".into(),
        local_starts: chrono::NaiveDate::from_ymd_opt(2025, 11, 28)
            .and_then(|d| d.and_hms_opt(19, 45, 0))
            .unwrap_or_default(),
    };
    let seat = |label: &str| BookedSeat {
        seat_id: uuid::Uuid::new_v4().into(),
        label: label.into(),
        category: "Prime".into(),
        price: 25_000,
    };
    let booking = Booking {
        booking_id: uuid::Uuid::from_u128(9).into(),
        code: "DST7K2Q9".into(),
        status: BookingStatus::Confirmed,
        hold_expires_at: chrono::Utc::now(),
        show,
        seats: vec![seat("F7"), seat("F8")],
        amount: Amount {
            subtotal: 50_000,
            convenience_fee: 3_000,
            tax: 540,
            food: 0,
            food_tax: 0,
            discount: 0,
            total: 53_540,
            currency: "INR".into(),
        },
        offers: Vec::new(),
        items: Vec::new(),
        confirmed_at: None,
        cancelled_at: None,
        refund_due: 0,
        created_at: chrono::Utc::now(),
    };
    let ticket = Ticket {
        booking: booking.booking_id,
        show: booking.show.show_id,
        seats: vec!["F7".into(), "F8".into()],
        valid_until: chrono::Utc::now().timestamp() + 86_400,
    };
    let token = TicketKeys::from_seed(&[3; 32]).issue(&ticket);
    (booking, token)
}

#[cfg(test)]
#[path = "ticket_pdf_tests.rs"]
mod tests;

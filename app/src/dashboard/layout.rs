//! A screen's seat layout as theaters import, export and edit it: a grid, ranked categories
//! and every seat with its cell, row label, number, category and kind. Seats keep their ids
//! across edits (matched by id, else by row and number), so tickets and past shows stay
//! whole. Checked here, field by field, before anything is written.

use crate::{catalog::SeatKind, error::FieldErrors, i18n::Text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

pub const MAX_ROWS: i32 = 60;
pub const MAX_COLUMNS: i32 = 80;
pub const MAX_RANK: i32 = 1000;

/// A seat category, 1 the most premium.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct LayoutCategory {
    pub name: String,
    pub rank: i32,
}

/// One seat of a layout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct LayoutSeatSpec {
    /// The seat's id once it exists; leave it out for a new seat (a seat whose row and number
    /// match an existing one keeps that one's id).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// `A` to `ZZ`.
    pub row: String,
    pub number: i32,
    /// The seat's cell, from 0 at the top left (the screen is above row 0).
    pub grid_row: i32,
    pub grid_col: i32,
    pub category: String,
    #[serde(default = "standard")]
    pub kind: SeatKind,
}

fn standard() -> SeatKind {
    SeatKind::Standard
}

/// A screen as its theater lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct ScreenSummary {
    pub id: Uuid,
    pub name: String,
    /// Seats in use.
    pub seats: i64,
    /// Kept free between one show's end and the next one's start.
    pub cleaning_minutes: i32,
    /// `2D`, `3D`, `IMAX 2D`, `IMAX 3D`, `4DX`, `ScreenX`.
    pub formats: Vec<String>,
}

/// A screen to add to a theater, with its layout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewScreen {
    pub name: String,
    /// 15 when left out.
    #[serde(default)]
    pub cleaning_minutes: Option<i32>,
    /// `2D` when left out.
    #[serde(default)]
    pub formats: Vec<String>,
    pub layout: ScreenLayout,
}

pub const FORMATS: [&str; 6] = ["2D", "3D", "IMAX 2D", "IMAX 3D", "4DX", "ScreenX"];

impl NewScreen {
    /// Every problem with the screen and its layout (`layout.seats[0].row`, ...).
    pub fn problems(&self) -> FieldErrors {
        let mut errors: FieldErrors = self
            .layout
            .problems()
            .into_iter()
            .map(|(field, message)| (format!("layout.{field}"), message))
            .collect();
        let name = self.name.trim();
        if name.is_empty() || name.len() > 60 {
            errors.insert("name".into(), Text::new("err-name-60"));
        }
        if self
            .cleaning_minutes
            .is_some_and(|m| !(0..=120).contains(&m))
        {
            errors.insert("cleaning_minutes".into(), Text::new("err-cleaning"));
        }
        if let Some(odd) = self.formats.iter().find(|f| !FORMATS.contains(&f.as_str())) {
            let message = Text::new("err-not-a-format")
                .arg("format", odd.as_str())
                .arg("formats", FORMATS.join(", "));
            errors.insert("formats".into(), message);
        }
        errors
    }
}

/// A whole layout: the shape of `GET`/`PUT /api/v1/admin/screens/{id}/layout`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScreenLayout {
    pub rows: i32,
    pub columns: i32,
    /// Most premium first.
    pub categories: Vec<LayoutCategory>,
    /// Row by row, left to right.
    pub seats: Vec<LayoutSeatSpec>,
    /// Prices (minor units) for categories that future shows of the screen have no price for
    /// yet; needed only when an edit gives such a category its first seats.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub new_prices: BTreeMap<String, i64>,
}

impl ScreenLayout {
    /// Every problem with the layout, by field (`seats[3].grid_col`, ...); empty when sound.
    pub fn problems(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let mut say = |field: String, message: Text| {
            errors.entry(field).or_insert(message);
        };
        if !(1..=MAX_ROWS).contains(&self.rows) {
            say("rows".into(), Text::new("err-rows").arg("max", MAX_ROWS));
        }
        if !(1..=MAX_COLUMNS).contains(&self.columns) {
            say(
                "columns".into(),
                Text::new("err-columns").arg("max", MAX_COLUMNS),
            );
        }
        let (mut names, mut ranks) = (HashSet::new(), HashSet::new());
        for (i, category) in self.categories.iter().enumerate() {
            let name = category.name.trim();
            if name.is_empty() || name.len() > 40 {
                say(format!("categories[{i}].name"), Text::new("err-name-40"));
            } else if !names.insert(name) {
                say(
                    format!("categories[{i}].name"),
                    Text::new("err-listed-twice").arg("name", name),
                );
            }
            if !(1..=MAX_RANK).contains(&category.rank) || !ranks.insert(category.rank) {
                let message = Text::new("err-ranks").arg("max", MAX_RANK);
                say(format!("categories[{i}].rank"), message);
            }
        }
        if self.seats.is_empty() {
            say("seats".into(), Text::new("err-no-seats"));
        }
        let (mut cells, mut labels, mut ids) = (HashSet::new(), HashSet::new(), HashSet::new());
        for (i, seat) in self.seats.iter().enumerate() {
            let at = |field: &str| format!("seats[{i}].{field}");
            let label = format!("{}{}", seat.row, seat.number);
            if !valid_row(&seat.row) {
                say(at("row"), Text::new("err-row"));
            }
            if !(1..=999).contains(&seat.number) {
                say(at("number"), Text::new("err-seat-number"));
            }
            if !(0..self.rows).contains(&seat.grid_row) {
                say(
                    at("grid_row"),
                    Text::new("err-outside-rows")
                        .arg("seat", label.as_str())
                        .arg("rows", self.rows),
                );
            }
            if !(0..self.columns).contains(&seat.grid_col) {
                let message = Text::new("err-outside-columns")
                    .arg("seat", label.as_str())
                    .arg("columns", self.columns);
                say(at("grid_col"), message);
            }
            if !cells.insert((seat.grid_row, seat.grid_col)) {
                let message = Text::new("err-cell-taken").arg("seat", label.as_str());
                say(at("grid_col"), message);
            }
            if !labels.insert((seat.row.as_str(), seat.number)) {
                say(
                    at("number"),
                    Text::new("err-seat-twice-named").arg("seat", label),
                );
            }
            if seat.id.is_some_and(|id| !ids.insert(id)) {
                say(at("id"), Text::new("err-seat-id-twice"));
            }
            if !names.contains(seat.category.trim()) {
                let message =
                    Text::new("err-not-a-category").arg("category", seat.category.as_str());
                say(at("category"), message);
            }
        }
        for (name, price) in &self.new_prices {
            if *price <= 0 {
                say(
                    format!("new_prices.{name}"),
                    Text::new("err-price-above-zero"),
                );
            }
        }
        errors
    }

    /// Grid columns with no seat in any row, between seats: the walkways.
    pub fn aisles(&self) -> Vec<i32> {
        let used: HashSet<i32> = self.seats.iter().map(|s| s.grid_col).collect();
        let (Some(&first), Some(&last)) = (used.iter().min(), used.iter().max()) else {
            return Vec::new();
        };
        (first..=last).filter(|c| !used.contains(c)).collect()
    }
}

fn valid_row(row: &str) -> bool {
    (1..=2).contains(&row.len()) && row.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(row: &str, number: i32, grid_row: i32, grid_col: i32) -> LayoutSeatSpec {
        LayoutSeatSpec {
            id: None,
            row: row.into(),
            number,
            grid_row,
            grid_col,
            category: "Prime".into(),
            kind: SeatKind::Standard,
        }
    }

    fn layout(seats: Vec<LayoutSeatSpec>) -> ScreenLayout {
        ScreenLayout {
            rows: 2,
            columns: 5,
            categories: vec![LayoutCategory {
                name: "Prime".into(),
                rank: 1,
            }],
            seats,
            new_prices: BTreeMap::new(),
        }
    }

    #[test]
    fn a_sound_layout_has_no_problems_and_knows_its_aisles() {
        let sound = layout(vec![
            seat("A", 1, 0, 0),
            seat("A", 2, 0, 1),
            seat("A", 3, 0, 3),
        ]);
        assert!(sound.problems().is_empty(), "{:?}", sound.problems());
        assert_eq!(sound.aisles(), vec![2]);
    }

    #[test]
    fn each_bad_seat_is_named_by_its_field() {
        let mut bad = layout(vec![
            seat("A", 1, 0, 0),
            seat("A", 1, 0, 1),
            seat("a", 2, 0, 0),
            seat("B", 1, 5, 9),
        ]);
        bad.seats[3].category = "Gold".into();
        let problems = bad.problems();
        assert_eq!(
            problems["seats[1].number"].to_string(),
            "There are two seats A1."
        );
        assert_eq!(
            problems["seats[2].row"].to_string(),
            "A row is one or two capital letters."
        );
        assert_eq!(
            problems["seats[2].grid_col"].to_string(),
            "a2 is in a cell another seat has."
        );
        assert_eq!(
            problems["seats[3].grid_row"].to_string(),
            "B1 is outside the grid's 2 rows."
        );
        assert_eq!(
            problems["seats[3].grid_col"].to_string(),
            "B1 is outside the grid's 5 columns."
        );
        assert_eq!(
            problems["seats[3].category"].to_string(),
            "Gold is not one of the categories."
        );
        assert!(!problems.contains_key("seats[0].number"));
    }

    #[test]
    fn categories_and_the_grid_are_checked() {
        let mut bad = layout(vec![]);
        bad.rows = 0;
        bad.categories.push(LayoutCategory {
            name: "Prime".into(),
            rank: 1,
        });
        let problems = bad.problems();
        assert!(problems.contains_key("rows"));
        assert!(problems.contains_key("seats"));
        assert_eq!(
            problems["categories[1].name"].to_string(),
            "Prime is listed twice."
        );
        assert!(problems.contains_key("categories[1].rank"));
    }
}

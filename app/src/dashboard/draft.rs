//! The layout editor's working copy: a grid whose cells are seats (a category, a kind, and the
//! seat's id once saved) or empty (aisles and gaps). Admins draw; row letters and seat numbers
//! follow from the drawing, so they are never out of step with it: rows that have seats are
//! lettered from the screen (or from the back), seats numbered from the left (or the right).
//! A row may be given a name of its own instead (theaters that skip I and O, say).

use super::layout::{LayoutCategory, LayoutSeatSpec, ScreenLayout, MAX_COLUMNS, MAX_ROWS};
use crate::catalog::SeatKind;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lettering {
    /// Row A is nearest the screen.
    FromScreen,
    FromBack,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbering {
    LeftToRight,
    RightToLeft,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub category: String,
    pub kind: SeatKind,
    /// The saved seat drawn here, which keeps its id across edits.
    pub id: Option<Uuid>,
}

/// What a click or a key press on a cell does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Brush {
    /// A seat of this category (a new seat, or a repainted one).
    Category(String),
    /// A seat of this kind; a new one takes the first category.
    Kind(SeatKind),
    /// No seat: an aisle or a gap.
    Erase,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub rows: i32,
    pub columns: i32,
    /// Most premium first.
    pub categories: Vec<String>,
    pub cells: BTreeMap<(i32, i32), Cell>,
    pub lettering: Lettering,
    pub numbering: Numbering,
    /// Rows named by the admin, by grid row; the others take their letter from the order.
    pub row_names: BTreeMap<i32, String>,
    /// Carried through from an imported layout (prices for a category's first seats).
    pub new_prices: BTreeMap<String, i64>,
}

impl Draft {
    /// A full grid of one category: where a new screen starts.
    pub fn new(rows: i32, columns: i32, category: &str) -> Self {
        let mut draft = Self {
            rows: 0,
            columns: 0,
            categories: vec![category.to_owned()],
            cells: BTreeMap::new(),
            lettering: Lettering::FromScreen,
            numbering: Numbering::LeftToRight,
            row_names: BTreeMap::new(),
            new_prices: BTreeMap::new(),
        };
        draft.resize(rows, columns);
        for r in 0..draft.rows {
            for c in 0..draft.columns {
                draft.paint(r, c, &Brush::Category(category.to_owned()));
            }
        }
        draft
    }

    /// A saved layout, its lettering and numbering read from its labels.
    pub fn from_layout(layout: &ScreenLayout) -> Self {
        let mut categories = layout.categories.clone();
        categories.sort_by_key(|c| c.rank);
        let cells = layout
            .seats
            .iter()
            .map(|s| {
                let cell = Cell {
                    category: s.category.clone(),
                    kind: s.kind,
                    id: s.id,
                };
                ((s.grid_row, s.grid_col), cell)
            })
            .collect();
        let mut by_cell: Vec<&LayoutSeatSpec> = layout.seats.iter().collect();
        by_cell.sort_by_key(|s| (s.grid_row, s.grid_col));
        let order = |a: &str, b: &str| (a.len(), a) > (b.len(), b);
        let lettering = match (by_cell.first(), by_cell.last()) {
            (Some(top), Some(bottom)) if order(&top.row, &bottom.row) => Lettering::FromBack,
            _ => Lettering::FromScreen,
        };
        let descending = by_cell
            .windows(2)
            .find(|pair| pair[0].grid_row == pair[1].grid_row)
            .is_some_and(|pair| pair[0].number > pair[1].number);
        let mut draft = Self {
            rows: layout.rows,
            columns: layout.columns,
            categories: categories.into_iter().map(|c| c.name).collect(),
            cells,
            lettering,
            numbering: if descending {
                Numbering::RightToLeft
            } else {
                Numbering::LeftToRight
            },
            row_names: BTreeMap::new(),
            new_prices: layout.new_prices.clone(),
        };
        let derived = draft.labels();
        for seat in &layout.seats {
            let key = (seat.grid_row, seat.grid_col);
            if derived.get(&key).is_some_and(|(row, _)| *row != seat.row) {
                draft.row_names.insert(seat.grid_row, seat.row.clone());
            }
        }
        draft
    }

    /// Names a grid row (upper-cased); an empty name gives the row its derived letter back.
    pub fn name_row(&mut self, row: i32, name: &str) {
        let name = name.trim().to_uppercase();
        if name.is_empty() {
            self.row_names.remove(&row);
        } else {
            self.row_names.insert(row, name);
        }
    }

    /// The letter a row takes from the order when it has no name of its own.
    pub fn derived_letters(&self) -> BTreeMap<i32, String> {
        let mut rows: Vec<i32> = self.cells.keys().map(|(r, _)| *r).collect();
        rows.dedup();
        if self.lettering == Lettering::FromBack {
            rows.reverse();
        }
        rows.into_iter()
            .enumerate()
            .map(|(index, row)| (row, row_letter(index)))
            .collect()
    }

    /// Grows or shrinks the grid (within its limits); seats outside it go.
    pub fn resize(&mut self, rows: i32, columns: i32) {
        self.rows = rows.clamp(1, MAX_ROWS);
        self.columns = columns.clamp(1, MAX_COLUMNS);
        let (rows, columns) = (self.rows, self.columns);
        self.cells.retain(|(r, c), _| *r < rows && *c < columns);
        self.row_names.retain(|r, _| *r < rows);
    }

    pub fn paint(&mut self, row: i32, col: i32, brush: &Brush) {
        if !(0..self.rows).contains(&row) || !(0..self.columns).contains(&col) {
            return;
        }
        let first = self.categories.first().cloned().unwrap_or_default();
        match brush {
            Brush::Erase => {
                self.cells.remove(&(row, col));
            }
            Brush::Category(category) => {
                let cell = self.cells.entry((row, col)).or_insert_with(|| Cell {
                    category: category.clone(),
                    kind: SeatKind::Standard,
                    id: None,
                });
                cell.category = category.clone();
            }
            Brush::Kind(kind) => {
                let cell = self.cells.entry((row, col)).or_insert_with(|| Cell {
                    category: first,
                    kind: *kind,
                    id: None,
                });
                cell.kind = *kind;
            }
        }
    }

    /// Adds a category below the others; false when the name is empty or taken.
    pub fn add_category(&mut self, name: &str) -> bool {
        let name = name.trim();
        if name.is_empty() || self.categories.iter().any(|c| c == name) {
            return false;
        }
        self.categories.push(name.to_owned());
        true
    }

    /// Removes a category no seat has; false otherwise.
    pub fn remove_category(&mut self, name: &str) -> bool {
        if self.cells.values().any(|c| c.category == name) {
            return false;
        }
        self.categories.retain(|c| c != name);
        true
    }

    /// Each seat's row letter and number, by cell.
    pub fn labels(&self) -> BTreeMap<(i32, i32), (String, i32)> {
        let mut labels = BTreeMap::new();
        for (row, derived) in self.derived_letters() {
            let letter = self.row_names.get(&row).cloned().unwrap_or(derived);
            let mut cols: Vec<i32> = self
                .cells
                .range((row, 0)..(row + 1, 0))
                .map(|(k, _)| k.1)
                .collect();
            if self.numbering == Numbering::RightToLeft {
                cols.reverse();
            }
            for (n, col) in cols.into_iter().enumerate() {
                labels.insert((row, col), (letter.clone(), n as i32 + 1));
            }
        }
        labels
    }

    /// The layout to save or export.
    pub fn layout(&self) -> ScreenLayout {
        let labels = self.labels();
        let seats = self
            .cells
            .iter()
            .map(|(&(grid_row, grid_col), cell)| {
                let (row, number) = labels[&(grid_row, grid_col)].clone();
                LayoutSeatSpec {
                    id: cell.id,
                    row,
                    number,
                    grid_row,
                    grid_col,
                    category: cell.category.clone(),
                    kind: cell.kind,
                }
            })
            .collect();
        let categories = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, name)| LayoutCategory {
                name: name.clone(),
                rank: i as i32 + 1,
            })
            .collect();
        ScreenLayout {
            rows: self.rows,
            columns: self.columns,
            categories,
            seats,
            new_prices: self.new_prices.clone(),
        }
    }
}

/// A, B, ... Z, AA, AB, ...
fn row_letter(index: usize) -> String {
    let letter = |i: usize| char::from(b'A' + (i % 26) as u8);
    if index < 26 {
        letter(index).to_string()
    } else {
        format!("{}{}", letter(index / 26 - 1), letter(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(draft: &Draft, row: i32, col: i32) -> String {
        let (letter, number) = draft.labels()[&(row, col)].clone();
        format!("{letter}{number}")
    }

    #[test]
    fn labels_follow_the_drawing() {
        let mut draft = Draft::new(4, 5, "Prime");
        for row in 0..4 {
            draft.paint(row, 2, &Brush::Erase);
        }
        draft.paint(1, 0, &Brush::Erase);
        for col in 0..5 {
            draft.paint(2, col, &Brush::Erase);
        }
        assert_eq!(label(&draft, 0, 3), "A3");
        assert_eq!(label(&draft, 1, 1), "B1");
        assert_eq!(label(&draft, 3, 4), "C4", "the empty row takes no letter");
        draft.lettering = Lettering::FromBack;
        draft.numbering = Numbering::RightToLeft;
        assert_eq!(label(&draft, 3, 4), "A1");
        assert_eq!(label(&draft, 0, 0), "C4");
        assert!(
            draft.layout().problems().is_empty(),
            "{:?}",
            draft.layout().problems()
        );
    }

    #[test]
    fn a_saved_layout_comes_back_the_same() {
        let mut draft = Draft::new(3, 4, "Classic");
        draft.add_category("Recliner");
        draft.categories.reverse();
        draft.paint(0, 0, &Brush::Category("Recliner".into()));
        draft.paint(2, 3, &Brush::Kind(SeatKind::Wheelchair));
        draft.paint(2, 2, &Brush::Kind(SeatKind::Companion));
        draft.lettering = Lettering::FromBack;
        draft.numbering = Numbering::RightToLeft;
        let mut layout = draft.layout();
        for (i, seat) in layout.seats.iter_mut().enumerate() {
            seat.id = Some(Uuid::from_u128(i as u128 + 1));
        }
        let reopened = Draft::from_layout(&layout);
        assert_eq!(reopened.layout(), layout);
        assert_eq!(reopened.categories, ["Recliner", "Classic"]);
    }

    #[test]
    fn a_named_row_keeps_its_name_and_the_others_their_letters() {
        let mut draft = Draft::new(3, 2, "Classic");
        draft.name_row(1, " j ");
        assert_eq!(label(&draft, 0, 0), "A1");
        assert_eq!(label(&draft, 1, 1), "J2");
        assert_eq!(label(&draft, 2, 0), "C1");
        let reopened = Draft::from_layout(&draft.layout());
        assert_eq!(reopened.row_names, BTreeMap::from([(1, "J".to_owned())]));
        assert_eq!(reopened.layout(), draft.layout());
        draft.name_row(1, "");
        assert_eq!(label(&draft, 1, 1), "B2");
        draft.name_row(2, "A");
        let problems = draft.layout().problems();
        assert!(!problems.is_empty(), "two rows named A clash");
        draft.name_row(2, "A1");
        assert!(
            !draft.layout().problems().is_empty(),
            "a name is letters only"
        );
    }

    #[test]
    fn categories_in_use_stay_and_the_grid_keeps_its_limits() {
        let mut draft = Draft::new(2, 2, "Prime");
        assert!(!draft.add_category(" Prime "));
        assert!(draft.add_category("Gold"));
        assert!(!draft.remove_category("Prime"));
        assert!(draft.remove_category("Gold"));
        draft.resize(1, 500);
        assert_eq!((draft.rows, draft.columns), (1, MAX_COLUMNS));
        assert_eq!(draft.cells.len(), 2);
        draft.paint(5, 5, &Brush::Erase);
        assert_eq!(row_letter(0), "A");
        assert_eq!(row_letter(25), "Z");
        assert_eq!(row_letter(26), "AA");
        assert_eq!(row_letter(53), "BB");
    }
}

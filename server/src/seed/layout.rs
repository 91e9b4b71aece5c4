//! Seat layouts of the demo screens: rows in price bands, aisles, a cross aisle before the
//! recliners and wheelchair spaces with companion seats.

use super::pick;
use uuid::Uuid;

/// A band of rows of one category, front to back.
pub struct Band {
    pub category: &'static str,
    pub rows: i32,
    pub seats: i32,
}

pub struct Template {
    pub seats_per_row: i32,
    /// Seat slots before which a walkway column is left empty.
    pub aisles: &'static [i32],
    /// From the screen backwards; the last band is behind a cross aisle.
    pub bands: &'static [Band],
    pub imax: bool,
}

const fn band(category: &'static str, rows: i32, seats: i32) -> Band {
    Band {
        category,
        rows,
        seats,
    }
}

pub static STUDIO: Template = Template {
    seats_per_row: 12,
    aisles: &[2, 10],
    bands: &[
        band("Classic", 3, 12),
        band("Prime", 3, 12),
        band("Recliner", 2, 8),
    ],
    imax: false,
};
pub static CLASSIC: Template = Template {
    seats_per_row: 18,
    aisles: &[4, 14],
    bands: &[
        band("Classic", 4, 18),
        band("Prime", 6, 18),
        band("Recliner", 2, 12),
    ],
    imax: false,
};
pub static GRAND: Template = Template {
    seats_per_row: 22,
    aisles: &[5, 17],
    bands: &[
        band("Classic", 3, 22),
        band("Prime", 8, 22),
        band("Executive", 3, 22),
        band("Recliner", 2, 14),
    ],
    imax: false,
};
pub static IMAX: Template = Template {
    seats_per_row: 24,
    aisles: &[6, 18],
    bands: &[
        band("Classic", 4, 24),
        band("Prime", 10, 24),
        band("Recliner", 3, 16),
    ],
    imax: true,
};

/// Two to five screens; a city's flagship theater leads with its IMAX.
pub fn screens_for(theater_id: Uuid, flagship: bool) -> Vec<&'static Template> {
    let seed = pick(&["screens", &theater_id.to_string()]);
    let count = 2 + (seed % 4) as usize;
    let mix: [&'static Template; 5] = [&GRAND, &CLASSIC, &STUDIO, &CLASSIC, &STUDIO];
    let rotation = (seed / 4 % 5) as usize;
    let mut screens: Vec<&'static Template> = (0..count).map(|i| mix[(i + rotation) % 5]).collect();
    if flagship {
        screens[0] = &IMAX;
    }
    screens
}

#[derive(Debug)]
pub struct SeatSpec {
    pub row_label: String,
    pub number: i32,
    pub grid_row: i32,
    pub grid_col: i32,
    pub category: &'static str,
    pub kind: &'static str,
}

impl SeatSpec {
    pub fn label(&self) -> String {
        format!("{}{}", self.row_label, self.number)
    }
}

impl Template {
    pub fn grid_columns(&self) -> i32 {
        self.seats_per_row + self.aisles.len() as i32
    }

    pub fn grid_rows(&self) -> i32 {
        self.bands.iter().map(|b| b.rows).sum::<i32>() + 1
    }

    pub fn aisle_columns(&self) -> Vec<i32> {
        self.aisles
            .iter()
            .enumerate()
            .map(|(k, slot)| slot + k as i32)
            .collect()
    }

    /// Category names from the most premium down.
    pub fn categories(&self) -> Vec<&'static str> {
        self.bands.iter().rev().map(|b| b.category).collect()
    }

    pub fn formats(&self) -> Vec<&'static str> {
        if self.imax {
            vec!["IMAX 2D", "IMAX 3D"]
        } else {
            vec!["2D", "3D"]
        }
    }

    pub fn seats(&self) -> Vec<SeatSpec> {
        let mut seats = Vec::new();
        let mut row = 0;
        for (b, band) in self.bands.iter().enumerate() {
            let behind_cross_aisle = i32::from(b + 1 == self.bands.len());
            for r in 0..band.rows {
                let label = row_label(row);
                let accessible_row = b == 0 && r + 1 == band.rows;
                let offset = (self.seats_per_row - band.seats) / 2;
                for k in 0..band.seats {
                    let slot = offset + k;
                    let aisles_before = self.aisles.iter().filter(|a| **a <= slot).count() as i32;
                    let number = k + 1;
                    let kind = match number {
                        n if accessible_row && (n == 1 || n == band.seats) => "wheelchair",
                        n if accessible_row && (n == 2 || n == band.seats - 1) => "companion",
                        _ => "standard",
                    };
                    seats.push(SeatSpec {
                        row_label: label.clone(),
                        number,
                        grid_row: row + behind_cross_aisle,
                        grid_col: slot + aisles_before,
                        category: band.category,
                        kind,
                    });
                }
                row += 1;
            }
        }
        seats
    }
}

fn row_label(index: i32) -> String {
    char::from(b'A' + index as u8).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn layouts_fit_the_brief() {
        for template in [&STUDIO, &CLASSIC, &GRAND, &IMAX] {
            let seats = template.seats();
            assert!((80..=400).contains(&seats.len()), "{} seats", seats.len());
            assert!((3..=4).contains(&template.categories().len()));
            assert_eq!(seats.iter().filter(|s| s.kind == "wheelchair").count(), 2);
            let cells: HashSet<(i32, i32)> =
                seats.iter().map(|s| (s.grid_row, s.grid_col)).collect();
            assert_eq!(cells.len(), seats.len(), "no two seats share a cell");
            let aisles = template.aisle_columns();
            assert!(
                seats.iter().all(|s| !aisles.contains(&s.grid_col)),
                "aisles stay empty"
            );
            assert!(
                seats
                    .iter()
                    .all(|s| s.grid_col < template.grid_columns()
                        && s.grid_row < template.grid_rows())
            );
        }
    }
}

//! Demo data: seven cities, their theaters and screens with real seat layouts, a slate of
//! movies, a week of shows and the demo users.
//!
//! Ids are derived from names (UUID v5) and every insert skips what exists, so seeding twice
//! changes nothing and seeding on a later day only adds that day's shows.

mod data;
mod insert;
mod layout;
mod schedule;

use app::words::slugify;
use chrono::{NaiveDate, Utc};
use data::{MovieSeed, CITIES, MOVIES};
use insert::{
    insert_city, insert_demo_users, insert_movies, insert_screen, insert_shows, insert_theater,
};
use layout::Template;
use sqlx::PgPool;
use uuid::Uuid;

/// The demo cities' time zone: "today" and show times are Indian Standard Time.
pub const TIME_ZONE: chrono_tz::Tz = chrono_tz::Asia::Kolkata;

pub const DEMO_CUSTOMER: &str = "customer@demo.district.test";
pub const DEMO_THEATER_ADMIN: &str = "theater.admin@demo.district.test";
pub const DEMO_ADMIN: &str = "admin@demo.district.test";
pub const DEFAULT_DEMO_PASSWORD: &str = "district-demo";

#[derive(Clone, Debug)]
pub struct Options {
    /// The first day of shows, in the cities' local calendar.
    pub today: NaiveDate,
    pub days: u32,
    pub demo_password: String,
}

impl Options {
    pub fn for_today(days: u32, demo_password: Option<String>) -> Self {
        Self {
            today: Utc::now().with_timezone(&TIME_ZONE).date_naive(),
            days,
            demo_password: demo_password.unwrap_or_else(|| DEFAULT_DEMO_PASSWORD.to_owned()),
        }
    }
}

/// How many rows each step added; all zeros on a repeated run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub cities: u64,
    pub theaters: u64,
    pub screens: u64,
    pub seats: u64,
    pub movies: u64,
    pub shows: u64,
    pub show_seats: u64,
    pub users: u64,
}

/// Loads the demo data in one transaction.
pub async fn run(db: &PgPool, options: &Options) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let mut tx = db.begin().await?;
    let mut screens = Vec::new();
    for city in CITIES {
        report.cities += insert_city(&mut tx, city).await?;
        for (index, theater) in city.theaters.iter().enumerate() {
            let theater_id = id(&["theater", city.slug, theater.chain, theater.area]);
            report.theaters += insert_theater(&mut tx, city, index, theater_id).await?;
            for (number, template) in layout::screens_for(theater_id, index == 0)
                .into_iter()
                .enumerate()
            {
                let screen = Screen::new(theater_id, number + 1, template);
                let (screens_added, seats_added) = insert_screen(&mut tx, &screen).await?;
                report.screens += screens_added;
                report.seats += seats_added;
                screens.push(screen);
            }
        }
    }
    report.movies = insert_movies(&mut tx, options.today).await?;
    let movies: Vec<schedule::Movie> = MOVIES
        .iter()
        .filter(|m| m.release_in_days <= 0)
        .map(|m| schedule::Movie::from_seed(movie_id(m), m))
        .collect();
    for day in 0..options.days {
        let date = options.today + chrono::Days::new(day.into());
        let shows: Vec<schedule::Show> = screens
            .iter()
            .flat_map(|screen| schedule::day(screen, &movies, date))
            .collect();
        let (shows_added, seats_added) = insert_shows(&mut tx, &shows).await?;
        report.shows += shows_added;
        report.show_seats += seats_added;
    }
    report.users = insert_demo_users(&mut tx, &options.demo_password).await?;
    insert_demo_offer(&mut tx).await?;
    insert_demo_menus(&mut tx).await?;
    tx.commit().await?;
    Ok(report)
}

/// `DISTRICT20`: 20% off the tickets, at most ₹150, twice per customer, for ninety days.
async fn insert_demo_offer(tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO offers (code, description, kind, value, max_discount_minor, per_user_limit,
                             valid_from, valid_to)
         VALUES ('DISTRICT20', '20% off your tickets, up to ₹150', 'percent', 20, 15000, 2,
                 now() - interval '1 day', now() + interval '90 days')
         ON CONFLICT (code) DO NOTHING",
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// An item of the demo menu; prices in paise before GST.
struct MenuSeed {
    name: &'static str,
    size: Option<&'static str>,
    combo: bool,
    description: &'static str,
    veg: bool,
    price: i64,
    tax: &'static str,
    stock: Option<i32>,
}

const fn item(name: &'static str, size: Option<&'static str>, price: i64) -> MenuSeed {
    MenuSeed {
        name,
        size,
        combo: false,
        description: "",
        veg: true,
        price,
        tax: "gst5",
        stock: None,
    }
}

/// Every theater's menu.
const MENU: [MenuSeed; 7] = [
    item("Salted popcorn", Some("Regular"), 19_000),
    MenuSeed {
        stock: Some(150),
        ..item("Salted popcorn", Some("Large"), 29_000)
    },
    MenuSeed {
        description: "With salsa",
        stock: Some(80),
        ..item("Cheese nachos", None, 24_000)
    },
    MenuSeed {
        description: "Six pieces",
        veg: false,
        stock: Some(60),
        ..item("Chicken nuggets", None, 27_000)
    },
    MenuSeed {
        tax: "gst18",
        ..item("Cola", Some("500 ml"), 12_000)
    },
    MenuSeed {
        description: "Sealed bottle, 1 litre",
        tax: "exempt",
        ..item("Mineral water", None, 4_000)
    },
    MenuSeed {
        combo: true,
        description: "Large popcorn and two colas",
        stock: Some(100),
        ..item("Couple combo", None, 49_000)
    },
];

/// The demo menu at every theater.
async fn insert_demo_menus(tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    for seed in &MENU {
        sqlx::query(
            "INSERT INTO menu_items (theater_id, name, size, kind, description, veg, price_minor,
                                     tax, stock_per_show)
             SELECT t.id, $1, $2, $3::menu_kind, $4, $5, $6, $7::food_tax, $8 FROM theaters t
             ON CONFLICT (theater_id, name, size) DO NOTHING",
        )
        .bind(seed.name)
        .bind(seed.size)
        .bind(if seed.combo { "combo" } else { "item" })
        .bind(seed.description)
        .bind(seed.veg)
        .bind(seed.price)
        .bind(seed.tax)
        .bind(seed.stock)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// A stable id for a named thing, so every run of the seed refers to the same rows.
fn id(parts: &[&str]) -> Uuid {
    const NAMESPACE: Uuid = Uuid::from_u128(0x8f1e_4c1a_9d4b_4f0e_b2a7_5d3c_6e21_d150);
    Uuid::new_v5(&NAMESPACE, parts.join("/").as_bytes())
}

/// A small deterministic hash for choices that should look varied but repeat exactly.
fn pick(parts: &[&str]) -> u64 {
    id(parts).as_u64_pair().0
}

fn movie_id(movie: &MovieSeed) -> Uuid {
    id(&["movie", &slugify(movie.title)])
}

/// A screen as the scheduler needs it: its id, categories and what it can project.
pub struct Screen {
    pub id: Uuid,
    pub theater_id: Uuid,
    pub name: String,
    pub template: &'static Template,
}

impl Screen {
    fn new(theater_id: Uuid, number: usize, template: &'static Template) -> Self {
        let name = if template.imax {
            "IMAX".to_owned()
        } else {
            format!("Audi {number}")
        };
        Self {
            id: id(&["screen", &theater_id.to_string(), &number.to_string()]),
            theater_id,
            name,
            template,
        }
    }

    fn category_id(&self, name: &str) -> Uuid {
        id(&["category", &self.id.to_string(), name])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Chai & Chaos"), "chai-chaos");
        assert_eq!(
            slugify("The Cartographer's Daughter"),
            "the-cartographer-s-daughter"
        );
        assert_eq!(slugify("Rudra: The Awakening"), "rudra-the-awakening");
    }

    #[test]
    fn demo_catalog_meets_its_brief() {
        assert!(CITIES.len() >= 6);
        assert!(CITIES.iter().all(|c| (2..=5).contains(&c.theaters.len())));
        assert!(MOVIES.len() >= 15);
        assert!(
            MOVIES.iter().any(|m| m.release_in_days > 0),
            "some upcoming movies"
        );
        let slugs: HashSet<String> = MOVIES.iter().map(|m| slugify(m.title)).collect();
        assert_eq!(slugs.len(), MOVIES.len(), "movie slugs are unique");
    }
}

//! A show's seat layout: the show, its screen's grid, seats with categories and prices. It
//! changes only when the theater edits it, so it is cached, and every edit drops it.

use super::{Catalog, CatalogError, CategoryPrice, Layout, SeatKind};
use crate::{
    cache::Trust,
    ids::{SeatId, ShowId},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::sync::Arc;
use uuid::Uuid;

/// The show itself, as booking pages and holds need it.
#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct ShowMeta {
    pub id: ShowId,
    pub movie_title: String,
    pub movie_slug: String,
    pub theater_id: Uuid,
    pub theater_name: String,
    pub screen_name: String,
    pub format: String,
    pub language: String,
    pub starts_at: DateTime<Utc>,
    /// The theater's IANA time zone.
    pub time_zone: String,
    pub currency: String,
    /// Not cancelled.
    pub scheduled: bool,
    /// The theater has not stopped its sales.
    pub sales_open: bool,
}

impl ShowMeta {
    /// "Fri 28 Nov, 7:45 PM", at the theater.
    pub fn local_time(&self) -> String {
        local_time(self.starts_at, &self.time_zone)
    }

    /// When it starts on the theater's clock.
    pub fn local_starts(&self) -> chrono::NaiveDateTime {
        local_starts(self.starts_at, &self.time_zone)
    }
}

/// `at` as people at a theater in `zone` read it: "Fri 28 Nov, 7:45 PM".
pub fn local_time(at: DateTime<Utc>, zone: &str) -> String {
    let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Asia::Kolkata);
    at.with_timezone(&zone)
        .format("%a %-d %b, %-I:%M %p")
        .to_string()
}

/// `at` on the clock of a theater in `zone`.
pub fn local_starts(at: DateTime<Utc>, zone: &str) -> chrono::NaiveDateTime {
    let zone: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Asia::Kolkata);
    at.with_timezone(&zone).naive_local()
}

#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct LayoutSeat {
    pub id: SeatId,
    pub label: String,
    pub row: String,
    pub number: i32,
    pub category: String,
    /// In minor units of the show's currency.
    pub price: i64,
    pub kind: SeatKind,
    pub grid_row: i32,
    pub grid_col: i32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShowLayout {
    pub show: ShowMeta,
    pub layout: Layout,
    /// Most premium first.
    pub categories: Vec<CategoryPrice>,
    /// Row by row, left to right.
    pub seats: Vec<LayoutSeat>,
}

impl ShowLayout {
    pub fn seat(&self, id: SeatId) -> Option<&LayoutSeat> {
        self.seats.iter().find(|s| s.id == id)
    }
}

fn key(show: ShowId) -> String {
    format!("catalog:seat-map:{show}")
}

impl Catalog {
    /// The layout of a show, through the cache.
    pub async fn layout(&self, show: ShowId) -> Result<Arc<ShowLayout>, CatalogError> {
        self.cache()
            .get_or_load(&key(show), Trust::Shared, || read_layout(self.read(), show))
            .await
    }

    /// The layout of a show for a write that PostgreSQL judges again (a hold): this process's
    /// copy serves as long as CACHE_TTL, and [`Catalog::forget_layout`] drops it once the
    /// database disagrees with it.
    pub async fn layout_for_write(&self, show: ShowId) -> Result<Arc<ShowLayout>, CatalogError> {
        self.cache()
            .get_or_load(&key(show), Trust::Rechecked, || {
                read_layout(self.read(), show)
            })
            .await
    }

    /// Drops this process's copy of a show's layout, which the database has shown to be stale.
    pub fn forget_layout(&self, show: ShowId) {
        self.cache().forget(&key(show));
    }

    /// Shows were put on sale or taken off: every cached list is read afresh.
    pub async fn schedule_changed(&self) {
        self.cache().changed(&[]).await;
    }

    /// Drops a show's cached layout (and every cached list), so the next read is right.
    pub async fn layout_changed(&self, show: ShowId) {
        self.layouts_changed(&[show]).await;
    }

    /// The same for every show of a screen whose layout changed.
    pub async fn layouts_changed(&self, shows: &[ShowId]) {
        let keys: Vec<String> = shows.iter().map(|&show| key(show)).collect();
        self.cache().changed(&keys).await;
    }

    /// Changes what a seat category costs at one show.
    pub async fn set_show_price(
        &self,
        show: ShowId,
        category: &str,
        price_minor: i64,
    ) -> Result<(), CatalogError> {
        if price_minor <= 0 {
            return Err(CatalogError::field("price", "err-price-above-zero"));
        }
        let changed = sqlx::query(
            "UPDATE show_prices p SET price_minor = $3
               FROM seat_categories c
              WHERE p.category_id = c.id AND p.show_id = $1 AND c.name = $2",
        )
        .bind(show)
        .bind(category)
        .bind(price_minor)
        .execute(self.write())
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(CatalogError::NotFound);
        }
        self.layout_changed(show).await;
        Ok(())
    }
}

async fn read_layout(db: &PgPool, show: ShowId) -> Result<ShowLayout, CatalogError> {
    let meta: ShowMeta = sqlx::query_as(
        "SELECT s.id, m.title AS movie_title, m.slug AS movie_slug, t.id AS theater_id,
                t.name AS theater_name, sc.name AS screen_name, s.format, s.language, s.starts_at,
                ci.time_zone, s.currency::text AS currency, s.status = 'scheduled' AS scheduled,
                NOT s.sales_paused AS sales_open
           FROM shows s JOIN movies m ON m.id = s.movie_id JOIN screens sc ON sc.id = s.screen_id
           JOIN theaters t ON t.id = sc.theater_id JOIN cities ci ON ci.id = t.city_id
          WHERE s.id = $1",
    )
    .bind(show)
    .fetch_optional(db)
    .await?
    .ok_or(CatalogError::NotFound)?;
    let (rows, columns, aisles): (i32, i32, Vec<i32>) = sqlx::query_as(
        "SELECT sc.layout_rows, sc.layout_columns, sc.aisle_columns
           FROM shows s JOIN screens sc ON sc.id = s.screen_id WHERE s.id = $1",
    )
    .bind(show)
    .fetch_one(db)
    .await?;
    let categories = sqlx::query_as(
        "SELECT c.name, p.price_minor AS price, s.currency::text AS currency
           FROM show_prices p JOIN seat_categories c ON c.id = p.category_id JOIN shows s ON s.id = p.show_id
          WHERE p.show_id = $1 ORDER BY c.rank",
    )
    .bind(show)
    .fetch_all(db)
    .await?;
    let seats = sqlx::query_as(
        "SELECT se.id, se.row_label || se.number AS label, se.row_label AS row, se.number,
                c.name AS category, p.price_minor AS price, se.kind, se.grid_row, se.grid_col
           FROM show_seats ss
           JOIN seats se ON se.id = ss.seat_id AND se.retired_at IS NULL
           JOIN seat_categories c ON c.id = se.category_id
           JOIN show_prices p ON p.show_id = ss.show_id AND p.category_id = se.category_id
          WHERE ss.show_id = $1
          ORDER BY se.grid_row, se.grid_col",
    )
    .bind(show)
    .fetch_all(db)
    .await?;
    Ok(ShowLayout {
        show: meta,
        layout: Layout {
            rows,
            columns,
            aisles,
        },
        categories,
        seats,
    })
}

//! A theater's screens and their layouts, written in one transaction with the screen's row
//! locked (so a show scheduled meanwhile waits and then gets the new seats). Seats held or
//! sold for shows to come are locked as holds lock them and may not move, change category or
//! go; seats taken out are retired, new ones join every show to come. Long: the steps of that
//! one transaction, kept together so they read in order.

use super::{
    audit::Audit,
    layout::{LayoutSeatSpec, NewScreen, ScreenLayout, ScreenSummary},
    Dashboard, DashboardError, SeatInUse,
};
use crate::{booking::Actor, error::FieldErrors, i18n::Text, ids::ShowId, outbox};
use serde_json::json;
use sqlx::{types::Json, PgConnection};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Shows of the screen still to come or running, as every step below names them.
const COMING: &str = "sh.screen_id = $1 AND sh.status = 'scheduled' AND sh.ends_at > now()";

impl Dashboard {
    /// The screens of a theater the actor runs.
    pub async fn screens(
        &self,
        actor: Actor,
        theater: Uuid,
    ) -> Result<Vec<ScreenSummary>, DashboardError> {
        self.theater_zone(actor, theater).await?;
        Ok(sqlx::query_as(&format!(
            "{SUMMARY} WHERE sc.theater_id = $1 ORDER BY sc.name"
        ))
        .bind(theater)
        .fetch_all(&self.db)
        .await?)
    }

    /// Adds a screen with its layout to a theater the actor runs.
    pub async fn add_screen(
        &self,
        actor: Actor,
        theater: Uuid,
        screen: &NewScreen,
    ) -> Result<ScreenSummary, DashboardError> {
        // Who asks first: an outsider learns nothing from the body's problems.
        self.theater_zone(actor, theater).await?;
        invalid(screen.problems())?;
        let formats = match screen.formats.is_empty() {
            true => vec!["2D".to_owned()],
            false => screen.formats.clone(),
        };
        let mut tx = self.db.begin().await?;
        let id: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO screens (theater_id, name, layout_rows, layout_columns, formats,
                                  cleaning_minutes)
             VALUES ($1, $2, $3, $4, $5, coalesce($6, 15))
             ON CONFLICT (theater_id, name) DO NOTHING RETURNING id",
        )
        .bind(theater)
        .bind(screen.name.trim())
        .bind(screen.layout.rows)
        .bind(screen.layout.columns)
        .bind(&formats)
        .bind(screen.cleaning_minutes)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            let message = "err-screen-name-taken";
            return Err(DashboardError::field("name", message));
        };
        write_layout(&mut tx, id, &screen.layout).await?;
        let after = json!({"name": screen.name.trim(), "formats": formats,
                           "cleaning_minutes": screen.cleaning_minutes.unwrap_or(15)});
        let audit = Audit::new(actor, Some(theater), "screen.created", id);
        audit
            .record(&mut tx, serde_json::Value::Null, after)
            .await?;
        tx.commit().await?;
        self.screen_summary(id).await
    }

    pub(super) async fn screen_summary(
        &self,
        screen: Uuid,
    ) -> Result<ScreenSummary, DashboardError> {
        Ok(sqlx::query_as(&format!("{SUMMARY} WHERE sc.id = $1"))
            .bind(screen)
            .fetch_one(&self.db)
            .await?)
    }

    /// A screen's layout, as the editor and import take it back.
    pub async fn screen_layout(
        &self,
        actor: Actor,
        screen: Uuid,
    ) -> Result<ScreenLayout, DashboardError> {
        self.run_screen(actor, screen).await?;
        Ok(read_layout(&mut *self.db.acquire().await?, screen).await?)
    }

    /// Replaces a screen's layout, keeping the ids of the seats it keeps. Refused, naming the
    /// seats and shows, when seats held or sold for shows to come would move or go.
    pub async fn edit_layout(
        &self,
        actor: Actor,
        screen: Uuid,
        layout: &ScreenLayout,
    ) -> Result<ScreenLayout, DashboardError> {
        let theater = self.run_screen(actor, screen).await?;
        invalid(layout.problems())?;
        let mut tx = self.db.begin().await?;
        sqlx::query("SELECT 1 FROM screens WHERE id = $1 FOR UPDATE")
            .bind(screen)
            .execute(&mut *tx)
            .await?;
        let before = read_layout(&mut tx, screen).await?;
        write_layout(&mut tx, screen, layout).await?;
        let after = read_layout(&mut tx, screen).await?;
        let audit = Audit::new(actor, Some(theater), "screen.layout_changed", screen);
        audit.record(&mut tx, json!(before), json!(after)).await?;
        let shows: Vec<ShowId> =
            sqlx::query_scalar(&format!("SELECT sh.id FROM shows sh WHERE {COMING}"))
                .bind(screen)
                .fetch_all(&mut *tx)
                .await?;
        let payload = json!({ "screen_id": screen, "theater_id": theater,
                              "seats": after.seats.len(), "shows": shows });
        outbox::record(&mut tx, "screen", screen, "screen.layout_changed", payload).await?;
        tx.commit().await?;
        self.catalog.layouts_changed(&shows).await;
        Ok(after)
    }

    /// The theater of a screen the actor may run: 404 for no such screen.
    pub(super) async fn run_screen(
        &self,
        actor: Actor,
        screen: Uuid,
    ) -> Result<Uuid, DashboardError> {
        let theater: Option<Uuid> =
            sqlx::query_scalar("SELECT theater_id FROM screens WHERE id = $1")
                .bind(screen)
                .fetch_optional(&self.db)
                .await?;
        let theater = theater.ok_or(DashboardError::NotFound)?;
        self.may_run(actor, theater).await?;
        Ok(theater)
    }
}

const SUMMARY: &str = "SELECT sc.id, sc.name, sc.cleaning_minutes, sc.formats,
        (SELECT count(*) FROM seats se WHERE se.screen_id = sc.id AND se.retired_at IS NULL) AS seats
   FROM screens sc";

fn invalid(problems: FieldErrors) -> Result<(), DashboardError> {
    match problems.is_empty() {
        true => Ok(()),
        false => Err(DashboardError::Invalid(problems)),
    }
}

async fn read_layout(db: &mut PgConnection, screen: Uuid) -> Result<ScreenLayout, sqlx::Error> {
    let (rows, columns): (i32, i32) =
        sqlx::query_as("SELECT layout_rows, layout_columns FROM screens WHERE id = $1")
            .bind(screen)
            .fetch_one(&mut *db)
            .await?;
    let categories = sqlx::query_as(
        "SELECT c.name, c.rank FROM seat_categories c
          WHERE c.screen_id = $1
            AND EXISTS (SELECT 1 FROM seats se WHERE se.category_id = c.id AND se.retired_at IS NULL)
          ORDER BY c.rank",
    )
    .bind(screen)
    .fetch_all(&mut *db)
    .await?;
    let seats = sqlx::query_as(
        "SELECT se.id, se.row_label AS row, se.number, se.grid_row, se.grid_col,
                c.name AS category, se.kind
           FROM seats se JOIN seat_categories c ON c.id = se.category_id
          WHERE se.screen_id = $1 AND se.retired_at IS NULL
          ORDER BY se.grid_row, se.grid_col",
    )
    .bind(screen)
    .fetch_all(&mut *db)
    .await?;
    Ok(ScreenLayout {
        rows,
        columns,
        categories,
        seats,
        new_prices: Default::default(),
    })
}

/// Seats of the layout matched to the screen's seats in use: by id, else by row and number.
fn matched(
    current: &[LayoutSeatSpec],
    layout: &ScreenLayout,
) -> Result<Vec<LayoutSeatSpec>, DashboardError> {
    let by_id: HashMap<Uuid, &LayoutSeatSpec> = current
        .iter()
        .filter_map(|s| s.id.map(|id| (id, s)))
        .collect();
    let by_label: HashMap<(&str, i32), Uuid> = current
        .iter()
        .filter_map(|s| s.id.map(|id| ((s.row.as_str(), s.number), id)))
        .collect();
    let mut claimed = HashSet::new();
    let mut seats = Vec::with_capacity(layout.seats.len());
    for (i, seat) in layout.seats.iter().enumerate() {
        let id = match seat.id {
            Some(id) if !by_id.contains_key(&id) => {
                let message = "err-not-screen-seat";
                return Err(DashboardError::field(&format!("seats[{i}].id"), message));
            }
            Some(id) => Some(id),
            None => by_label.get(&(seat.row.as_str(), seat.number)).copied(),
        };
        if let Some(id) = id.filter(|id| !claimed.insert(*id)) {
            let message = Text::new("err-seat-given-twice").arg("seat", id.to_string());
            return Err(DashboardError::field_with(
                &format!("seats[{i}].id"),
                message,
            ));
        }
        seats.push(LayoutSeatSpec { id, ..seat.clone() });
    }
    Ok(seats)
}

async fn write_layout(
    tx: &mut PgConnection,
    screen: Uuid,
    layout: &ScreenLayout,
) -> Result<(), DashboardError> {
    let current = read_layout(&mut *tx, screen).await?.seats;
    let seats = matched(&current, layout)?;
    let old: HashMap<Uuid, &LayoutSeatSpec> = current
        .iter()
        .filter_map(|s| s.id.map(|id| (id, s)))
        .collect();
    let kept: HashSet<Uuid> = seats.iter().filter_map(|s| s.id).collect();
    let removed: Vec<Uuid> = old
        .keys()
        .filter(|id| !kept.contains(id))
        .copied()
        .collect();
    let moved: Vec<Uuid> = seats
        .iter()
        .filter_map(|s| Some((s.id?, s)))
        .filter(|(id, s)| {
            let was = old[id];
            (
                was.row.as_str(),
                was.number,
                was.grid_row,
                was.grid_col,
                was.category.as_str(),
            ) != (
                s.row.as_str(),
                s.number,
                s.grid_row,
                s.grid_col,
                s.category.as_str(),
            )
        })
        .map(|(id, _)| id)
        .collect();
    let touched: Vec<Uuid> = removed.iter().chain(&moved).copied().collect();
    refuse_seats_in_use(tx, screen, &touched).await?;

    sqlx::query("UPDATE seat_categories SET rank = rank + 100000 WHERE screen_id = $1")
        .bind(screen)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO seat_categories (screen_id, name, rank)
         SELECT $1, btrim(c.name), c.rank FROM jsonb_to_recordset($2) AS c (name text, rank int)
         ON CONFLICT (screen_id, name) DO UPDATE SET rank = excluded.rank",
    )
    .bind(screen)
    .bind(Json(&layout.categories))
    .execute(&mut *tx)
    .await?;
    // Categories left out go when nothing names them, else rank after the others.
    sqlx::query(
        "DELETE FROM seat_categories c WHERE c.screen_id = $1 AND c.rank > 100000
            AND NOT EXISTS (SELECT 1 FROM seats se WHERE se.category_id = c.id)
            AND NOT EXISTS (SELECT 1 FROM show_prices p WHERE p.category_id = c.id)",
    )
    .bind(screen)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE seat_categories c SET rank = o.last + o.n
           FROM (SELECT id, row_number() OVER (ORDER BY rank) AS n,
                        (SELECT max(rank) FROM seat_categories WHERE screen_id = $1 AND rank < 100000) AS last
                   FROM seat_categories WHERE screen_id = $1 AND rank > 100000) o
          WHERE c.id = o.id",
    )
    .bind(screen)
    .execute(&mut *tx)
    .await?;

    sqlx::query("UPDATE seats SET retired_at = now() WHERE id = ANY($1)")
        .bind(&removed)
        .execute(&mut *tx)
        .await?;
    // Out of every cell and label first, so seats can swap places.
    sqlx::query(
        "UPDATE seats SET grid_row = grid_row + 100000, number = number + 100000 WHERE id = ANY($1)",
    )
    .bind(&moved)
    .execute(&mut *tx)
    .await?;
    let new: Vec<Uuid> = sqlx::query_scalar(
        "WITH given AS (
            SELECT * FROM jsonb_to_recordset($2)
                     AS x (id uuid, row text, number int, grid_row int, grid_col int, category text, kind text)),
         kept AS (
            UPDATE seats se
               SET row_label = g.row, number = g.number, grid_row = g.grid_row, grid_col = g.grid_col,
                   kind = g.kind::seat_kind,
                   category_id = (SELECT c.id FROM seat_categories c WHERE c.screen_id = $1 AND c.name = btrim(g.category))
              FROM given g WHERE se.id = g.id AND se.screen_id = $1)
         INSERT INTO seats (screen_id, category_id, row_label, number, grid_row, grid_col, kind)
         SELECT $1, (SELECT c.id FROM seat_categories c WHERE c.screen_id = $1 AND c.name = btrim(g.category)),
                g.row, g.number, g.grid_row, g.grid_col, g.kind::seat_kind
           FROM given g WHERE g.id IS NULL
         RETURNING id",
    )
    .bind(screen)
    .bind(Json(&seats))
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO show_seats (show_id, seat_id, screen_id)
         SELECT sh.id, se.id, $1 FROM shows sh, seats se WHERE {COMING} AND se.id = ANY($2)"
    ))
    .bind(screen)
    .bind(&new)
    .execute(&mut *tx)
    .await?;
    price_new_categories(tx, screen, layout).await?;
    sqlx::query(
        "UPDATE screens SET layout_rows = $2, layout_columns = $3, aisle_columns = $4 WHERE id = $1",
    )
    .bind(screen)
    .bind(layout.rows)
    .bind(layout.columns)
    .bind(layout.aisles())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Locks the given seats at every show to come, in the order holds lock them, and refuses
/// the edit if any is held or sold there.
async fn refuse_seats_in_use(
    tx: &mut PgConnection,
    screen: Uuid,
    seats: &[Uuid],
) -> Result<(), DashboardError> {
    if seats.is_empty() {
        return Ok(());
    }
    sqlx::query(&format!(
        "SELECT 1 FROM show_seats ss JOIN shows sh ON sh.id = ss.show_id
          WHERE {COMING} AND ss.seat_id = ANY($2)
          ORDER BY ss.show_id, ss.seat_id FOR UPDATE OF ss"
    ))
    .bind(screen)
    .bind(seats)
    .execute(&mut *tx)
    .await?;
    let in_use: Vec<SeatInUse> = sqlx::query_as(&format!(
        "SELECT st.seat_id, se.row_label || se.number AS label, sh.id AS show_id,
                to_char(sh.starts_at AT TIME ZONE ci.time_zone, 'YYYY-MM-DD HH24:MI') AS starts_at
           FROM seat_states st JOIN shows sh ON sh.id = st.show_id JOIN seats se ON se.id = st.seat_id
           JOIN screens sc ON sc.id = sh.screen_id JOIN theaters t ON t.id = sc.theater_id
           JOIN cities ci ON ci.id = t.city_id
          WHERE {COMING} AND st.seat_id = ANY($2) AND st.status::text <> 'available'
          ORDER BY sh.starts_at, se.grid_row, se.grid_col"
    ))
    .bind(screen)
    .bind(seats)
    .fetch_all(&mut *tx)
    .await?;
    match in_use.is_empty() {
        true => Ok(()),
        false => Err(DashboardError::SeatsInUse(in_use)),
    }
}

/// Shows to come get a price for each category that has its first seats now, from
/// `new_prices`; a category without one refuses the edit.
async fn price_new_categories(
    tx: &mut PgConnection,
    screen: Uuid,
    layout: &ScreenLayout,
) -> Result<(), DashboardError> {
    let unpriced: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT c.name FROM shows sh JOIN seat_categories c ON c.screen_id = sh.screen_id
          WHERE {COMING}
            AND EXISTS (SELECT 1 FROM seats se WHERE se.category_id = c.id AND se.retired_at IS NULL)
            AND NOT EXISTS (SELECT 1 FROM show_prices p WHERE p.show_id = sh.id AND p.category_id = c.id)"
    ))
    .bind(screen)
    .fetch_all(&mut *tx)
    .await?;
    if let Some(name) = unpriced
        .iter()
        .find(|n| !layout.new_prices.contains_key(*n))
    {
        let message = Text::new("err-new-price").arg("category", name.as_str());
        return Err(DashboardError::field_with(
            &format!("new_prices.{name}"),
            message,
        ));
    }
    sqlx::query(&format!(
        "INSERT INTO show_prices (show_id, category_id, price_minor)
         SELECT sh.id, c.id, ($2::jsonb ->> c.name)::bigint
           FROM shows sh JOIN seat_categories c ON c.screen_id = sh.screen_id
          WHERE {COMING} AND c.name = ANY($3)
         ON CONFLICT DO NOTHING"
    ))
    .bind(screen)
    .bind(Json(&layout.new_prices))
    .bind(&unpriced)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

//! What the benchmark asks for: its users, the shows and seat pairs of each scenario, the
//! reset that gives every run the same starting point, and the seats a rush's moviegoer picks.

use super::drive::Rng;
use anyhow::bail;
use serde_json::Value;
use sqlx::PgPool;
use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};
use uuid::Uuid;

/// Two adjacent seats of one show.
pub struct Pair {
    pub seats: [Uuid; 2],
}

pub struct Show {
    pub id: Uuid,
    pub pairs: Vec<Pair>,
}

/// The shows each scenario uses.
pub struct Plan {
    /// Shows of client i: `many[i * per_client..(i + 1) * per_client]`.
    pub many: Vec<Arc<Show>>,
    pub per_client: usize,
    /// The show with the most pairs: everyone's in the hot-show rush.
    pub hot: Arc<Show>,
    /// The show whose seat map is read, with its number of seats (as near 300 as the demo
    /// layouts come).
    pub map: (Uuid, i64),
    /// Pages of the page scenario.
    pub pages: Vec<String>,
}

struct PlanSeat {
    id: Uuid,
    row: i32,
    col: i32,
    standard: bool,
}

impl Plan {
    pub async fn load(db: &PgPool, most_clients: usize) -> anyhow::Result<Self> {
        // Shows that stay on sale for the whole benchmark.
        let shows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT id, screen_id FROM shows
              WHERE status = 'scheduled' AND starts_at > now() + interval '2 hours'
              ORDER BY starts_at DESC, id",
        )
        .fetch_all(db)
        .await?;
        let mut screens: Vec<Uuid> = shows.iter().map(|s| s.1).collect();
        screens.sort();
        screens.dedup();
        let seats: Vec<(Uuid, Uuid, i32, i32, bool)> = sqlx::query_as(
            "SELECT screen_id, id, grid_row, grid_col, kind = 'standard' FROM seats
              WHERE screen_id = ANY($1)",
        )
        .bind(&screens)
        .fetch_all(db)
        .await?;
        let mut by_screen: HashMap<Uuid, Vec<PlanSeat>> = HashMap::new();
        for (screen, id, row, col, standard) in seats {
            by_screen.entry(screen).or_default().push(PlanSeat {
                id,
                row,
                col,
                standard,
            });
        }
        let pairs_of = |screen: &Uuid| -> Vec<Pair> {
            by_screen
                .get(screen)
                .map(|seats| gap_free_pairs(seats))
                .unwrap_or_default()
        };
        let most_pairs = screens.iter().map(|s| pairs_of(s).len()).max().unwrap_or(0);
        let Some(hot_index) = shows
            .iter()
            .position(|s| pairs_of(&s.1).len() == most_pairs)
        else {
            bail!("no show on sale: load the demo data first (district seed)");
        };
        let per_client = ((shows.len() - 1) / most_clients).min(16);
        if per_client == 0 || most_pairs == 0 {
            bail!(
                "{} shows on sale are too few for {most_clients} clients: seed more days",
                shows.len()
            );
        }
        let show = |(id, screen): &(Uuid, Uuid)| {
            Arc::new(Show {
                id: *id,
                pairs: pairs_of(screen),
            })
        };
        let hot = show(&shows[hot_index]);
        let many: Vec<Arc<Show>> = (0..shows.len())
            .filter(|i| *i != hot_index)
            .map(|i| show(&shows[i]))
            .filter(|s| !s.pairs.is_empty())
            .take(per_client * most_clients)
            .collect();
        if many.len() < per_client * most_clients {
            bail!("not enough seats on the shows on sale: reload the demo data");
        }
        let sizes: HashMap<Uuid, i64> = by_screen
            .iter()
            .map(|(screen, seats)| (*screen, seats.len() as i64))
            .collect();
        // Not one of the hold scenarios' shows, so reads and holds never meet.
        let taken: Vec<Uuid> = std::iter::once(hot.id)
            .chain(many.iter().map(|s| s.id))
            .collect();
        let map = shows
            .iter()
            .filter(|s| !taken.contains(&s.0))
            .min_by_key(|s| (sizes.get(&s.1).copied().unwrap_or(0) - 300).abs())
            .map(|s| (s.0, sizes[&s.1]))
            .unwrap_or((hot.id, sizes[&shows[hot_index].1]));
        let slug: String = sqlx::query_scalar(
            "SELECT m.slug FROM shows s JOIN movies m ON m.id = s.movie_id WHERE s.id = $1",
        )
        .bind(map.0)
        .fetch_one(db)
        .await?;
        let pages = vec![
            "/".to_owned(),
            format!("/movies/{slug}"),
            format!("/shows/{}", map.0),
        ];
        eprintln!(
            "bench: hot show {} with {} pairs; {} shows for the many-shows scenario ({per_client} per client); seat map of {} ({} seats)",
            hot.id,
            hot.pairs.len(),
            many.len(),
            map.0,
            map.1,
        );
        Ok(Self {
            many,
            per_client,
            hot,
            map,
            pages,
        })
    }

    fn hold_shows(&self) -> Vec<Uuid> {
        std::iter::once(self.hot.id)
            .chain(self.many.iter().map(|s| s.id))
            .collect()
    }
}

/// Pairs that never leave a single-seat gap, whichever of them are held: in each block of seats
/// side by side (between aisles), pairs start at even offsets from the block's start; in an odd
/// block the last three seats are never taken, so its right end is never a lone seat. Rows with
/// wheelchair spaces or companion seats are left out.
fn gap_free_pairs(seats: &[PlanSeat]) -> Vec<Pair> {
    let mut rows: BTreeMap<i32, Vec<&PlanSeat>> = BTreeMap::new();
    for seat in seats {
        rows.entry(seat.row).or_default().push(seat);
    }
    let mut pairs = Vec::new();
    for row in rows.values_mut() {
        if row.iter().any(|s| !s.standard) {
            continue;
        }
        row.sort_by_key(|s| s.col);
        let mut blocks: Vec<Vec<&PlanSeat>> = Vec::new();
        for seat in row.iter() {
            match blocks.last_mut() {
                Some(block) if block.last().is_some_and(|l| l.col + 1 == seat.col) => {
                    block.push(seat)
                }
                _ => blocks.push(vec![seat]),
            }
        }
        for block in blocks {
            let usable = if block.len() % 2 == 0 {
                block.len()
            } else {
                block.len().saturating_sub(3)
            };
            for start in (0..usable.saturating_sub(1)).step_by(2) {
                let mut seats = [block[start].id, block[start + 1].id];
                seats.sort();
                pairs.push(Pair { seats });
            }
        }
    }
    pairs
}

/// Verified customers `bench-0000@bench.district.test`..., created when missing.
pub async fn bench_users(db: &PgPool, count: usize) -> anyhow::Result<Vec<Uuid>> {
    sqlx::query(
        "INSERT INTO users (email, name, password_hash, email_verified_at)
         SELECT format('bench-%s@bench.district.test', lpad(i::text, 5, '0')),
                format('Bench %s', i), '!', now()
           FROM generate_series(0, $1 - 1) AS i
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(count as i32)
    .execute(db)
    .await?;
    let users: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM users WHERE email LIKE 'bench-%@bench.district.test'
          ORDER BY email LIMIT $1",
    )
    .bind(count as i64)
    .fetch_all(db)
    .await?;
    if users.len() < count {
        bail!("only {} of {count} bench users exist", users.len());
    }
    Ok(users)
}

/// Removes every booking of the benchmark's shows (and their Redis claims), so each run starts
/// from the same tables.
pub async fn reset(
    db: &PgPool,
    plan: &Plan,
    redis: Option<redis::aio::ConnectionManager>,
) -> anyhow::Result<()> {
    let shows = plan.hold_shows();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM bookings WHERE show_id = ANY($1)")
        .bind(&shows)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM outbox_events")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    for table in ["show_seats", "bookings", "booking_seats", "outbox_events"] {
        sqlx::query(&format!("VACUUM (ANALYZE) {table}"))
            .execute(db)
            .await?;
    }
    sqlx::query("CHECKPOINT").execute(db).await?;
    if let Some(mut conn) = redis {
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg("seat:*")
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await?;
            if !keys.is_empty() {
                redis::cmd("DEL")
                    .arg(&keys)
                    .query_async::<i64>(&mut conn)
                    .await?;
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }
    Ok(())
}

/// An `Authorization` value per user, as a signed-in customer's app sends it (valid for the
/// length of any benchmark).
pub fn bearer_tokens(config: &server::config::Config, users: &[Uuid]) -> Vec<String> {
    use app::account::{tokens::Jwt, Role};
    use secrecy::ExposeSecret;
    let jwt = Jwt::new(
        config.jwt_secret.expose_secret().as_bytes(),
        std::time::Duration::from_secs(4 * 3600),
    );
    users
        .iter()
        .map(|u| format!("Bearer {}", jwt.issue((*u).into(), Role::Customer)))
        .collect()
}

/// Two free standard seats side by side, at random; one free seat when no two are together.
pub fn pick(map: &Value, rng: &mut Rng) -> Option<Vec<String>> {
    let mut free: Vec<(i64, i64, &str)> = map["seats"]
        .as_array()?
        .iter()
        .filter(|s| s["status"] == "available" && s["kind"] == "standard")
        .filter_map(|s| {
            Some((
                s["grid_row"].as_i64()?,
                s["grid_col"].as_i64()?,
                s["id"].as_str()?,
            ))
        })
        .collect();
    if free.is_empty() {
        return None;
    }
    free.sort_unstable();
    let pairs: Vec<[&str; 2]> = free
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && w[1].1 == w[0].1 + 1)
        .map(|w| [w[0].2, w[1].2])
        .collect();
    if pairs.is_empty() {
        return Some(vec![free[rng.below(free.len())].2.to_owned()]);
    }
    Some(pairs[rng.below(pairs.len())].map(str::to_owned).to_vec())
}

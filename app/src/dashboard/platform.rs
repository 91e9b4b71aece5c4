//! What only platform admins do: cities, who runs which theater, and hiding reviews. Each is
//! written to the audit log (a theater's own log for its admins).

#[cfg(feature = "ssr")]
use super::{audit::Audit, Dashboard, DashboardError};
#[cfg(feature = "ssr")]
use crate::{account::Role, booking::Actor, error::FieldErrors, i18n::Text, words::slugify};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use serde_json::json;
use uuid::Uuid;

/// A city moviegoers pick.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct City {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub state: String,
    pub latitude: f64,
    pub longitude: f64,
    /// IANA, e.g. `Asia/Kolkata`: the days and times of its theaters.
    pub time_zone: String,
}

/// A new city; the slug comes from the name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewCity {
    pub name: String,
    pub state: String,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: String,
}

/// Someone who runs a theater.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct TheaterAdmin {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
}

/// A review as moderators see it, hidden or not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ReviewToModerate {
    pub review_id: Uuid,
    pub movie_title: String,
    pub author: String,
    pub rating: i16,
    pub body: String,
    pub hidden_reason: Option<String>,
}

/// The review as moderation left it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct HiddenReview {
    pub review_id: Uuid,
    pub hidden_reason: String,
}

#[cfg(feature = "ssr")]
impl NewCity {
    fn problems(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if slugify(&self.name).is_empty() || self.name.trim().chars().count() > 80 {
            errors.insert("name".into(), Text::new("err-city-name"));
        }
        if self.state.trim().chars().count() > 80 {
            errors.insert("state".into(), Text::new("err-state"));
        }
        if !(-90.0..=90.0).contains(&self.latitude) {
            errors.insert("latitude".into(), Text::new("err-latitude-range"));
        }
        if !(-180.0..=180.0).contains(&self.longitude) {
            errors.insert("longitude".into(), Text::new("err-longitude-range"));
        }
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            errors.insert("time_zone".into(), Text::new("err-time-zone"));
        }
        errors
    }
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// Platform admins only: anyone else is refused (403).
    pub fn platform_only(actor: Actor) -> Result<(), DashboardError> {
        match actor.role {
            Role::Admin => Ok(()),
            _ => Err(DashboardError::Forbidden),
        }
    }

    /// The newest reviews (50), for moderation.
    pub async fn recent_reviews(
        &self,
        actor: Actor,
    ) -> Result<Vec<ReviewToModerate>, DashboardError> {
        Self::platform_only(actor)?;
        Ok(sqlx::query_as(
            "SELECT r.id AS review_id, m.title AS movie_title, u.name AS author, r.rating, r.body,
                    r.hidden_reason
               FROM reviews r JOIN movies m ON m.id = r.movie_id JOIN users u ON u.id = r.user_id
              ORDER BY r.created_at DESC LIMIT 50",
        )
        .fetch_all(&self.db)
        .await?)
    }

    /// Every city, by name.
    pub async fn cities(&self, actor: Actor) -> Result<Vec<City>, DashboardError> {
        Self::platform_only(actor)?;
        Ok(sqlx::query_as(
            "SELECT id, slug, name, state, latitude, longitude, time_zone FROM cities ORDER BY name",
        )
        .fetch_all(&self.db)
        .await?)
    }

    /// Adds a city.
    pub async fn add_city(&self, actor: Actor, city: &NewCity) -> Result<City, DashboardError> {
        Self::platform_only(actor)?;
        let problems = city.problems();
        if !problems.is_empty() {
            return Err(DashboardError::Invalid(problems));
        }
        let mut tx = self.db.begin().await?;
        let added: Option<City> = sqlx::query_as(
            "INSERT INTO cities (slug, name, state, latitude, longitude, time_zone)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO NOTHING
             RETURNING id, slug, name, state, latitude, longitude, time_zone",
        )
        .bind(slugify(&city.name))
        .bind(city.name.trim())
        .bind(city.state.trim())
        .bind(crate::catalog::to_centimetre(city.latitude))
        .bind(crate::catalog::to_centimetre(city.longitude))
        .bind(&city.time_zone)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(added) = added else {
            return Err(DashboardError::field("name", "err-city-taken"));
        };
        let audit = Audit::new(actor, None, "city.created", added.id);
        audit
            .record(&mut tx, serde_json::Value::Null, json!(added))
            .await?;
        tx.commit().await?;
        self.catalog.schedule_changed().await;
        Ok(added)
    }

    /// Who runs a theater.
    pub async fn theater_admins(
        &self,
        actor: Actor,
        theater: Uuid,
    ) -> Result<Vec<TheaterAdmin>, DashboardError> {
        Self::platform_only(actor)?;
        self.theater_zone(actor, theater).await?;
        Ok(sqlx::query_as(
            "SELECT u.id AS user_id, u.email, u.name FROM theater_admins ta
               JOIN users u ON u.id = ta.user_id WHERE ta.theater_id = $1 ORDER BY u.email",
        )
        .bind(theater)
        .fetch_all(&self.db)
        .await?)
    }

    /// Lets the user with `email` run a theater (a customer becomes a theater admin).
    pub async fn assign_admin(
        &self,
        actor: Actor,
        theater: Uuid,
        email: &str,
    ) -> Result<TheaterAdmin, DashboardError> {
        Self::platform_only(actor)?;
        self.theater_zone(actor, theater).await?;
        let mut tx = self.db.begin().await?;
        let found: Option<(TheaterAdmin, String)> = sqlx::query_as(
            "SELECT u.id AS user_id, u.email, u.name, u.role::text FROM users u
              WHERE u.email = lower(btrim($1)) FOR UPDATE",
        )
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?
        .map(|(user_id, email, name, role)| {
            (
                TheaterAdmin {
                    user_id,
                    email,
                    name,
                },
                role,
            )
        });
        let Some((admin, role)) = found else {
            return Err(DashboardError::field("email", "err-no-account"));
        };
        if role == "admin" {
            let message = "err-platform-admin";
            return Err(DashboardError::field("email", message));
        }
        sqlx::query("UPDATE users SET role = 'theater_admin', updated_at = now() WHERE id = $1")
            .bind(admin.user_id)
            .execute(&mut *tx)
            .await?;
        let added = sqlx::query(
            "INSERT INTO theater_admins (theater_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(theater)
        .bind(admin.user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added == 1 {
            let audit = Audit::new(
                actor,
                Some(theater),
                "theater.admin_assigned",
                admin.user_id,
            );
            let after =
                json!({"user_id": admin.user_id, "email": admin.email, "role": "theater_admin"});
            audit.record(&mut tx, json!({"role": role}), after).await?;
        }
        tx.commit().await?;
        Ok(admin)
    }

    /// Stops a user running a theater; one who runs no theater then is a customer again.
    pub async fn remove_admin(
        &self,
        actor: Actor,
        theater: Uuid,
        user: Uuid,
    ) -> Result<(), DashboardError> {
        Self::platform_only(actor)?;
        self.theater_zone(actor, theater).await?;
        let mut tx = self.db.begin().await?;
        // As assigning does, so the two queue and the role follows what stays.
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        let removed =
            sqlx::query("DELETE FROM theater_admins WHERE theater_id = $1 AND user_id = $2")
                .bind(theater)
                .bind(user)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if removed == 0 {
            return Err(DashboardError::NotFound);
        }
        sqlx::query(
            "UPDATE users SET role = 'customer', updated_at = now()
              WHERE id = $1 AND role = 'theater_admin'
                AND NOT EXISTS (SELECT 1 FROM theater_admins WHERE user_id = $1)",
        )
        .bind(user)
        .execute(&mut *tx)
        .await?;
        let audit = Audit::new(actor, Some(theater), "theater.admin_removed", user);
        audit
            .record(&mut tx, json!({"user_id": user}), serde_json::Value::Null)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hides a review from everyone but its author, with the reason they will read.
    pub async fn hide_review(
        &self,
        actor: Actor,
        review: Uuid,
        reason: &str,
    ) -> Result<HiddenReview, DashboardError> {
        Self::platform_only(actor)?;
        let reason = reason.trim();
        if !(1..=500).contains(&reason.chars().count()) {
            return Err(DashboardError::field("reason", "err-reason"));
        }
        let mut tx = self.db.begin().await?;
        let before: Option<Option<String>> =
            sqlx::query_scalar("SELECT hidden_reason FROM reviews WHERE id = $1 FOR UPDATE")
                .bind(review)
                .fetch_optional(&mut *tx)
                .await?;
        let before = before.ok_or(DashboardError::NotFound)?;
        sqlx::query(
            "UPDATE reviews SET hidden_at = coalesce(hidden_at, now()), hidden_by = $2,
                                hidden_reason = $3
              WHERE id = $1",
        )
        .bind(review)
        .bind(actor.user_id)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        let audit = Audit::new(actor, None, "review.hidden", review);
        let after = json!({"hidden_reason": reason});
        audit
            .record(&mut tx, json!({"hidden_reason": before}), after)
            .await?;
        tx.commit().await?;
        // Ratings and the latest reviews are on cached pages and lists.
        self.catalog.schedule_changed().await;
        Ok(HiddenReview {
            review_id: review,
            hidden_reason: reason.to_owned(),
        })
    }
}

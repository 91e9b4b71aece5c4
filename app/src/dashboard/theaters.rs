//! A theater's details and its screens' settings, as its admins keep them: what moviegoers
//! read on theater pages and what the schedule keeps free between shows.

#[cfg(feature = "ssr")]
use super::{audit::Audit, layout::FORMATS, Dashboard, DashboardError};
#[cfg(feature = "ssr")]
use crate::{booking::Actor, error::FieldErrors, i18n::Text};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use serde_json::json;
#[cfg(feature = "ssr")]
use uuid::Uuid;

/// What a theater tells moviegoers about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct TheaterDetails {
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    /// "Dolby Atmos", "Recliners", "Wheelchair access", ...
    pub amenities: Vec<String>,
}

#[cfg(feature = "ssr")]
impl TheaterDetails {
    fn problems(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let mut say = |field: &str, message: &str| {
            errors.insert(field.to_owned(), Text::new(message));
        };
        if !(1..=120).contains(&self.name.trim().chars().count()) {
            say("name", "err-name-120");
        }
        if !(1..=300).contains(&self.address.trim().chars().count()) {
            say("address", "err-address");
        }
        if !(-90.0..=90.0).contains(&self.latitude) {
            say("latitude", "err-latitude-range");
        }
        if !(-180.0..=180.0).contains(&self.longitude) {
            say("longitude", "err-longitude-range");
        }
        let mut seen = std::collections::HashSet::new();
        let bad = self.amenities.iter().any(|a| {
            !(1..=40).contains(&a.trim().chars().count()) || !seen.insert(a.trim().to_lowercase())
        });
        if bad || self.amenities.len() > 20 {
            say("amenities", "err-amenities");
        }
        errors
    }
}

/// A screen's settings; each left out stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScreenSettings {
    #[serde(default)]
    pub name: Option<String>,
    /// Minutes kept free after each show, 0 to 120; shows already scheduled stay.
    #[serde(default)]
    pub cleaning_minutes: Option<i32>,
    #[serde(default)]
    pub formats: Option<Vec<String>>,
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// A theater's details, for its admins.
    pub async fn theater_details(
        &self,
        actor: Actor,
        theater: Uuid,
    ) -> Result<TheaterDetails, DashboardError> {
        self.theater_zone(actor, theater).await?;
        Ok(sqlx::query_as(
            "SELECT name, address, latitude, longitude, amenities FROM theaters WHERE id = $1",
        )
        .bind(theater)
        .fetch_one(&self.db)
        .await?)
    }

    /// Replaces a theater's details.
    pub async fn edit_theater(
        &self,
        actor: Actor,
        theater: Uuid,
        details: &TheaterDetails,
    ) -> Result<TheaterDetails, DashboardError> {
        let before = self.theater_details(actor, theater).await?;
        let problems = details.problems();
        if !problems.is_empty() {
            return Err(DashboardError::Invalid(problems));
        }
        let amenities: Vec<String> = details
            .amenities
            .iter()
            .map(|a| a.trim().to_owned())
            .collect();
        let mut tx = self.db.begin().await?;
        let after: TheaterDetails = sqlx::query_as(
            "UPDATE theaters SET name = $2, address = $3, latitude = $4, longitude = $5,
                                 amenities = $6, updated_at = now()
              WHERE id = $1 RETURNING name, address, latitude, longitude, amenities",
        )
        .bind(theater)
        .bind(details.name.trim())
        .bind(details.address.trim())
        .bind(crate::catalog::to_centimetre(details.latitude))
        .bind(crate::catalog::to_centimetre(details.longitude))
        .bind(&amenities)
        .fetch_one(&mut *tx)
        .await?;
        let audit = Audit::new(actor, Some(theater), "theater.updated", theater);
        audit.record(&mut tx, json!(before), json!(after)).await?;
        tx.commit().await?;
        self.catalog.schedule_changed().await;
        Ok(after)
    }

    /// Changes a screen's name, cleaning time or formats.
    pub async fn edit_screen(
        &self,
        actor: Actor,
        screen: Uuid,
        settings: &ScreenSettings,
    ) -> Result<super::layout::ScreenSummary, DashboardError> {
        let theater = self.run_screen(actor, screen).await?;
        if let Some(name) = &settings.name {
            if !(1..=60).contains(&name.trim().chars().count()) {
                return Err(DashboardError::field("name", "err-name-60"));
            }
        }
        if settings
            .cleaning_minutes
            .is_some_and(|m| !(0..=120).contains(&m))
        {
            let message = "err-cleaning";
            return Err(DashboardError::field("cleaning_minutes", message));
        }
        if let Some(formats) = &settings.formats {
            if formats.is_empty() || formats.iter().any(|f| !FORMATS.contains(&f.as_str())) {
                let text = Text::new("err-formats").arg("formats", FORMATS.join(", "));
                return Err(DashboardError::field_with("formats", text));
            }
        }
        let mut tx = self.db.begin().await?;
        let before: serde_json::Value = sqlx::query_scalar(
            "SELECT jsonb_build_object('name', name, 'cleaning_minutes', cleaning_minutes,
                                       'formats', formats)
               FROM screens WHERE id = $1 FOR UPDATE",
        )
        .bind(screen)
        .fetch_one(&mut *tx)
        .await?;
        let after: Option<serde_json::Value> = sqlx::query_scalar(
            "UPDATE screens s SET name = coalesce($2, s.name),
                    cleaning_minutes = coalesce($3, s.cleaning_minutes), formats = coalesce($4, s.formats)
              WHERE s.id = $1
                AND NOT EXISTS (SELECT 1 FROM screens o
                                 WHERE o.theater_id = s.theater_id AND o.id <> s.id AND o.name = $2)
             RETURNING jsonb_build_object('name', name, 'cleaning_minutes', cleaning_minutes,
                                          'formats', formats)",
        )
        .bind(screen)
        .bind(settings.name.as_deref().map(str::trim))
        .bind(settings.cleaning_minutes)
        .bind(&settings.formats)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(after) = after else {
            let message = "err-screen-name-taken";
            return Err(DashboardError::field("name", message));
        };
        let audit = Audit::new(actor, Some(theater), "screen.updated", screen);
        audit.record(&mut tx, before, after).await?;
        tx.commit().await?;
        self.catalog.schedule_changed().await;
        self.screen_summary(screen).await
    }
}

//! Editing a movie (platform admins): its details, and its poster replaced under a new file
//! name so no cache keeps showing the old picture.

#[cfg(feature = "ssr")]
use super::AddedMovie;
use super::NewMovie;
#[cfg(feature = "ssr")]
use super::{audit::Audit, movies::listed, Dashboard, DashboardError};
#[cfg(feature = "ssr")]
use crate::booking::Actor;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use serde_json::json;
use uuid::Uuid;

/// A movie as its edit form shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MovieEdit {
    pub id: Uuid,
    pub slug: String,
    pub poster_url: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub movie: NewMovie,
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// A movie's details for its edit form (platform admins).
    pub async fn movie_details(&self, actor: Actor, id: Uuid) -> Result<MovieEdit, DashboardError> {
        Self::platform_only(actor)?;
        sqlx::query_as(
            "SELECT id, slug, poster_url, title, synopsis, runtime_minutes, languages, genres,
                    certificate, release_date, trailer_url
               FROM movies WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?
        .ok_or(DashboardError::NotFound)
    }

    /// Replaces a movie's details, and its poster when a new one is given (under a new file
    /// name, so no cache keeps the old picture); its slug stays, so links keep working.
    pub async fn edit_movie(
        &self,
        actor: Actor,
        id: Uuid,
        movie: &NewMovie,
        poster: Option<&[u8]>,
    ) -> Result<AddedMovie, DashboardError> {
        Self::movie_allowed(actor, movie, poster)?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM movies WHERE id = $1)")
            .bind(id)
            .fetch_one(&self.db)
            .await?;
        if !exists {
            return Err(DashboardError::NotFound);
        }
        let new_poster = match poster {
            Some(bytes) => Some(self.store_poster(Uuid::new_v4(), bytes).await?),
            None => None,
        };
        let edited = self
            .update_movie(actor, id, movie, new_poster.clone())
            .await;
        let file = |url: Option<&str>| {
            let name = url?.strip_prefix("/media/posters/")?;
            self.poster_file(name).map(|(path, _)| path)
        };
        let (edited, old_poster) = match edited {
            Ok(done) => done,
            Err(err) => {
                // The row never took the new picture: it goes.
                if let Some(path) = file(new_poster.as_deref()) {
                    let _ = tokio::fs::remove_file(path).await;
                }
                return Err(err);
            }
        };
        // The picture no row names any more.
        if let Some(path) = file(old_poster.as_deref()).filter(|_| new_poster.is_some()) {
            let _ = tokio::fs::remove_file(path).await;
        }
        self.catalog.schedule_changed().await;
        Ok(edited)
    }

    /// The edit itself, audited: the movie as it is now, and the poster it had.
    async fn update_movie(
        &self,
        actor: Actor,
        id: Uuid,
        movie: &NewMovie,
        new_poster: Option<String>,
    ) -> Result<(AddedMovie, Option<String>), DashboardError> {
        let mut tx = self.db.begin().await?;
        let before: Option<(serde_json::Value, Option<String>)> =
            sqlx::query_as("SELECT to_jsonb(m), poster_url FROM movies m WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((before, old_poster)) = before else {
            return Err(DashboardError::NotFound);
        };
        let slug: String = sqlx::query_scalar(
            "UPDATE movies SET title = $2, synopsis = $3, runtime_minutes = $4, languages = $5,
                    genres = $6, certificate = $7, release_date = $8, trailer_url = $9,
                    poster_url = coalesce($10, poster_url), updated_at = now()
              WHERE id = $1 RETURNING slug",
        )
        .bind(id)
        .bind(movie.title.trim())
        .bind(movie.synopsis.trim())
        .bind(movie.runtime_minutes)
        .bind(listed(&movie.languages))
        .bind(listed(&movie.genres))
        .bind(&movie.certificate)
        .bind(movie.release_date)
        .bind(&movie.trailer_url)
        .bind(&new_poster)
        .fetch_one(&mut *tx)
        .await?;
        let edited = AddedMovie {
            id,
            slug,
            title: movie.title.trim().to_owned(),
            poster_url: new_poster.or(old_poster.clone()),
        };
        let audit = Audit::new(actor, None, "movie.updated", id);
        audit.record(&mut tx, before, json!(movie)).await?;
        tx.commit().await?;
        Ok((edited, old_poster))
    }
}

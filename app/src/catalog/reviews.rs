//! Reviews: one per user and movie, "verified" once the author has a confirmed booking for it,
//! and votes of other users that they helped.

use super::{Catalog, CatalogError};
use crate::{error::FieldErrors, i18n::Text, ids::UserId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Review {
    pub id: Uuid,
    pub movie_id: Uuid,
    pub author: String,
    pub rating: i16,
    pub body: String,
    /// The author has a confirmed booking for this movie.
    pub verified: bool,
    /// How many other users found it helpful.
    pub helpful_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Why moderators hid it: shown to its author only, as nobody else sees it.
    pub hidden_reason: Option<String>,
}

words! {
    /// The order of a movie's reviews.
    #[derive(Default)]
    pub enum ReviewSort {
        #[default]
        Newest = "newest",
        Helpful = "helpful",
    }
}

pub const MAX_REVIEW: usize = 2000;

const REVIEWS: &str =
    "SELECT r.id, r.movie_id, u.name AS author, r.rating, r.body, r.verified, r.helpful_count,
        r.created_at, r.updated_at, r.hidden_reason
   FROM reviews r JOIN users u ON u.id = r.user_id";

impl Catalog {
    /// Adds the user's review of a movie, or edits the one they already wrote.
    pub async fn save_review(
        &self,
        user: UserId,
        movie_id: Uuid,
        rating: i16,
        body: &str,
    ) -> Result<Review, CatalogError> {
        let mut errors = FieldErrors::new();
        if !(1..=10).contains(&rating) {
            errors.insert("rating".to_owned(), Text::new("err-rating"));
        }
        let body = body.trim();
        if body.chars().count() > MAX_REVIEW {
            errors.insert(
                "body".to_owned(),
                Text::new("err-too-long").arg("max", MAX_REVIEW),
            );
        }
        if !errors.is_empty() {
            return Err(CatalogError::Invalid(errors));
        }
        self.review_limit
            .hit(&format!("review:user:{user}"))
            .await
            .map_err(CatalogError::RateLimited)?;
        let db = self.write();
        let id: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO reviews (user_id, movie_id, rating, body, verified)
             SELECT $1, m.id, $3, $4, EXISTS (
                 SELECT 1 FROM bookings b JOIN shows s ON s.id = b.show_id
                  WHERE b.user_id = $1 AND s.movie_id = m.id AND b.status = 'confirmed')
               FROM movies m WHERE m.id = $2
             ON CONFLICT (user_id, movie_id) DO UPDATE
                SET rating = EXCLUDED.rating, body = EXCLUDED.body, verified = EXCLUDED.verified,
                    updated_at = now()
             RETURNING id",
        )
        .bind(user)
        .bind(movie_id)
        .bind(rating)
        .bind(body)
        .fetch_optional(db)
        .await?;
        let id = id.ok_or(CatalogError::NotFound)?;
        // Ratings and the latest reviews are on cached pages and lists.
        self.cache().changed(&[]).await;
        Ok(sqlx::query_as(&format!("{REVIEWS} WHERE r.id = $1"))
            .bind(id)
            .fetch_one(db)
            .await?)
    }

    /// A page of a movie's reviews and how many there are: hidden ones only for their author
    /// (`viewer`).
    pub async fn reviews(
        &self,
        movie_id: Uuid,
        sort: ReviewSort,
        (page, per_page): (u32, u32),
        viewer: Option<UserId>,
    ) -> Result<(Vec<Review>, i64), CatalogError> {
        let db = self.read();
        let total: Option<i64> = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM reviews r
                      WHERE r.movie_id = m.id AND (r.hidden_at IS NULL OR r.user_id = $2))
               FROM movies m WHERE m.id = $1",
        )
        .bind(movie_id)
        .bind(viewer)
        .fetch_optional(db)
        .await?;
        let total = total.ok_or(CatalogError::NotFound)?;
        let order = match sort {
            ReviewSort::Newest => "r.created_at DESC",
            ReviewSort::Helpful => "r.helpful_count DESC, r.created_at DESC",
        };
        let items = sqlx::query_as(&format!(
            "{REVIEWS} WHERE r.movie_id = $1 AND (r.hidden_at IS NULL OR r.user_id = $4)
              ORDER BY {order} LIMIT $2 OFFSET $3"
        ))
        .bind(movie_id)
        .bind(i64::from(per_page))
        .bind(i64::from(page.saturating_sub(1)) * i64::from(per_page))
        .bind(viewer)
        .fetch_all(db)
        .await?;
        Ok((items, total))
    }

    /// Records that `user` found a review of `movie_id` helpful; voting twice counts once, and
    /// nobody votes for their own review.
    pub async fn vote_helpful(
        &self,
        user: UserId,
        movie_id: Uuid,
        review_id: Uuid,
    ) -> Result<Review, CatalogError> {
        self.review_limit
            .hit(&format!("review:user:{user}"))
            .await
            .map_err(CatalogError::RateLimited)?;
        let db = self.write();
        let author: Option<Uuid> = sqlx::query_scalar(
            "SELECT user_id FROM reviews WHERE id = $1 AND movie_id = $2 AND hidden_at IS NULL",
        )
        .bind(review_id)
        .bind(movie_id)
        .fetch_optional(db)
        .await?;
        match author {
            None => return Err(CatalogError::NotFound),
            Some(author) if author == user.uuid() => {
                return Err(CatalogError::field("review_id", "err-own-review"))
            }
            Some(_) => {}
        }
        sqlx::query(
            "WITH vote AS (
                INSERT INTO review_votes (review_id, user_id) VALUES ($1, $2)
                ON CONFLICT DO NOTHING RETURNING review_id)
             UPDATE reviews SET helpful_count = helpful_count + 1
              WHERE id IN (SELECT review_id FROM vote)",
        )
        .bind(review_id)
        .bind(user)
        .execute(db)
        .await?;
        Ok(sqlx::query_as(&format!("{REVIEWS} WHERE r.id = $1"))
            .bind(review_id)
            .fetch_one(db)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::ReviewSort;

    #[test]
    fn sorts_read_as_their_words() {
        let parsed: ReviewSort = serde_json::from_str("\"helpful\"").unwrap();
        assert_eq!(parsed, ReviewSort::Helpful);
        assert!(serde_json::from_str::<ReviewSort>("\"loudest\"").is_err());
    }
}

//! Movies as platform admins add them, with a poster image stored on disk under POSTER_DIR
//! and served at `/media/posters/{movie id}.{png|jpg|webp}`. A poster is checked by what its
//! bytes are (PNG, JPEG or WebP), not by the name or type it was sent with.

#[cfg(feature = "ssr")]
use super::{audit::Audit, Dashboard, DashboardError};
#[cfg(feature = "ssr")]
use crate::{booking::Actor, error::FieldErrors, i18n::Text, words::slugify};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use serde_json::json;
use uuid::Uuid;

/// The largest poster taken, in bytes.
pub const MAX_POSTER_BYTES: usize = 2 * 1024 * 1024;

pub const CERTIFICATES: [&str; 7] = ["U", "UA", "UA 7+", "UA 13+", "UA 16+", "A", "S"];

/// A movie to add; in the REST form, `languages` and `genres` are comma-separated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct NewMovie {
    pub title: String,
    #[serde(default)]
    pub synopsis: String,
    pub runtime_minutes: i32,
    pub languages: Vec<String>,
    #[serde(default)]
    pub genres: Vec<String>,
    /// `U`, `UA`, `UA 7+`, `UA 13+`, `UA 16+`, `A` or `S`.
    pub certificate: String,
    pub release_date: NaiveDate,
    #[serde(default)]
    pub trailer_url: Option<String>,
}

/// The movie as added.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AddedMovie {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub poster_url: Option<String>,
}

#[cfg(feature = "ssr")]
/// What a poster's bytes are: its file extension and content type.
pub fn poster_kind(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, ..] => Some(("png", "image/png")),
        [0xff, 0xd8, 0xff, ..] => Some(("jpg", "image/jpeg")),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => {
            Some(("webp", "image/webp"))
        }
        _ => None,
    }
}

#[cfg(feature = "ssr")]
impl NewMovie {
    pub(super) fn problems(&self, poster: Option<&[u8]>) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let mut say = |field: &str, message: Text| {
            errors.insert(field.to_owned(), message);
        };
        if !(1..=200).contains(&self.title.trim().chars().count()) {
            say("title", Text::new("err-title"));
        }
        if self.synopsis.chars().count() > 5000 {
            say("synopsis", Text::new("err-synopsis"));
        }
        if !(1..=600).contains(&self.runtime_minutes) {
            say("runtime_minutes", Text::new("err-runtime"));
        }
        if self.languages.iter().all(|l| l.trim().is_empty()) {
            say("languages", Text::new("err-languages"));
        }
        if !CERTIFICATES.contains(&self.certificate.as_str()) {
            say(
                "certificate",
                Text::new("err-one-of").arg("choices", CERTIFICATES.join(", ")),
            );
        }
        let trailer = self.trailer_url.as_deref();
        if trailer.is_some_and(|url| !embeddable(url)) {
            say("trailer_url", Text::new("err-trailer"));
        }
        match poster {
            Some(bytes) if bytes.len() > MAX_POSTER_BYTES => say(
                "poster",
                Text::new("err-poster-size").arg("mb", MAX_POSTER_BYTES / (1024 * 1024)),
            ),
            Some(bytes) if poster_kind(bytes).is_none() => {
                say("poster", Text::new("err-poster-kind"))
            }
            _ => {}
        }
        errors
    }
}

#[cfg(feature = "ssr")]
pub(super) fn listed(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// Platform admins only, and a movie without problems: before anything is written.
    pub(super) fn movie_allowed(
        actor: Actor,
        movie: &NewMovie,
        poster: Option<&[u8]>,
    ) -> Result<(), DashboardError> {
        Self::platform_only(actor)?;
        let problems = movie.problems(poster);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(DashboardError::Invalid(problems))
        }
    }

    /// Adds a movie, with its poster when given; the files go before the row, so a movie
    /// never names a poster that is not there.
    pub async fn add_movie(
        &self,
        actor: Actor,
        movie: &NewMovie,
        poster: Option<&[u8]>,
    ) -> Result<AddedMovie, DashboardError> {
        Self::movie_allowed(actor, movie, poster)?;
        let id = Uuid::new_v4();
        let poster_url = match poster {
            Some(bytes) => Some(self.store_poster(id, bytes).await?),
            None => None,
        };
        let added = self.insert_movie(actor, id, movie, poster_url).await;
        if let (Err(_), Some((extension, _))) = (&added, poster.and_then(poster_kind)) {
            // The row never came: its poster goes too.
            let _ = tokio::fs::remove_file(self.posters.join(format!("{id}.{extension}"))).await;
        }
        let added = added?;
        self.catalog.schedule_changed().await;
        Ok(added)
    }

    async fn insert_movie(
        &self,
        actor: Actor,
        id: Uuid,
        movie: &NewMovie,
        poster_url: Option<String>,
    ) -> Result<AddedMovie, DashboardError> {
        // The title's own slug if free, else with the year, else with the id (always free).
        let base = Some(slugify(&movie.title)).filter(|s| !s.is_empty());
        let base = base.unwrap_or_else(|| "movie".to_owned());
        let mut tx = self.db.begin().await?;
        // Two admins adding one title at once: the second waits for the first and, finding
        // its slug taken, takes the one with the id (ON CONFLICT rather than an error).
        let mut slug = None;
        for free_choice in [true, false] {
            slug = sqlx::query_scalar(
                "INSERT INTO movies (id, slug, title, synopsis, runtime_minutes, languages, genres,
                                     certificate, release_date, poster_url, trailer_url)
                 SELECT $1, CASE WHEN $12 THEN coalesce(
                            (SELECT s FROM unnest(ARRAY[$2, $2 || '-' || to_char($9, 'YYYY')]) s
                              WHERE NOT EXISTS (SELECT 1 FROM movies m WHERE m.slug = s) LIMIT 1),
                            $2 || '-' || left(replace($1::text, '-', ''), 8))
                        ELSE $2 || '-' || left(replace($1::text, '-', ''), 8) END,
                        $3, $4, $5, $6, $7, $8, $9, $10, $11
                 ON CONFLICT (slug) DO NOTHING
                 RETURNING slug",
            )
            .bind(id)
            .bind(&base)
            .bind(movie.title.trim())
            .bind(movie.synopsis.trim())
            .bind(movie.runtime_minutes)
            .bind(listed(&movie.languages))
            .bind(listed(&movie.genres))
            .bind(&movie.certificate)
            .bind(movie.release_date)
            .bind(&poster_url)
            .bind(&movie.trailer_url)
            .bind(free_choice)
            .fetch_optional(&mut *tx)
            .await?;
            if slug.is_some() {
                break;
            }
        }
        let slug: String = slug.ok_or(DashboardError::Unavailable)?;
        let added = AddedMovie {
            id,
            slug,
            title: movie.title.trim().to_owned(),
            poster_url,
        };
        let audit = Audit::new(actor, None, "movie.created", id);
        audit
            .record(&mut tx, serde_json::Value::Null, json!(added))
            .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Writes a poster whole (to a temporary name first), answering the address it is served at.
    pub(super) async fn store_poster(
        &self,
        movie: Uuid,
        bytes: &[u8],
    ) -> Result<String, DashboardError> {
        let (extension, _) = poster_kind(bytes).ok_or(DashboardError::Unavailable)?;
        let name = format!("{movie}.{extension}");
        let write = async {
            tokio::fs::create_dir_all(&self.posters).await?;
            let partial = self.posters.join(format!(".{name}.partial"));
            tokio::fs::write(&partial, bytes).await?;
            tokio::fs::rename(&partial, self.posters.join(&name)).await
        };
        write.await.map_err(|err| {
            tracing::error!(error = %err, dir = %self.posters.display(), "could not store a poster");
            DashboardError::Unavailable
        })?;
        Ok(format!("/media/posters/{name}"))
    }

    /// The file of a stored poster and its content type; None for any other name.
    pub fn poster_file(&self, name: &str) -> Option<(std::path::PathBuf, &'static str)> {
        let (id, extension) = name.split_once('.')?;
        id.parse::<Uuid>().ok()?;
        let kind = match extension {
            "png" => "image/png",
            "jpg" => "image/jpeg",
            "webp" => "image/webp",
            _ => return None,
        };
        Some((self.posters.join(name), kind))
    }
}

/// Trailers play in a frame, and the site's Content-Security-Policy frames only YouTube's
/// embeds (the no-cookie domain, or youtube.com's own).
#[cfg(feature = "ssr")]
const TRAILER_HOSTS: [&str; 2] = [
    "https://www.youtube-nocookie.com/embed/",
    "https://www.youtube.com/embed/",
];

#[cfg(feature = "ssr")]
fn embeddable(url: &str) -> bool {
    url.len() <= 500
        && TRAILER_HOSTS.iter().any(|host| {
            url.strip_prefix(host).is_some_and(|rest| {
                !rest.is_empty() && !rest.chars().any(|c| c.is_whitespace() || c.is_control())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posters_are_known_by_their_bytes() {
        assert_eq!(poster_kind(b"\x89PNG\r\n\x1a\n...").unwrap().0, "png");
        assert_eq!(poster_kind(b"\xff\xd8\xff\xe0").unwrap().0, "jpg");
        assert_eq!(poster_kind(b"RIFF\0\0\0\0WEBPVP8 ").unwrap().0, "webp");
        assert_eq!(poster_kind(b"<svg xmlns="), None);
        assert_eq!(poster_kind(b"GIF89a"), None);
    }

    #[test]
    fn trailers_are_youtube_embeds() {
        assert!(embeddable("https://www.youtube-nocookie.com/embed/abc123"));
        assert!(embeddable("https://www.youtube.com/embed/abc123?start=5"));
        for bad in [
            "https://videos.example/monsoon",
            "https://www.youtube.com/watch?v=abc123",
            "http://www.youtube.com/embed/abc123",
            "https://www.youtube.com/embed/",
            "https://www.youtube.com/embed/a b",
            "https://www.youtube-nocookie.com.evil.example/embed/x",
        ] {
            assert!(!embeddable(bad), "{bad}");
        }
    }
}

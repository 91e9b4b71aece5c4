//! Poster artwork generated as SVG from the movie's own data, so the catalog never shows a
//! broken image and needs no image storage.

use app::catalog::{Catalog, MovieInfo};
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::Datelike;

pub async fn poster(State(catalog): State<Catalog>, Path(file): Path<String>) -> Response {
    let Some(slug) = file.strip_suffix(".svg") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let movie = match catalog.movie_by_slug(slug).await {
        Ok(Some(id)) => catalog.movie(id).await.map(Some),
        other => other.map(|_| None),
    };
    match movie {
        Ok(Some(movie)) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            render(slug, &movie),
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(err) => {
            tracing::error!(error = %err, "poster lookup failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

fn render(slug: &str, movie: &MovieInfo) -> String {
    let hue = slug
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into()))
        % 360;
    let second = (hue + 40) % 360;
    let lines = wrap(&movie.title, 14);
    // Shrink long words so every line fits the 252 px between the margins.
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64;
    let size = (252.0 / (0.62 * longest)).min(34.0).floor();
    let title: String = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            format!(
                r##"<text x="24" y="{}" font-size="{size}" font-weight="800" fill="#fff">{}</text>"##,
                300.0 + i as f64 * size * 1.2,
                escape(line)
            )
        })
        .collect();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 450" width="300" height="450" role="img" aria-label="{label}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
<stop offset="0" stop-color="hsl({hue},70%,45%)"/><stop offset="1" stop-color="hsl({second},65%,18%)"/>
</linearGradient></defs>
<rect width="300" height="450" fill="url(#g)"/>
<circle cx="230" cy="110" r="70" fill="hsla({second},80%,70%,0.25)"/>
<circle cx="70" cy="170" r="40" fill="hsla({hue},80%,80%,0.2)"/>
<g font-family="system-ui,sans-serif">{title}
<text x="24" y="420" font-size="15" fill="#e2e8f0">{genres} · {year} · {certificate}</text></g>
</svg>"##,
        label = escape(&movie.title),
        genres = escape(&movie.genres.join(" / ")),
        year = movie.release_date.year(),
        certificate = escape(&movie.certificate),
    )
}

/// Greedy word wrap to at most three lines.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines.truncate(3);
    lines
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_wrap_and_escape() {
        assert_eq!(
            wrap("The Last Lighthouse of Kanyakumari", 14),
            ["The Last", "Lighthouse of", "Kanyakumari"]
        );
        assert_eq!(escape("Chai & <Chaos>"), "Chai &amp; &lt;Chaos&gt;");
    }
}

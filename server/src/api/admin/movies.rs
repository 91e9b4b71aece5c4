//! `/api/v1/admin/movies`: platform admins add and edit movies, the poster sent as a file of
//! a multipart form; the dashboard's movie form posts the same form to `/dashboard/movies/...`
//! and is sent on to a page; and `/media/posters/{file}` serves the posters stored.

use super::ApiPath;
use app::{
    account::auth::Principal,
    booking::Actor,
    dashboard::{AddedMovie, Dashboard, DashboardError, NewMovie},
    i18n::{Explained, Lang},
};
use axum::{
    body::Bytes,
    extract::{
        multipart::{MultipartError, MultipartRejection},
        Multipart, Path, State,
    },
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Extension, Json,
};
use chrono::NaiveDate;
use std::collections::HashMap;
use uuid::Uuid;

/// The form `POST /api/v1/admin/movies` takes (multipart/form-data).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct MovieForm {
    title: String,
    synopsis: Option<String>,
    runtime_minutes: i32,
    /// Comma-separated, e.g. `Hindi, English`.
    languages: String,
    /// Comma-separated.
    genres: Option<String>,
    /// `U`, `UA`, `UA 7+`, `UA 13+`, `UA 16+`, `A` or `S`.
    certificate: String,
    /// `YYYY-MM-DD`.
    release_date: String,
    trailer_url: Option<String>,
    /// PNG, JPEG or WebP, at most 2 MB.
    #[schema(value_type = Option<String>, format = Binary)]
    poster: Option<Vec<u8>>,
}

/// Adds a movie: its details and optionally its poster, as a multipart form.
#[utoipa::path(post, path = "/api/v1/admin/movies", tag = "admin", security(("bearer" = [])),
    request_body(content = MovieForm, content_type = "multipart/form-data"),
    responses((status = 201, body = AddedMovie),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not a platform admin"),
    (status = 413, description = "the form is far too big"),
    (status = 422, description = "validation_failed: title, runtime_minutes, languages, certificate, release_date, trailer_url, poster (not a PNG, JPEG or WebP, or over 2 MB), form")))]
pub async fn add_movie(
    State(dashboard): State<Dashboard>,
    who: Principal,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AddedMovie>), DashboardError> {
    let actor = Actor::from(who);
    // Who asks is settled before the body is read.
    Dashboard::platform_only(actor)?;
    let (movie, poster) = read_movie(form).await?;
    let added = dashboard.add_movie(actor, &movie, poster.as_deref());
    Ok((StatusCode::CREATED, Json(added.await?)))
}

/// Replaces a movie's details (the same form as adding one); a poster sent replaces the old
/// one, none keeps it. The slug stays.
#[utoipa::path(put, path = "/api/v1/admin/movies/{id}", tag = "admin", security(("bearer" = [])),
    request_body(content = MovieForm, content_type = "multipart/form-data"),
    responses((status = 200, body = AddedMovie),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not a platform admin"),
    (status = 404, description = "not_found"), (status = 413, description = "the form is far too big"),
    (status = 422, description = "validation_failed, as for adding a movie")))]
pub async fn edit_movie(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Json<AddedMovie>, DashboardError> {
    let actor = Actor::from(who);
    Dashboard::platform_only(actor)?;
    let (movie, poster) = read_movie(form).await?;
    let edited = dashboard.edit_movie(actor, id, &movie, poster.as_deref());
    Ok(Json(edited.await?))
}

/// The dashboard's movie form (`None`: a new movie), posted by a browser: on to the movie's
/// dashboard page, or back to the form with what was wrong.
pub async fn movie_form(
    dashboard: Dashboard,
    who: Result<Principal, app::account::AccountError>,
    lang: Lang,
    id: Option<Uuid>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let back = match id {
        Some(id) => format!("/dashboard/movies/{id}"),
        None => "/dashboard/movies/new".to_owned(),
    };
    let Ok(who) = who else {
        return Redirect::to(&format!("/login?next={back}")).into_response();
    };
    let actor = Actor::from(who);
    let saved = async {
        Dashboard::platform_only(actor)?;
        let (movie, poster) = read_movie(form).await?;
        match id {
            Some(id) => {
                dashboard
                    .edit_movie(actor, id, &movie, poster.as_deref())
                    .await
            }
            None => dashboard.add_movie(actor, &movie, poster.as_deref()).await,
        }
    };
    match saved.await {
        Ok(movie) => {
            Redirect::to(&format!("/dashboard/movies/{}?saved=1", movie.id)).into_response()
        }
        Err(err) => {
            // Said in the form's language: the page shows it as it is.
            let problem = match &err {
                DashboardError::Invalid(fields) => fields
                    .iter()
                    .map(|(field, message)| format!("{field}: {}", message.in_lang(lang)))
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.text().in_lang(lang),
            };
            let query = serde_urlencoded::to_string([("problem", problem)]).unwrap_or_default();
            Redirect::to(&format!("{back}?{query}")).into_response()
        }
    }
}

pub async fn new_movie_form(
    State(dashboard): State<Dashboard>,
    who: Result<Principal, app::account::AccountError>,
    lang: Option<Extension<Lang>>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let lang = lang.map(|Extension(lang)| lang).unwrap_or_default();
    movie_form(dashboard, who, lang, None, form).await
}

pub async fn edit_movie_form(
    State(dashboard): State<Dashboard>,
    who: Result<Principal, app::account::AccountError>,
    lang: Option<Extension<Lang>>,
    Path(id): Path<Uuid>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let lang = lang.map(|Extension(lang)| lang).unwrap_or_default();
    movie_form(dashboard, who, lang, Some(id), form).await
}

/// A movie's form: its text fields and its poster, if one was sent.
async fn read_movie(
    form: Result<Multipart, MultipartRejection>,
) -> Result<(NewMovie, Option<Bytes>), DashboardError> {
    let not_a_form = |_| DashboardError::field("form", "err-multipart");
    let mut form = form.map_err(not_a_form)?;
    let (mut fields, mut poster) = (HashMap::new(), None::<Bytes>);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|err| unreadable("form", err))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let read = |err| unreadable(&name, err);
        if name == "poster" {
            poster = Some(field.bytes().await.map_err(read)?).filter(|b| !b.is_empty());
        } else {
            let text = field.text().await.map_err(read)?;
            fields.insert(name, text);
        }
    }
    Ok((movie_of(&fields)?, poster))
}

/// A part of the form that could not be read: over the size limit (413), or broken (422).
fn unreadable(field: &str, err: MultipartError) -> DashboardError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        DashboardError::TooLarge
    } else {
        let text = app::i18n::Text::new("err-unreadable").arg("detail", err.to_string());
        DashboardError::field_with(field, text)
    }
}

/// The form's text fields as a movie; numbers and dates that do not parse are named.
fn movie_of(fields: &HashMap<String, String>) -> Result<NewMovie, DashboardError> {
    let text = |name: &str| {
        fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let list = |name: &str| text(name).split(',').map(str::to_owned).collect::<Vec<_>>();
    let runtime_minutes = text("runtime_minutes")
        .parse()
        .map_err(|_| DashboardError::field("runtime_minutes", "err-minutes"))?;
    let release_date = NaiveDate::parse_from_str(&text("release_date"), "%Y-%m-%d")
        .map_err(|_| DashboardError::field("release_date", "err-iso-date"))?;
    Ok(NewMovie {
        title: text("title"),
        synopsis: text("synopsis"),
        runtime_minutes,
        languages: list("languages"),
        genres: list("genres"),
        certificate: text("certificate"),
        release_date,
        trailer_url: Some(text("trailer_url")).filter(|t| !t.is_empty()),
    })
}

/// A stored poster, cached for a day (a new poster is a new file name).
pub async fn poster(State(dashboard): State<Dashboard>, Path(file): Path<String>) -> Response {
    let Some((path, kind)) = dashboard.poster_file(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, kind),
                (header::CACHE_CONTROL, "public, max-age=86400"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

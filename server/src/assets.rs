//! The site's build output and the compression of everything else.
//!
//! Files under /pkg carry a content hash in their names (cargo-leptos `hash-files`), so a
//! browser may keep them for a year: a new build is a new name. Release builds also leave a
//! brotli and a gzip copy beside each file (`cargo leptos build --release -P`), served to
//! browsers that accept them; without one, the compression layer compresses on the way out.

use axum::{
    http::{header, HeaderValue, Response},
    Router,
};
use leptos::prelude::LeptosOptions;
use std::path::{Path, PathBuf};
use tower_http::{
    compression::{
        predicate::{NotForContentType, Predicate, SizeAbove},
        CompressionLayer, CompressionLevel,
    },
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
};

const FOREVER: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");
/// Smaller answers are not worth the work of compressing.
const WORTH_COMPRESSING: u16 = 1024;

/// Whether this build's file names are hashed: cargo-leptos writes the hashes next to the
/// server binary, where Leptos looks for them.
pub fn hashed(options: &LeptosOptions) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .is_some_and(|dir| dir.join(&*options.hash_file).is_file())
}

/// The URL prefix of the build output, e.g. `/pkg`.
pub fn prefix(options: &LeptosOptions) -> String {
    format!("/{}", options.site_pkg_dir.trim_matches('/'))
}

/// Serves the build output, cached for a year when the names are hashed.
pub fn pkg(options: &LeptosOptions) -> Router {
    let dir: PathBuf = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let lifetime = if options.hash_files {
        FOREVER
    } else {
        REVALIDATE
    };
    Router::new()
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            move |response: &Response<_>| response.status().is_success().then(|| lifetime.clone()),
        ))
}

/// Brotli or gzip, as the client prefers, for pages and API answers of some size. Event
/// streams stay as they are, so every event leaves at once.
pub fn compression() -> CompressionLayer<impl Predicate> {
    let worth_it = SizeAbove::new(WORTH_COMPRESSING)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
        .and(NotForContentType::GRPC);
    CompressionLayer::new()
        .quality(CompressionLevel::Fastest)
        .compress_when(worth_it)
}

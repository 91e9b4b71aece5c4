//! How a page's wasm and stylesheet are named and loaded. A page of the journey from a movie to
//! its ticket works before its wasm runs (links load pages, forms post), so the wasm is not
//! preloaded: it is fetched once the page itself has loaded and the browser is idle, and on a
//! slow phone line no longer shares the line with the stylesheet and the posters, which paint
//! first. Lazy routes (`crate::routes`) use Leptos's own loader, which preloads the wasm and
//! their piece of it while the page loads: they hydrate only once both are in.

use crate::routes;
use leptos::prelude::*;
use std::sync::OnceLock;

/// Starts the wasm after the `load` event, at the browser's first idle moment (or within a
/// second if it never idles).
const LOADER: &str = r#"(js, wasm) => {
  const hydrate = () => import(js).then((glue) => glue.default({ module_or_path: wasm }).then(() => glue.hydrate()));
  const idle = () => ("requestIdleCallback" in window ? requestIdleCallback(hydrate, { timeout: 1000 }) : setTimeout(hydrate));
  if (document.readyState === "complete") idle(); else addEventListener("load", idle, { once: true });
}"#;

/// The `<script>` that hydrates the page, for the document's `<head>`.
#[component]
pub fn Hydration(options: LeptosOptions) -> impl IntoView {
    let path = use_context::<http::request::Parts>()
        .map(|parts| parts.uri.path().to_owned())
        .unwrap_or_default();
    if routes::is_lazy(&path) {
        return view! { <HydrationScripts options /> }.into_any();
    }
    let Assets { js, wasm, .. } = assets(&options);
    let nonce = leptos::nonce::use_nonce();
    view! { <script type="module" nonce=nonce>{format!("({LOADER})({js:?}, {wasm:?})")}</script> }
        .into_any()
}

/// The stylesheet's `<link>`, for the document's `<head>` (Leptos's `HashedStylesheet` reads
/// the hash file from disk for every page it renders).
#[component]
pub fn Stylesheet(options: LeptosOptions) -> impl IntoView {
    view! { <link rel="stylesheet" id="leptos" href=assets(&options).css.as_str() /> }
}

/// The site's files as cargo-leptos wrote them.
struct Assets {
    /// The wasm-bindgen glue.
    js: String,
    wasm: String,
    css: String,
}

/// The files' names: with the hashes cargo-leptos lists beside the server binary when the names
/// are hashed (as `HydrationScripts` reads them), read once per process.
fn assets(options: &LeptosOptions) -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let hashes = options
            .hash_files
            .then(|| {
                let exe = std::env::current_exe().ok()?;
                std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()
            })
            .flatten()
            .unwrap_or_default();
        let hash = |kind: &str| {
            hashes
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(file, _)| file.trim() == kind)
                .map(|(_, hash)| format!(".{}", hash.trim()))
                .unwrap_or_default()
        };
        let name = &options.output_name;
        let pkg = &options.site_pkg_dir;
        let bg = if options.hash_files || option_env!("LEPTOS_OUTPUT_NAME").is_some() {
            ""
        } else {
            "_bg"
        };
        Assets {
            js: format!("/{pkg}/{name}{}.js", hash("js")),
            wasm: format!("/{pkg}/{name}{bg}{}.wasm", hash("wasm")),
            css: format!("/{pkg}/{name}{}.css", hash("css")),
        }
    })
}

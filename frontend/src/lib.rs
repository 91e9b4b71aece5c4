//! The browser entry point: hydrates the server-rendered page, once the code of the page it
//! shows has loaded when that page is a lazy route (see `app::routes`).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let path = leptos::prelude::location().pathname().unwrap_or_default();
    if app::routes::is_lazy(&path) {
        leptos::mount::hydrate_lazy(app::App);
    } else {
        leptos::mount::hydrate_body(app::App);
    }
}

//! The page's language in the reactive context: settled by the server for each request (the
//! `Lang` the language middleware put on it), read back from `<html lang>` when the browser
//! hydrates, so both render the same words.

use super::{tr, tr_with, Arg, Lang};
use leptos::prelude::*;

/// Provides the page's language to everything below; answers it.
pub fn provide_lang() -> Lang {
    let lang = settled();
    provide_context(lang);
    lang
}

#[cfg(feature = "ssr")]
fn settled() -> Lang {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Lang>().copied())
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn settled() -> Lang {
    document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|lang| Lang::parse(&lang))
        .unwrap_or_default()
}

/// The page's language.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_else(settled)
}

/// Message `id` in the page's language.
pub fn t(id: &str) -> String {
    tr(use_lang(), id)
}

/// Message `id` in the page's language, with its placeables.
pub fn t_with(id: &str, args: &[(&str, Arg)]) -> String {
    tr_with(use_lang(), id, args)
}

/// An error in the page's language.
pub fn t_err(err: &impl super::Explained) -> String {
    err.text().in_lang(use_lang())
}

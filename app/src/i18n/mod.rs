//! English and Hindi. Every word the site shows comes from a Fluent catalogue per language
//! (`app/locales/{en,hi}/*.ftl`), compiled into both builds and parsed once, so the server and
//! the browser render the same words. Which language a page is in is settled on the server
//! (`?lang=`, then the user's setting, then the `lang` cookie, then `Accept-Language`) and
//! written on `<html lang>`, where hydration reads it back.

mod context;
pub mod format;
#[macro_use]
mod text;

pub use context::{provide_lang, t, t_err, t_with, use_lang};
pub use text::{Explained, Text, Value};

use fluent_bundle::{concurrent::FluentBundle, FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

words! {
    /// A language the site is written in.
    #[derive(Default)]
    pub enum Lang {
        #[default]
        En = "en",
        Hi = "hi",
    }
}

/// The `lang` cookie: the language a visitor chose last.
pub const COOKIE: &str = "lang";

impl Lang {
    /// The other language, which the switch offers.
    pub fn other(self) -> Self {
        match self {
            Self::En => Self::Hi,
            Self::Hi => Self::En,
        }
    }

    /// A user's saved setting (`users.language`): the default when unset or not ours.
    pub fn setting(saved: Option<&str>) -> Self {
        saved.and_then(Self::parse).unwrap_or_default()
    }

    /// The catalogue's source: the site's words, the dashboard's, the errors'.
    pub fn catalogue(self) -> &'static str {
        macro_rules! catalogue {
            ($lang:literal) => {
                concat!(
                    include_str!(concat!("../../locales/", $lang, "/site.ftl")),
                    "\n",
                    include_str!(concat!("../../locales/", $lang, "/dashboard.ftl")),
                    "\n",
                    include_str!(concat!("../../locales/", $lang, "/errors.ftl")),
                )
            };
        }
        match self {
            Self::En => catalogue!("en"),
            Self::Hi => catalogue!("hi"),
        }
    }

    /// The one of ours an `Accept-Language` header prefers most (`hi-IN` is Hindi; a weight
    /// of 0 rules a language out), if it names either.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(Self, f32)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or_default().trim();
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
                .unwrap_or(0.0);
            let primary = tag.split('-').next().unwrap_or_default();
            let Some(lang) = Self::parse(&primary.to_ascii_lowercase()) else {
                continue;
            };
            if weight > 0.0 && best.is_none_or(|(_, w)| weight > w) {
                best = Some((lang, weight));
            }
        }
        best.map(|(lang, _)| lang)
    }
}

/// A value for a message's placeable.
pub enum Arg<'a> {
    Text(&'a str),
    Number(i64),
}

/// Each language's bundle, parsed when first asked for: a browser shows one language, and
/// parsing the other's catalogue too cost every page's hydration.
fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: [OnceLock<FluentBundle<FluentResource>>; 2] =
        [OnceLock::new(), OnceLock::new()];
    BUNDLES[lang as usize].get_or_init(|| load(lang))
}

fn load(lang: Lang) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(lang.catalogue().to_owned())
        .unwrap_or_else(|(resource, _)| resource);
    let id = lang.as_str().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No invisible isolation marks around placeables: the text is read and compared as is.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(grouped));
    let _ = bundle.add_resource(resource);
    bundle
}

/// Whole numbers as both languages write them, with Indian digit grouping like money
/// ("12,500 seats"); anything else as Fluent writes it.
fn grouped<M>(value: &FluentValue, _: &M) -> Option<String> {
    match value {
        FluentValue::Number(n) if n.value.fract() == 0.0 && n.value.abs() >= 1000.0 => {
            Some(crate::money::count(n.value as i64))
        }
        _ => None,
    }
}

/// Message `id` in `lang`.
pub fn tr(lang: Lang, id: &str) -> String {
    tr_with(lang, id, &[])
}

/// Message `id` in `lang`, its placeables filled from `args`. An id the catalogue lacks (a
/// test keeps them in step) reads as itself.
pub fn tr_with(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    let bundle = bundle(lang);
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        return id.to_owned();
    };
    let mut values = FluentArgs::new();
    for (name, arg) in args {
        match arg {
            Arg::Text(text) => values.set(*name, FluentValue::from(*text)),
            Arg::Number(n) => values.set(*name, FluentValue::from(*n)),
        }
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&values), &mut errors)
        .into_owned()
}

/// Message `id` in `lang` cut where placeable `name` goes: what comes before it and after, for
/// text with an element in it ("Now showing in <span>Pune</span>").
pub fn tr_around(lang: Lang, id: &str, name: &str) -> (String, String) {
    const MARK: &str = "\u{1}";
    let whole = tr_with(lang, id, &[(name, Arg::Text(MARK))]);
    match whole.split_once(MARK) {
        Some((before, after)) => (before.to_owned(), after.to_owned()),
        None => (whole, String::new()),
    }
}

/// The ids of a catalogue's messages, in order.
pub fn message_ids(catalogue: &str) -> Vec<String> {
    use fluent_syntax::ast::Entry;
    let resource = fluent_syntax::parser::parse(catalogue).unwrap_or_else(|(resource, _)| resource);
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_parse_and_name_the_same_messages() {
        for &lang in Lang::ALL {
            let parsed = fluent_syntax::parser::parse(lang.catalogue());
            assert!(parsed.is_ok(), "{lang:?}: {:?}", parsed.err().map(|e| e.1));
        }
        let (mut en, mut hi) = (
            message_ids(Lang::En.catalogue()),
            message_ids(Lang::Hi.catalogue()),
        );
        en.sort();
        hi.sort();
        let only_en: Vec<&String> = en.iter().filter(|id| !hi.contains(id)).collect();
        let only_hi: Vec<&String> = hi.iter().filter(|id| !en.contains(id)).collect();
        assert!(
            only_en.is_empty() && only_hi.is_empty(),
            "only in English: {only_en:?}; only in Hindi: {only_hi:?}"
        );
    }

    #[test]
    fn messages_fill_their_placeables_and_plurals() {
        let count = |lang, n| tr_with(lang, "home-movie-count", &[("count", Arg::Number(n))]);
        assert_eq!(count(Lang::En, 1), "1 movie");
        assert_eq!(count(Lang::En, 4), "4 movies");
        assert_eq!(count(Lang::Hi, 4), "4 फ़िल्में");
        assert_eq!(count(Lang::En, 123_456), "1,23,456 movies");
        assert_eq!(count(Lang::Hi, 1_234), "1,234 फ़िल्में");
        let title = tr_with(Lang::Hi, "home-title", &[("city", Arg::Text("पुणे"))]);
        assert_eq!(title, "पुणे में फ़िल्में · डिस्ट्रिक्ट");
        assert_eq!(tr(Lang::Hi, "no-such-message"), "no-such-message");
        let (before, after) = tr_around(Lang::En, "home-title", "city");
        assert_eq!(
            (before.as_str(), after.as_str()),
            ("Movies in ", " · District")
        );
    }

    #[test]
    fn accept_language_picks_the_preferred_of_ours() {
        let cases = [
            ("hi-IN,hi;q=0.9,en;q=0.8", Some(Lang::Hi)),
            ("en-GB,en;q=0.9", Some(Lang::En)),
            ("fr-FR, hi;q=0.5, en;q=0.7", Some(Lang::En)),
            ("fr, de", None),
            ("hi;q=0, en;q=0.1", Some(Lang::En)),
            ("", None),
            ("*", None),
            ("HI", Some(Lang::Hi)),
            ("hi;q=abc", None),
        ];
        for (header, want) in cases {
            assert_eq!(Lang::from_accept_language(header), want, "{header}");
        }
    }
}

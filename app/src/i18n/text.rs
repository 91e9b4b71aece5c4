//! Words not yet in a language: a catalogue message's id and its arguments. Errors carry them
//! from the domains, so each reader gets them in their own language: a page in the page's,
//! the API and the logs in English (`Display`).

use super::{tr_with, Arg, Lang};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub id: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, Value>,
}

/// An argument's value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Number(i64),
    Text(String),
}

impl Text {
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            args: BTreeMap::new(),
        }
    }

    /// With placeable `name` filled.
    pub fn arg(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.args.insert(name.to_owned(), value.into());
        self
    }

    pub fn in_lang(&self, lang: Lang) -> String {
        let args: Vec<(&str, Arg)> = self
            .args
            .iter()
            .map(|(name, value)| {
                let arg = match value {
                    Value::Number(n) => Arg::Number(*n),
                    Value::Text(text) => Arg::Text(text),
                };
                (name.as_str(), arg)
            })
            .collect();
        tr_with(lang, &self.id, &args)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_lang(Lang::En))
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Self::Number(n)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Self::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Self::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Self {
        Self::Number(n.into())
    }
}

/// An error a person reads: what it says, in any language.
pub trait Explained {
    fn text(&self) -> Text;
}

/// An [`Explained`] error's `Display` (English, for the API and the logs) and
/// `std::error::Error`.
macro_rules! explained {
    ($name:ty) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                use $crate::i18n::Explained;
                std::fmt::Display::fmt(&self.text(), f)
            }
        }

        impl std::error::Error for $name {}
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_travels_as_its_id_and_reads_in_each_language() {
        let text = Text::new("home-movie-count").arg("count", 4);
        let wire = serde_json::to_string(&text).unwrap();
        assert_eq!(wire, r#"{"id":"home-movie-count","args":{"count":4}}"#);
        let back: Text = serde_json::from_str(&wire).unwrap();
        assert_eq!(back, text);
        assert_eq!(back.to_string(), "4 movies");
        assert_eq!(back.in_lang(Lang::Hi), "4 फ़िल्में");
    }

    /// Every `"err-…"` id written in the code (the app's and the server's) names a message.
    #[test]
    fn every_error_id_in_the_code_is_in_the_catalogue() {
        let known = super::super::message_ids(Lang::En.catalogue());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        for dir in [root.join("src"), root.join("../server/src")] {
            for file in rust_files(&dir) {
                let source = std::fs::read_to_string(&file).unwrap();
                for id in source.split('"').filter(|s| is_error_id(s)) {
                    if !known.iter().any(|k| k == id) {
                        missing.push(format!("{}: {id}", file.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "not in the catalogue: {missing:#?}");
    }

    fn is_error_id(s: &str) -> bool {
        s.strip_prefix("err-").is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        })
    }

    fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(rust_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }
}

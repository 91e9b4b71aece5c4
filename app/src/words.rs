//! Statuses, kinds and codes are enums whose variants are words: the same snake_case word in
//! the code, on the wire (serde, OpenAPI) and in the database (sqlx), written once per variant.

/// Declares such an enum: `words! { pub enum Status in "pg_type" { Held = "held", ... } }`,
/// where `pg_type` is the PostgreSQL enum type it is stored as; without `in "..."` it is never
/// stored as a type of its own.
macro_rules! words {
    ($(#[$meta:meta])* $vis:vis enum $name:ident in $pg:literal {
        $($(#[$vmeta:meta])* $variant:ident = $word:literal),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(type_name = $pg))]
        $vis enum $name {
            $($(#[$vmeta])*
              #[serde(rename = $word)]
              #[cfg_attr(feature = "ssr", sqlx(rename = $word))]
              $variant),*
        }
        words!(@words $name { $($variant = $word),* });
    };
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $word:literal),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),*
        }
        words!(@words $name { $($variant = $word),* });
    };
    (@words $name:ident { $($variant:ident = $word:literal),* }) => {
        // The schema lists the words as they are written (a derived one would list the
        // variants' names: it cannot read a `serde(rename)` made by a macro).
        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($word),*]))
                    .into()
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),*
                }
            }

            /// The variant for a word, if it is one.
            pub fn parse(word: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == word)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// "Rudra: The Awakening" -> "rudra-the-awakening": lowercase letters and digits, words joined
/// by single hyphens.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// Text as a URL's query value or data: every byte but letters, digits and `-_.` escaped.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

//! What a page reads: resources the server resolves, writes into the page as JSON, and
//! hydration reads back. They are read from bytes, as server functions read their answers, so
//! the wasm holds one JSON reader per type instead of two (docs/PERFORMANCE.md, Page quality).

use leptos::{
    prelude::*,
    server::codee::{Decoder, Encoder},
};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON, read as server functions read it.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(json: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(json.as_bytes())
    }
}

/// A page's data: `fetch` run on the server for each value of `source`.
pub type Data<T> = Resource<T, Json>;

/// [`Resource::new`], read with [`Json`].
pub fn resource<T, S, F>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> F + Send + Sync + 'static,
) -> Data<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    F: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetch, false)
}

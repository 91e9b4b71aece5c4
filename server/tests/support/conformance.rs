//! Every answer the tests get from `/api/v1` is held to the OpenAPI document: its status must
//! be one the operation lists, and a JSON body must match the schema listed for that status
//! (checked by the `jsonschema` crate, as JSON Schema 2020-12, which OpenAPI 3.1 uses). Paths
//! and methods the document does not have are left to the completeness test and the router.

use serde_json::Value;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};
use utoipa::OpenApi;

fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::to_value(server::openapi::ApiDoc::openapi()).unwrap())
}

/// The document's path template for `path` and its operation for `method`; literal segments
/// win over parameters where two templates match.
fn operation(method: &str, path: &str) -> Option<(&'static str, &'static Value)> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let paths = document()["paths"].as_object()?;
    paths
        .iter()
        .filter_map(|(template, item)| {
            let parts: Vec<&str> = template.split('/').collect();
            let fits = parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(part, segment)| part.starts_with('{') || part == segment);
            let literal = parts.iter().filter(|p| !p.starts_with('{')).count();
            let operation = item.get(method.to_ascii_lowercase())?;
            fits.then_some((literal, template.as_str(), operation))
        })
        .max_by_key(|(literal, ..)| *literal)
        .map(|(_, template, operation)| (template, operation))
}

type Validators = Mutex<HashMap<String, Arc<jsonschema::Validator>>>;

/// The validator of one schema of the document, made once per test binary.
fn validator(key: String, schema: &Value) -> Arc<jsonschema::Validator> {
    static VALIDATORS: OnceLock<Validators> = OnceLock::new();
    let validators = VALIDATORS.get_or_init(Validators::default);
    if let Some(found) = validators.lock().unwrap().get(&key) {
        return found.clone();
    }
    // References point into the document's components: give the schema them as its own.
    let mut whole = schema.clone();
    whole["components"] = document()["components"].clone();
    let made =
        Arc::new(jsonschema::validator_for(&whole).unwrap_or_else(|err| {
            panic!("the document's schema for {key} does not compile: {err}")
        }));
    validators.lock().unwrap().insert(key, made.clone());
    made
}

/// Panics, naming what differs, when an answer does not conform to the document.
pub fn check(method: &str, path: &str, status: u16, content_type: Option<&str>, body: &str) {
    if !path.starts_with("/api/v1/") {
        return;
    }
    let Some((template, operation)) = operation(method, path) else {
        return;
    };
    let responses = &operation["responses"];
    let Some(response) = responses
        .get(status.to_string())
        .or_else(|| responses.get("default"))
    else {
        panic!(
            "{method} {path} answered {status}, which the document does not list for {template}"
        );
    };
    let Some(declared) = response["content"].as_object().filter(|c| !c.is_empty()) else {
        return;
    };
    let media = content_type
        .and_then(|t| t.split(';').next())
        .unwrap_or_default();
    let Some(content) = declared.get(media.trim()) else {
        let listed: Vec<&String> = declared.keys().collect();
        panic!(
            "{method} {path} answered {status} as {content_type:?}; the document lists {listed:?}"
        );
    };
    let Some(schema) = content.get("schema").filter(|_| media.ends_with("json")) else {
        return;
    };
    let instance: Value = serde_json::from_str(body)
        .unwrap_or_else(|_| panic!("{method} {path} answered {status} with no JSON: {body}"));
    let validator = validator(format!("{method} {template} {status}"), schema);
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} answered {status} against its schema in the document:\n{}\n{body}",
        errors.join("\n")
    );
}

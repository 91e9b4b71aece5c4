//! What every operation shares, added to the document once instead of on each handler: the
//! parameters its path names, and the error answers the layers in front of every handler can
//! give (input checks, authentication, cross-site refusals, body limits, the time limit), each
//! in the envelope.
//! A client generator or a fuzzer (schemathesis) then sees every answer the server can give.

use utoipa::openapi::{
    content::Content,
    path::{Operation, Parameter, ParameterBuilder, ParameterIn},
    response::{Response, ResponseBuilder},
    schema::{ObjectBuilder, Schema, SchemaFormat, Type},
    KnownFormat, OpenApi, RefOr, Required,
};

pub struct Complete;

impl utoipa::Modify for Complete {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.schemas.insert("Error".into(), error_schema());
        // Named by the booking lists' query parameters, which do not carry their schemas.
        components.schemas.insert(
            "Scope".into(),
            <app::booking::Scope as utoipa::PartialSchema>::schema(),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            let placeholders = placeholders(path);
            let operations = [
                (&mut item.get, false),
                (&mut item.put, true),
                (&mut item.post, true),
                (&mut item.delete, true),
                (&mut item.patch, true),
            ];
            for (operation, changes) in operations {
                if let Some(operation) = operation {
                    declare(operation, &placeholders);
                    answer(operation, !placeholders.is_empty(), changes);
                }
            }
        }
    }
}

/// `{id}`, `{review_id}`, ... in a path template.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// Declares the path parameters an operation does not: ids are UUIDs, anything else a word.
fn declare(operation: &mut Operation, placeholders: &[&str]) {
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    for name in placeholders {
        let declared = parameters
            .iter()
            .any(|p| p.name == *name && p.parameter_in == ParameterIn::Path);
        if !declared {
            parameters.push(path_parameter(name));
        }
    }
}

fn path_parameter(name: &str) -> Parameter {
    let is_id = name == "id" || name.ends_with("_id");
    let mut schema = ObjectBuilder::new().schema_type(Type::String);
    if is_id {
        schema = schema.format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
    }
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(schema))
        .build()
}

/// Adds the answers the shared layers give, where the handler's own list lacks them. A call
/// that `changes` state may also be refused as cross-site when the session cookie signs it.
fn answer(operation: &mut Operation, has_path_parameters: bool, changes: bool) {
    let has_body = operation.request_body.is_some();
    let has_query = operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let shared = [
        (
            true,
            "400",
            "invalid_input, malformed_json, invalid_path or invalid_query",
        ),
        (secured, "401", "unauthenticated"),
        (
            changes,
            "403",
            "cross_site_request: signed by the session cookie from another site",
        ),
        (has_path_parameters, "404", "not_found"),
        (has_body, "413", "payload_too_large"),
        (
            has_body,
            "415",
            "unsupported_media_type: the body is not JSON",
        ),
        (
            has_body || has_query,
            "422",
            "invalid_body or validation_failed",
        ),
        (true, "429", "rate_limited, with Retry-After"),
        (true, "503", "timeout or busy, with Retry-After"),
    ];
    let responses = &mut operation.responses.responses;
    for (applies, status, description) in shared {
        if applies && !responses.contains_key(status) {
            responses.insert(status.into(), RefOr::T(error_response(description)));
        }
    }
}

fn error_response(description: &str) -> Response {
    let envelope = RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Error"));
    ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(envelope)))
        .build()
}

/// `{"error": {"code", "message", ...}}`, the one envelope of every error.
fn error_schema() -> RefOr<Schema> {
    let string = || ObjectBuilder::new().schema_type(Type::String);
    let inner = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("code", string())
        .property("message", string())
        .required("code")
        .required("message");
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("error", inner)
        .required("error")
        .into()
}

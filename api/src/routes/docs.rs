//! The OpenAPI document as JSON (`/api/v1/openapi.json`), built once at start-up.

use actix_web::{web, HttpResponse};

/// The serialised document, shared by every worker.
pub struct OpenApiJson(pub String);

pub async fn openapi_json(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}

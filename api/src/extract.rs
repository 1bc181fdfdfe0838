//! Request extractors that turn every unreadable input into a documented 4xx, never a 500:
//! [`ApiJson`] for bodies (415 not JSON, 413 too large, 400 malformed, 422 naming the field on
//! wrong types or missing fields) and [`ApiQuery`] for query strings (422 naming the parameter).
//! Path parameters that do not parse answer 404 (see `app::path_config`).

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use rdv_shared::validation::Errors;

use crate::error::ApiError;

/// How long a body may take to arrive (from `Config::body_read_timeout`).
#[derive(Clone, Copy)]
pub struct BodyReadTimeout(pub std::time::Duration);

fn body_timeout(req: &HttpRequest) -> std::time::Duration {
    req.app_data::<BodyReadTimeout>().map_or(std::time::Duration::from_secs(30), |t| t.0)
}

/// A JSON body, deserialised with the path of the failing field kept for the error.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = match req.headers().get(actix_web::http::header::CONTENT_TYPE) {
            None => true,
            Some(v) => v
                .to_str()
                .map(|s| {
                    let mime = s.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                    mime == "application/json" || mime.ends_with("+json")
                })
                .unwrap_or(false),
        };
        let body = web::Bytes::from_request(req, payload);
        let timeout = body_timeout(req);
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType);
            }
            // A client announcing more body than it sends would hold the connection forever.
            let body = actix_web::rt::time::timeout(timeout, body).await.map_err(|_| ApiError::RequestTimeout)?;
            let bytes = body.map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
                Some(actix_web::error::PayloadError::Overflow) => ApiError::PayloadTooLarge,
                _ => ApiError::BadRequest(format!("Corps de requête illisible. / Unreadable body: {e}")),
            })?;
            parse_json(&bytes).map(ApiJson)
        })
    }
}

/// Deserialises JSON bytes, mapping failures to 400 (syntax) or 422 (shape, or a control
/// character in a text: refused on both backends, since PostgreSQL cannot store NUL).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Every text is checked against the input domain (control characters, dates and times) before
    // the typed parsing. A body that is not valid JSON falls through to serde's 400.
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
        if let Some((field, code)) = text_problem_in(&value, "") {
            return Err(field_error(&field, code));
        }
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io => ApiError::BadRequest(format!(
                "JSON invalide (ligne {}, colonne {}). / Malformed JSON body.",
                inner.line(),
                inner.column()
            )),
            serde_json::error::Category::Data => shape_error(&path, &strip_position(&inner.to_string())),
        }
    })
}

/// Why a text of the input is refused: a control character (PostgreSQL cannot store NUL, SQLite
/// can: the backends would differ), or a date or time outside `rdv_shared::input_domain`.
fn text_problem(text: &str) -> Option<&'static str> {
    if rdv_shared::validation::has_forbidden_control(text) {
        return Some("control_characters");
    }
    rdv_shared::input_domain::temporal_problem(text)
}

/// The path of the first text (or key) the input domain refuses, and why.
fn text_problem_in(value: &serde_json::Value, path: &str) -> Option<(String, &'static str)> {
    let at = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match value {
        serde_json::Value::String(s) => {
            text_problem(s).map(|code| (if path.is_empty() { "base".into() } else { path.into() }, code))
        }
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, v)| text_problem_in(v, &at(&i.to_string())))
        }
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if rdv_shared::validation::has_forbidden_control(k) {
                Some((at("base"), "control_characters"))
            } else {
                text_problem_in(v, &at(k))
            }
        }),
        _ => None,
    }
}

fn field_error(field: &str, code: &str) -> ApiError {
    let mut errors = Errors::default();
    errors.add(field, code);
    ApiError::Validation(errors)
}

/// serde's messages end with " at line X column Y", which says nothing to an API client.
fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// 422 naming the field: from the serde path, or from "missing field `x`" / "unknown field `x`".
fn shape_error(path: &str, msg: &str) -> ApiError {
    let quoted = |prefix: &str| msg.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(str::to_owned);
    let (field, code, sentence) = if let Some(name) = quoted("missing field `") {
        let field = join_path(path, &name);
        (field.clone(), "blank", format!("{field} doit être rempli(e) / is required"))
    } else if let Some(name) = quoted("unknown field `") {
        let field = join_path(path, &name);
        (field.clone(), "unknown", format!("{field} n'est pas un champ connu / unknown field"))
    } else {
        let field = if path == "." || path.is_empty() { "base".to_owned() } else { path.to_owned() };
        (field.clone(), "invalid", format!("{field} n'est pas valide / is invalid: {msg}"))
    };
    let mut errors = Errors::default();
    errors.fields.entry(field).or_default().push(rdv_shared::validation::FieldError::new(code));
    errors.messages.push(sentence);
    ApiError::Validation(errors)
}

fn join_path(path: &str, name: &str) -> String {
    if path == name || path.ends_with(&format!(".{name}")) {
        // serde_path_to_error already entered the field (unknown fields).
        path.to_owned()
    } else if path == "." || path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// A query parameter (name or value) the input domain refuses (`%00` decodes to NUL; dates out
/// of range…) is refused with the JSON bodies' 422, naming the parameter.
pub fn check_query_texts(query: &[u8]) -> Result<(), ApiError> {
    for (key, value) in form_urlencoded::parse(query) {
        if rdv_shared::validation::has_forbidden_control(&key) {
            return Err(field_error(&key, "control_characters"));
        }
        if let Some(code) = text_problem(&value) {
            return Err(field_error(key.trim_end_matches("[]"), code));
        }
    }
    Ok(())
}

/// A query string, with the failing parameter named in the 422.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let query = req.query_string().as_bytes();
        if let Err(e) = check_query_texts(query) {
            return std::future::ready(Err(e));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query));
        std::future::ready(serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let path = e.path().to_string();
            shape_error(&path, &e.into_inner().to_string())
        }))
    }
}

/// Integers of a Rails-style array parameter (`ids[]=1&ids[]=2`, also `ids=1`), which serde's
/// query decoding cannot collect. A value that is not an integer is a 422 naming the parameter.
pub fn query_ints(req: &HttpRequest, name: &str) -> Result<Vec<i32>, ApiError> {
    let bracketed = format!("{name}[]");
    let mut out = Vec::new();
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if key == bracketed || key == name {
            let n = value.trim().parse::<i32>().map_err(|_| ApiError::field(&bracketed, "invalid"))?;
            out.push(n);
        }
    }
    Ok(out)
}

/// A JSON body read with its own size limit, for the few endpoints that take files (imports):
/// same errors as [`ApiJson`].
pub async fn json_with_limit<T: DeserializeOwned>(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<T, ApiError> {
    use futures_util::StreamExt;
    let json = match req.headers().get(actix_web::http::header::CONTENT_TYPE).map(|v| v.to_str()) {
        None => true,
        Some(Ok(s)) => {
            let mime = s.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        }
        Some(Err(_)) => false,
    };
    if !json {
        return Err(ApiError::UnsupportedMediaType);
    }
    let mut body = web::BytesMut::new();
    let deadline = std::time::Instant::now() + body_timeout(req);
    while let Some(chunk) =
        actix_web::rt::time::timeout(deadline.saturating_duration_since(std::time::Instant::now()), payload.next())
            .await
            .map_err(|_| ApiError::RequestTimeout)?
    {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("Corps de requête illisible. / Unreadable body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    parse_json(&body)
}

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters.
pub fn idempotency_key(http: &actix_web::HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = http.headers().get("Idempotency-Key") else { return Ok(None) };
    let key = v.to_str().map(str::trim).unwrap_or("");
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::field("Idempotency-Key", "invalid"));
    }
    Ok(Some(key.to_owned()))
}

/// `page` query parameter shared by list endpoints.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1 (100 items a page).
    pub page: Option<i64>,
}

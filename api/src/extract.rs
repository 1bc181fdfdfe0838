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

/// Whether the request's `Content-Type` is JSON (absent counts as JSON, as API v1 clients send
/// bodies without it).
fn is_json(req: &HttpRequest) -> bool {
    match req.headers().get(actix_web::http::header::CONTENT_TYPE).map(|v| v.to_str()) {
        None => true,
        Some(Ok(s)) => {
            let mime = s.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        }
        Some(Err(_)) => false,
    }
}

fn unreadable(e: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(format!("Corps de requête illisible. / Unreadable body: {e}"))
}

/// A JSON body whose data errors (400 malformed, 422 wrong shape or refused text) wait until the
/// service has checked access: a caller without rights on the resource named by the path gets
/// its 403 or 404 whatever the body holds. Transport errors (415, 413, 408) answer at once.
/// Services take it and call [`Body::parse`] right after their access check.
pub struct Body<T>(Result<T, ApiError>);

impl<T> Body<T> {
    /// A body built in code (seeds, other services): nothing to defer.
    pub fn ready(value: T) -> Self {
        Body(Ok(value))
    }

    /// The parsed body, or its 400/422.
    pub fn parse(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let body = web::Bytes::from_request(req, payload);
        let timeout = body_timeout(req);
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType);
            }
            // A client announcing more body than it sends would hold the connection forever.
            let body = actix_web::rt::time::timeout(timeout, body).await.map_err(|_| ApiError::RequestTimeout)?;
            let bytes = body.map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
                Some(actix_web::error::PayloadError::Overflow) => ApiError::PayloadTooLarge,
                _ => unreadable(e),
            })?;
            Ok(Body(parse_json(&bytes)))
        })
    }
}

/// A JSON body, deserialised with the path of the failing field kept for the error. For the
/// endpoints with no access to check first (sign-in, public booking) or whose access depends on
/// the body itself (the organisation named in it).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = Body::<T>::from_request(req, payload);
        Box::pin(async move { body.await?.parse().map(ApiJson) })
    }
}

/// Deserialises JSON bytes, mapping failures to 400 (syntax) or 422 (shape, or a control
/// character in a text: refused on both backends, since PostgreSQL cannot store NUL).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Parsed once into a tree: every text is checked against the input domain (control
    // characters, dates and times) before the typed deserialisation from that tree.
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        // Malformed, or nested deeper than the tree allows: the typed parsing says which (a
        // deep array where an object is expected is a wrong shape, 422, not malformed JSON).
        // A body the typed parsing would take anyway is refused: its texts went unchecked.
        return match typed_from_bytes::<T>(bytes) {
            Ok(_) => Err(ApiError::BadRequest("JSON trop imbriqué. / JSON nested too deep.".into())),
            Err(e) => Err(e),
        };
    };
    integral_numbers_as_integers(&mut value);
    if let Some((field, code)) = text_problem_in(&value, &mut Vec::new()) {
        return Err(field_error(&field, code));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        shape_error(&path, &strip_position(&e.into_inner().to_string()))
    })
}

/// The typed parsing straight from bytes, for bodies that are not a readable JSON tree.
fn typed_from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
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

/// `12.0` and `1.2e1` are integers for JSON Schema (the document's `type: integer`); serde reads
/// them as floats, which an `i32` field refuses. Written as integers before the typed parsing.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                // In range for an exact i64 (|f| < 2^53): the cast loses nothing.
                #[allow(clippy::cast_possible_truncation)]
                let i = f as i64;
                *value = serde_json::Value::from(i);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// Why a text of the input is refused: a control character (PostgreSQL cannot store NUL, SQLite
/// can: the backends would differ), or a date or time outside `rdv_shared::input_domain`.
fn text_problem(text: &str) -> Option<&'static str> {
    if rdv_shared::validation::has_forbidden_control(text) {
        return Some("control_characters");
    }
    rdv_shared::input_domain::temporal_problem(text)
}

/// One step of the path to a refused text: a key or an index.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn join_steps(steps: &[Step<'_>]) -> String {
    let parts: Vec<String> = steps
        .iter()
        .map(|s| match s {
            Step::Key(k) => (*k).to_owned(),
            Step::Index(i) => i.to_string(),
        })
        .collect();
    if parts.is_empty() {
        "base".into()
    } else {
        parts.join(".")
    }
}

/// The path of the first text (or key) the input domain refuses, and why. The path is only
/// written out for the refused text, not for every node walked.
fn text_problem_in<'a>(value: &'a serde_json::Value, path: &mut Vec<Step<'a>>) -> Option<(String, &'static str)> {
    match value {
        serde_json::Value::String(s) => text_problem(s).map(|code| (join_steps(path), code)),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            path.push(Step::Index(i));
            let found = text_problem_in(v, path);
            path.pop();
            found
        }),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            path.push(Step::Key(k));
            let found = if rdv_shared::validation::has_forbidden_control(k) {
                path.pop();
                path.push(Step::Key("base"));
                Some((join_steps(path), "control_characters"))
            } else {
                text_problem_in(v, path)
            };
            path.pop();
            found
        }),
        _ => None,
    }
}

fn field_error(field: &str, code: &str) -> ApiError {
    // The field's name is echoed in the answer: a name holding control characters (an unknown
    // member or parameter) is shown with U+FFFD in their place, never echoed raw.
    let shown: String = field
        .chars()
        .map(|c| if rdv_shared::validation::has_forbidden_control(c.encode_utf8(&mut [0; 4])) { '\u{fffd}' } else { c })
        .collect();
    let mut errors = Errors::default();
    errors.add(&shown, code);
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
        let mut pairs: Vec<(String, String)> =
            form_urlencoded::parse(query).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        // A parameter refused as an integer is retried once written as one when it is an integral
        // number (`-5.0`: JSON Schema's `integer` allows it); text parameters are never rewritten.
        for _ in 0..=pairs.len() {
            let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
            let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
            let err = match serde_path_to_error::deserialize(de) {
                Ok(value) => return std::future::ready(Ok(ApiQuery(value))),
                Err(e) => e,
            };
            let path = err.path().to_string();
            let rewritten = pairs.iter_mut().filter(|(k, _)| *k == path).fold(false, |done, (_, v)| {
                rdv_shared::validation::integral_with_zero_fraction(v).map(|i| *v = i.to_string()).is_some() || done
            });
            if !rewritten {
                return std::future::ready(Err(shape_error(&path, &err.into_inner().to_string())));
            }
        }
        std::future::ready(Err(field_error("base", "invalid")))
    }
}

/// Integers of a Rails-style array parameter (`ids[]=1&ids[]=2`, also `ids=1`), which serde's
/// query decoding cannot collect. A value that is not an integer is a 422 naming the parameter.
pub fn query_ints(req: &HttpRequest, name: &str) -> Result<Vec<i32>, ApiError> {
    let bracketed = format!("{name}[]");
    let mut out = Vec::new();
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if key == bracketed || key == name {
            let n = value
                .trim()
                .parse::<i32>()
                .ok()
                .or_else(|| {
                    rdv_shared::validation::integral_with_zero_fraction(&value).and_then(|i| i32::try_from(i).ok())
                })
                .ok_or_else(|| ApiError::field(&bracketed, "invalid"))?;
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
    if !is_json(req) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let mut body = web::BytesMut::new();
    let deadline = std::time::Instant::now() + body_timeout(req);
    while let Some(chunk) =
        actix_web::rt::time::timeout(deadline.saturating_duration_since(std::time::Instant::now()), payload.next())
            .await
            .map_err(|_| ApiError::RequestTimeout)?
    {
        let chunk = chunk.map_err(unreadable)?;
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

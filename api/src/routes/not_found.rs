//! What an unknown request under `/api` gets: 405 with `Allow` when the path is one of the
//! document's but not for this method (`TRACE`, `PUT` on a list…), else a JSON 404. The table
//! of paths comes from the OpenAPI document the router itself produced, so it cannot drift.

use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

/// Every documented path, as segments, with its methods.
pub struct RouteTable(Vec<(Vec<String>, Vec<&'static str>)>);

impl RouteTable {
    pub fn from_doc(doc: &OpenApi) -> RouteTable {
        let mut routes = Vec::new();
        for (path, item) in &doc.paths.paths {
            let mut methods = Vec::new();
            let pairs = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (m, present) in pairs {
                if present {
                    methods.push(m);
                }
            }
            routes.push((segments(path).map(str::to_owned).collect(), methods));
        }
        RouteTable(routes)
    }

    /// The methods of the documented path matching `path` (`None`: no such path). When a
    /// literal path and a template both match (`/users/search`, `/users/{id}`), the literal one
    /// wins, as in the router.
    pub fn methods_of(&self, path: &str) -> Option<Vec<&'static str>> {
        let given: Vec<&str> = segments(path).collect();
        let literals = |t: &[String]| t.iter().filter(|s| !s.contains('{')).count();
        self.0
            .iter()
            .filter(|(t, _)| t.len() == given.len() && t.iter().zip(&given).all(|(t, g)| segment_matches(t, g)))
            .max_by_key(|(t, _)| literals(t))
            .map(|(_, methods)| methods.clone())
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// `{id}` matches any segment; `{token}.ics` any segment ending in `.ics`; text matches itself.
fn segment_matches(template: &str, given: &str) -> bool {
    match (template.find('{'), template.find('}')) {
        (Some(open), Some(close)) if open < close => {
            let (prefix, suffix) = (&template[..open], &template[close + 1..]);
            given.len() > prefix.len() + suffix.len() && given.starts_with(prefix) && given.ends_with(suffix)
        }
        _ => template == given,
    }
}

/// The default service of the API scopes.
pub async fn api_not_found(req: HttpRequest, table: Option<web::Data<RouteTable>>) -> HttpResponse {
    if let Some(methods) = table.and_then(|t| t.methods_of(req.path())) {
        if !methods.is_empty() {
            return HttpResponse::MethodNotAllowed().insert_header(("allow", methods.join(", "))).json(
                rdv_shared::dto::MessagesError {
                    errors: vec![format!(
                        "Méthode {} non prise en charge ici (possibles : {}). / Method not allowed.",
                        req.method(),
                        methods.join(", ")
                    )],
                },
            );
        }
    }
    actix_web::ResponseError::error_response(&ApiError::NotFound("route"))
}

/// Adds `Allow` to a 405 that lacks it (actix's own answer for `/health`, `/calendar/…`: a
/// resource whose routes all refused the method), from the same table.
pub async fn allow_header(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let methods = req.app_data::<web::Data<RouteTable>>().and_then(|t| t.methods_of(req.path()));
    let mut res = next.call(req).await?;
    if res.status() == actix_web::http::StatusCode::METHOD_NOT_ALLOWED && !res.headers().contains_key("allow") {
        if let Some(value) = methods.and_then(|m| actix_web::http::header::HeaderValue::from_str(&m.join(", ")).ok()) {
            res.headers_mut().insert(actix_web::http::header::ALLOW, value);
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        RouteTable(vec![
            (vec!["api".into(), "v1".into(), "users".into()], vec!["GET", "POST"]),
            (vec!["api".into(), "v1".into(), "users".into(), "{id}".into()], vec!["GET", "PATCH"]),
            (vec!["api".into(), "v1".into(), "users".into(), "search".into()], vec!["GET"]),
            (vec!["calendar".into(), "{token}.ics".into()], vec!["GET"]),
        ])
    }

    #[test]
    fn documented_paths_give_their_methods() {
        let t = table();
        assert_eq!(t.methods_of("/api/v1/users"), Some(vec!["GET", "POST"]));
        assert_eq!(t.methods_of("/api/v1/users/12"), Some(vec!["GET", "PATCH"]));
        // A literal and a template both match: the literal one.
        assert_eq!(t.methods_of("/api/v1/users/search"), Some(vec!["GET"]));
        assert_eq!(t.methods_of("/calendar/abc.ics"), Some(vec!["GET"]));
        assert_eq!(t.methods_of("/calendar/.ics"), None);
        assert_eq!(t.methods_of("/api/v1/nothing"), None);
        assert_eq!(t.methods_of("/api/v1/users/12/x"), None);
    }
}

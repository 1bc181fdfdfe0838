//! Serving the built SPA at `/`: static files, and for every other path the page of one of the
//! two apps, so that deep links (`/agenda/…`) work after a reload: `public.html` (the usagers'
//! booking app, `frontend/src/public_app.rs`) for the public paths, `index.html` (the agents'
//! app) for the rest. Registered after the API and docs services.
//!
//! The wasm, JS and CSS files are served from the copies the build compressed at the highest
//! levels (`name.br`, `name.gz`, written by `frontend/compress.mjs`) when the client accepts
//! them: brotli at level 11 makes the wasm about a fifth smaller than the on-the-fly gzip of the
//! `Compress` middleware, which still serves every other response.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, ContentEncoding, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};

/// Whether the usagers' booking app serves this path (the routes of `PublicApp`).
pub fn is_public_path(path: &str) -> bool {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    under("/prendre-rdv") || under("/prendre_rdv") || path.starts_with("/org/") || path.starts_with("/r/")
}

/// Files under `dir`, falling back to the page of the app that serves the path; a plain 503 page
/// when the SPA is not built.
pub fn service(dir: &Path) -> Files {
    let index: PathBuf = dir.join("index.html");
    let public: PathBuf = dir.join("public.html");
    Files::new("/", dir).index_file("index.html").default_handler(fn_service(move |req: ServiceRequest| {
        let page = if is_public_path(req.path()) { public.clone() } else { index.clone() };
        let index = index.clone();
        async move {
            let (req, _) = req.into_parts();
            // A build without the booking app still serves every route from the agents' app.
            let file = match NamedFile::open_async(&page).await {
                Ok(file) => Ok(file),
                Err(_) => NamedFile::open_async(&index).await,
            };
            let res = match file {
                Ok(file) => file.into_response(&req),
                Err(_) => HttpResponse::ServiceUnavailable().content_type("text/html; charset=utf-8").body(NOT_BUILT),
            };
            Ok(ServiceResponse::new(req, res))
        }
    }))
}

/// `/{name}.wasm|js|css` from its precompressed copy when there is one the client accepts.
/// Registered before [`service`].
pub fn assets(dir: &Path) -> actix_web::Resource {
    let dir = dir.to_owned();
    web::resource("/{file:[A-Za-z0-9_-]+\\.(?:wasm|js|css)}").route(web::get().to(
        move |req: HttpRequest, file: web::Path<String>| {
            let dir = dir.clone();
            async move { asset(&dir, &req, &file).await }
        },
    ))
}

async fn asset(dir: &Path, req: &HttpRequest, name: &str) -> HttpResponse {
    let accepted = req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let extension = name.rsplit('.').next().unwrap_or("");
    for (suffix, encoding) in [("br", ContentEncoding::Brotli), ("gz", ContentEncoding::Gzip)] {
        if !accepts(accepted, encoding.as_str()) {
            continue;
        }
        if let Ok(file) = NamedFile::open_async(dir.join(format!("{name}.{suffix}"))).await {
            let mut res = file
                .set_content_type(actix_files::file_extension_to_mime(extension))
                .set_content_encoding(encoding)
                .disable_content_disposition()
                .into_response(req);
            res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            return res;
        }
    }
    match NamedFile::open_async(dir.join(name)).await {
        Ok(file) => file.into_response(req),
        Err(_) => HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("404"),
    }
}

/// Whether an `Accept-Encoding` value accepts `coding` (named, or `*`, with a non-zero weight).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused =
            parts.any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0));
        (name.eq_ignore_ascii_case(coding) || name == "*") && !refused
    })
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>RDV</title>\
<p>L'application web n'est pas construite. Lancez <code>just build-frontend</code> (ou <code>just run</code>).</p>\
<p>The web app is not built: run <code>just build-frontend</code>.</p></html>";

#[cfg(test)]
mod tests {
    use super::{accepts, is_public_path};

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("br;q=0.5, gzip", "br"));
        assert!(accepts("*", "gzip"));
        assert!(!accepts("gzip, deflate", "br"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(!accepts("br; q=0.0", "br"));
        assert!(!accepts("", "gzip"));
    }

    #[test]
    fn public_paths_are_the_booking_app_routes() {
        for path in ["/prendre-rdv", "/prendre-rdv/rdv/abc", "/prendre_rdv", "/org/12", "/r/tok"] {
            assert!(is_public_path(path), "{path}");
        }
        for path in ["/", "/agenda", "/prendre-rdvx", "/organisations", "/rdvs/3", "/r", "/connexion"] {
            assert!(!is_public_path(path), "{path}");
        }
    }
}

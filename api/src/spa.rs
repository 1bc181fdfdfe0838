//! Serving the built SPA at `/`: static files, and `index.html` for every other path so that
//! deep links (`/agenda/…`) work after a reload. Registered after the API and docs services.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::HttpResponse;

/// Files under `dir`, falling back to `dir/index.html`; a plain 503 page when the SPA is not built.
pub fn service(dir: &Path) -> Files {
    let index: PathBuf = dir.join("index.html");
    Files::new("/", dir).index_file("index.html").default_handler(fn_service(move |req: ServiceRequest| {
        let index = index.clone();
        async move {
            let (req, _) = req.into_parts();
            let res = match NamedFile::open_async(&index).await {
                Ok(file) => file.into_response(&req),
                Err(_) => HttpResponse::ServiceUnavailable().content_type("text/html; charset=utf-8").body(NOT_BUILT),
            };
            Ok(ServiceResponse::new(req, res))
        }
    }))
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>RDV</title>\
<p>L'application web n'est pas construite. Lancez <code>just build-frontend</code> (ou <code>just run</code>).</p>\
<p>The web app is not built: run <code>just build-frontend</code>.</p></html>";

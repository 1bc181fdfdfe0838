//! Security headers on every response: the Content-Security-Policy the SPA runs under (its own
//! scripts and WebAssembly only, no inline script, no framing), MIME sniffing and referrer rules,
//! HSTS when the request came over TLS, and `Cache-Control: no-store` on API answers (they carry
//! personal data: no browser or proxy may keep a copy) unless a route chose its own caching.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// The SPA's policy. `wasm-unsafe-eval` lets the browser compile our WebAssembly (it allows no
/// `eval` of scripts); inline `style` attributes are allowed because Leptos and the Swagger UI
/// set them, scripts never are.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// One year, subdomains included: only sent over TLS (a browser ignores it over plain HTTP, and
/// sending it there would pin a development host).
const HSTS: &str = "max-age=31536000; includeSubDomains";

fn set(res: &mut ServiceResponse<impl MessageBody>, name: &'static str, value: &'static str) {
    res.headers_mut().insert(HeaderName::from_static(name), HeaderValue::from_static(value));
}

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // Behind a reverse proxy the scheme comes from `Forwarded` / `X-Forwarded-Proto`.
    let tls = req.connection_info().scheme() == "https";
    let api = req.path().starts_with("/api/");
    let mut res = next.call(req).await?;
    set(&mut res, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(&mut res, "x-content-type-options", "nosniff");
    set(&mut res, "x-frame-options", "DENY");
    set(&mut res, "referrer-policy", "same-origin");
    set(&mut res, "cross-origin-opener-policy", "same-origin");
    set(&mut res, "permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if tls {
        set(&mut res, "strict-transport-security", HSTS);
    }
    if api && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

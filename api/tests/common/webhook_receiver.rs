//! A local HTTP server standing in for a partner's webhook receiver (rdv-insertion): records
//! each request's signatures and raw body; can be told to answer 500 for a while.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One event as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub lapin_signature: String,
    pub rdv_signature: String,
    pub delivery: String,
    pub content_type: String,
    pub raw: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.raw).expect("json body")
    }

    pub fn model_event(&self) -> (String, String) {
        let v = self.json();
        (v["meta"]["model"].as_str().unwrap_or("").to_owned(), v["meta"]["event"].as_str().unwrap_or("").to_owned())
    }

    /// Checks both signatures as a receiver would, with `secret`.
    pub fn verify(&self, secret: &str) -> bool {
        let mac = |message: &str| {
            let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
            m.update(message.as_bytes());
            hex::encode(m.finalize().into_bytes())
        };
        let Some((t, v1)) = rdv_shared::webhooks::parse_signature_header(&self.rdv_signature) else { return false };
        let fresh = (chrono::Utc::now().timestamp() - t).abs() < 300;
        self.lapin_signature == mac(&self.raw) && v1 == mac(&format!("{t}.{}", self.raw)) && fresh
    }
}

#[derive(Clone, Default)]
pub struct WebhookReceiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    failures: Arc<Mutex<usize>>,
}

impl WebhookReceiver {
    /// Starts on a local port (inside the test's actix runtime).
    pub fn start() -> WebhookReceiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/rdv-solidarites/webhooks", listener.local_addr().expect("addr"));
        let receiver = WebhookReceiver { url, ..WebhookReceiver::default() };
        let shared = receiver.clone();
        let server = HttpServer::new(move || {
            let s = shared.clone();
            App::new().route(
                "/rdv-solidarites/webhooks",
                web::post().to(move |req: HttpRequest, body: web::Bytes| {
                    let s = s.clone();
                    async move {
                        let header =
                            |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                        let fail = {
                            let mut f = s.failures.lock().expect("lock");
                            let fail = *f > 0;
                            *f = f.saturating_sub(1);
                            fail
                        };
                        if fail {
                            return HttpResponse::InternalServerError().body("receiver down for maintenance");
                        }
                        s.received.lock().expect("lock").push(Received {
                            lapin_signature: header("x-lapin-signature"),
                            rdv_signature: header("x-rdv-signature"),
                            delivery: header("x-rdv-delivery"),
                            content_type: header("content-type"),
                            raw: String::from_utf8_lossy(&body).into_owned(),
                        });
                        HttpResponse::Ok().body("ok")
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        actix_rt::spawn(server);
        receiver
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    pub fn fail_next(&self, n: usize) {
        *self.failures.lock().expect("lock") = n;
    }
}

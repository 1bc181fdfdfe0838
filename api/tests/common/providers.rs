//! Local stand-ins for what the server talks to: an HTTP server in place of the SMS provider
//! (records each request; can be told to fail), and reading the MIME messages the SMTP sink
//! received.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::Value;

/// One request the SMS provider received.
#[derive(Debug, Clone)]
pub struct SmsRequest {
    pub api_key: String,
    pub body: Value,
}

#[derive(Clone, Default)]
pub struct SmsProvider {
    pub url: String,
    requests: Arc<Mutex<Vec<SmsRequest>>>,
    failures: Arc<Mutex<usize>>,
}

impl SmsProvider {
    /// Starts on a local port (inside the test's actix runtime).
    pub fn start() -> SmsProvider {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/v3/transactionalSMS/sms", listener.local_addr().expect("addr"));
        let provider = SmsProvider { url, ..SmsProvider::default() };
        let shared = provider.clone();
        let server = HttpServer::new(move || {
            let s = shared.clone();
            App::new().route(
                "/v3/transactionalSMS/sms",
                web::post().to(move |req: HttpRequest, body: web::Json<Value>| {
                    let s = s.clone();
                    async move {
                        let api_key =
                            req.headers().get("api-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                        let fail = {
                            let mut f = s.failures.lock().expect("lock");
                            let fail = *f > 0;
                            *f = f.saturating_sub(1);
                            fail
                        };
                        if fail {
                            return HttpResponse::InternalServerError().body("quota exceeded, try later");
                        }
                        s.requests.lock().expect("lock").push(SmsRequest { api_key, body: body.into_inner() });
                        HttpResponse::Created()
                            .json(serde_json::json!({"reference": "ab1", "messageId": 1, "smsCount": 1}))
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        actix_rt::spawn(server);
        provider
    }

    pub fn requests(&self) -> Vec<SmsRequest> {
        self.requests.lock().expect("lock").clone()
    }

    pub fn fail_next(&self, n: usize) {
        *self.failures.lock().expect("lock") = n;
    }
}

/// A received email, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `(content type with parameters, decoded body)` of every calendar part.
    pub calendars: Vec<(String, String)>,
}

pub fn parse_mail(raw: &[u8]) -> Mail {
    let m = MessageParser::default().parse(raw).expect("MIME message");
    let addr = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned).unwrap_or_default()
    };
    let mut calendars = Vec::new();
    for part in &m.parts {
        if let Some(ct) = part.content_type() {
            let full = format!(
                "{}/{}{}",
                ct.ctype(),
                ct.subtype().unwrap_or(""),
                ct.attribute("method").map(|m| format!("; method={m}")).unwrap_or_default()
            );
            if full.starts_with("text/calendar") || full.starts_with("application/ics") {
                calendars.push((full, String::from_utf8_lossy(part.contents()).into_owned()));
            }
        }
    }
    Mail {
        message_id: m.message_id().unwrap_or_default().to_owned(),
        from: addr(m.from()),
        to: addr(m.to()),
        reply_to: m.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned),
        subject: m.subject().unwrap_or_default().to_owned(),
        text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        calendars,
    }
}

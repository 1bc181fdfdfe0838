//! The configuration the load examples run with: a fixed secret, generous limits, local
//! delivery polled every 20 ms, and the delivery settings each benchmark needs.

use chrono::Duration;
use rdv_api::config::{Config, Delivery};

pub fn bench_config(url: &str, dir: &std::path::Path, delivery: Delivery) -> Config {
    Config {
        database_url: url.to_owned(),
        data_dir: dir.to_owned(),
        jwt_secret: b"bench-secret-bench-secret-bench-secret-00".to_vec(),
        token_ttl: Duration::hours(1),
        spa_dir: dir.join("spa"),
        sign_in_per_minute_email: 10,
        sign_in_per_minute_ip: 10,
        max_body_bytes: 1 << 20,
        body_read_timeout: std::time::Duration::from_secs(30),
        pool_size: 8,
        public_url: "http://rdv.bench".into(),
        mail_from: "RDV <ne-pas-repondre@rdv.bench>".into(),
        dev_mailbox_dir: dir.join("mailbox"),
        public_per_minute_ip: 10,
        geocoder_url: None,
        partner_shared_secret: None,
        delivery: Delivery { poll: std::time::Duration::from_millis(20), ..delivery },
    }
}

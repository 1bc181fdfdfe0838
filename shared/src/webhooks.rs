//! Outgoing webhooks' pure rules (reference-domain.md §5, reference-api-v1.md §5, issue 16):
//! the models one can subscribe to and their names, what a subscription list may hold, the
//! signature headers' text, and which addresses a target may not resolve to (SSRF).

use std::net::IpAddr;

/// Subscriptions, in the reference's order, with the model name `meta.model` carries.
pub const MODELS: [(&str, &str); 11] = [
    ("rdv", "Rdv"),
    ("absence", "Absence"),
    ("plage_ouverture", "PlageOuverture"),
    ("user", "User"),
    ("user_profile", "UserProfile"),
    ("organisation", "Organisation"),
    ("motif", "Motif"),
    ("lieu", "Lieu"),
    ("agent", "Agent"),
    ("agent_role", "AgentRole"),
    ("referent_assignation", "ReferentAssignation"),
];

/// The reference's default subscriptions.
pub const DEFAULT_SUBSCRIPTIONS: [&str; 3] = ["rdv", "absence", "plage_ouverture"];

/// `meta.model` of a subscription name.
pub fn model_of(subscription: &str) -> Option<&'static str> {
    MODELS.iter().find(|(s, _)| *s == subscription).map(|(_, m)| *m)
}

/// The subscription name of a `meta.model`.
pub fn subscription_of(model: &str) -> Option<&'static str> {
    MODELS.iter().find(|(_, m)| *m == model).map(|(s, _)| *s)
}

/// A subscription list as stored: known names only, no duplicates, in the reference's order;
/// `Err` names the first unknown one. `None` gives the default.
pub fn normalise_subscriptions(given: Option<&[String]>) -> Result<Vec<String>, String> {
    let Some(given) = given else {
        return Ok(DEFAULT_SUBSCRIPTIONS.iter().map(|s| (*s).to_owned()).collect());
    };
    if let Some(bad) = given.iter().find(|s| model_of(s).is_none()) {
        return Err(bad.clone());
    }
    Ok(MODELS.iter().map(|(s, _)| *s).filter(|s| given.iter().any(|g| g == s)).map(str::to_owned).collect())
}

/// What `X-Rdv-Signature`'s MAC covers: `"<t>.<raw body>"`, so a captured request cannot be
/// replayed later under a fresh timestamp.
pub fn signed_payload(timestamp: i64, body: &str) -> String {
    format!("{timestamp}.{body}")
}

/// The `X-Rdv-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`.
pub fn signature_header(timestamp: i64, mac_hex: &str) -> String {
    format!("t={timestamp},v1={mac_hex}")
}

/// Parses an `X-Rdv-Signature` header into `(t, v1)` (what a receiver does before comparing).
pub fn parse_signature_header(header: &str) -> Option<(i64, String)> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse().ok(),
            Some(("v1", value)) => v1 = Some(value.to_owned()),
            _ => {}
        }
    }
    Some((t?, v1?))
}

/// Addresses a webhook may not reach unless its host is explicitly allowed: loopback, private
/// networks, link-local (cloud metadata services live there), unspecified, multicast,
/// carrier-grade NAT, and IPv6 unique-local; IPv4-mapped IPv6 addresses are judged as IPv4.
pub fn is_forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_forbidden_ip(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Is `host` in the allow-list (`RDV_WEBHOOK_ALLOWED_HOSTS`, compared without case)?
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|a| a.eq_ignore_ascii_case(host.trim_start_matches('[').trim_end_matches(']')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_are_checked_and_ordered() {
        let given = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(normalise_subscriptions(None).unwrap(), given(&["rdv", "absence", "plage_ouverture"]));
        assert_eq!(
            normalise_subscriptions(Some(&given(&["user", "rdv", "user"]))).unwrap(),
            given(&["rdv", "user"]),
            "reference order, no duplicates"
        );
        assert_eq!(normalise_subscriptions(Some(&given(&["rdv", "rdvs"]))), Err("rdvs".to_owned()));
        assert_eq!(normalise_subscriptions(Some(&[])).unwrap(), Vec::<String>::new());
        assert_eq!(model_of("plage_ouverture"), Some("PlageOuverture"));
        assert_eq!(subscription_of("ReferentAssignation"), Some("referent_assignation"));
    }

    #[test]
    fn signature_header_round_trip() {
        let header = signature_header(1_765_000_000, "ab12");
        assert_eq!(header, "t=1765000000,v1=ab12");
        assert_eq!(parse_signature_header(&header), Some((1_765_000_000, "ab12".to_owned())));
        assert_eq!(parse_signature_header("v1=ab12"), None);
        assert_eq!(signed_payload(5, "{}"), "5.{}");
    }

    #[test]
    fn forbidden_addresses() {
        let cases = [
            ("127.0.0.1", true),
            ("10.1.2.3", true),
            ("172.16.0.1", true),
            ("192.168.1.10", true),
            ("169.254.169.254", true),
            ("0.0.0.0", true),
            ("100.64.0.1", true),
            ("224.0.0.1", true),
            ("::1", true),
            ("fd00::1", true),
            ("fe80::1", true),
            ("::ffff:127.0.0.1", true),
            ("::ffff:10.0.0.1", true),
            ("8.8.8.8", false),
            ("185.24.184.10", false),
            ("100.128.0.1", false),
            ("2001:4860:4860::8888", false),
        ];
        for (ip, forbidden) in cases {
            assert_eq!(is_forbidden_ip(ip.parse().unwrap()), forbidden, "{ip}");
        }
    }

    #[test]
    fn allow_list() {
        let allowed = vec!["127.0.0.1".to_owned(), "LocalHost".to_owned(), "::1".to_owned()];
        assert!(host_allowed("localhost", &allowed));
        assert!(host_allowed("[::1]", &allowed));
        assert!(!host_allowed("example.fr", &allowed));
    }
}

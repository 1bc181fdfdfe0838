//! API tokens: HS256 JWTs whose `jti` names a row of `auth_tokens` (so they can be revoked).

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Agent id.
    pub sub: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        TokenKeys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).map_err(|e| anyhow::anyhow!("jwt signing: {e}"))
    }

    /// The claims of a well-signed, unexpired token; `None` for anything else.
    pub fn verify(&self, jwt: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        decode::<Claims>(jwt, &self.decoding, &validation).ok().map(|d| d.claims)
    }
}

/// A random URL-safe identifier (hex of `bytes` random bytes).
pub fn random_id(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_reject() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let now = chrono::Utc::now().timestamp();
        let claims = Claims { sub: "1".into(), jti: random_id(16), iat: now, exp: now + 60 };
        let jwt = keys.sign(&claims).expect("sign");
        assert_eq!(keys.verify(&jwt).map(|c| c.jti), Some(claims.jti.clone()));
        let other = TokenKeys::new(b"another-secret-another-secret-xx");
        assert!(other.verify(&jwt).is_none(), "wrong key");
        let expired = keys.sign(&Claims { exp: now - 1, ..claims }).expect("sign");
        assert!(keys.verify(&expired).is_none(), "expired");
        assert!(keys.verify("not.a.jwt").is_none());
    }
}

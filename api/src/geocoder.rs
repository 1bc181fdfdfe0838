//! Geocoding through the Base Adresse Nationale API (`GET {base}/search/?q=…&limit=1`), the
//! service the reference calls from the browser (reference-domain.md §8.2). The base URL is
//! configurable (`RDV_GEOCODER_URL`), so tests run it against a local fake server, and the
//! public search works with an INSEE city code alone when no geocoder is configured.

use serde::Deserialize;

/// What an address resolves to.
#[derive(Debug, Clone, PartialEq)]
pub struct Geocoded {
    pub label: String,
    pub city_code: String,
    /// A street's BAN id (`<insee>_<fantoir>`), from a street or a house-number result.
    pub street_ban_id: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    geometry: Geometry,
    properties: Properties,
}

#[derive(Deserialize)]
struct Geometry {
    coordinates: Vec<f64>,
}

#[derive(Deserialize)]
struct Properties {
    label: String,
    citycode: String,
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

/// Resolves `address` (the best match), `Ok(None)` when nothing matches. Network and format
/// failures are errors the caller logs and reports as "address not found".
pub async fn geocode(client: &reqwest::Client, base: &str, address: &str) -> anyhow::Result<Option<Geocoded>> {
    let url = format!("{base}/search/");
    let res = client
        .get(url)
        .query(&[("q", address), ("limit", "1")])
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await?
        .error_for_status()?;
    let body: Collection = res.json().await?;
    let Some(f) = body.features.into_iter().next() else { return Ok(None) };
    let (Some(lon), Some(lat)) = (f.geometry.coordinates.first(), f.geometry.coordinates.get(1)) else {
        return Ok(None);
    };
    let p = f.properties;
    // A house number's id is the street's id plus "_<number>": its first 10 characters.
    let street_ban_id = match p.kind.as_str() {
        "street" => Some(p.id.clone()),
        "housenumber" => p.id.get(..10).map(str::to_owned),
        _ => None,
    };
    Ok(Some(Geocoded { label: p.label, city_code: p.citycode, street_ban_id, latitude: *lat, longitude: *lon }))
}

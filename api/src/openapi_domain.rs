//! The input domain (`rdv_shared::input_domain`, `api::extract`) written into the OpenAPI
//! document, so that what the document allows is what the server accepts (issue 18: a fuzzer
//! driven by the document found operations refusing inputs their schema allowed).
//!
//! One pass over every schema of the document, after the routes have produced it:
//! - free texts (strings with no format, enum or pattern) refuse control characters other than
//!   tab and line breaks, as the server does on every text (PostgreSQL cannot store NUL);
//! - object keys likewise (`propertyNames`), and members a schema does not name hold any JSON
//!   without control characters ([`CLEAN_JSON`]): the server checks every text of a body,
//!   members it ignores included;
//! - dates and date-times have a year from 1800 to 2200, written with four digits;
//! - times of day (`start_time`, `end_time`) are `HH:MM` or `HH:MM:SS`; INSEE city codes
//!   (`city_code`) five letters or digits.
//!
//! Rules a schema cannot say (a motif name already taken, an organisation's last admin, a time
//! zone name that must exist) stay in the operations' descriptions and answer 422.

use serde_norway::{Mapping, Value};

/// Any text without the control characters the server refuses (`validation::has_forbidden_control`).
pub const NO_CONTROL: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$";
/// A date or date-time whose year is within `input_domain::FIRST_YEAR..=LAST_YEAR`.
pub const YEAR_IN_DOMAIN: &str = r"^(1[89][0-9]{2}|20[0-9]{2}|21[0-9]{2}|2200)-";
/// A time of day to the minute or the second.
pub const TIME_OF_DAY: &str = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$";

/// Name of the component schema "any JSON without control characters".
pub const CLEAN_JSON: &str = "CleanJson";

fn clean_json_schema() -> anyhow::Result<Value> {
    let yaml = format!(
        "description: Any JSON value whose texts and keys hold no control character (the server refuses them anywhere in a body).
anyOf:
- type: string
  pattern: '{NO_CONTROL}'
- type: [number, boolean, 'null']
- type: array
  items: {{$ref: '#/components/schemas/{CLEAN_JSON}'}}
- type: object
  propertyNames: {{pattern: '{NO_CONTROL}'}}
  additionalProperties: {{$ref: '#/components/schemas/{CLEAN_JSON}'}}
"
    );
    Ok(serde_norway::from_str(&yaml)?)
}

/// An INSEE city code (`sectorisation::Place::departement_of`).
pub const CITY_CODE: &str = r"^\s*[0-9A-Za-z]{5}\s*$";

/// The pattern of a property or parameter known by its name: times of day (chrono's
/// `NaiveTime`, a plain string in the schema) and INSEE city codes.
fn named(name: &str) -> Option<&'static str> {
    match name {
        "start_time" | "end_time" => Some(TIME_OF_DAY),
        "city_code" => Some(CITY_CODE),
        _ => None,
    }
}

/// The document with the input domain written into every schema (components, parameters,
/// bodies). utoipa's types have no field for `propertyNames`, so the pass works on the
/// serialised document (a YAML value: it keeps the document's key order) that
/// `openapi::to_json` and `openapi::to_yaml` write out.
pub fn constrained(doc: &utoipa::openapi::OpenApi) -> anyhow::Result<Value> {
    let mut value = serde_norway::to_value(doc)?;
    if let Some(schemas) = value.get_mut("components").and_then(|c| c.get_mut("schemas")) {
        schemas.as_mapping_mut().into_iter().flat_map(|m| m.values_mut()).for_each(|s| schema(s, None));
        if let Some(m) = schemas.as_mapping_mut() {
            m.insert(text(CLEAN_JSON), clean_json_schema()?);
        }
    }
    if let Some(paths) = value.get_mut("paths").and_then(Value::as_mapping_mut) {
        for item in paths.values_mut().filter_map(Value::as_mapping_mut) {
            for (key, part) in item.iter_mut() {
                if key.as_str() == Some("parameters") {
                    parameters(part);
                } else if part.is_mapping() {
                    part.get_mut("parameters").into_iter().for_each(parameters);
                    if let Some(content) = part.get_mut("requestBody").and_then(|b| b.get_mut("content")) {
                        content.as_mapping_mut().into_iter().flat_map(|c| c.values_mut()).for_each(|media| {
                            media.get_mut("schema").into_iter().for_each(|s| schema(s, None));
                        });
                    }
                }
            }
        }
    }
    Ok(value)
}

fn parameters(list: &mut Value) {
    for p in list.as_sequence_mut().into_iter().flatten() {
        let own = p.get("name").and_then(Value::as_str).and_then(named);
        p.get_mut("schema").into_iter().for_each(|s| schema(s, own));
    }
}

fn is_string(s: &Mapping) -> bool {
    match s.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Sequence(ts)) => ts.iter().any(|t| t.as_str() == Some("string")),
        _ => false,
    }
}

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// Constrains one schema and the schemas inside it. `own`: the pattern its name calls for.
fn schema(value: &mut Value, own: Option<&'static str>) {
    let Some(s) = value.as_mapping_mut() else { return };
    if is_string(s) && !s.contains_key("enum") && !s.contains_key("pattern") && !s.contains_key("const") {
        let pattern = match s.get("format").and_then(Value::as_str) {
            Some("date" | "date-time") => Some(YEAR_IN_DOMAIN),
            None if own.is_some() => own,
            None => Some(NO_CONTROL),
            Some(_) => None,
        };
        if let Some(p) = pattern {
            s.insert(text("pattern"), text(p));
        }
    }
    if s.contains_key("properties") && !s.contains_key("propertyNames") {
        let mut names = Mapping::new();
        names.insert(text("pattern"), text(NO_CONTROL));
        s.insert(text("propertyNames"), Value::Mapping(names));
        if !s.contains_key("additionalProperties") {
            let mut any = Mapping::new();
            any.insert(text("$ref"), text(&format!("#/components/schemas/{CLEAN_JSON}")));
            s.insert(text("additionalProperties"), Value::Mapping(any));
        }
    }
    if let Some(props) = s.get_mut("properties").and_then(Value::as_mapping_mut) {
        for (name, p) in props.iter_mut() {
            schema(p, name.as_str().and_then(named));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        s.get_mut(key).into_iter().for_each(|inner| schema(inner, own));
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        s.get_mut(key).and_then(Value::as_sequence_mut).into_iter().flatten().for_each(|inner| schema(inner, own));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document's patterns are ECMA regexes; the `regex` crate spells `\uXXXX` as `\x{XXXX}`.
    fn matches(pattern: &str, text: &str) -> bool {
        let mut translated = String::new();
        let mut rest = pattern;
        while let Some(i) = rest.find(r"\u") {
            translated.push_str(&rest[..i]);
            translated.push_str(&format!(r"\x{{{}}}", &rest[i + 2..i + 6]));
            rest = &rest[i + 6..];
        }
        translated.push_str(rest);
        regex::Regex::new(&translated).unwrap().is_match(text)
    }

    #[test]
    fn the_patterns_say_what_the_server_accepts() {
        for (pattern, text, ok) in [
            (NO_CONTROL, "Marie-Claire d'Arras\n2e étage\t", true),
            (NO_CONTROL, "nul\u{0}", false),
            (NO_CONTROL, "bell\u{7}", false),
            (NO_CONTROL, "del\u{7f}", false),
            (YEAR_IN_DOMAIN, "1800-01-01", true),
            (YEAR_IN_DOMAIN, "2200-12-31T10:00:00Z", true),
            (YEAR_IN_DOMAIN, "1799-12-31", false),
            (YEAR_IN_DOMAIN, "2201-01-01", false),
            (YEAR_IN_DOMAIN, "+10000-01-01", false),
            (TIME_OF_DAY, "09:30", true),
            (TIME_OF_DAY, "23:59:59", true),
            (TIME_OF_DAY, "24:00", false),
            (TIME_OF_DAY, "09:00:30.5", false),
            (CITY_CODE, "62041", true),
            (CITY_CODE, "2A004", true),
            (CITY_CODE, "", false),
            (CITY_CODE, "6204", false),
        ] {
            assert_eq!(matches(pattern, text), ok, "{pattern} {text:?}");
            // The server's own rules agree (times of day are parsed by chrono, not checked here).
            match pattern {
                NO_CONTROL => assert_eq!(!rdv_shared::validation::has_forbidden_control(text), ok, "{text:?}"),
                YEAR_IN_DOMAIN if !text.starts_with('+') => {
                    assert_eq!(rdv_shared::input_domain::temporal_problem(text).is_none(), ok, "{text:?}")
                }
                _ => {}
            }
        }
    }

    #[test]
    fn the_document_carries_the_domain_on_bodies_parameters_and_keys() {
        let doc = serde_json::to_value(constrained(&crate::app::openapi()).unwrap()).unwrap();
        let schema = |name: &str| doc.pointer(&format!("/components/schemas/{name}")).unwrap().clone();
        let sign_in = schema("SignInRequest");
        assert_eq!(sign_in["properties"]["password"]["pattern"], NO_CONTROL);
        assert_eq!(sign_in["propertyNames"]["pattern"], NO_CONTROL);
        assert_eq!(sign_in["additionalProperties"]["$ref"], "#/components/schemas/CleanJson");
        assert_eq!(schema("CleanJson")["anyOf"][0]["pattern"], NO_CONTROL);
        assert_eq!(schema("CreatePlageRequest")["properties"]["start_time"]["pattern"], TIME_OF_DAY);
        assert_eq!(schema("CreatePlageRequest")["properties"]["first_day"]["pattern"], YEAR_IN_DOMAIN);
        let search = doc.pointer("/paths/~1api~1v1~1users~1search/get/parameters").unwrap().as_array().unwrap();
        let q = search.iter().find(|p| p["name"] == "q").unwrap();
        assert_eq!(q["schema"]["pattern"], NO_CONTROL);
    }
}

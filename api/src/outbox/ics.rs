//! Calendar attachments (reference §4.3, §4.5) with the `icalendar` crate: one VEVENT per RDV,
//! UID stable per RDV (its uuid), METHOD PUBLISH for usagers, REQUEST for agents (every agent of
//! the RDV an attendee), CANCEL when cancelled; times in the organisation's zone with its
//! VTIMEZONE. Plages and absences (emails to their agent) are events too, with their RRULE.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::{Attendee, Calendar, Component, Event, EventLike, EventStatus, Property};

/// What the calendar event shows.
pub struct IcsEvent<'a> {
    pub uid: &'a str,
    pub method: &'a str,
    /// Grows with each change, so calendars apply the latest.
    pub sequence: u32,
    pub summary: &'a str,
    pub description: &'a str,
    pub location: Option<&'a str>,
    pub starts_local: NaiveDateTime,
    pub ends_local: NaiveDateTime,
    pub tz: Tz,
    pub organizer: &'a str,
    pub attendees: &'a [(String, String)],
    pub stamp: DateTime<Utc>,
    /// A recurring plage or absence: its rule (`FREQ=WEEKLY;…`).
    pub rrule: Option<&'a str>,
}

/// One VEVENT.
fn vevent(e: &IcsEvent<'_>, cancelled: bool) -> Event {
    let mut event = Event::new();
    event
        .uid(e.uid)
        .sequence(e.sequence)
        .summary(e.summary)
        .description(e.description)
        .timestamp(e.stamp)
        .starts((e.starts_local, e.tz))
        .ends((e.ends_local, e.tz))
        .append_property(Property::new("ORGANIZER", format!("mailto:{}", e.organizer)));
    if let Some(location) = e.location {
        event.location(location);
    }
    if let Some(rule) = e.rrule {
        event.add_property("RRULE", rule);
    }
    event.status(if cancelled { EventStatus::Cancelled } else { EventStatus::Confirmed });
    for (name, email) in e.attendees {
        let mut attendee = Attendee::new(format!("mailto:{email}"));
        attendee.cn = Some(name.clone());
        event.attendee(attendee);
    }
    event.done()
}

/// The crate writes no VTIMEZONE: one per zone used goes before the first event.
fn with_zones(text: String, zones: &[(Tz, NaiveDate)]) -> String {
    let mut blocks = String::new();
    let mut seen: Vec<Tz> = Vec::new();
    for (tz, on) in zones {
        if !seen.contains(tz) {
            seen.push(*tz);
            blocks.push_str(&vtimezone(*tz, *on));
        }
    }
    match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{}{}", &text[..at], blocks, &text[at..]),
        None => text,
    }
}

/// The VCALENDAR text of one event (an email's calendar part).
pub fn calendar(e: &IcsEvent<'_>) -> String {
    let mut cal = Calendar::new();
    cal.append_property(Property::new("METHOD", e.method)).push(vevent(e, e.method == "CANCEL"));
    with_zones(cal.done().to_string(), &[(e.tz, e.starts_local.date())])
}

/// A calendar feed (agenda sync): its name and events, each with whether it is cancelled.
pub fn feed(name: &str, events: &[(IcsEvent<'_>, bool)]) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    cal.append_property(Property::new("X-PUBLISHED-TTL", "PT1H"));
    for (e, cancelled) in events {
        cal.push(vevent(e, *cancelled));
    }
    let zones: Vec<(Tz, NaiveDate)> = events.iter().map(|(e, _)| (e.tz, e.starts_local.date())).collect();
    with_zones(cal.done().to_string(), &zones)
}

fn offset(tz: Tz, date: NaiveDate) -> i32 {
    let noon = date.and_hms_opt(12, 0, 0).unwrap_or_default();
    tz.offset_from_utc_datetime(&noon).fix().local_minus_utc()
}

fn hhmm(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let m = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", m / 60, m % 60)
}

/// The zone's definition for the RDV's year: one STANDARD block for zones without summer time
/// (La Réunion, the Antilles, Mayotte, Guyane), else the EU rules (last Sundays of March and
/// October), or the North American ones for Saint-Pierre-et-Miquelon.
fn vtimezone(tz: Tz, on: NaiveDate) -> String {
    let (winter, summer) = (
        offset(tz, NaiveDate::from_ymd_opt(on.year(), 1, 15).unwrap_or(on)),
        offset(tz, NaiveDate::from_ymd_opt(on.year(), 7, 15).unwrap_or(on)),
    );
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    if winter == summer {
        out.push_str(&format!(
            "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:{0}\r\nTZOFFSETTO:{0}\r\nEND:STANDARD\r\n",
            hhmm(winter)
        ));
    } else {
        let (to_summer, to_winter) = if tz.name().starts_with("America/") {
            ("FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU")
        } else {
            ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")
        };
        out.push_str(&format!(
            "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:{w}\r\nTZOFFSETTO:{s}\r\nRRULE:{to_summer}\r\nEND:DAYLIGHT\r\n\
             BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:{s}\r\nTZOFFSETTO:{w}\r\nRRULE:{to_winter}\r\nEND:STANDARD\r\n",
            w = hhmm(winter),
            s = hhmm(summer),
        ));
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(tz: Tz, method: &str) -> String {
        let start = NaiveDate::from_ymd_opt(2026, 12, 8).and_then(|d| d.and_hms_opt(10, 0, 0)).unwrap_or_default();
        let attendees = vec![("Camille Martin".to_owned(), "camille@example.fr".to_owned())];
        calendar(&IcsEvent {
            uid: "0b6f-uuid",
            method,
            sequence: 2,
            summary: "RDV Consultation",
            description: "Voir http://x/r/t",
            location: Some("MDS, 1 rue Haute, Arras"),
            starts_local: start,
            ends_local: start + chrono::Duration::minutes(30),
            tz,
            organizer: "ne-pas-repondre@rdv.test",
            attendees: &attendees,
            stamp: Utc::now(),
            rrule: None,
        })
    }

    #[test]
    fn event_in_the_organisation_zone() {
        let paris = sample(chrono_tz::Europe::Paris, "REQUEST");
        for needle in [
            "METHOD:REQUEST",
            "UID:0b6f-uuid",
            "SEQUENCE:2",
            "TZID:Europe/Paris",
            "TZOFFSETTO:+0200",
            "DTSTART;TZID=Europe/Paris:20261208T100000",
            "ATTENDEE;CN=Camille Martin:mailto:camille@example.fr",
            "STATUS:CONFIRMED",
        ] {
            assert!(paris.contains(needle), "{needle} missing in\n{paris}");
        }
        assert!(paris.find("BEGIN:VTIMEZONE") < paris.find("BEGIN:VEVENT"));
        let reunion = sample(chrono_tz::Indian::Reunion, "CANCEL");
        assert!(reunion.contains("TZOFFSETTO:+0400") && !reunion.contains("DAYLIGHT"), "{reunion}");
        assert!(reunion.contains("STATUS:CANCELLED") && reunion.contains("METHOD:CANCEL"), "{reunion}");
    }
}

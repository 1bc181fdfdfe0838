//! What the messages say (reference §4.5): email subjects and bodies for usagers and agents, and
//! the SMS. Pure functions of the RDV's facts in the organisation's local time, so the server,
//! the tests and the SPA's previews render the same words.

use chrono::{Datelike, NaiveDateTime, Timelike};

use super::gsm::{septets, to_gsm};
use super::NotifEvent;
use crate::time::{MONTHS_FR, WEEKDAYS_FR};

/// Where the RDV takes place, as the usager must read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Lieu { name: String, address: String },
    Phone,
    Home { address: Option<String> },
    Visio,
}

/// The facts every message about an RDV shows, times in the organisation's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdvFacts {
    pub service_short_name: String,
    pub motif_name: String,
    /// The collective RDV's title ("Intitulé").
    pub name: Option<String>,
    pub starts_local: NaiveDateTime,
    /// The former time, for a change.
    pub previous_starts_local: Option<NaiveDateTime>,
    pub duration_in_min: i64,
    pub place: Place,
    pub organisation_name: String,
    pub organisation_phone: Option<String>,
    /// The motif's instructions ("instruction_for_rdv").
    pub instructions: Option<String>,
    /// Agents' short names ("C. Martin"), shown for follow-up motifs.
    pub agents: Vec<String>,
    pub follow_up: bool,
    /// The earlier slot the waiting list found (local), for its message.
    pub offered_local: Option<NaiveDateTime>,
}

/// "mardi 8 décembre 2026 à 10h00".
pub fn date_long(t: NaiveDateTime) -> String {
    format!(
        "{} {} {} {} à {}h{:02}",
        WEEKDAYS_FR[t.weekday().num_days_from_monday() as usize],
        t.day(),
        MONTHS_FR[t.month0() as usize],
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// "08/12 à 10h00" (SMS: the year is obvious within the booking window).
pub fn date_short(t: NaiveDateTime) -> String {
    format!("{:02}/{:02} a {}h{:02}", t.day(), t.month(), t.hour(), t.minute())
}

fn place_line(place: &Place) -> String {
    match place {
        Place::Lieu { name, address } if address.trim().is_empty() => name.clone(),
        Place::Lieu { name, address } => format!("{name}, {address}"),
        Place::Phone => "RDV téléphonique : vous serez appelé(e) sur votre téléphone.".into(),
        Place::Home { address: Some(a) } => format!("RDV à votre domicile ({a}) ; l'heure est approximative."),
        Place::Home { address: None } => "RDV à votre domicile ; l'heure est approximative.".into(),
        Place::Visio => "RDV par visioconférence : le lien vous sera communiqué.".into(),
    }
}

fn title(f: &RdvFacts) -> String {
    f.name.clone().unwrap_or_else(|| f.motif_name.clone())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('.');
        t
    }
}

/// The usager email's subject (reference §4.5 wording).
pub fn usager_subject(event: NotifEvent, f: &RdvFacts) -> String {
    match event {
        NotifEvent::Created => format!("RDV confirmé le {}", date_long(f.starts_local)),
        NotifEvent::Updated => {
            format!("RDV du {} modifié", date_long(f.previous_starts_local.unwrap_or(f.starts_local)))
        }
        NotifEvent::Cancelled => {
            format!("RDV annulé le {} avec {}", date_long(f.starts_local), f.organisation_name)
        }
        NotifEvent::Reminder => format!("[Rappel] RDV le {}", date_long(f.starts_local)),
        NotifEvent::NewCreneau => "Un créneau vient de se libérer !".to_owned(),
    }
}

/// The agent email's subject.
pub fn agent_subject(event: NotifEvent, f: &RdvFacts) -> String {
    match event {
        NotifEvent::Created | NotifEvent::Reminder | NotifEvent::NewCreneau => {
            format!("Nouveau RDV ajouté sur votre agenda RDV Solidarités pour le {}", date_long(f.starts_local))
        }
        NotifEvent::Updated => {
            format!("RDV du {} modifié", date_long(f.previous_starts_local.unwrap_or(f.starts_local)))
        }
        NotifEvent::Cancelled => format!("RDV annulé le {}", date_long(f.starts_local)),
    }
}

/// The usager email's text. `for_names`: the usagers concerned (the recipient and, for a
/// responsible, their relatives); `link`: the RDV's page for them.
pub fn usager_body(event: NotifEvent, f: &RdvFacts, for_names: &[String], link: Option<&str>) -> String {
    let when = date_long(f.starts_local);
    let mut out = String::from("Bonjour,\n\n");
    let about = if for_names.len() > 1 { format!(" (pour {})", for_names.join(", ")) } else { String::new() };
    if event == NotifEvent::NewCreneau {
        return new_creneau_body(f, &about, link);
    }
    let headline = match event {
        NotifEvent::Created => format!("Votre rendez-vous « {} » est confirmé{about} :", title(f)),
        NotifEvent::Updated => format!(
            "Votre rendez-vous « {} » du {} a été modifié{about}. Nouvelle date :",
            title(f),
            date_long(f.previous_starts_local.unwrap_or(f.starts_local))
        ),
        NotifEvent::Cancelled => format!("Votre rendez-vous « {} » a été annulé{about} :", title(f)),
        NotifEvent::Reminder => format!("Nous vous rappelons votre rendez-vous « {} »{about} :", title(f)),
        NotifEvent::NewCreneau => String::new(),
    };
    out.push_str(&headline);
    out.push_str(&format!("\n\n{when} ({} min)\n{}\n", f.duration_in_min, place_line(&f.place)));
    if f.follow_up && !f.agents.is_empty() {
        out.push_str(&format!("Avec : {}\n", f.agents.join(", ")));
    }
    out.push_str(&format!("{} — {}\n", f.organisation_name, f.service_short_name));
    if event != NotifEvent::Cancelled {
        if let Some(i) = f.instructions.as_deref().filter(|i| !i.trim().is_empty()) {
            out.push_str(&format!("\nÀ savoir : {}\n", i.trim()));
        }
    }
    if let Some(link) = link {
        let what = if event == NotifEvent::Cancelled {
            "reprendre rendez-vous"
        } else {
            "voir, déplacer ou annuler ce rendez-vous"
        };
        out.push_str(&format!("\nPour {what} : {link}\n"));
    }
    if let Some(phone) = &f.organisation_phone {
        out.push_str(&format!("Pour toute question, appelez le {phone}, ou répondez à cet email.\n"));
    } else {
        out.push_str("Pour toute question, répondez à cet email.\n");
    }
    out.push_str("\nÀ bientôt,\nRDV Solidarités\n");
    out
}

/// The waiting list's email: the earlier slot, how to take it, and that nothing changes
/// otherwise.
fn new_creneau_body(f: &RdvFacts, about: &str, link: Option<&str>) -> String {
    let mut out = format!(
        "Bonjour,\n\nUn créneau plus tôt vient de se libérer pour votre rendez-vous « {} »{about}, prévu le {} :\n\n",
        title(f),
        date_long(f.starts_local)
    );
    if let Some(at) = f.offered_local {
        out.push_str(&format!("{}\n{}\n", date_long(at), place_line(&f.place)));
    }
    if let Some(link) = link {
        out.push_str(&format!("\nPour prendre ce créneau (ou un autre) à la place du vôtre : {link}\n"));
    }
    out.push_str("Les créneaux libérés partent vite. Si vous ne faites rien, votre rendez-vous reste inchangé.\n");
    out.push_str("\nÀ bientôt,\nRDV Solidarités\n");
    out
}

/// The agent email's text. `usagers`: the participants' names; `link`: the RDV in the SPA.
pub fn agent_body(event: NotifEvent, f: &RdvFacts, usagers: &[String], link: &str) -> String {
    let what = match event {
        NotifEvent::Created | NotifEvent::Reminder | NotifEvent::NewCreneau => {
            "Un rendez-vous a été ajouté à votre agenda"
        }
        NotifEvent::Updated => "Un rendez-vous de votre agenda a été modifié",
        NotifEvent::Cancelled => "Un rendez-vous de votre agenda a été annulé",
    };
    let mut out =
        format!("Bonjour,\n\n{what} :\n\n{} — {}\n{}", title(f), f.service_short_name, date_long(f.starts_local));
    if let (NotifEvent::Updated, Some(p)) = (event, f.previous_starts_local) {
        out.push_str(&format!(" (au lieu du {})", date_long(p)));
    }
    out.push_str(&format!(" ({} min)\n{}\n", f.duration_in_min, place_line(&f.place)));
    if !usagers.is_empty() {
        out.push_str(&format!("Usager(s) : {}\n", usagers.join(", ")));
    }
    out.push_str(&format!("\nVoir le rendez-vous : {link}\n"));
    out
}

/// The SMS (reference §4.5), folded to the GSM alphabet: the event and date, where, for whom,
/// with whom (follow-up), and "Infos et annulation: <link> / <phone>". The place is shortened so
/// that a confirmation or reminder fits in two segments even with a long address.
pub fn sms(event: NotifEvent, f: &RdvFacts, relatives: &[String], link: Option<&str>) -> String {
    let when = date_short(f.starts_local);
    let service = &f.service_short_name;
    let head = match event {
        NotifEvent::Created => format!("RDV {service} le {when}."),
        NotifEvent::Updated => format!("RDV modifie: {service} le {when}."),
        NotifEvent::Reminder => format!("Rappel RDV {service} le {when}."),
        NotifEvent::NewCreneau => {
            let offered = f.offered_local.map(|t| format!(" le {}", date_short(t))).unwrap_or_default();
            let url = link.map(|l| format!(" Pour le prendre: {l}")).unwrap_or_default();
            return to_gsm(&format!(
                "Un creneau plus tot s'est libere{offered} pour votre RDV {service} du {when}.{url} Sinon votre RDV reste inchange."
            ));
        }
        NotifEvent::Cancelled => {
            let phone = f.organisation_phone.as_deref().map(|p| format!(" Appelez le {p}")).unwrap_or_default();
            let url = link.map(|l| format!(" ou allez sur {l}")).unwrap_or_default();
            return to_gsm(&format!("RDV {service} du {when} annule.{phone}{url} pour reprendre RDV."));
        }
    };
    let mut lines = vec![to_gsm(&head)];
    if let Some(n) = &f.name {
        lines.push(to_gsm(&truncate(n, 50)));
    }
    let place = to_gsm(&match &f.place {
        Place::Lieu { name, address } => format!("{name}, {address}"),
        Place::Phone => "RDV telephonique".into(),
        Place::Home { .. } => "RDV a votre domicile (heure approximative)".into(),
        Place::Visio => "RDV par visioconference".into(),
    });
    let place_at = lines.len();
    if !relatives.is_empty() {
        lines.push(to_gsm(&truncate(&format!("Pour {}", relatives.join(", ")), 60)));
    }
    if f.follow_up && !f.agents.is_empty() {
        lines.push(to_gsm(&truncate(&format!("Avec {}", f.agents.join(", ")), 40)));
    }
    let contact = match (link, f.organisation_phone.as_deref()) {
        (Some(l), Some(p)) => Some(format!("Infos et annulation: {l} / {p}")),
        (Some(l), None) => Some(format!("Infos et annulation: {l}")),
        (None, Some(p)) => Some(format!("Infos: {p}")),
        (None, None) => None,
    };
    lines.extend(contact.map(|c| to_gsm(&c)));
    // The place takes what is left of two segments (every line is followed by a newline).
    let used: usize = lines.iter().map(|l| septets(l) + 1).sum();
    let room = (2 * 153usize).saturating_sub(used + 1).max(30);
    lines.insert(place_at, if septets(&place) > room { truncate(&place, room) } else { place });
    lines.join("\n")
}

/// A plage d'ouverture or an absence, for the emails to its agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgendaItem {
    Plage,
    Absence,
}

/// What happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemChange {
    Created,
    Updated,
    Deleted,
}

impl ItemChange {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemChange::Created => "created",
            ItemChange::Updated => "updated",
            ItemChange::Deleted => "destroyed",
        }
    }
}

/// Subject and text of the email telling an agent (level "all") that one of their plages or
/// absences was created, changed or deleted (reference §4.3). `when`: "lundi 7 décembre 2026,
/// 09:00–12:00, toutes les semaines".
pub fn agenda_item_mail(item: AgendaItem, change: ItemChange, title: &str, when: &str, link: &str) -> (String, String) {
    let (noun, feminine) = match item {
        AgendaItem::Plage => ("Plage d'ouverture", true),
        AgendaItem::Absence => ("Indisponibilité", true),
    };
    let verb = match (change, feminine) {
        (ItemChange::Created, true) => "créée",
        (ItemChange::Updated, true) => "modifiée",
        (ItemChange::Deleted, true) => "supprimée",
        (ItemChange::Created, false) => "créé",
        (ItemChange::Updated, false) => "modifié",
        (ItemChange::Deleted, false) => "supprimé",
    };
    let subject = format!("{noun} {verb} : {title}");
    let text = format!(
        "Bonjour,\n\n{noun} {verb} sur votre agenda :\n\n{title}\n{when}\n\nVoir votre agenda : {link}\n\n\
         Vous recevez ce message parce que vos préférences (Mon compte) demandent toutes les notifications.\n"
    );
    (subject, text)
}

/// Minimal HTML for an email's text: escaped, paragraphs on blank lines, links clickable.
pub fn html_of(text: &str) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let mut out = String::from("<!doctype html><html lang=\"fr\"><body style=\"font-family:sans-serif\">");
    for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let lines: Vec<String> = para
            .lines()
            .map(|line| {
                line.split(' ')
                    .map(|w| {
                        if w.starts_with("http://") || w.starts_with("https://") {
                            format!("<a href=\"{0}\">{0}</a>", escape(w))
                        } else {
                            escape(w)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        out.push_str(&format!("<p>{}</p>", lines.join("<br>")));
    }
    out.push_str("</body></html>");
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::super::gsm::segments;
    use super::*;

    fn facts(place: Place) -> RdvFacts {
        RdvFacts {
            service_short_name: "PMI".into(),
            motif_name: "Consultation prénatale".into(),
            name: None,
            starts_local: NaiveDate::from_ymd_opt(2026, 12, 8).unwrap().and_hms_opt(10, 0, 0).unwrap(),
            previous_starts_local: None,
            duration_in_min: 30,
            place,
            organisation_name: "MDS Arras Nord".into(),
            organisation_phone: Some("03 21 00 00 00".into()),
            instructions: Some("Apportez le carnet de santé.".into()),
            agents: vec!["C. Martin".into()],
            follow_up: true,
            offered_local: None,
        }
    }

    #[test]
    fn agenda_item_mails() {
        let (subject, text) = agenda_item_mail(
            AgendaItem::Absence,
            ItemChange::Deleted,
            "Formation",
            "lundi 7 décembre",
            "http://x/agenda",
        );
        assert_eq!(subject, "Indisponibilité supprimée : Formation");
        assert!(text.contains("lundi 7 décembre") && text.contains("http://x/agenda"), "{text}");
        let (subject, _) = agenda_item_mail(AgendaItem::Plage, ItemChange::Created, "PMI", "", "");
        assert_eq!(subject, "Plage d'ouverture créée : PMI");
    }

    #[test]
    fn dates_in_french() {
        let f = facts(Place::Phone);
        assert_eq!(date_long(f.starts_local), "mardi 8 décembre 2026 à 10h00");
        assert_eq!(usager_subject(NotifEvent::Created, &f), "RDV confirmé le mardi 8 décembre 2026 à 10h00");
        assert_eq!(usager_subject(NotifEvent::Reminder, &f), "[Rappel] RDV le mardi 8 décembre 2026 à 10h00");
        assert_eq!(
            usager_subject(NotifEvent::Cancelled, &f),
            "RDV annulé le mardi 8 décembre 2026 à 10h00 avec MDS Arras Nord"
        );
    }

    #[test]
    fn sms_fit_two_segments_with_a_long_address() {
        let long = Place::Lieu {
            name: "Maison Départementale de la Solidarité de l'Arrageois — antenne de Saint-Nicolas".into(),
            address: "Résidence les Tilleuls, bâtiment C, 2ème étage, 1234 avenue du Maréchal de Lattre de Tassigny, 62223 Saint-Nicolas-lez-Arras".into(),
        };
        let mut f = facts(long);
        f.name = Some("Atelier collectif de préparation à la naissance et à la parentalité".into());
        let link = "https://rdv-solidarites.example.fr/r/AbCdEfGhIjKlMnOpQrStUv";
        let relatives = vec!["Léa Dupont".to_owned(), "Théo Dupont-Lefèvre".to_owned()];
        for event in [NotifEvent::Created, NotifEvent::Reminder, NotifEvent::Updated, NotifEvent::Cancelled] {
            let text = sms(event, &f, &relatives, Some(link));
            assert!(segments(&text) <= 2, "{event:?}: {} septets: {text}", text.len());
            assert!(text.is_ascii(), "{text}");
            assert!(text.contains(link), "{text}");
        }
        let reminder = sms(NotifEvent::Reminder, &f, &[], Some(link));
        assert!(reminder.starts_with("Rappel RDV PMI le 08/12 a 10h00."), "{reminder}");
        assert!(reminder.contains("Infos et annulation: https://"), "{reminder}");
    }

    #[test]
    fn new_creneau_messages() {
        let mut f = facts(Place::Lieu { name: "MDS".into(), address: "1 rue Haute, Arras".into() });
        f.offered_local = Some(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap().and_hms_opt(14, 30, 0).unwrap());
        let link = "https://rdv.example.fr/r/AbCdEfGhIjKlMnOp?modifier=1";
        assert_eq!(usager_subject(NotifEvent::NewCreneau, &f), "Un créneau vient de se libérer !");
        let body = usager_body(NotifEvent::NewCreneau, &f, &["Léa Dupont".into()], Some(link));
        assert!(body.contains("jeudi 3 décembre 2026 à 14h30"), "{body}");
        assert!(body.contains("prévu le mardi 8 décembre 2026 à 10h00"), "{body}");
        assert!(body.contains(link) && body.contains("reste inchangé"), "{body}");
        let text = sms(NotifEvent::NewCreneau, &f, &[], Some(link));
        assert!(text.contains("le 03/12 a 14h30") && text.contains("du 08/12 a 10h00"), "{text}");
        assert!(text.contains(link) && text.is_ascii() && segments(&text) <= 2, "{text}");
    }

    #[test]
    fn sms_place_wording() {
        let cases = [
            (Place::Phone, "RDV telephonique"),
            (Place::Home { address: None }, "RDV a votre domicile"),
            (Place::Visio, "RDV par visioconference"),
            (Place::Lieu { name: "MDS".into(), address: "1 rue Haute, Arras".into() }, "MDS, 1 rue Haute, Arras"),
        ];
        for (place, expected) in cases {
            let text = sms(NotifEvent::Created, &facts(place), &[], None);
            assert!(text.contains(expected), "{text}");
            assert!(text.ends_with("Infos: 03 21 00 00 00"), "{text}");
        }
    }

    #[test]
    fn bodies_carry_instructions_link_and_relatives() {
        let f = facts(Place::Phone);
        let names = vec!["Marie Dupont".to_owned(), "Léa Dupont".to_owned()];
        let body = usager_body(NotifEvent::Created, &f, &names, Some("http://x/r/t"));
        assert!(body.contains("(pour Marie Dupont, Léa Dupont)"), "{body}");
        assert!(body.contains("Apportez le carnet"), "{body}");
        assert!(body.contains("http://x/r/t"), "{body}");
        assert!(body.contains("03 21 00 00 00"), "{body}");
        let cancelled = usager_body(NotifEvent::Cancelled, &f, &names[..1], None);
        assert!(!cancelled.contains("Apportez"), "no instructions for a cancelled RDV");
        let html = html_of("a < b\n\nvoir http://x/r/t");
        assert_eq!(
            html,
            "<!doctype html><html lang=\"fr\"><body style=\"font-family:sans-serif\"><p>a &lt; b</p>\
             <p>voir <a href=\"http://x/r/t\">http://x/r/t</a></p></body></html>"
        );
    }
}

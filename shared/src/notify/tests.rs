//! Table tests of the notification rules.
#![allow(clippy::type_complexity)] // table tests: one tuple per row reads best

use chrono::NaiveDate;

use super::*;
use crate::enums::RdvNotificationsLevel as L;

fn at(h: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 10).unwrap().and_hms_opt(h, 0, 0).unwrap()
}

fn state(h: u32, lieu: i32, cancelled: bool) -> RdvState {
    RdvState { starts_at: at(h), place: Some((lieu, "MDS".into(), "1 rue Haute".into())), cancelled }
}

#[test]
fn rdv_events() {
    let renamed = RdvState { place: Some((1, "MDS Nord".into(), "1 rue Haute".into())), ..state(10, 1, false) };
    let cases: Vec<(Option<RdvState>, RdvState, Option<NotifEvent>, &str)> = vec![
        (None, state(10, 1, false), Some(NotifEvent::Created), "new"),
        (None, state(10, 1, true), None, "created cancelled"),
        (Some(state(10, 1, false)), state(11, 1, false), Some(NotifEvent::Updated), "moved"),
        (Some(state(10, 1, false)), state(10, 2, false), Some(NotifEvent::Updated), "other lieu"),
        (Some(state(10, 1, false)), renamed, Some(NotifEvent::Updated), "lieu renamed"),
        (Some(state(10, 1, false)), state(10, 1, false), None, "agents or context only"),
        (Some(state(10, 1, false)), state(10, 1, true), Some(NotifEvent::Cancelled), "cancelled"),
        (Some(state(10, 1, true)), state(10, 1, false), Some(NotifEvent::Created), "re-opened"),
        (Some(state(10, 1, true)), state(11, 1, true), None, "still cancelled"),
    ];
    for (before, after, expected, label) in cases {
        assert_eq!(rdv_event(before.as_ref(), &after), expected, "{label}");
    }
}

fn p(user_id: i32, cancelled: bool) -> Participant {
    Participant { user_id, cancelled, lifecycle: true, reminder: true }
}

#[test]
fn usager_events_follow_participants() {
    use NotifEvent::*;
    let cases: Vec<(Vec<Participant>, Vec<Participant>, Option<NotifEvent>, Vec<(i32, NotifEvent)>, &str)> = vec![
        (vec![], vec![p(1, false), p(2, false)], Some(Created), vec![(1, Created), (2, Created)], "new RDV"),
        (vec![p(1, false)], vec![p(1, false)], Some(Updated), vec![(1, Updated)], "moved"),
        (vec![p(1, false)], vec![p(1, false)], None, vec![], "nothing that matters"),
        (vec![p(1, false)], vec![p(1, false), p(2, false)], None, vec![(2, Created)], "collective: one joins"),
        (vec![p(1, false), p(2, false)], vec![p(1, false)], None, vec![(2, Cancelled)], "collective: one removed"),
        (vec![p(1, false), p(2, false)], vec![p(1, false), p(2, true)], None, vec![(2, Cancelled)], "one excused"),
        (
            vec![p(1, false), p(2, true)],
            vec![p(1, true), p(2, true)],
            Some(Cancelled),
            vec![(1, Cancelled)],
            "already cancelled hears nothing more",
        ),
        (vec![p(1, true)], vec![p(1, false)], Some(Created), vec![(1, Created)], "re-opened"),
        (
            vec![p(1, false)],
            vec![p(1, false), p(2, false)],
            Some(Updated),
            vec![(1, Updated), (2, Created)],
            "moved and one joins",
        ),
    ];
    for (before, after, event, expected, label) in cases {
        let got: Vec<(i32, NotifEvent)> =
            usager_events(&before, &after, event).into_iter().map(|(p, e)| (p.user_id, e)).collect();
        assert_eq!(got, expected, "{label}");
    }
}

fn contact(user_id: i32, email: bool, mobile: bool) -> Contact {
    Contact {
        user_id,
        responsible_id: None,
        has_email: email,
        notify_by_email: true,
        has_mobile: mobile,
        notify_by_sms: true,
    }
}

const LOUD: Silence = Silence { past: false, do_not_notify: false, invisible: false };

fn channels(notices: &[UsagerNotice]) -> Vec<(i32, Channel, Vec<i32>)> {
    notices.iter().map(|n| (n.to, n.channel, n.for_users.clone())).collect()
}

#[test]
fn usager_notices_by_consent_contact_and_author() {
    use Channel::*;
    let both = vec![contact(1, true, true)];
    let agent = ChangeAuthor::Agent(9);
    let created = vec![(p(1, false), NotifEvent::Created)];
    let cancelled = vec![(p(1, true), NotifEvent::Cancelled)];
    let cases: Vec<(
        Vec<(Participant, NotifEvent)>,
        Vec<Contact>,
        ChangeAuthor,
        Silence,
        Vec<(i32, Channel, Vec<i32>)>,
        &str,
    )> = vec![
        (created.clone(), both.clone(), agent, LOUD, vec![(1, Mail, vec![1]), (1, Sms, vec![1])], "both channels"),
        (created.clone(), vec![contact(1, true, false)], agent, LOUD, vec![(1, Mail, vec![1])], "landline: no SMS"),
        (
            created.clone(),
            vec![Contact { notify_by_sms: false, ..contact(1, true, true) }],
            agent,
            LOUD,
            vec![(1, Mail, vec![1])],
            "no SMS consent",
        ),
        (
            created.clone(),
            vec![Contact { notify_by_email: false, ..contact(1, true, true) }],
            agent,
            LOUD,
            vec![(1, Sms, vec![1])],
            "no email consent",
        ),
        (created.clone(), vec![contact(1, false, false)], agent, LOUD, vec![], "no contact"),
        (
            cancelled.clone(),
            both.clone(),
            agent,
            LOUD,
            vec![(1, Mail, vec![1]), (1, Sms, vec![1])],
            "agent cancels: SMS too",
        ),
        (
            cancelled.clone(),
            both.clone(),
            ChangeAuthor::Usager,
            LOUD,
            vec![(1, Mail, vec![1])],
            "usager cancels: email only",
        ),
        (created.clone(), both.clone(), agent, Silence { past: true, ..LOUD }, vec![], "past RDV"),
        (created.clone(), both.clone(), agent, Silence { do_not_notify: true, ..LOUD }, vec![], "ne pas notifier"),
        (created.clone(), both.clone(), agent, Silence { invisible: true, ..LOUD }, vec![], "invisible motif"),
        (
            vec![(Participant { lifecycle: false, ..p(1, false) }, NotifEvent::Created)],
            both.clone(),
            agent,
            LOUD,
            vec![],
            "lifecycle switched off",
        ),
        (
            vec![(Participant { reminder: false, ..p(1, false) }, NotifEvent::Reminder)],
            both.clone(),
            ChangeAuthor::System,
            LOUD,
            vec![],
            "reminder switched off",
        ),
        (
            vec![(Participant { lifecycle: false, ..p(1, false) }, NotifEvent::Reminder)],
            both.clone(),
            ChangeAuthor::System,
            LOUD,
            vec![(1, Mail, vec![1]), (1, Sms, vec![1])],
            "reminder only",
        ),
        (
            vec![(p(1, true), NotifEvent::Reminder)],
            both.clone(),
            ChangeAuthor::System,
            LOUD,
            vec![],
            "no reminder for a cancelled participation",
        ),
        (
            vec![(Participant { lifecycle: false, reminder: false, ..p(1, false) }, NotifEvent::NewCreneau)],
            both.clone(),
            ChangeAuthor::System,
            LOUD,
            vec![(1, Mail, vec![1]), (1, Sms, vec![1])],
            "waiting list: asked for by the usager, whatever the switches",
        ),
        (
            vec![(p(1, true), NotifEvent::NewCreneau)],
            both.clone(),
            ChangeAuthor::System,
            LOUD,
            vec![],
            "waiting list: not for a cancelled participation",
        ),
    ];
    for (events, contacts, author, silence, expected, label) in cases {
        assert_eq!(channels(&usager_notices(&events, &contacts, author, silence)), expected, "{label}");
    }
}

#[test]
fn a_responsible_gets_one_message_for_their_relatives() {
    let parent = contact(1, true, true);
    let child = |id| Contact { responsible_id: Some(1), ..contact(id, false, false) };
    let contacts = vec![parent, child(2), child(3)];
    let events = vec![(p(2, false), NotifEvent::Created), (p(3, false), NotifEvent::Created)];
    let got = channels(&usager_notices(&events, &contacts, ChangeAuthor::Agent(9), LOUD));
    assert_eq!(got, vec![(1, Channel::Mail, vec![2, 3]), (1, Channel::Sms, vec![2, 3])]);
    // The parent takes part too: still one message per channel.
    let events = vec![(p(1, false), NotifEvent::Created), (p(2, false), NotifEvent::Created)];
    let got = channels(&usager_notices(&events, &contacts, ChangeAuthor::Agent(9), LOUD));
    assert_eq!(got, vec![(1, Channel::Mail, vec![1, 2]), (1, Channel::Sms, vec![1, 2])]);
}

#[test]
fn agents_by_level_and_role_in_the_change() {
    use NotifEvent::*;
    let author = ChangeAuthor::Agent(1);
    let cases: Vec<(Option<NotifEvent>, Vec<i32>, Vec<(i32, L)>, Vec<(i32, L)>, bool, Vec<(i32, NotifEvent)>, &str)> = vec![
        (
            Some(Created),
            vec![],
            vec![(1, L::Others), (2, L::Others)],
            vec![],
            false,
            vec![(2, Created)],
            "others: not the author",
        ),
        (Some(Created), vec![], vec![(1, L::All), (2, L::None)], vec![], false, vec![(1, Created)], "all / none"),
        (Some(Created), vec![], vec![(2, L::Soon)], vec![], false, vec![], "soon: not soon"),
        (
            Some(Created),
            vec![],
            vec![(2, L::Soon), (1, L::Soon)],
            vec![],
            true,
            vec![(2, Created)],
            "soon: soon, not the author",
        ),
        (
            Some(Updated),
            vec![1, 2],
            vec![(2, L::All), (3, L::All)],
            vec![(1, L::All)],
            false,
            vec![(2, Updated), (3, Created), (1, Cancelled)],
            "agents kept, added, removed",
        ),
        (
            None,
            vec![2],
            vec![(2, L::All), (3, L::All)],
            vec![],
            false,
            vec![(3, Created)],
            "only the agents changed: the new one is told",
        ),
        (Some(Cancelled), vec![2], vec![(2, L::All)], vec![], false, vec![(2, Cancelled)], "cancelled"),
        (Some(Reminder), vec![2], vec![(2, L::All)], vec![], false, vec![], "agents get no reminder"),
    ];
    for (event, before, after, removed, soon_, expected, label) in cases {
        assert_eq!(agent_notices(event, author, &before, &after, &removed, soon_, false), expected, "{label}");
    }
    assert!(agent_notices(Some(Created), author, &[], &[(2, L::All)], &[], true, true).is_empty(), "past RDV");
}

#[test]
fn soon_is_today_or_tomorrow() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let d = |m, day| NaiveDate::from_ymd_opt(if m == 1 { 2027 } else { 2026 }, m, day).unwrap();
    assert!(soon(today, &[d(12, 31)]));
    assert!(soon(today, &[d(1, 1)]), "tomorrow across the year");
    assert!(!soon(today, &[d(1, 2)]));
    assert!(soon(today, &[d(1, 5), d(12, 31)]), "old date today");
    assert!(!soon(today, &[]));
}

#[test]
fn mobiles_only() {
    let cases = [
        ("+33612345678", true),
        ("+33712345678", true),
        ("+33321000000", false),
        ("+262692123456", true),
        ("+262262123456", false),
        ("+596696123456", true),
        ("+336", false),
        ("", false),
    ];
    for (number, expected) in cases {
        assert_eq!(is_mobile(number), expected, "{number}");
    }
}

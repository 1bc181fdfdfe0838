//! The RDV list's filter form: organisations (or a whole territory for its admins), dates,
//! statuses, origins, agent, usager, motif, lieu, service and order. It edits a draft copy of
//! the filters; the page puts the draft in the URL on submit. Choices (agents, motifs, lieux)
//! come from the organisation chosen in the header.

use chrono::NaiveDate;
use leptos::prelude::*;

use rdv_shared::dto::{display_name, RdvSearch, SortOrder, UserSummary};
use rdv_shared::enums::{ListStatus, RdvOrigin};
use rdv_shared::TerritoryId;

use crate::client;
use crate::ctx::use_ctx;
use crate::session::Session;

/// A group of checkboxes over `values`, each toggling its value in a list of the draft.
fn checkboxes<T: Copy + PartialEq + Send + Sync + 'static>(
    draft: RwSignal<RdvSearch>,
    legend: &'static str,
    prefix: &'static str,
    values: &[(T, String, String)],
    list: fn(&mut RdvSearch) -> &mut Vec<T>,
) -> impl IntoView {
    let boxes = values
        .iter()
        .cloned()
        .map(|(v, key, label)| {
            let input_id = format!("{prefix}-{key}");
            let label_for = input_id.clone();
            view! {
                <label for=label_for>
                    <input id=input_id type="checkbox" prop:checked=move || draft.with(|d| { let mut d = d.clone(); list(&mut d).contains(&v) })
                        on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| { let l = list(d); l.retain(|x| *x != v); if on { l.push(v); } }); }/>
                    {label}
                </label>
            }
        })
        .collect_view();
    view! { <fieldset><legend>{legend}</legend>{boxes}</fieldset> }
}

/// `(id, label)` choices loaded for the organisation chosen in the header (reloaded when it changes).
fn choices<F, Fut>(session: Session, org: RwSignal<Option<i32>>, load: F) -> Signal<Vec<(i32, String)>>
where
    F: Fn(Session, i32) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Vec<(i32, String)>> + 'static,
{
    let resource = LocalResource::new(move || load(session.clone(), org.get().unwrap_or_default()));
    Signal::derive(move || resource.get().unwrap_or_default())
}

/// A select of `(id, label)` choices bound to one id list of the draft ("Tous": empty).
fn select(
    draft: RwSignal<RdvSearch>,
    id: &'static str,
    label: &'static str,
    choices: Signal<Vec<(i32, String)>>,
    list: fn(&mut RdvSearch) -> &mut Vec<i32>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <select id=id on:change=move |ev| { let v = event_target_value(&ev).parse::<i32>().ok(); draft.update(|d| *list(d) = v.into_iter().collect()); }>
            <option value="">"Tous"</option>
            {move || choices.get().into_iter().map(|(value, name)| {
                view! { <option value=value.to_string() selected=move || draft.with(|d| { let mut d = d.clone(); list(&mut d).contains(&value) })>{name}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
pub fn RdvFilters(draft: RwSignal<RdvSearch>, on_submit: impl Fn() + 'static) -> impl IntoView {
    let ctx = use_ctx();
    let org = ctx.organisation;
    let session = ctx.session.clone();
    let agents = choices(session.clone(), org, |s, org| async move {
        client::list_agents(&s, Some(org))
            .await
            .map(|r| {
                r.agents.into_iter().map(|a| (a.id.0, display_name(a.first_name.as_deref(), &a.last_name))).collect()
            })
            .unwrap_or_default()
    });
    let motifs = choices(session.clone(), org, |s, org| async move {
        client::list_motifs(&s, org, false)
            .await
            .map(|r| r.motifs.into_iter().map(|m| (m.id, m.name)).collect())
            .unwrap_or_default()
    });
    let lieux = choices(session.clone(), org, |s, org| async move {
        client::list_lieux(&s, org)
            .await
            .map(|r| r.lieux.into_iter().map(|l| (l.id, l.name)).collect())
            .unwrap_or_default()
    });
    let services = choices(session, org, |s, _| async move {
        client::list_services(&s)
            .await
            .map(|r| r.services.into_iter().map(|s| (s.id.0, s.name)).collect())
            .unwrap_or_default()
    });
    let roles = ctx.me.roles.clone();
    let territories = ctx.me.territorial_admin_of.clone();
    let statuses: Vec<_> =
        ListStatus::ALL.iter().map(|s| (*s, s.as_str().to_owned(), s.label_fr().to_owned())).collect();
    let origins: Vec<_> = RdvOrigin::ALL.iter().map(|o| (*o, o.as_str().to_owned(), o.label_fr().to_owned())).collect();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit();
    };
    view! {
        <form class="card form filters no-print" on:submit=submit aria-label="Filtres">
            {(roles.len() > 1 || !territories.is_empty()).then(|| view! {
                <fieldset>
                    <legend>"Organisations"</legend>
                    {roles.iter().map(|r| {
                        let id = r.organisation_id;
                        let input_id = format!("org-{}", id.0);
                        let label_for = input_id.clone();
                        view! {
                            <label for=label_for>
                                <input id=input_id type="checkbox" prop:checked=move || draft.with(|d| d.territory_id.is_none() && d.organisation_ids.contains(&id))
                                    on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| { d.territory_id = None; d.organisation_ids.retain(|o| *o != id); if on { d.organisation_ids.push(id); } }); }/>
                                {r.organisation_name.clone()}
                            </label>
                        }
                    }).collect_view()}
                    {territories.iter().map(|t| territory_box(draft, *t, territories.len() > 1)).collect_view()}
                </fieldset>
            })}
            <div class="row">
                {date_input(draft, "rdvs-from", "Du", |d| d.from, |d, v| d.from = v)}
                {date_input(draft, "rdvs-to", "Au", |d| d.to, |d, v| d.to = v)}
            </div>
            {checkboxes(draft, "Statut", "status", &statuses, |d| &mut d.status)}
            {checkboxes(draft, "Origine", "origin", &origins, |d| &mut d.origin)}
            {select(draft, "rdvs-agent", "Agent", agents, |d| &mut d.agent_ids)}
            <UsagerFilter draft=draft/>
            {select(draft, "rdvs-motif", "Motif", motifs, |d| &mut d.motif_ids)}
            {select(draft, "rdvs-lieu", "Lieu", lieux, |d| &mut d.lieu_ids)}
            {select(draft, "rdvs-service", "Service", services, |d| &mut d.service_ids)}
            <label for="rdvs-order">"Ordre"</label>
            <select id="rdvs-order" on:change=move |ev| { let desc = event_target_value(&ev) == "desc"; draft.update(|d| d.order = if desc { SortOrder::Desc } else { SortOrder::Asc }); }>
                <option value="asc" selected=move || draft.with(|d| d.order == SortOrder::Asc)>"Du plus ancien au plus récent"</option>
                <option value="desc" selected=move || draft.with(|d| d.order == SortOrder::Desc)>"Du plus récent au plus ancien"</option>
            </select>
            <button type="submit">"Filtrer"</button>
        </form>
    }
}

/// "Tout le territoire": every organisation of a territory the agent administers.
fn territory_box(draft: RwSignal<RdvSearch>, t: TerritoryId, several: bool) -> impl IntoView {
    let input_id = format!("territory-{}", t.0);
    let label_for = input_id.clone();
    let label = if several { format!("Tout le territoire n° {}", t.0) } else { "Tout le territoire".to_owned() };
    view! {
        <label for=label_for>
            <input id=input_id type="checkbox" prop:checked=move || draft.with(|d| d.territory_id == Some(t))
                on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| { d.territory_id = on.then_some(t); if on { d.organisation_ids.clear(); } }); }/>
            {label}
        </label>
    }
}

fn date_input(
    draft: RwSignal<RdvSearch>,
    id: &'static str,
    label: &'static str,
    get: fn(&RdvSearch) -> Option<NaiveDate>,
    set: fn(&mut RdvSearch, Option<NaiveDate>),
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type="date" prop:value=move || draft.with(|d| get(d).map(|v| v.to_string()).unwrap_or_default())
            on:change=move |ev| { let v = NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d").ok(); draft.update(|d| set(d, v)); }/>
    }
}

/// The usager filter: search by name in the current organisation, pick one; the chosen usager
/// (also when it comes from the URL, e.g. the usager's page) is shown with a remove button.
#[component]
fn UsagerFilter(draft: RwSignal<RdvSearch>) -> impl IntoView {
    let ctx = use_ctx();
    let org = ctx.organisation;
    let q = RwSignal::new(String::new());
    let results = {
        let session = ctx.session.clone();
        LocalResource::new(move || {
            let (text, session, org) = (q.get(), session.clone(), org.get().unwrap_or_default());
            async move {
                if text.trim().chars().count() < 2 {
                    return Vec::new();
                }
                client::search_users(&session, org, &text).await.map(|r| r.users).unwrap_or_default()
            }
        })
    };
    // Names of the chosen usagers (the URL only holds ids).
    let chosen = {
        let session = ctx.session.clone();
        LocalResource::new(move || {
            let (ids, session) = (draft.with(|d| d.user_ids.clone()), session.clone());
            async move {
                let mut out = Vec::new();
                for id in ids {
                    let name = match client::get_user(&session, id, None).await {
                        Ok(r) => format!("{} {}", r.user.first_name, r.user.last_name),
                        Err(_) => format!("Usager n° {id}"),
                    };
                    out.push((id, name));
                }
                out
            }
        })
    };
    let pick = move |u: &UserSummary| {
        let id = u.id.0;
        draft.update(|d| d.user_ids = vec![id]);
        q.set(String::new());
    };
    view! {
        <fieldset class="usager-filter">
            <legend>"Usager"</legend>
            <ul class="chosen" aria-live="polite">
                {move || chosen.get().unwrap_or_default().into_iter().map(|(id, name)| {
                    let remove_label = format!("Retirer {name} du filtre");
                    view! {
                        <li>{name}" "
                            <button type="button" class="secondary" aria-label=remove_label
                                on:click=move |_| draft.update(|d| d.user_ids.retain(|u| *u != id))>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <label for="rdvs-usager-q">"Rechercher un usager (nom, prénom)"</label>
            <input id="rdvs-usager-q" type="search" autocomplete="off" prop:value=move || q.get()
                on:input=move |ev| q.set(event_target_value(&ev))/>
            <ul class="results" data-testid="rdvs-usager-results">
                {move || results.get().unwrap_or_default().into_iter().map(|u| {
                    let name = format!("{} {}", u.first_name, u.last_name);
                    let label = format!("Filtrer sur {name}");
                    view! { <li><button type="button" class="secondary" aria-label=label on:click=move |_| pick(&u)>{name.clone()}</button></li> }
                }).collect_view()}
            </ul>
        </fieldset>
    }
}

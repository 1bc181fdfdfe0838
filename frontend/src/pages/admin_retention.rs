//! The territory's data retention policy (RGPD, on `/admin/territoire`): how long RDVs, inactive
//! usagers and receipts are kept, within the legal bounds the server gives; the next daily run
//! and what the last one deleted in this territory.

use leptos::prelude::*;

use rdv_shared::dto::{RetentionPolicy, RetentionPolicyRequest, RetentionSettings};

use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::dates::local_date_time;

#[component]
pub fn RetentionSection(territory_id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let session = ctx.session.clone();
    let current = LocalResource::new(move || {
        let s = session.clone();
        async move { client::get_retention(&s, territory_id).await }
    });
    view! {
        <Transition fallback=|| view! { <p>"Chargement…"</p> }>
            {move || current.get().map(|r| match r {
                Ok(s) => view! { <RetentionForm territory_id=territory_id settings=s/> }.into_any(),
                Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
            })}
        </Transition>
    }
}

/// One number of days, with its bounds and default.
#[component]
fn DaysField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    min: i32,
    max: i32,
    default: i32,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <label for=id>{label}</label>
        <input id=id type="number" inputmode="numeric" min=min max=max required aria-describedby=hint_id.clone()
            prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        <p class="muted" id=hint_id>{format!("Entre {min} et {max} jours ; par défaut {default} ({}).", years(default))}</p>
    }
}

fn years(days: i32) -> String {
    match days {
        365 => "1 an".into(),
        d if d % 365 == 0 => format!("{} ans", d / 365),
        d => format!("{d} jours"),
    }
}

#[component]
fn RetentionForm(territory_id: i32, settings: RetentionSettings) -> impl IntoView {
    let ctx = use_ctx();
    let p = settings.retention_policy;
    let rdv = RwSignal::new(p.rdv_days.to_string());
    let usager = RwSignal::new(p.inactive_usager_days.to_string());
    let receipt = RwSignal::new(p.receipt_days.to_string());
    let outcome: Outcome = RwSignal::new(None);
    let (min, max, def) = (settings.minimum, settings.maximum, settings.defaults);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let session = ctx.session.clone();
        let parse = |s: RwSignal<String>| s.get_untracked().trim().parse::<i32>().unwrap_or(-1);
        let body = RetentionPolicyRequest {
            retention_policy: RetentionPolicy {
                rdv_days: parse(rdv),
                inactive_usager_days: parse(usager),
                receipt_days: parse(receipt),
            },
        };
        leptos::task::spawn_local(async move {
            match client::update_retention(&session, territory_id, &body).await {
                Ok(_) => outcome.set(Some(Ok("Durées de conservation enregistrées.".into()))),
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let last = settings.last_run.clone().map(|r| {
        let c = r.counts;
        format!(
            "Dernier passage le {} : {} RDV supprimé(s), {} usager(s) anonymisé(s) puis supprimé(s), {} accusé(s) d'envoi supprimé(s).",
            local_date_time(r.finished_at),
            c.rdvs_deleted,
            c.usagers_anonymised,
            c.receipts_deleted
        )
    });
    view! {
        <form class="card form" on:submit=on_submit aria-labelledby="retention-title">
            <h2 id="retention-title">"Conservation des données (RGPD)"</h2>
            <p class="muted">
                "Chaque jour à 22 h, les données plus anciennes que ces durées sont supprimées ; les webhooks reçoivent "
                "ces suppressions avec le motif « rgpd ». L'historique des modifications contenant des données personnelles est "
                {format!("conservé {} jours, tout historique au plus {} jours.", settings.personal_version_days, settings.version_max_days)}
            </p>
            <DaysField id="retention-rdv" label="RDV : supprimés après (jours depuis leur date)" value=rdv
                min=min.rdv_days max=max.rdv_days default=def.rdv_days/>
            <DaysField id="retention-usager" label="Usagers sans RDV ni modification : anonymisés après (jours)" value=usager
                min=min.inactive_usager_days max=max.inactive_usager_days default=def.inactive_usager_days/>
            <DaysField id="retention-receipt" label="Accusés d'envoi (e-mails, SMS) : supprimés après (jours)" value=receipt
                min=min.receipt_days max=max.receipt_days default=def.receipt_days/>
            <p>{format!("Prochain passage : {}.", local_date_time(settings.next_run_at))}</p>
            <p>{last.unwrap_or_else(|| "Aucun passage encore.".into())}</p>
            <Status outcome=outcome/>
            <button type="submit">"Enregistrer les durées"</button>
        </form>
    }
}

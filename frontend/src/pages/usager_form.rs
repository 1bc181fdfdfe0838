//! Creating (`/usagers/nouveau`, `?responsable=ID` for a relative) and editing
//! (`/usagers/:id/modifier`) a usager. Only the fields the territory enables are shown; frozen
//! notes are read-only. Possible duplicates are checked as the identity is typed and shown
//! inline, with "C'est la même personne" (attach the existing record instead).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use rdv_shared::dto::{DuplicateCandidate, DuplicateReason, DuplicatesRequest, User, UserInput, UserProfileRequest};
use rdv_shared::enums::{CaisseAffiliation, FamilySituation, Logement};
use rdv_shared::usager::fields::FieldToggles;
use rdv_shared::{OrganisationId, UserId};

use crate::api;
use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::{use_ctx, Ctx};

/// The field toggles of the current organisation's territory.
async fn toggles(ctx: &Ctx) -> Result<(FieldToggles, bool), api::ApiError> {
    let org = client::get_organisation(&ctx.session, ctx.org_id()).await?;
    let t = client::get_territory(&ctx.session, org.organisation.territory_id.0).await?;
    Ok((FieldToggles::from_settings([&t.territory.settings]), t.territory.settings.notes_frozen))
}

#[component]
pub fn NewUsagerPage() -> impl IntoView {
    let ctx = use_ctx();
    let query = use_query_map();
    let responsible: Option<i32> = query.read_untracked().get("responsable").and_then(|v| v.parse().ok());
    let data = LocalResource::new(move || {
        let ctx = ctx.clone();
        async move { toggles(&ctx).await }
    });
    view! {
        <main class="page">
            <h1>{if responsible.is_some() { "Ajouter un proche" } else { "Créer un usager" }}</h1>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    data.get()
                        .map(|r| match r {
                            Ok((t, frozen)) => view! { <UsagerForm user=None toggles=t notes_frozen=frozen responsible=responsible/> }.into_any(),
                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
pub fn EditUsagerPage() -> impl IntoView {
    let ctx = use_ctx();
    let params = use_params_map();
    let data = LocalResource::new(move || {
        let ctx = ctx.clone();
        let id: i32 = params.read().get("id").and_then(|v| v.parse().ok()).unwrap_or_default();
        async move {
            let user = client::get_user(&ctx.session, id, None).await?.user;
            let (t, frozen) = toggles(&ctx).await?;
            Ok::<_, api::ApiError>((user, t, frozen))
        }
    });
    view! {
        <main class="page">
            <h1>"Modifier l'usager"</h1>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    data.get()
                        .map(|r| match r {
                            Ok((u, t, frozen)) => {
                                let responsible = u.responsible_id.map(|r| r.0);
                                view! { <UsagerForm user=Some(u) toggles=t notes_frozen=frozen responsible=responsible/> }.into_any()
                            }
                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                        })
                }}
            </Transition>
        </main>
    }
}

fn opt(s: String) -> Option<Option<String>> {
    let t = s.trim().to_owned();
    Some(if t.is_empty() { None } else { Some(t) })
}

#[component]
fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] kind: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type=kind.unwrap_or("text") bind:value=value/>
    }
}

/// A `<select>` over an optional closed vocabulary, with a "Non renseigné" choice.
#[component]
fn OptionalEnum<T>(
    id: &'static str,
    label: &'static str,
    value: RwSignal<Option<T>>,
    options: &'static [T],
    text: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <label for=id>{label}</label>
        <select id=id on:change=move |ev| value.set(parse(&event_target_value(&ev)))>
            <option value="" selected=move || value.get().is_none()>"Non renseigné"</option>
            {options
                .iter()
                .map(|o| {
                    let o = *o;
                    view! { <option value=key(o) selected=move || value.get() == Some(o)>{text(o)}</option> }
                })
                .collect_view()}
        </select>
    }
}

#[component]
fn UsagerForm(
    user: Option<User>,
    toggles: FieldToggles,
    notes_frozen: bool,
    responsible: Option<i32>,
) -> impl IntoView {
    let ctx = use_ctx();
    let navigate = use_navigate();
    let editing = user.as_ref().map(|u| u.id.0);
    let u = user.clone();
    let s = |f: fn(&User) -> Option<String>| RwSignal::new(u.as_ref().and_then(f).unwrap_or_default());
    let first_name = RwSignal::new(u.as_ref().map(|u| u.first_name.clone()).unwrap_or_default());
    let last_name = RwSignal::new(u.as_ref().map(|u| u.last_name.clone()).unwrap_or_default());
    let birth_name = s(|u| u.birth_name.clone());
    let birth_date = s(|u| u.birth_date.map(|d| d.to_string()));
    let email = s(|u| u.email.clone());
    let phone = s(|u| u.phone_number.clone());
    let address = s(|u| if u.responsible_id.is_some() { None } else { u.address.clone() });
    let post_code = s(|u| u.post_code.clone());
    let city_name = s(|u| u.city_name.clone());
    let address_details = s(|u| u.address_details.clone().flatten());
    let affiliation_number = s(|u| u.affiliation_number.clone().flatten());
    let case_number = s(|u| u.case_number.clone().flatten());
    let pmi_case_number = s(|u| u.pmi_case_number.clone().flatten());
    let notes = s(|u| u.notes.clone().flatten());
    let children = s(|u| u.number_of_children.flatten().map(|n| n.to_string()));
    let caisse = RwSignal::new(u.as_ref().and_then(|u| u.caisse_affiliation.flatten()));
    let family = RwSignal::new(u.as_ref().and_then(|u| u.family_situation.flatten()));
    let logement = RwSignal::new(u.as_ref().and_then(|u| u.logement.flatten()));
    let notify_sms = RwSignal::new(u.as_ref().is_none_or(|u| u.notify_by_sms));
    let notify_email = RwSignal::new(u.as_ref().is_none_or(|u| u.notify_by_email));
    let outcome: Outcome = RwSignal::new(None);
    let duplicates: RwSignal<Vec<DuplicateCandidate>> = RwSignal::new(Vec::new());

    let check_duplicates = {
        let ctx = ctx.clone();
        move |_| {
            let body = DuplicatesRequest {
                first_name: Some(first_name.get_untracked()).filter(|s| !s.trim().is_empty()),
                last_name: Some(last_name.get_untracked()).filter(|s| !s.trim().is_empty()),
                birth_date: birth_date.get_untracked().parse().ok(),
                phone_number: Some(phone.get_untracked()).filter(|s| !s.trim().is_empty()),
                user_id: editing.map(UserId),
            };
            let session = ctx.session.clone();
            leptos::task::spawn_local(async move {
                if let Ok(r) = client::list_user_duplicates(&session, &body).await {
                    duplicates.set(r.duplicates);
                }
            });
        }
    };
    let same_person = {
        let ctx = ctx.clone();
        let navigate = navigate.clone();
        move |candidate: DuplicateCandidate| {
            let session = ctx.session.clone();
            let org = ctx.org_id();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                let id = candidate.user.id.0;
                match (candidate.user.masked, editing) {
                    (_, Some(current)) => {
                        navigate(&format!("/usagers/{current}/fusionner?avec={id}"), Default::default())
                    }
                    (true, None) => {
                        let body = UserProfileRequest { organisation_id: org, user_id: id };
                        match client::create_user_profile(&session, &body).await {
                            Ok(_) => navigate(&format!("/usagers/{id}"), Default::default()),
                            Err(e) => outcome.set(Some(Err(e.message_fr()))),
                        }
                    }
                    (false, None) => navigate(&format!("/usagers/{id}"), Default::default()),
                }
            });
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = toggles;
        let on = |enabled: bool, v: Option<Option<String>>| if enabled { v } else { None };
        let body = UserInput {
            organisation_ids: editing.is_none().then(|| vec![OrganisationId(ctx.org_id())]),
            first_name: Some(first_name.get_untracked()),
            last_name: Some(last_name.get_untracked()),
            birth_name: opt(birth_name.get_untracked()),
            birth_date: Some(birth_date.get_untracked().parse().ok()),
            email: opt(email.get_untracked()),
            phone_number: opt(phone.get_untracked()),
            address: opt(address.get_untracked()),
            post_code: opt(post_code.get_untracked()),
            city_name: opt(city_name.get_untracked()),
            address_details: on(t.address_details, opt(address_details.get_untracked())),
            affiliation_number: on(t.affiliation_number, opt(affiliation_number.get_untracked())),
            case_number: on(t.case_number, opt(case_number.get_untracked())),
            pmi_case_number: on(t.pmi_case_number, opt(pmi_case_number.get_untracked())),
            notes: on(t.notes_writable, opt(notes.get_untracked())),
            caisse_affiliation: t.caisse_affiliation.then(|| caisse.get_untracked()),
            family_situation: t.family_situation.then(|| family.get_untracked()),
            logement: t.logement.then(|| logement.get_untracked()),
            number_of_children: t.number_of_children.then(|| children.get_untracked().trim().parse().ok()),
            notify_by_sms: Some(notify_sms.get_untracked()),
            notify_by_email: Some(notify_email.get_untracked()),
            responsible_id: if editing.is_none() { responsible.map(|r| Some(UserId(r))) } else { None },
            ..Default::default()
        };
        let session = ctx.session.clone();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = match editing {
                None => client::create_user(&session, &body).await,
                Some(id) => client::update_user(&session, id, &body).await,
            };
            match result {
                Ok(r) => navigate(&format!("/usagers/{}", r.user.id), Default::default()),
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <form class="card form" on:submit=on_submit on:focusout=check_duplicates>
            <TextField id="usager-first-name" label="Prénom" value=first_name/>
            <TextField id="usager-last-name" label="Nom" value=last_name/>
            <TextField id="usager-birth-name" label="Nom de naissance" value=birth_name/>
            <label for="usager-birth-date">"Date de naissance"</label>
            <input id="usager-birth-date" type="date" bind:value=birth_date/>
            <TextField id="usager-email" label="Email" value=email kind="email"/>
            <label for="usager-phone">"Téléphone"</label>
            <input id="usager-phone" type="tel" bind:value=phone/>
            <Show when=move || !duplicates.get().is_empty()>
                <div class="warning" role="alert" data-testid="duplicates">
                    <p><strong>"Cet usager existe peut-être déjà :"</strong></p>
                    <ul>
                        {
                            let same_person = same_person.clone();
                            move || {
                                duplicates
                                    .get()
                                    .into_iter()
                                    .map(|c| {
                                        let reasons: Vec<&str> = c
                                            .reasons
                                            .iter()
                                            .map(|r| match r {
                                                DuplicateReason::Phone => "même téléphone",
                                                DuplicateReason::Identity => "mêmes nom, prénom et date de naissance",
                                            })
                                            .collect();
                                        let label = format!("{} {}", c.user.first_name, c.user.last_name);
                                        let same_person = same_person.clone();
                                        let c2 = c.clone();
                                        view! {
                                            <li>
                                                {label} " — " {reasons.join(", ")}
                                                {c.user.birth_date.clone().map(|d| format!(" · né(e) le {d}"))}
                                                " "
                                                <button type="button" class="secondary" on:click=move |_| same_person(c2.clone())>
                                                    "C'est la même personne"
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            }
                        }
                    </ul>
                    <p class="help">"Si ce n'est pas la même personne, vous pouvez enregistrer."</p>
                </div>
            </Show>
            <TextField id="usager-address" label="Adresse" value=address/>
            <div class="row">
                <span><TextField id="usager-post-code" label="Code postal" value=post_code/></span>
                <span><TextField id="usager-city" label="Commune" value=city_name/></span>
            </div>
            {toggles.address_details.then(|| view! { <TextField id="usager-address-details" label="Complément d'adresse" value=address_details/> })}
            {toggles.caisse_affiliation.then(|| view! { <OptionalEnum id="usager-caisse" label="Caisse" value=caisse options=CaisseAffiliation::ALL text=CaisseAffiliation::label_fr key=CaisseAffiliation::as_str parse=CaisseAffiliation::parse/> })}
            {toggles.affiliation_number.then(|| view! { <TextField id="usager-affiliation" label="N° d'allocataire" value=affiliation_number/> })}
            {toggles.family_situation.then(|| view! { <OptionalEnum id="usager-family" label="Situation familiale" value=family options=FamilySituation::ALL text=FamilySituation::label_fr key=FamilySituation::as_str parse=FamilySituation::parse/> })}
            {toggles.number_of_children.then(|| view! { <TextField id="usager-children" label="Nombre d'enfants" value=children kind="number"/> })}
            {toggles.logement.then(|| view! { <OptionalEnum id="usager-logement" label="Logement" value=logement options=Logement::ALL text=Logement::label_fr key=Logement::as_str parse=Logement::parse/> })}
            {toggles.case_number.then(|| view! { <TextField id="usager-case" label="N° de dossier" value=case_number/> })}
            {toggles.pmi_case_number.then(|| view! { <TextField id="usager-pmi-case" label="N° de dossier PMI" value=pmi_case_number/> })}
            {toggles.notes.then(|| {
                view! {
                    <label for="usager-notes">"Remarques"</label>
                    <textarea id="usager-notes" readonly=!toggles.notes_writable bind:value=notes></textarea>
                    {(notes_frozen && !toggles.notes_writable).then(|| view! { <p class="help">"Champ figé par le territoire : consultable, non modifiable."</p> })}
                }
            })}
            <fieldset>
                <legend>"Notifications"</legend>
                <label class="check"><input type="checkbox" bind:checked=notify_sms/>"Par SMS"</label>
                <label class="check"><input type="checkbox" bind:checked=notify_email/>"Par email"</label>
            </fieldset>
            <Status outcome=outcome/>
            <button type="submit">{if editing.is_some() { "Enregistrer" } else { "Créer l'usager" }}</button>
        </form>
    }
}

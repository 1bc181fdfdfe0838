//! Public booking, no account (`/prendre-rdv`, reference-domain.md §8.2): address → motif →
//! lieu → slot → identity → confirmation, one step at a time, phone first. When the slot was
//! just taken, the next free ones are offered right there.
//!
//! An invitation link (`/prendre-rdv?invitation_token=…`, also `/prendre_rdv` as rdv-insertion
//! sends it, with `address`, `city_code`, `motif_category_short_name`, `organisation_ids[]`,
//! `referent_ids[]`, `lieu_id`) searches at once with those filters, offers the motifs bookable
//! by invited usagers, and books for the invited usager without asking their identity. A public
//! link (`/org/{id}`) narrows the search to one organisation.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use leptos::prelude::*;

use rdv_shared::dto::{
    Creneau, PublicBookingRequest, PublicBookingResponse, PublicCreneau, PublicCreneauxResponse, PublicLieu,
    PublicMotif, PublicPlace,
};

use crate::api::ApiError;
use crate::client;
use crate::dates::{long_day, today};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Address,
    Motif,
    Lieu,
    Slot,
    Identity,
    Done,
}

/// The query string that tells the API where the usager lives.
fn hm(t: &DateTime<FixedOffset>) -> String {
    t.format("%H:%M").to_string()
}

/// Slots in start order, one group per local day (the slot lists of booking and of moving an
/// RDV from its link).
pub fn by_day(list: &[PublicCreneau]) -> Vec<(NaiveDate, Vec<PublicCreneau>)> {
    let mut days: Vec<(NaiveDate, Vec<PublicCreneau>)> = Vec::new();
    for c in list {
        let d = c.starts_at.date_naive();
        match days.last_mut() {
            Some((day, l)) if *day == d => l.push(c.clone()),
            _ => days.push((d, vec![c.clone()])),
        }
    }
    days
}

/// What the page's link says: the filters passed on to every search (already encoded), the
/// invitation, and an address to search at once.
#[derive(Clone, Default)]
struct LinkFilters {
    query: String,
    token: Option<String>,
    organisation_ids: Vec<i32>,
    referent_ids: Vec<i32>,
    address: Option<String>,
}

impl LinkFilters {
    fn read(search: &str, organisation_id: Option<i32>) -> LinkFilters {
        let mut f = LinkFilters::default();
        let mut parts: Vec<String> = Vec::new();
        for pair in search.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = js_sys::decode_uri_component(k).ok().and_then(|s| s.as_string()).unwrap_or_default();
            let value =
                js_sys::decode_uri_component(&v.replace('+', " ")).ok().and_then(|s| s.as_string()).unwrap_or_default();
            match key.as_str() {
                "invitation_token" => f.token = Some(value.clone()).filter(|t| !t.trim().is_empty()),
                "organisation_ids[]" | "organisation_ids" => f.organisation_ids.extend(value.parse::<i32>().ok()),
                "referent_ids[]" | "referent_ids" => f.referent_ids.extend(value.parse::<i32>().ok()),
                "city_code" | "address" => {
                    if f.address.is_none() || key == "city_code" {
                        f.address = Some(value.clone()).filter(|a| !a.trim().is_empty());
                    }
                    continue;
                }
                "motif_category_short_name" | "lieu_id" | "departement" => {}
                _ => continue,
            }
            if !key.ends_with("ids[]") && !key.ends_with("ids") {
                parts.push(format!("{key}={}", crate::api::encode(&value)));
            }
        }
        f.organisation_ids.extend(organisation_id);
        parts.extend(f.organisation_ids.iter().map(|id| format!("organisation_ids[]={id}")));
        parts.extend(f.referent_ids.iter().map(|id| format!("referent_ids[]={id}")));
        f.query = parts.join("&");
        f
    }
}

/// A random key so that a retried booking is not booked twice.
fn idempotency_key() -> String {
    (0..4).map(|_| format!("{:08x}", (js_sys::Math::random() * f64::from(u32::MAX)) as u32)).collect()
}

/// `/org/{id}`: the booking search narrowed to one organisation (the reference's public link).
#[component]
pub fn OrganisationBookingPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|v| v.parse::<i32>().ok()));
    match id {
        Some(id) => view! { <PublicBookingPage organisation_id=id/> }.into_any(),
        None => view! { <PublicBookingPage/> }.into_any(),
    }
}

#[component]
pub fn PublicBookingPage(#[prop(optional)] organisation_id: Option<i32>) -> impl IntoView {
    let search = window().location().search().unwrap_or_default();
    let link = StoredValue::new(LinkFilters::read(&search, organisation_id));
    let invited = link.with_value(|l| l.token.is_some());
    let step = RwSignal::new(Step::Address);
    let typed = RwSignal::new(link.with_value(|l| l.address.clone()).unwrap_or_default());
    let place: RwSignal<Option<PublicPlace>> = RwSignal::new(None);
    let motifs: RwSignal<Vec<PublicMotif>> = RwSignal::new(Vec::new());
    let motif: RwSignal<Option<PublicMotif>> = RwSignal::new(None);
    let lieux: RwSignal<Vec<PublicLieu>> = RwSignal::new(Vec::new());
    let lieu: RwSignal<Option<PublicLieu>> = RwSignal::new(None);
    let week: RwSignal<NaiveDate> = RwSignal::new(today());
    let slots: RwSignal<Option<PublicCreneauxResponse>> = RwSignal::new(None);
    let chosen: RwSignal<Option<DateTime<FixedOffset>>> = RwSignal::new(None);
    // Collective motifs: the session chosen (its start is `chosen`).
    let session: RwSignal<Option<i32>> = RwSignal::new(None);
    let taken: RwSignal<Vec<Creneau>> = RwSignal::new(Vec::new());
    let booked: RwSignal<Option<PublicBookingResponse>> = RwSignal::new(None);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);

    let search_address = move || {
        let text = typed.get_untracked().trim().to_owned();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match client::list_public_motifs(&text, &link.with_value(|l| l.query.clone())).await {
                Ok(r) => {
                    error.set(None);
                    place.set(Some(r.place));
                    motifs.set(r.motifs);
                    step.set(Step::Motif);
                }
                Err(e) => error.set(Some(e.message_fr())),
            }
            busy.set(false);
        });
    };
    let load_lieux = move |m: PublicMotif| {
        let Some(p) = place.get_untracked() else { return };
        motif.set(Some(m.clone()));
        leptos::task::spawn_local(async move {
            match client::list_public_lieux(&p, &m.key, &link.with_value(|l| l.query.clone())).await {
                Ok(r) => {
                    error.set(None);
                    lieux.set(r.lieux);
                    step.set(Step::Lieu);
                }
                Err(e) => error.set(Some(e.message_fr())),
            }
        });
    };
    let load_slots = move |from: NaiveDate| {
        let (Some(p), Some(l)) = (place.get_untracked(), lieu.get_untracked()) else { return };
        week.set(from);
        leptos::task::spawn_local(async move {
            let filters = link.with_value(|f| f.query.clone());
            match client::list_public_creneaux(&p, (l.motif_id, l.lieu_id), from, from + Duration::days(6), &filters)
                .await
            {
                Ok(r) => {
                    error.set(None);
                    slots.set(Some(r));
                    step.set(Step::Slot);
                }
                Err(e) => error.set(Some(e.message_fr())),
            }
        });
    };
    let pick_lieu = move |l: PublicLieu| {
        let start = l.next_availability.map(|t| t.date_naive()).unwrap_or_else(today);
        lieu.set(Some(l));
        load_slots(start);
    };
    // An invitation searches at once (with the address its link gives, or its organisations).
    if invited {
        search_address();
    }

    view! {
        <main class="page public">
            <h1>"Prendre rendez-vous"</h1>
            <p class="muted">"Service public départemental — PMI, service social, planification familiale."</p>
            {invited.then(|| view! { <p class="notice" data-testid="public-invited">"Vous avez été invité(e) à prendre rendez-vous : choisissez un motif, puis un créneau."</p> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Show when=move || step.get() == Step::Address>
                <form class="card form" on:submit=move |ev| { ev.prevent_default(); search_address(); }>
                    <label for="pub-address">"Votre adresse, ou le code INSEE de votre commune"</label>
                    <input id="pub-address" autocomplete="street-address" required prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                    <div class="actions"><button type="submit" disabled=move || busy.get()>"Rechercher"</button></div>
                </form>
            </Show>
            <Show when=move || step.get() == Step::Motif>
                <section class="card" aria-labelledby="pub-motifs">
                    <h2 id="pub-motifs">"Motif du rendez-vous"</h2>
                    {move || place.get().and_then(|p| p.label).map(|l| view! { <p class="muted">{format!("Adresse : {l}")}</p> })}
                    {move || if motifs.get().is_empty() {
                        view! { <p>"Aucun rendez-vous ne peut être pris en ligne pour cette adresse. Contactez votre maison départementale."</p> }.into_any()
                    } else {
                        view! { <ul class="choices">{motifs.get().into_iter().map(|m| {
                            let label = format!("{} — {}", m.name, m.service_name);
                            view! { <li><button type="button" class="choice" on:click=move |_| load_lieux(m.clone())>{label}</button></li> }
                        }).collect_view()}</ul> }.into_any()
                    }}
                    <button type="button" class="link" on:click=move |_| step.set(Step::Address)>"← Changer d'adresse"</button>
                </section>
            </Show>
            <Show when=move || step.get() == Step::Lieu>
                <section class="card" aria-labelledby="pub-lieux">
                    <h2 id="pub-lieux">"Lieu"</h2>
                    <ul class="choices">{move || lieux.get().into_iter().map(|l| {
                        let next = l.next_availability.map_or("Pas de disponibilité pour le moment".to_owned(), |t| format!("Prochaine disponibilité : {} à {}", long_day(t.date_naive()), hm(&t)));
                        let distance = l.distance_km.map(|d| format!(" · {d} km")).unwrap_or_default();
                        let (name, address) = (l.name.clone(), l.address.clone());
                        let disabled = l.next_availability.is_none();
                        view! { <li><button type="button" class="choice" disabled=disabled on:click=move |_| pick_lieu(l.clone())>
                            <strong>{name}</strong><br/><span>{format!("{address}{distance}")}</span><br/><span>{next}</span>
                        </button></li> }
                    }).collect_view()}</ul>
                    <button type="button" class="link" on:click=move |_| step.set(Step::Motif)>"← Changer de motif"</button>
                </section>
            </Show>
            <Show when=move || step.get() == Step::Slot>
                <section class="card" aria-labelledby="pub-slots">
                    <h2 id="pub-slots">"Créneau"</h2>
                    <div class="toolbar">
                        <button type="button" class="secondary" disabled=move || week.get() <= today() on:click=move |_| load_slots(week.get_untracked() - Duration::days(7))>"← Plus tôt"</button>
                        <button type="button" class="secondary" on:click=move |_| load_slots(week.get_untracked() + Duration::days(7))>"Plus tard →"</button>
                    </div>
                    {move || slots.get().map(|r| {
                        if r.creneaux.is_empty() {
                            let next = r.next_availability;
                            return view! { <p>{match next {
                                Some(t) => format!("Aucun créneau cette semaine. Prochaine disponibilité : {} à {}.", long_day(t.date_naive()), hm(&t)),
                                None => "Aucun créneau disponible dans les prochains mois.".to_owned(),
                            }}</p>
                            {next.map(|t| view! { <button type="button" on:click=move |_| load_slots(t.date_naive())>"Voir cette date"</button> })}
                            }.into_any();
                        }
                        by_day(&r.creneaux).into_iter().map(|(d, list)| view! {
                            <h3>{long_day(d)}</h3>
                            <div class="slot-list">{list.into_iter().map(|c| {
                                let (t, rdv) = (c.starts_at, c.rdv_id);
                                // A collective session says how many seats are left.
                                let label = match (rdv, c.seats_left) {
                                    (Some(_), Some(1)) => format!("{} (1 place)", hm(&t)),
                                    (Some(_), Some(n)) => format!("{} ({n} places)", hm(&t)),
                                    _ => hm(&t),
                                };
                                view! {
                                    <button type="button" class="slot" on:click=move |_| { chosen.set(Some(t)); session.set(rdv); taken.set(Vec::new()); step.set(Step::Identity); }>{label}</button>
                                }
                            }).collect_view()}</div>
                        }).collect_view().into_any()
                    })}
                    <button type="button" class="link" on:click=move |_| step.set(Step::Lieu)>"← Changer de lieu"</button>
                </section>
            </Show>
            <Show when=move || step.get() == Step::Identity>
                <Identity place=place motif=motif lieu=lieu chosen=chosen session=session taken=taken booked=booked step=step error=error link=link/>
            </Show>
            <Show when=move || step.get() == Step::Done>
                {move || booked.get().map(|b| view! {
                    <section class="card" role="status" data-testid="public-confirmation">
                        <h2>"Votre rendez-vous est confirmé"</h2>
                        <p><strong>{format!("{} à {}", long_day(b.rdv.starts_at.date_naive()), hm(&b.rdv.starts_at))}</strong></p>
                        <p>{b.rdv.motif_name.clone()}" — "{b.rdv.organisation_name.clone()}</p>
                        {b.rdv.lieu_name.clone().map(|n| view! { <p>{n}" — "{b.rdv.lieu_address.clone().unwrap_or_default()}</p> })}
                        {b.rdv.instruction_for_rdv.clone().map(|i| view! { <p class="warning">{i}</p> })}
                        <p>"Gardez ce lien pour retrouver ou annuler votre rendez-vous : "
                            <a href=format!("/prendre-rdv/rdv/{}", b.token)>"mon rendez-vous"</a></p>
                    </section>
                })}
            </Show>
        </main>
    }
}

/// The identity step, and the "slot just taken" message with the next ones.
#[component]
fn Identity(
    place: RwSignal<Option<PublicPlace>>,
    motif: RwSignal<Option<PublicMotif>>,
    lieu: RwSignal<Option<PublicLieu>>,
    chosen: RwSignal<Option<DateTime<FixedOffset>>>,
    session: RwSignal<Option<i32>>,
    taken: RwSignal<Vec<Creneau>>,
    booked: RwSignal<Option<PublicBookingResponse>>,
    step: RwSignal<Step>,
    error: RwSignal<Option<String>>,
    link: StoredValue<LinkFilters>,
) -> impl IntoView {
    let invited = link.with_value(|l| l.token.is_some());
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let accepted = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let key = RwSignal::new(idempotency_key());
    let restriction = move || motif.get().and_then(|m| m.restriction_for_rdv);
    let submit = move || {
        let (Some(p), Some(l), Some(t)) = (place.get_untracked(), lieu.get_untracked(), chosen.get_untracked()) else {
            return;
        };
        if restriction().is_some() && !accepted.get_untracked() {
            error.set(Some("Merci de lire et d'accepter les consignes avant de confirmer.".into()));
            return;
        }
        let body = PublicBookingRequest {
            motif_id: l.motif_id,
            lieu_id: l.lieu_id,
            starts_at: t,
            city_code: p.city_code.clone(),
            street_ban_id: p.street_ban_id.clone(),
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            phone_number: phone.get_untracked(),
            email: Some(email.get_untracked()).filter(|e| !e.trim().is_empty()),
            rdv_invitation_token: link.with_value(|l| l.token.clone()),
            organisation_ids: link.with_value(|l| l.organisation_ids.clone()),
            referent_ids: link.with_value(|l| l.referent_ids.clone()),
            rdv_id: session.get_untracked(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match client::create_public_rdv(&body, &key.get_untracked()).await {
                Ok(r) => {
                    error.set(None);
                    booked.set(Some(r));
                    step.set(Step::Done);
                }
                Err(ApiError::SlotTaken(e)) => {
                    // A full session with no other session open: nothing to offer here.
                    let none_left = e.creneaux.is_empty() && session.get_untracked().is_some();
                    error.set(none_left.then(|| {
                        "Cette séance vient d'être complète et aucune autre séance n'a de place pour le moment.".into()
                    }));
                    taken.set(e.creneaux);
                    key.set(idempotency_key());
                }
                Err(e) => error.set(Some(e.message_fr())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="pub-identity">
            <h2 id="pub-identity">"Vos coordonnées"</h2>
            {move || chosen.get().map(|t| view! { <p>{format!("Rendez-vous le {} à {}", long_day(t.date_naive()), hm(&t))}</p> })}
            <Show when=move || !taken.get().is_empty()>
                <div class="warning" role="alert" data-testid="public-slot-taken">
                    {move || if taken.get().iter().any(|c| c.rdv_id.is_some()) {
                        view! { <p><strong>"Cette séance vient d'être complète."</strong>" Voici les prochaines séances avec des places :"</p> }
                    } else {
                        view! { <p><strong>"Ce créneau vient d'être pris par quelqu'un d'autre."</strong>" Voici les prochains créneaux libres :"</p> }
                    }}
                    <div class="slot-list">{move || taken.get().into_iter().map(|c| {
                        let (t, rdv) = (c.starts_at, c.rdv_id);
                        let places = match (rdv, c.seats_left) {
                            (Some(_), Some(1)) => " (1 place)".to_owned(),
                            (Some(_), Some(n)) => format!(" ({n} places)"),
                            _ => String::new(),
                        };
                        view! { <button type="button" class="slot" on:click=move |_| { chosen.set(Some(t)); session.set(rdv); taken.set(Vec::new()); }>{format!("{} {}{places}", long_day(t.date_naive()), hm(&t))}</button> }
                    }).collect_view()}</div>
                </div>
            </Show>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); submit(); }>
              {if invited {
                view! { <p>"Le rendez-vous sera pris à votre nom, avec les coordonnées connues du service qui vous a invité(e)."</p> }.into_any()
              } else { view! {
                <label for="pub-first">"Prénom"</label>
                <input id="pub-first" autocomplete="given-name" required prop:value=move || first.get() on:input=move |ev| first.set(event_target_value(&ev))/>
                <label for="pub-last">"Nom"</label>
                <input id="pub-last" autocomplete="family-name" required prop:value=move || last.get() on:input=move |ev| last.set(event_target_value(&ev))/>
                <label for="pub-phone">"Téléphone portable"</label>
                <input id="pub-phone" type="tel" autocomplete="tel" required prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev))/>
                <label for="pub-email">"Email (facultatif)"</label>
                <input id="pub-email" type="email" autocomplete="email" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
              }.into_any() }}
                {move || restriction().map(|r| view! {
                    <p class="warning">{r}</p>
                    <label class="check"><input type="checkbox" bind:checked=accepted/>"J'ai lu et j'accepte ces consignes"</label>
                })}
                <div class="actions"><button type="submit" disabled=move || busy.get()>"Confirmer le rendez-vous"</button></div>
            </form>
            <button type="button" class="link" on:click=move |_| step.set(Step::Slot)>"← Changer de créneau"</button>
        </section>
    }
}

//! The "Historique" tab: a record's audit versions (date, author, field, before, after).

use leptos::prelude::*;

use crate::client;
use crate::ctx::use_ctx;

/// French label of a recorded field (the raw name for fields not listed).
fn field_label(field: &str) -> String {
    let label = match field {
        "name" => "Nom",
        "first_name" => "Prénom",
        "last_name" => "Nom de famille",
        "email" => "Email",
        "phone_number" => "Téléphone",
        "address" => "Adresse",
        "time_zone" => "Fuseau horaire",
        "website" => "Site web",
        "horaires" => "Horaires",
        "external_id" => "Identifiant externe",
        "availability" => "Disponibilité",
        "latitude" => "Latitude",
        "longitude" => "Longitude",
        "color" => "Couleur",
        "default_duration_in_min" => "Durée (min)",
        "location_type" => "Type de RDV",
        "bookable_by" => "Réservation en ligne",
        "collectif" => "Collectif",
        "min_public_booking_delay" => "Délai minimum (s)",
        "max_public_booking_delay" => "Délai maximum (s)",
        "visibility_type" => "Visibilité",
        "sectorisation_level" => "Sectorisation",
        "follow_up" => "RDV de suivi",
        "for_secretariat" => "Ouvert au secrétariat",
        "instruction_for_rdv" => "Instructions",
        "restriction_for_rdv" => "Conditions",
        "custom_cancel_warning_message" => "Avertissement d'annulation",
        "rdvs_editable_by_user" => "Déplaçable par l'usager",
        "rdvs_cancellable_by_user" => "Annulable par l'usager",
        "deleted_at" => "Supprimé le",
        "service_id" => "Service",
        "password_hash" => "Mot de passe",
        "rdv_notifications_level" => "Notifications de RDV",
        "display_saturdays" => "Afficher les samedis",
        "departement_number" => "Numéro de département",
        "enable_notes_field" => "Remarques (champ)",
        "enable_caisse_affiliation_field" => "Caisse d'affiliation (champ)",
        "enable_affiliation_number_field" => "Numéro d'allocataire (champ)",
        "enable_family_situation_field" => "Situation familiale (champ)",
        "enable_number_of_children_field" => "Nombre d'enfants (champ)",
        "enable_logement_field" => "Logement (champ)",
        "enable_case_number" => "Numéro de dossier (champ)",
        "enable_address_details" => "Complément d'adresse (champ)",
        "enable_pmi_case_number_field" => "Numéro de dossier PMI (champ)",
        "notes_frozen" => "Remarques figées",
        "birth_name" => "Nom de naissance",
        "birth_date" => "Date de naissance",
        "phone_number_formatted" => "Téléphone (format international)",
        "post_code" => "Code postal",
        "city_code" => "Code INSEE",
        "city_name" => "Commune",
        "address_details" => "Complément d'adresse",
        "caisse_affiliation" => "Caisse",
        "affiliation_number" => "N° d'allocataire",
        "family_situation" => "Situation familiale",
        "number_of_children" => "Nombre d'enfants",
        "logement" => "Logement",
        "case_number" => "N° de dossier",
        "pmi_case_number" => "N° de dossier PMI",
        "notes" => "Remarques",
        "notify_by_sms" => "Notifications SMS",
        "notify_by_email" => "Notifications email",
        "responsible_id" => "Responsable",
        "invited_through" => "Invitation",
        "enable_context_field" => "Contexte des RDV (champ)",
        "visible_users_throughout_the_territory" => "Usagers partagés dans le territoire",
        other => return other.to_owned(),
    };
    label.to_owned()
}

/// French label of an enum value, for the fields that hold one.
fn value_label(field: &str, v: &serde_json::Value) -> Option<String> {
    use rdv_shared::enums::*;
    let s = v.as_str()?;
    let label = match field {
        "location_type" => LocationType::parse(s)?.label_fr(),
        "bookable_by" => BookableBy::parse(s)?.label_fr(),
        "visibility_type" => VisibilityType::parse(s)?.label_fr(),
        "sectorisation_level" => SectorisationLevel::parse(s)?.label_fr(),
        "availability" => LieuAvailability::parse(s)?.label_fr(),
        "access_level" => rdv_shared::access::AccessLevel::parse(s)?.label_fr(),
        _ => return None,
    };
    Some(label.to_owned())
}

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(true) => "oui".into(),
        serde_json::Value::Bool(false) => "non".into(),
        other => other.to_string(),
    }
}

#[component]
pub fn History(item_type: &'static str, item_id: i32, #[prop(into)] refresh: Signal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let versions = LocalResource::new(move || {
        refresh.track();
        let session = ctx.session.clone();
        async move { client::list_versions(&session, item_type, item_id).await }
    });
    view! {
        <section class="card history" aria-labelledby="history-title">
            <h2 id="history-title">"Historique"</h2>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    versions
                        .get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                            Ok(list) => {
                                let rows = list
                                    .versions
                                    .into_iter()
                                    .flat_map(|v| {
                                        let date = v.created_at.format("%d/%m/%Y %H:%M").to_string();
                                        let author = v.author_name.clone();
                                        let event = match v.event.as_str() {
                                            "create" => "Création",
                                            "destroy" => "Suppression",
                                            _ => "Modification",
                                        };
                                        v.changes
                                            .into_iter()
                                            .map(move |(field, change)| {
                                                let display = |v: &serde_json::Value| value_label(&field, v).unwrap_or_else(|| show(v));
                                                let (before, after) = match change.as_array().map(|a| a.as_slice()) {
                                                    Some([b, a]) => (display(b), display(a)),
                                                    _ => ("—".into(), display(&change)),
                                                };
                                                let field = field_label(&field);
                                                view! {
                                                    <tr>
                                                        <td>{date.clone()}</td>
                                                        <td>{author.clone()}</td>
                                                        <td>{event}</td>
                                                        <td>{field}</td>
                                                        <td>{before}</td>
                                                        <td>{after}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect::<Vec<_>>()
                                    })
                                    .collect_view();
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-label="Historique des modifications">
                                        <table>
                                            <thead>
                                                <tr>
                                                    <th scope="col">"Date"</th>
                                                    <th scope="col">"Auteur"</th>
                                                    <th scope="col">"Action"</th>
                                                    <th scope="col">"Champ"</th>
                                                    <th scope="col">"Avant"</th>
                                                    <th scope="col">"Après"</th>
                                                </tr>
                                            </thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}

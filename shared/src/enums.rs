//! The domain's closed vocabularies, stored as text and exchanged as snake_case strings.
//! An unknown value is refused with a 422 `inclusion`, never a 500 (the reference crashed on them).

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// French label for the SPA.
            pub fn label_fr(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
    };
}

text_enum!(
    /// Where a motif's RDV takes place (reference §1.5).
    LocationType {
        PublicOffice => "public_office" / "Sur place",
        Phone => "phone" / "Par téléphone",
        Home => "home" / "À domicile",
        Visio => "visio" / "Par visioconférence",
    }
);

text_enum!(
    /// Who may book a motif ("Réservation en ligne").
    BookableBy {
        Agents => "agents" / "Agents de l'organisation uniquement",
        AgentsAndPrescripteurs => "agents_and_prescripteurs" / "Agents et prescripteurs",
        AgentsAndPrescripteursAndInvitedUsers => "agents_and_prescripteurs_and_invited_users" / "Agents, prescripteurs et usagers invités",
        Everyone => "everyone" / "Tout le monde",
    }
);

impl BookableBy {
    /// The API v1 `bookable_publicly` flag: everyone or invited usagers.
    pub fn is_public(self) -> bool {
        matches!(self, BookableBy::Everyone | BookableBy::AgentsAndPrescripteursAndInvitedUsers)
    }
}

text_enum!(
    /// How visible a motif's RDVs are to the usager.
    VisibilityType {
        VisibleAndNotified => "visible_and_notified" / "Visible et notifié",
        VisibleAndNotNotified => "visible_and_not_notified" / "Visible sans notification",
        Invisible => "invisible" / "Invisible (ni affiché ni notifié)",
    }
);

text_enum!(
    /// Geographic restriction of public booking.
    SectorisationLevel {
        Departement => "departement" / "Tout le département",
        Organisation => "organisation" / "Organisations du secteur",
        Agent => "agent" / "Agents du secteur",
    }
);

text_enum!(
    /// A lieu's availability; `disabled` is the soft delete.
    LieuAvailability {
        Enabled => "enabled" / "Actif",
        Disabled => "disabled" / "Désactivé",
        SingleUse => "single_use" / "Ponctuel",
    }
);

text_enum!(
    /// Which RDV notifications an agent receives (reference §1.3).
    RdvNotificationsLevel {
        All => "all" / "Toutes",
        Others => "others" / "Celles des RDV que je n'ai pas créés",
        Soon => "soon" / "Seulement pour les RDV du jour et du lendemain",
        None => "none" / "Aucune",
    }
);

text_enum!(
    /// Plage and absence notifications: all or none.
    NotificationLevel {
        All => "all" / "Toutes",
        None => "none" / "Aucune",
    }
);

text_enum!(
    /// Where an agent's latest invitation stands (`InvitationStatus::state`).
    InvitationState {
        None => "none" / "Sans invitation",
        Pending => "pending" / "Invitation en attente",
        Accepted => "accepted" / "Compte activé",
        Expired => "expired" / "Invitation expirée",
        Revoked => "revoked" / "Invitation révoquée",
    }
);

text_enum!(
    /// Health insurance fund (reference §1.4; the swagger's `aucun` was a typo).
    CaisseAffiliation {
        Aucune => "aucune" / "Aucune",
        Caf => "caf" / "CAF",
        Msa => "msa" / "MSA",
    }
);

text_enum!(
    /// Family situation of a usager.
    FamilySituation {
        Single => "single" / "Célibataire",
        InARelationship => "in_a_relationship" / "En couple",
        Divorced => "divorced" / "Divorcé(e) / séparé(e)",
    }
);

text_enum!(
    /// Housing situation of a usager.
    Logement {
        Sdf => "sdf" / "Sans domicile fixe",
        Heberge => "heberge" / "Hébergé(e)",
        EnAccessionPropriete => "en_accession_propriete" / "En accession à la propriété",
        Proprietaire => "proprietaire" / "Propriétaire",
        Autre => "autre" / "Autre",
        Locataire => "locataire" / "Locataire",
    }
);

text_enum!(
    /// Status of an RDV and of each participation (reference-domain.md §4.1).
    RdvStatus {
        Unknown => "unknown" / "À venir / à renseigner",
        Seen => "seen" / "Rendez-vous honoré",
        Noshow => "noshow" / "Absence non excusée",
        Excused => "excused" / "Annulé (excusé)",
        Revoked => "revoked" / "Annulé (par le service)",
    }
);

text_enum!(
    /// Where an RDV came from, fixed when it is made (statistics and exports group by it).
    RdvOrigin {
        /// Booked by an agent (agenda, slot search, API).
        Agent => "agent" / "Agent",
        /// Booked online by the usager.
        User => "user" / "Usager en ligne",
        /// Booked online through an invitation link (rdv-insertion).
        Invitation => "invitation" / "Invitation",
        /// Moved by the usager to an earlier slot the waiting list offered.
        FileAttente => "file_attente" / "File d'attente",
        /// Booked by a prescripteur for a usager.
        Prescripteur => "prescripteur" / "Prescripteur",
    }
);

text_enum!(
    /// The statuses a list, an export or a statistic distinguishes: `unknown` splits in two by the
    /// time of the question, as the reference's "à renseigner" and "à venir".
    ListStatus {
        Seen => "seen" / "Honoré",
        Noshow => "noshow" / "Absence non excusée",
        Excused => "excused" / "Annulé (excusé)",
        Revoked => "revoked" / "Annulé (par le service)",
        /// Started and still unknown: "à renseigner".
        UnknownPast => "unknown_past" / "À renseigner",
        /// Not started yet: "à venir".
        UnknownFuture => "unknown_future" / "À venir",
    }
);

impl ListStatus {
    /// The list status of an RDV in `status` starting at `starts_at`, seen at `now`.
    pub fn of(status: RdvStatus, starts_at: chrono::NaiveDateTime, now: chrono::NaiveDateTime) -> ListStatus {
        match status {
            RdvStatus::Seen => ListStatus::Seen,
            RdvStatus::Noshow => ListStatus::Noshow,
            RdvStatus::Excused => ListStatus::Excused,
            RdvStatus::Revoked => ListStatus::Revoked,
            RdvStatus::Unknown if starts_at < now => ListStatus::UnknownPast,
            RdvStatus::Unknown => ListStatus::UnknownFuture,
        }
    }

    /// The stored status this one reads.
    pub fn stored(self) -> RdvStatus {
        match self {
            ListStatus::Seen => RdvStatus::Seen,
            ListStatus::Noshow => RdvStatus::Noshow,
            ListStatus::Excused => RdvStatus::Excused,
            ListStatus::Revoked => RdvStatus::Revoked,
            ListStatus::UnknownPast | ListStatus::UnknownFuture => RdvStatus::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_round_trips_through_text_and_json() {
        for v in LocationType::ALL {
            assert_eq!(LocationType::parse(v.as_str()), Some(*v));
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::Value::from(v.as_str()));
        }
        for v in BookableBy::ALL {
            assert_eq!(BookableBy::parse(v.as_str()), Some(*v));
        }
        for v in VisibilityType::ALL {
            assert_eq!(VisibilityType::parse(v.as_str()), Some(*v));
        }
        for v in SectorisationLevel::ALL {
            assert_eq!(SectorisationLevel::parse(v.as_str()), Some(*v));
        }
        for v in LieuAvailability::ALL {
            assert_eq!(LieuAvailability::parse(v.as_str()), Some(*v));
        }
        for v in Logement::ALL {
            assert_eq!(Logement::parse(v.as_str()), Some(*v));
        }
        for v in RdvOrigin::ALL {
            assert_eq!(RdvOrigin::parse(v.as_str()), Some(*v));
        }
        for v in ListStatus::ALL {
            assert_eq!(ListStatus::parse(v.as_str()), Some(*v));
        }
        assert_eq!(CaisseAffiliation::parse("aucun"), None, "the swagger's typo is not a value");
        assert_eq!(LocationType::parse("en_ligne"), None);
    }

    #[test]
    fn bookable_publicly_matches_the_reference() {
        let public: Vec<_> = BookableBy::ALL.iter().filter(|b| b.is_public()).map(|b| b.as_str()).collect();
        assert_eq!(public, vec!["agents_and_prescripteurs_and_invited_users", "everyone"]);
    }
}

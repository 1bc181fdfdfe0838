//! Which optional usager fields exist where (reference-domain.md §1.4: one toggle per social
//! field and per territory). A disabled field is neither returned nor accepted.

use crate::dto::TerritorySettings;

/// The optional fields, each `true` when enabled for the usager in the territories at hand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldToggles {
    pub caisse_affiliation: bool,
    pub affiliation_number: bool,
    pub family_situation: bool,
    pub number_of_children: bool,
    pub logement: bool,
    pub case_number: bool,
    pub pmi_case_number: bool,
    pub address_details: bool,
    /// Shown.
    pub notes: bool,
    /// Shown and writable (not frozen) in at least one of the territories.
    pub notes_writable: bool,
}

impl FieldToggles {
    /// Every field on (for the CLI import and the RGPD export, which are not territory-bound).
    pub const ALL: FieldToggles = FieldToggles {
        caisse_affiliation: true,
        affiliation_number: true,
        family_situation: true,
        number_of_children: true,
        logement: true,
        case_number: true,
        pmi_case_number: true,
        address_details: true,
        notes: true,
        notes_writable: true,
    };

    /// A usager may belong to organisations of several territories: a field exists when one of
    /// them enables it; notes are writable where enabled and not frozen.
    pub fn from_settings<'a>(settings: impl IntoIterator<Item = &'a TerritorySettings>) -> FieldToggles {
        settings.into_iter().fold(FieldToggles::default(), |acc, s| FieldToggles {
            caisse_affiliation: acc.caisse_affiliation || s.enable_caisse_affiliation_field,
            affiliation_number: acc.affiliation_number || s.enable_affiliation_number_field,
            family_situation: acc.family_situation || s.enable_family_situation_field,
            number_of_children: acc.number_of_children || s.enable_number_of_children_field,
            logement: acc.logement || s.enable_logement_field,
            case_number: acc.case_number || s.enable_case_number,
            pmi_case_number: acc.pmi_case_number || s.enable_pmi_case_number_field,
            address_details: acc.address_details || s.enable_address_details,
            notes: acc.notes || s.enable_notes_field,
            notes_writable: acc.notes_writable || (s.enable_notes_field && !s.notes_frozen),
        })
    }

    /// Is `field` (its API name) enabled? Fields that are always there answer `true`.
    pub fn allows(&self, field: &str) -> bool {
        match field {
            "caisse_affiliation" => self.caisse_affiliation,
            "affiliation_number" => self.affiliation_number,
            "family_situation" => self.family_situation,
            "number_of_children" => self.number_of_children,
            "logement" => self.logement,
            "case_number" => self.case_number,
            "pmi_case_number" => self.pmi_case_number,
            "address_details" => self.address_details,
            "notes" => self.notes,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_of_territories_and_frozen_notes() {
        let a =
            TerritorySettings { enable_caisse_affiliation_field: true, enable_notes_field: true, ..Default::default() };
        let frozen = TerritorySettings { enable_notes_field: true, notes_frozen: true, ..Default::default() };
        let b = TerritorySettings { enable_logement_field: true, ..Default::default() };

        let t = FieldToggles::from_settings([&a, &b]);
        assert!(t.caisse_affiliation && t.logement && t.notes && t.notes_writable);
        assert!(!t.family_situation && !t.pmi_case_number);

        let t = FieldToggles::from_settings([&frozen]);
        assert!(t.notes, "frozen notes are still shown");
        assert!(!t.notes_writable, "but not writable");

        let t = FieldToggles::from_settings([&frozen, &a]);
        assert!(t.notes_writable, "writable where another territory has them open");

        let none = FieldToggles::from_settings(std::iter::empty());
        assert_eq!(none, FieldToggles::default());
        assert!(none.allows("first_name") && !none.allows("notes"));
    }
}

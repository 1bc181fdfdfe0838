//! One file per screen.

pub mod absence_form;
pub mod admin_agents;
pub mod admin_lieux;
pub mod admin_motifs;
pub mod admin_organisation;
pub mod admin_teams;
pub mod admin_territory;
pub mod agenda;
pub mod agenda_access;
pub mod home;
pub mod invitation;
pub mod login;
pub mod my_account;
pub mod not_found;
pub mod plage_form;
pub mod rdv;
pub mod rdv_form;
pub mod shell;
pub mod usager;
pub mod usager_form;
pub mod usager_import;
pub mod usager_merge;
pub mod usagers;

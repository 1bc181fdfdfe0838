//! Small reusable pieces of the UI.

pub mod admin_only;
pub mod agenda_day;
pub mod charts;
pub mod data_table;
pub mod enum_select;
pub mod header;
pub mod history;
pub mod rdv_filters;
pub mod receipts;
pub mod recurrence_editor;
pub mod stats_view;
pub mod status;
pub mod usager_reads;

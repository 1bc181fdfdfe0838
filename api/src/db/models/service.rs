//! The service catalogue (PMI, Service social, CPEF, Secrétariat), seeded by the first migration.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::services;
use crate::db::DbConn;

/// Short name of the service whose members are secretaries (reference §1.3 `secretaire?`).
pub const SECRETARIAT: &str = "Secrétariat";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = services)]
pub struct ServiceRow {
    pub id: i32,
    pub name: String,
    pub short_name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ServiceRow {
    pub fn to_dto(&self) -> rdv_shared::dto::Service {
        rdv_shared::dto::Service {
            id: rdv_shared::ServiceId(self.id),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
        }
    }
}

pub fn all(conn: &mut DbConn) -> QueryResult<Vec<ServiceRow>> {
    services::table.order(services::id).select(ServiceRow::as_select()).load(conn)
}

/// Finds a service by name or short name, ignoring case ("pmi", "Secrétariat"…).
pub fn find_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<ServiceRow>> {
    let wanted = name.trim().to_lowercase();
    Ok(all(conn)?.into_iter().find(|s| s.name.to_lowercase() == wanted || s.short_name.to_lowercase() == wanted))
}

//! The portable diesel schema, shared by both backends (checked by the migration test).

diesel::table! {
    territories (id) {
        id -> Integer,
        name -> Text,
        departement_number -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organisations (id) {
        id -> Integer,
        territory_id -> Integer,
        name -> Text,
        time_zone -> Text,
        phone_number -> Nullable<Text>,
        email -> Nullable<Text>,
        verticale -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    services (id) {
        id -> Integer,
        name -> Text,
        short_name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agents (id) {
        id -> Integer,
        email -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    agent_roles (id) {
        id -> Integer,
        agent_id -> Integer,
        organisation_id -> Integer,
        access_level -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agent_services (id) {
        id -> Integer,
        agent_id -> Integer,
        service_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agent_territorial_roles (id) {
        id -> Integer,
        agent_id -> Integer,
        territory_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    versions (id) {
        id -> Integer,
        item_type -> Text,
        item_id -> Integer,
        event -> Text,
        author_agent_id -> Nullable<Integer>,
        whodunnit -> Text,
        changes -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    auth_tokens (id) {
        id -> Integer,
        agent_id -> Integer,
        jti -> Text,
        client -> Text,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(organisations -> territories (territory_id));
diesel::joinable!(agent_roles -> agents (agent_id));
diesel::joinable!(agent_roles -> organisations (organisation_id));
diesel::joinable!(agent_services -> agents (agent_id));
diesel::joinable!(agent_services -> services (service_id));
diesel::joinable!(agent_territorial_roles -> agents (agent_id));
diesel::joinable!(agent_territorial_roles -> territories (territory_id));
diesel::joinable!(auth_tokens -> agents (agent_id));

diesel::allow_tables_to_appear_in_same_query!(
    territories,
    organisations,
    services,
    agents,
    agent_roles,
    agent_services,
    agent_territorial_roles,
    versions,
    auth_tokens,
);

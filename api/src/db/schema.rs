//! The portable diesel schema, shared by both backends (checked by the migration test).

diesel::table! {
    territories (id) {
        id -> Integer,
        name -> Text,
        departement_number -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        enable_notes_field -> Bool,
        enable_caisse_affiliation_field -> Bool,
        enable_affiliation_number_field -> Bool,
        enable_family_situation_field -> Bool,
        enable_number_of_children_field -> Bool,
        enable_logement_field -> Bool,
        enable_case_number -> Bool,
        enable_address_details -> Bool,
        enable_context_field -> Bool,
        visible_users_throughout_the_territory -> Bool,
        enable_pmi_case_number_field -> Bool,
        notes_frozen -> Bool,
        sms_provider_url -> Nullable<Text>,
        sms_api_key -> Nullable<Text>,
        sms_sender -> Nullable<Text>,
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
        website -> Nullable<Text>,
        horaires -> Nullable<Text>,
        external_id -> Nullable<Text>,
        allow_saturday_openings -> Bool,
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
        rdv_notifications_level -> Text,
        plage_ouverture_notification_level -> Text,
        absence_notification_level -> Text,
        display_saturdays -> Bool,
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

diesel::table! {
    territory_services (id) {
        id -> Integer,
        territory_id -> Integer,
        service_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agent_territorial_access_rights (id) {
        id -> Integer,
        agent_id -> Integer,
        territory_id -> Integer,
        allow_to_manage_teams -> Bool,
        allow_to_manage_access_rights -> Bool,
        allow_to_invite_agents -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    teams (id) {
        id -> Integer,
        territory_id -> Integer,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agent_teams (id) {
        id -> Integer,
        team_id -> Integer,
        agent_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agent_invitations (id) {
        id -> Integer,
        agent_id -> Integer,
        organisation_id -> Integer,
        invited_by_agent_id -> Nullable<Integer>,
        token_digest -> Text,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Integer,
        channel -> Text,
        event -> Text,
        idempotency_key -> Text,
        organisation_id -> Nullable<Integer>,
        rdv_id -> Nullable<Integer>,
        user_id -> Nullable<Integer>,
        agent_id -> Nullable<Integer>,
        recipient -> Text,
        payload -> Text,
        status -> Text,
        run_at -> Timestamp,
        due_for -> Nullable<Timestamp>,
        attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        done_at -> Nullable<Timestamp>,
        sequence_key -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Integer,
        organisation_id -> Integer,
        target_url -> Text,
        secret -> Text,
        subscriptions -> Text,
        flagged_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_feeds (id) {
        id -> Integer,
        agent_id -> Integer,
        token_digest -> Text,
        with_details -> Bool,
        with_plages -> Bool,
        created_at -> Timestamp,
        last_read_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Integer,
        endpoint_id -> Integer,
        outbox_id -> Integer,
        model -> Text,
        event -> Text,
        record_id -> Integer,
        status_code -> Nullable<Integer>,
        success -> Bool,
        latency_ms -> Integer,
        response_excerpt -> Nullable<Text>,
        error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rdv_links (id) {
        id -> Integer,
        rdv_id -> Integer,
        user_id -> Integer,
        token_digest -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    file_attentes (id) {
        id -> Integer,
        rdv_id -> Integer,
        user_id -> Integer,
        notifications_sent -> Integer,
        last_creneau_sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    receipts (id) {
        id -> Integer,
        outbox_id -> Integer,
        organisation_id -> Nullable<Integer>,
        rdv_id -> Nullable<Integer>,
        user_id -> Nullable<Integer>,
        agent_id -> Nullable<Integer>,
        channel -> Text,
        event -> Text,
        recipient -> Text,
        result -> Text,
        error_message -> Nullable<Text>,
        content -> Text,
        sms_count -> Nullable<Integer>,
        attempt -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    lieux (id) {
        id -> Integer,
        organisation_id -> Integer,
        name -> Text,
        address -> Text,
        phone_number -> Nullable<Text>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        availability -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    motif_category_territories (id) {
        id -> Integer,
        motif_category_id -> Integer,
        territory_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    motif_categories (id) {
        id -> Integer,
        name -> Text,
        short_name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    motifs (id) {
        id -> Integer,
        organisation_id -> Integer,
        service_id -> Integer,
        motif_category_id -> Nullable<Integer>,
        name -> Text,
        color -> Text,
        default_duration_in_min -> Integer,
        location_type -> Text,
        bookable_by -> Text,
        collectif -> Bool,
        min_public_booking_delay -> Integer,
        max_public_booking_delay -> Integer,
        visibility_type -> Text,
        sectorisation_level -> Text,
        follow_up -> Bool,
        for_secretariat -> Bool,
        instruction_for_rdv -> Nullable<Text>,
        restriction_for_rdv -> Nullable<Text>,
        custom_cancel_warning_message -> Nullable<Text>,
        rdvs_editable_by_user -> Bool,
        rdvs_cancellable_by_user -> Bool,
        deleted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        slot_step_in_min -> Nullable<Integer>,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        first_name -> Text,
        last_name -> Text,
        birth_name -> Nullable<Text>,
        birth_date -> Nullable<Date>,
        email -> Nullable<Text>,
        phone_number -> Nullable<Text>,
        phone_number_formatted -> Nullable<Text>,
        address -> Nullable<Text>,
        post_code -> Nullable<Text>,
        city_code -> Nullable<Text>,
        city_name -> Nullable<Text>,
        address_details -> Nullable<Text>,
        caisse_affiliation -> Nullable<Text>,
        affiliation_number -> Nullable<Text>,
        family_situation -> Nullable<Text>,
        number_of_children -> Nullable<Integer>,
        logement -> Nullable<Text>,
        case_number -> Nullable<Text>,
        pmi_case_number -> Nullable<Text>,
        notes -> Nullable<Text>,
        notify_by_sms -> Bool,
        notify_by_email -> Bool,
        created_through -> Text,
        invited_through -> Nullable<Text>,
        responsible_id -> Nullable<Integer>,
        rdv_invitation_token -> Nullable<Text>,
        rdv_invitation_token_updated_at -> Nullable<Timestamp>,
        identity_key -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_profiles (id) {
        id -> Integer,
        user_id -> Integer,
        organisation_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    referent_assignations (id) {
        id -> Integer,
        user_id -> Integer,
        agent_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    user_search_terms (kind, term, user_id) {
        user_id -> Integer,
        kind -> Integer,
        term -> Text,
    }
}

diesel::table! {
    user_imports (id) {
        id -> Integer,
        organisation_id -> Integer,
        agent_id -> Nullable<Integer>,
        filename -> Text,
        status -> Text,
        total_rows -> Integer,
        done_rows -> Integer,
        created_count -> Integer,
        matched_count -> Integer,
        warning_count -> Integer,
        error_count -> Integer,
        report -> Text,
        failure -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plage_ouvertures (id) {
        id -> Integer,
        agent_id -> Integer,
        organisation_id -> Integer,
        lieu_id -> Nullable<Integer>,
        title -> Text,
        first_day -> Date,
        start_time -> Time,
        end_time -> Time,
        recurrence -> Nullable<Text>,
        last_day -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plage_ouverture_motifs (plage_ouverture_id, motif_id) {
        plage_ouverture_id -> Integer,
        motif_id -> Integer,
    }
}

diesel::table! {
    absences (id) {
        id -> Integer,
        agent_id -> Integer,
        title -> Text,
        first_day -> Date,
        start_time -> Time,
        end_day -> Date,
        end_time -> Time,
        recurrence -> Nullable<Text>,
        last_day -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rdvs (id) {
        id -> Integer,
        organisation_id -> Integer,
        motif_id -> Integer,
        lieu_id -> Nullable<Integer>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        status -> Text,
        cancelled_at -> Nullable<Timestamp>,
        uuid -> Text,
        context -> Nullable<Text>,
        name -> Nullable<Text>,
        max_participants_count -> Nullable<Integer>,
        users_count -> Integer,
        notify -> Bool,
        created_by_type -> Text,
        created_by_id -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        origin -> Text,
    }
}

diesel::table! {
    exports (id) {
        id -> Integer,
        agent_id -> Integer,
        kind -> Text,
        format -> Text,
        filters -> Text,
        status -> Text,
        row_count -> Integer,
        rows_done -> Integer,
        filename -> Text,
        content -> Nullable<Binary>,
        failure -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    agents_rdvs (id) {
        id -> Integer,
        agent_id -> Integer,
        rdv_id -> Integer,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
    }
}

diesel::table! {
    participations (id) {
        id -> Integer,
        rdv_id -> Integer,
        user_id -> Integer,
        status -> Text,
        send_lifecycle_notifications -> Bool,
        send_reminder_notification -> Bool,
        created_by_type -> Text,
        created_by_id -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        cancel_token_digest -> Nullable<Text>,
        invited -> Bool,
    }
}

diesel::table! {
    agenda_grants (id) {
        id -> Integer,
        territory_id -> Integer,
        grantee_type -> Text,
        grantee_id -> Integer,
        grantee_organisation_id -> Nullable<Integer>,
        target_type -> Text,
        target_id -> Integer,
        target_organisation_id -> Nullable<Integer>,
        level -> Text,
        motif_service_id -> Nullable<Integer>,
        origin -> Text,
        created_by_agent_id -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(plage_ouverture_motifs -> plage_ouvertures (plage_ouverture_id));
diesel::joinable!(plage_ouverture_motifs -> motifs (motif_id));
diesel::table! {
    idempotency_keys (id) {
        id -> Integer,
        scope -> Text,
        idempotency_key -> Text,
        request_digest -> Text,
        rdv_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sectors (id) {
        id -> Integer,
        territory_id -> Integer,
        name -> Text,
        human_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    zones (id) {
        id -> Integer,
        sector_id -> Integer,
        level -> Text,
        city_name -> Text,
        city_code -> Text,
        street_name -> Nullable<Text>,
        street_ban_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sector_attributions (id) {
        id -> Integer,
        sector_id -> Integer,
        organisation_id -> Integer,
        level -> Text,
        agent_id -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(zones -> sectors (sector_id));
diesel::joinable!(sector_attributions -> sectors (sector_id));
diesel::joinable!(idempotency_keys -> rdvs (rdv_id));
diesel::joinable!(agents_rdvs -> rdvs (rdv_id));
diesel::joinable!(agents_rdvs -> agents (agent_id));
diesel::joinable!(participations -> rdvs (rdv_id));
diesel::joinable!(participations -> users (user_id));
diesel::joinable!(rdvs -> motifs (motif_id));
diesel::joinable!(plage_ouvertures -> organisations (organisation_id));
diesel::joinable!(absences -> agents (agent_id));
diesel::joinable!(user_profiles -> users (user_id));
diesel::joinable!(user_profiles -> organisations (organisation_id));
diesel::joinable!(referent_assignations -> users (user_id));
diesel::joinable!(referent_assignations -> agents (agent_id));
diesel::joinable!(user_search_terms -> users (user_id));
diesel::joinable!(user_imports -> organisations (organisation_id));

diesel::joinable!(organisations -> territories (territory_id));
diesel::joinable!(territory_services -> territories (territory_id));
diesel::joinable!(territory_services -> services (service_id));
diesel::joinable!(agent_territorial_access_rights -> agents (agent_id));
diesel::joinable!(agent_territorial_access_rights -> territories (territory_id));
diesel::joinable!(teams -> territories (territory_id));
diesel::joinable!(agent_teams -> teams (team_id));
diesel::joinable!(agent_teams -> agents (agent_id));
diesel::joinable!(agent_invitations -> organisations (organisation_id));
diesel::joinable!(lieux -> organisations (organisation_id));
diesel::joinable!(motifs -> organisations (organisation_id));
diesel::joinable!(motifs -> services (service_id));
diesel::joinable!(motifs -> motif_categories (motif_category_id));
diesel::joinable!(motif_category_territories -> motif_categories (motif_category_id));
diesel::joinable!(agent_roles -> agents (agent_id));
diesel::joinable!(agent_roles -> organisations (organisation_id));
diesel::joinable!(agent_services -> agents (agent_id));
diesel::joinable!(agent_services -> services (service_id));
diesel::joinable!(agent_territorial_roles -> agents (agent_id));
diesel::joinable!(agent_territorial_roles -> territories (territory_id));
diesel::joinable!(auth_tokens -> agents (agent_id));

diesel::table! {
    password_resets (id) {
        id -> Integer,
        agent_id -> Integer,
        token_digest -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        count -> Integer,
    }
}

diesel::table! {
    retention_policies (territory_id) {
        territory_id -> Integer,
        rdv_days -> Integer,
        inactive_usager_days -> Integer,
        receipt_days -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    retention_runs (id) {
        id -> Integer,
        started_at -> Timestamp,
        finished_at -> Timestamp,
        report -> Text,
    }
}

diesel::table! {
    usager_reads (id) {
        id -> Integer,
        user_id -> Integer,
        agent_id -> Integer,
        action -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(usager_reads -> agents (agent_id));

diesel::allow_tables_to_appear_in_same_query!(
    usager_reads,
    territories,
    retention_policies,
    organisations,
    services,
    agents,
    agent_roles,
    agent_services,
    agent_territorial_roles,
    versions,
    auth_tokens,
    territory_services,
    agent_territorial_access_rights,
    teams,
    agent_teams,
    agent_invitations,
    outbox,
    receipts,
    rdv_links,
    file_attentes,
    webhook_endpoints,
    webhook_deliveries,
    calendar_feeds,
    lieux,
    motif_categories,
    motif_category_territories,
    motifs,
    users,
    user_profiles,
    referent_assignations,
    user_search_terms,
    user_imports,
    plage_ouvertures,
    plage_ouverture_motifs,
    absences,
    rdvs,
    agents_rdvs,
    participations,
    agenda_grants,
    idempotency_keys,
    sectors,
    zones,
    sector_attributions,
);

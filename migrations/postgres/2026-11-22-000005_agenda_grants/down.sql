DROP TABLE agenda_grants;

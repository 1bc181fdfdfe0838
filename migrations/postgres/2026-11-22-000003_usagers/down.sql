DROP TABLE user_imports;
DROP TABLE user_search_terms;
DROP TABLE referent_assignations;
DROP TABLE user_profiles;
DROP TABLE users;
ALTER TABLE territories DROP COLUMN notes_frozen;
ALTER TABLE territories DROP COLUMN enable_pmi_case_number_field;

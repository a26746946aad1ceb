-- Row-level security on group_id: the second line of defence behind the application's checks.
-- A session that is subject to RLS (any role that neither owns the tables nor bypasses RLS)
-- sees and changes only the rows of the group named by the setting `estate.group_id`, and
-- nothing at all when it is unset. Roles used by the application for one tenant's work set it
-- per transaction (SET LOCAL estate.group_id = '<uuid>').

CREATE FUNCTION estate_current_group() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('estate.group_id', true), '')::uuid
$$;

ALTER TABLE org_units ENABLE ROW LEVEL SECURITY;
CREATE POLICY org_units_group ON org_units USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_group ON users USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());

ALTER TABLE role_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY role_grants_group ON role_grants USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY sessions_group ON sessions USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());

ALTER TABLE audit_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_entries_group ON audit_entries USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());

ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_heads_group ON audit_heads USING (group_id = estate_current_group()) WITH CHECK (group_id = estate_current_group());

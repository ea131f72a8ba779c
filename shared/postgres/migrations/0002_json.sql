-- Small JSON helpers for the API's shapes (docs/api.md §3). Each body is a single
-- expression so that the planner inlines it; the nested lists are built set-based in
-- shared/postgres/docs.go, never by a function called once per row.

CREATE FUNCTION api_time(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

CREATE FUNCTION user_json(u users) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', u.id, 'email', u.email, 'firstname', u.firstname,
                             'lastname', u.lastname, 'age', u.age, 'isAdmin', u.is_admin)
$$;

CREATE FUNCTION role_json(r roles) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('name', r.name, 'userId', r.user_id, 'associationId', r.association_id)
$$;

-- Events are listed by association and by start.
CREATE INDEX events_starts_at_idx ON events (association_id, starts_at);

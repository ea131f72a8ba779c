-- The API's JSON shapes (contract.md §3), built by PostgreSQL so that a list with
-- nested members and voters is one query and one round trip, whatever its length.
-- Simple SQL functions like these are inlined by the planner.

CREATE FUNCTION api_time(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

CREATE FUNCTION user_json(u users) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', u.id, 'email', u.email, 'firstname', u.firstname,
                             'lastname', u.lastname, 'age', u.age, 'isAdmin', u.is_admin)
$$;

-- Every member of an association, as User objects.
CREATE FUNCTION association_users_json(association_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(json_agg(user_json(u) ORDER BY u.id), '[]'::json)
    FROM memberships m JOIN users u ON u.id = m.user_id
    WHERE m.association_id = $1
$$;

-- Every member of an association with their own role ("member" when they have none).
CREATE FUNCTION association_members_json(association_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(json_agg(json_build_object('id', u.id, 'firstname', u.firstname,
                    'lastname', u.lastname, 'age', u.age, 'role', COALESCE(r.name, 'member'))
                    ORDER BY u.id), '[]'::json)
    FROM memberships m
    JOIN users u ON u.id = m.user_id
    LEFT JOIN roles r ON r.association_id = m.association_id AND r.user_id = m.user_id
    WHERE m.association_id = $1
$$;

-- Association: {id, name, members}.
CREATE FUNCTION association_json(a associations) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', a.id, 'name', a.name, 'members', association_members_json(a.id))
$$;

-- The nested association of minutes and events: {id, name, users}.
CREATE FUNCTION association_with_users_json(association_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', a.id, 'name', a.name, 'users', association_users_json(a.id))
    FROM associations a WHERE a.id = $1
$$;

CREATE FUNCTION role_json(r roles) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('name', r.name, 'userId', r.user_id, 'associationId', r.association_id)
$$;

-- Role with relations: + user and association {id, name}.
CREATE FUNCTION role_relations_json(r roles) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('name', r.name, 'userId', r.user_id, 'associationId', r.association_id,
                             'user', user_json(u), 'association', json_build_object('id', a.id, 'name', a.name))
    FROM users u, associations a
    WHERE u.id = r.user_id AND a.id = r.association_id
$$;

CREATE FUNCTION minute_json(m minutes) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', m.id, 'content', m.content, 'date', api_time(m.date),
        'association', association_with_users_json(m.association_id),
        'voters', (SELECT COALESCE(json_agg(user_json(u) ORDER BY u.id), '[]'::json)
                   FROM minute_voters v JOIN users u ON u.id = v.user_id WHERE v.minute_id = m.id))
$$;

CREATE FUNCTION event_json(e events) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', e.id, 'name', e.name, 'start', api_time(e.starts_at),
        'end', api_time(e.ends_at), 'association', association_with_users_json(e.association_id))
$$;

-- Events are listed by association and by start.
CREATE INDEX events_starts_at_idx ON events (association_id, starts_at);

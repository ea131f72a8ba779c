-- Members answer invitations (issue 15): going or not going, per event and member.

-- An answer belongs to a membership: it goes when the member leaves the association,
-- and with the event.
CREATE TABLE event_answers (
    event_id       bigint      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    association_id bigint      NOT NULL,
    user_id        bigint      NOT NULL,
    going          boolean     NOT NULL,
    answered_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, user_id),
    FOREIGN KEY (association_id, user_id)
        REFERENCES memberships (association_id, user_id) ON DELETE CASCADE
);
CREATE INDEX event_answers_membership_idx ON event_answers (association_id, user_id);

-- Event documents show the answers' counts: the page caches must see them change
-- (migration 0006).
INSERT INTO data_versions (name, row_count) VALUES ('event_answers', 0);
CREATE TRIGGER event_answers_inserted AFTER INSERT ON event_answers REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_inserted();
CREATE TRIGGER event_answers_deleted AFTER DELETE ON event_answers REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_deleted();
CREATE TRIGGER event_answers_updated AFTER UPDATE ON event_answers
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_updated();
CREATE TRIGGER event_answers_truncated AFTER TRUNCATE ON event_answers
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_truncated();

-- The one-click answer links of the invitations carry a token signed with a key that
-- never leaves the database: made here, at random, once per deployment. pgcrypto is a
-- trusted extension (RDS and Aurora included).
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE signing_keys (
    name text  PRIMARY KEY,
    key  bytea NOT NULL CHECK (length(key) >= 32)
);
INSERT INTO signing_keys (name, key) VALUES ('rsvp', gen_random_bytes(32));

-- rsvp_mac signs (event, user, expiry): 16 bytes of HMAC-SHA-256 (128 bits).
CREATE FUNCTION rsvp_mac(event_id bigint, user_id bigint, expires_unix bigint) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE STRICT AS $$
    SELECT substring(hmac(int8send(event_id) || int8send(user_id) || int8send(expires_unix),
                          (SELECT key FROM signing_keys WHERE name = 'rsvp'), 'sha256') FROM 1 FOR 16)
$$;

-- rsvp_token is the link's token, base64url without padding: event, user and expiry
-- (8 bytes each, big-endian), then their MAC. It is bound to the event and the
-- member, and expires when the event ends.
CREATE FUNCTION rsvp_token(event_id bigint, user_id bigint, expires timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE STRICT AS $$
    SELECT translate(encode(int8send(event_id) || int8send(user_id) || int8send(t.unix)
                            || rsvp_mac(event_id, user_id, t.unix), 'base64'), '+/=', '-_')
    FROM (SELECT floor(extract(epoch FROM expires))::bigint AS unix) t
$$;

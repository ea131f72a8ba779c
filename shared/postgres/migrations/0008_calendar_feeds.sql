-- A secret calendar feed per user (issue 15): GET /api/calendar/{token}.ics serves the
-- events of every association they belong to. Only a SHA-256 of the token is kept; a
-- new token replaces the old one, which stops working at once.
CREATE TABLE calendar_feeds (
    user_id    bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- When an event last changed: its DTSTAMP in the feed, so that the feed's bytes, and
-- its ETag, change only when an event does (calendar apps poll it).
ALTER TABLE events ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE FUNCTION events_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER events_touched BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_touch();

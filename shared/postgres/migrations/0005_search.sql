-- Search by name (GET /api/users?q=, GET /api/associations?q=): case- and
-- accent-insensitive, served by trigram indexes. pg_trgm and unaccent are trusted
-- extensions: the database owner may create them (RDS and Aurora included).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- search_text is what a search compares: lower case, without accents. unaccent() is
-- only STABLE (its dictionary could be changed); naming the dictionary makes the
-- result fixed, as a generated column and an index must be.
CREATE FUNCTION search_text(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, t))
$$;

-- The searched text is stored with each row, so that a search that reads many rows
-- (a short or common word) compares strings and calls no function per row.
ALTER TABLE users
    ADD COLUMN search_name text GENERATED ALWAYS AS (search_text(firstname || ' ' || lastname)) STORED,
    ADD COLUMN search_email text GENERATED ALWAYS AS (search_text(email)) STORED;
ALTER TABLE associations
    ADD COLUMN search_name text GENERATED ALWAYS AS (search_text(name)) STORED;

CREATE INDEX users_search_name_idx ON users USING gin (search_name gin_trgm_ops);
CREATE INDEX users_search_email_idx ON users USING gin (search_email gin_trgm_ops);
CREATE INDEX associations_search_name_idx ON associations USING gin (search_name gin_trgm_ops);

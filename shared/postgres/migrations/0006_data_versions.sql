-- Every table an API document is read from has a row here: its version, bumped by
-- every statement that writes the table, and its row count.
--
-- The version lets each Lambda environment keep the pages it rendered: a request reads
-- the sum of the versions in the query that authenticates it, and a page rendered at
-- the same sum is still what the database would answer. The bump happens in the
-- writing transaction, so a read that starts after the commit sees the new sum. It
-- is done by triggers, so that no write, present or future, can forget it.
--
-- The row count answers X-Total-Count of a whole list without counting the table.
--
-- A statement locks its table's row until its transaction ends: writes to one table
-- take turns at the commit. Two transactions that wait on each other's rows are a
-- deadlock PostgreSQL breaks, and the store runs the loser again.
CREATE TABLE data_versions (
    name      text   PRIMARY KEY,
    version   bigint NOT NULL DEFAULT 0,
    row_count bigint NOT NULL CHECK (row_count >= 0)
);

INSERT INTO data_versions (name, row_count)
SELECT 'users', count(*) FROM users
UNION ALL SELECT 'associations', count(*) FROM associations
UNION ALL SELECT 'memberships', count(*) FROM memberships
UNION ALL SELECT 'roles', count(*) FROM roles
UNION ALL SELECT 'minutes', count(*) FROM minutes
UNION ALL SELECT 'minute_voters', count(*) FROM minute_voters
UNION ALL SELECT 'events', count(*) FROM events;

-- One trigger per kind of statement: a trigger with transition tables (the rows the
-- statement inserted or deleted) can only fire on one kind.
CREATE FUNCTION data_version_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1, row_count = row_count + (SELECT count(*) FROM changed)
    WHERE name = TG_TABLE_NAME;
    RETURN NULL;
END $$;

CREATE FUNCTION data_version_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1, row_count = row_count - (SELECT count(*) FROM changed)
    WHERE name = TG_TABLE_NAME;
    RETURN NULL;
END $$;

CREATE FUNCTION data_version_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = TG_TABLE_NAME;
    RETURN NULL;
END $$;

CREATE FUNCTION data_version_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1, row_count = 0 WHERE name = TG_TABLE_NAME;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT name FROM data_versions LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION data_version_inserted()', t || '_inserted', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION data_version_deleted()', t || '_deleted', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION data_version_updated()', t || '_updated', t);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION data_version_truncated()', t || '_truncated', t);
    END LOOP;
END $$;

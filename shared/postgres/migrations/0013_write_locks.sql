-- Writes that do not queue (issue 23).
--
-- Every write to an association locks the association's row until it commits
-- (authorizeAssociations in shared/postgres): writes to one association take turns,
-- and that is what keeps them correct (the caller's right to write holds until the
-- commit, membership changes apply one after the other). Measured under 50 clients
-- on one association (docs/benchmarks.md), the turns were long not because of the
-- work but because of the waits inside them: the session holding the row sat idle in
-- its transaction two thirds of the time, waiting for the API server to send its next
-- statement (each a round trip through a busy process), while a dozen writers queued
-- behind it, each holding one of the pool's connections.
--
-- The common writes (minutes written, a role renamed, an association renamed) are
-- therefore sent as one pipeline (postgres.inOneTrip): every statement and the commit
-- in one round trip, one implicit transaction, so that the row is held only while
-- PostgreSQL works; and those that change neither the association nor who belongs to
-- it (minutes, roles) hold it shared, so that they do not take turns at all. A
-- pipeline cannot stop between its statements to look at an answer:
-- authorize_association (below) is the check that starts it, and it refuses by
-- raising an error, which skips the rest of the pipeline and rolls it back. It is the
-- check authorizeAssociations makes, in one statement that takes the lock: the
-- statements after it take their snapshots once the lock is held, so they see every
-- change committed before it, like the statements of an ordinary transaction.
--
-- lock_association locks the association's row and returns what caller is to it:
-- 'manager', 'member' (invited people are not), 'outsider', or NULL when there is no
-- such association. The membership is read by a statement of its own, after the lock
-- is granted: in READ COMMITTED each statement of a volatile function takes a new
-- snapshot, so it sees a demotion or a removal that the previous holder of the lock
-- committed. Read in the statement that locks, as before this migration, it came from
-- the snapshot taken before that statement waited for the lock: a manager removed by
-- the writer ahead could still write once it had committed
-- (TestWriteRefusedWhenDemotedMeanwhile).
--
-- The lock is FOR NO KEY UPDATE (foreign keys to the association still check), what
-- every write took before; with shared, FOR SHARE, for the writes that change neither
-- the association's row nor who belongs to it or manages it (minutes written, a role
-- renamed). FOR SHARE conflicts with FOR NO KEY UPDATE, so membership and manager
-- changes, renames and deletions of the association, which all take the strong lock,
-- wait for such writes to commit and the other way round: the right to write still
-- holds until the commit. Shared holders do not wait for each other: minutes written
-- and roles renamed at once no longer take turns (a role itself is one row, locked by
-- its own update). No write takes the shared lock and then the strong one, so two
-- holders never deadlock upgrading it. The price: PostgreSQL lets a share lock past a
-- waiting strong one, so a rename or a membership change may wait for a stream of
-- shared writes (each one round trip long) to thin out.
CREATE FUNCTION lock_association(association bigint, caller bigint, shared boolean DEFAULT false) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    standing text;
BEGIN
    IF shared THEN
        PERFORM FROM associations WHERE id = association FOR SHARE;
    ELSE
        PERFORM FROM associations WHERE id = association FOR NO KEY UPDATE;
    END IF;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT CASE WHEN m.manager THEN 'manager' WHEN m.status = 'member' THEN 'member' END INTO standing
    FROM memberships m WHERE m.association_id = association AND m.user_id = caller;
    RETURN COALESCE(standing, 'outsider');
END $$;

-- authorize_association locks the association (lock_association) and raises SQLSTATE
-- KA403 unless caller may change it: one of its managers, or the admin. DETAIL says
-- why: not_found, not_member or not_manager.
CREATE FUNCTION authorize_association(association bigint, caller bigint, caller_is_admin boolean,
                                      shared boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    standing text := lock_association(association, caller, shared);
BEGIN
    IF standing IS NULL THEN
        RAISE EXCEPTION 'association % not found', association USING ERRCODE = 'KA403', DETAIL = 'not_found';
    ELSIF NOT caller_is_admin AND standing <> 'manager' THEN
        RAISE EXCEPTION 'association % refused to user %', association, caller USING ERRCODE = 'KA403',
            DETAIL = CASE standing WHEN 'member' THEN 'not_manager' ELSE 'not_member' END;
    END IF;
END $$;

-- The data versions (migration 0006) are bumped at the commit, not by each statement.
--
-- A statement trigger updated the table's one row of data_versions, and that row stayed
-- locked until the transaction ended: every transaction writing minutes anywhere waited
-- for every other one to commit, and a transaction holding it while waiting for the
-- API server made all of them wait too (measured with 50 clients on 50 associations:
-- six sessions at a time queued on the rows of minutes and associations behind holders
-- idle in their transactions). Two transactions writing two tables in opposite orders
-- could deadlock on them.
--
-- Now a statement trigger only notes, in settings local to its transaction, that the
-- table changed and by how many rows: data_version_rows.<table> (the rows added, less
-- those removed, as text; '0' for an update; empty when nothing is pending) and
-- data_version_reset.<table> ('yes' after a TRUNCATE). The first such note of a
-- transaction inserts a row into data_version_flushes, whose deferred constraint
-- trigger fires once, when the transaction commits: it updates data_versions for
-- every table noted, in the order of their names, and removes the row. So the rows of
-- data_versions are locked only while their transaction commits; nobody else locks
-- them, and everybody locks them in the same order: no deadlock on them, ever. The
-- bump is still part of the writing transaction, committed with it: a read that starts
-- after the commit sees the new sum, one before it sees neither the bump nor the
-- write, which is what the page caches rely on (shared/httpapi/pagecache.go). A
-- savepoint rolled back takes its notes (settings) and its row with it.
CREATE UNLOGGED TABLE data_version_flushes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY
);

CREATE FUNCTION data_version_note(tbl text, delta bigint, reset boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('data_version_flush.pending', true) IS DISTINCT FROM 'yes' THEN
        INSERT INTO data_version_flushes DEFAULT VALUES;
        PERFORM set_config('data_version_flush.pending', 'yes', true);
    END IF;
    IF reset THEN
        PERFORM set_config('data_version_reset.' || tbl, 'yes', true);
        PERFORM set_config('data_version_rows.' || tbl, '0', true);
    ELSE
        PERFORM set_config('data_version_rows.' || tbl,
            (COALESCE(NULLIF(current_setting('data_version_rows.' || tbl, true), ''), '0')::bigint + delta)::text, true);
    END IF;
END $$;

CREATE OR REPLACE FUNCTION data_version_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM data_version_note(TG_TABLE_NAME, (SELECT count(*) FROM changed), false);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION data_version_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM data_version_note(TG_TABLE_NAME, -(SELECT count(*) FROM changed), false);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION data_version_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM data_version_note(TG_TABLE_NAME, 0, false);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION data_version_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM data_version_note(TG_TABLE_NAME, 0, true);
    RETURN NULL;
END $$;

CREATE FUNCTION data_version_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tbl  text;
    rows bigint;
BEGIN
    FOR tbl IN SELECT name FROM data_versions ORDER BY name LOOP
        rows := NULLIF(current_setting('data_version_rows.' || tbl, true), '')::bigint;
        CONTINUE WHEN rows IS NULL;
        UPDATE data_versions SET version = version + 1,
            row_count = CASE WHEN current_setting('data_version_reset.' || tbl, true) = 'yes' THEN 0 ELSE row_count END + rows
        WHERE name = tbl;
        PERFORM set_config('data_version_rows.' || tbl, '', true);
        PERFORM set_config('data_version_reset.' || tbl, '', true);
    END LOOP;
    PERFORM set_config('data_version_flush.pending', '', true);
    DELETE FROM data_version_flushes WHERE id = NEW.id;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER data_version_flush AFTER INSERT ON data_version_flushes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_flush();

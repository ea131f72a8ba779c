-- Events that can be organised (issue 22): a place, a description and a number of
-- places. With a capacity, a member who says they are coming once every place is
-- taken waits on a list, in the order of the answers, and moves up when a place
-- frees (a 'promotion' e-mail tells them). NULL is "none" for each: the API sends
-- and takes null, and "" for the texts.
ALTER TABLE events
    ADD COLUMN place       text    CHECK (char_length(place) BETWEEN 1 AND 200),
    ADD COLUMN description text    CHECK (char_length(description) BETWEEN 1 AND 5000),
    ADD COLUMN capacity    integer CHECK (capacity BETWEEN 1 AND 100000);

-- waiting_order ranks a "coming" answer on its event's waiting list; NULL for a member
-- who has a place (or is not coming). Its values come from a sequence drawn while the
-- event's row is locked, so the list is in the order the answers were recorded, with
-- no ties whatever the clock says.
CREATE SEQUENCE event_waiting_order;
ALTER TABLE event_answers
    ADD COLUMN waiting_order bigint,
    ADD CONSTRAINT event_answers_waiting_is_going CHECK (waiting_order IS NULL OR going);
CREATE INDEX event_answers_waiting_idx ON event_answers (event_id, waiting_order) WHERE waiting_order IS NOT NULL;

ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('verification', 'invitation', 'update', 'cancellation', 'reminder', 'join', 'promotion'));

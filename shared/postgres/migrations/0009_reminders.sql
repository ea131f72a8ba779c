-- Reminders (issue 15): members who are coming, or have not answered, get one e-mail
-- before an event starts. A row here says a member's reminder for an event at a given
-- start was queued: it is written in the same transaction as the e-mail, so a run
-- that stops halfway and runs again queues each reminder once, and an event moved to
-- a new start gets a new one.
CREATE TABLE event_reminders (
    event_id  bigint      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id   bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at timestamptz NOT NULL,
    queued_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, user_id, starts_at)
);

ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('verification', 'invitation', 'update', 'cancellation', 'reminder'));


-- The reminders' scan: the events starting soon, whatever their association.
CREATE INDEX events_start_idx ON events (starts_at);

-- Consent and rights (issue 21): nobody becomes a member, or gets an association's
-- mail, without accepting an invitation; the people who run an association (its
-- managers) are not all of the people who belong to it; every e-mail is budgeted.

-- Who created an association: its first manager. Unknown for the associations made
-- before this migration.
ALTER TABLE associations ADD COLUMN created_by bigint REFERENCES users (id) ON DELETE SET NULL;

-- A membership row is either an invitation that waits for its answer or a member.
-- Only members are shown to others with their e-mail, get the association's mail and
-- answer its events; only managers (members) change the association. The existing
-- rows are members; the store names the status of every row it writes.
ALTER TABLE memberships
    ADD COLUMN status     text        NOT NULL DEFAULT 'member' CHECK (status IN ('invited', 'member')),
    ADD COLUMN manager    boolean     NOT NULL DEFAULT false,
    ADD COLUMN invited_by bigint      REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN invited_at timestamptz,
    ADD COLUMN joined_at  timestamptz,
    -- An invitation by e-mail address to an account is listed to nobody but the person
    -- invited until accepted: the inviter cannot learn whose address it was.
    ADD COLUMN by_email   boolean     NOT NULL DEFAULT false,
    ADD CONSTRAINT memberships_manager_is_member CHECK (NOT manager OR status = 'member');
UPDATE memberships m SET joined_at = a.created_at FROM associations a WHERE a.id = m.association_id;

-- Each existing association's manager: its creator is not known, so its oldest member
-- (the member with the oldest account) takes the role.
UPDATE memberships m SET manager = true
FROM (SELECT DISTINCT ON (m.association_id) m.association_id, m.user_id
      FROM memberships m JOIN users u ON u.id = m.user_id
      ORDER BY m.association_id, u.created_at, u.id) oldest
WHERE m.association_id = oldest.association_id AND m.user_id = oldest.user_id;

-- A user's pending invitations, newest first.
CREATE INDEX memberships_invited_idx ON memberships (user_id, invited_at) WHERE status = 'invited';
-- The pruning of the invitations that lapsed.
CREATE INDEX memberships_lapsing_idx ON memberships (invited_at) WHERE status = 'invited';

-- "Never invite me again to this association": a later invitation is dropped
-- silently, without a mail and without telling the inviter.
CREATE TABLE invitation_refusals (
    association_id bigint      NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    refused_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (association_id, user_id)
);
CREATE INDEX invitation_refusals_user_id_idx ON invitation_refusals (user_id);

-- Invitations by e-mail address, of people who have no account yet: each waits until
-- an account with that address is verified, then becomes an invitation of that user.
CREATE TABLE email_invitations (
    association_id bigint      NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    email          text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    invited_by     bigint      REFERENCES users (id) ON DELETE SET NULL,
    invited_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX email_invitations_key ON email_invitations (association_id, lower(email));
CREATE INDEX email_invitations_email_idx ON email_invitations (lower(email));

-- When an address was last sent an invitation to an association: one mail per
-- association and address within 30 days, however often the address is invited.
-- Kept apart from the outbox, whose rows are pruned sooner.
CREATE TABLE invitation_mails (
    association_id bigint      NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    email          text        NOT NULL, -- lower case
    mailed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (association_id, email)
);
CREATE INDEX invitation_mails_mailed_at_idx ON invitation_mails (mailed_at);

-- Invitations by address, one row each, counted per inviter over a day (a cap, so that
-- invitations cannot be turned into a way to mail strangers). Nothing but the pruning
-- deletes them: withdrawing an invitation does not give its place back.
CREATE TABLE email_invitation_log (
    invited_by bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invited_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_invitation_log_idx ON email_invitation_log (invited_by, invited_at);
CREATE INDEX invitation_mails_email_idx ON invitation_mails (email, mailed_at);
-- The references to users that a user's deletion sets to NULL, looked up by index.
CREATE INDEX memberships_invited_by_idx ON memberships (invited_by) WHERE invited_by IS NOT NULL;
CREATE INDEX email_invitations_invited_by_idx ON email_invitations (invited_by);
CREATE INDEX associations_created_by_idx ON associations (created_by);

-- Who last planned or changed an event: its reminders count in their mail budget.
ALTER TABLE events ADD COLUMN organiser_id bigint REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX events_organiser_id_idx ON events (organiser_id);

-- A reminder that did not fit in the budgets is recorded as skipped, so that the
-- relay's next run does not try it again.
ALTER TABLE event_reminders ADD COLUMN skipped boolean NOT NULL DEFAULT false;

ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_kind_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_kind_check
    CHECK (kind IN ('verification', 'invitation', 'update', 'cancellation', 'reminder', 'join'));

-- The accept and decline links of an invitation to join carry a token signed like
-- the answer links of migration 0007, with a key of its own: a link of one kind can
-- never pass for the other.
INSERT INTO signing_keys (name, key) VALUES ('invitation', gen_random_bytes(32));

-- signed_token: a, b and an expiry (8 bytes each, big-endian), then 16 bytes of their
-- HMAC-SHA-256 under the key called purpose; base64url without padding.
CREATE FUNCTION signed_token(purpose text, a bigint, b bigint, expires timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE STRICT AS $$
    SELECT translate(encode(t.body || substring(hmac(t.body, (SELECT key FROM signing_keys WHERE name = purpose), 'sha256')
                                                FROM 1 FOR 16), 'base64'), '+/=', '-_')
    FROM (SELECT int8send(a) || int8send(b) || int8send(floor(extract(epoch FROM expires))::bigint) AS body) t
$$;

-- Hardening (issue 11): revocable tokens, e-mail changes verified before they apply,
-- unsubscribing, and an outbox that knows who each e-mail is for and who caused it,
-- so that updates coalesce and mail is budgeted per sender.

-- Bumped when the password or the e-mail changes: access tokens carry the version
-- they were issued at, and an older one is refused.
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;

-- A token with new_email confirms an e-mail change: the account keeps its old address
-- until the new one is proven. Without it, the token verifies a new account.
ALTER TABLE verification_tokens ADD COLUMN new_email text CHECK (length(new_email) BETWEEN 3 AND 254);

-- A member can stop event mail from one association (RFC 8058 one-click). The token in
-- each e-mail's unsubscribe link names the membership and can do nothing else.
ALTER TABLE memberships
    ADD COLUMN mail_opt_out      boolean NOT NULL DEFAULT false,
    ADD COLUMN unsubscribe_token uuid    NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX memberships_unsubscribe_token_key ON memberships (unsubscribe_token);

-- Who an event e-mail is for (user_id), about what (event_id, association_id), who
-- caused it (sender_id: the budget counts per sender), and when it may leave
-- (send_after: coalesced updates wait for their window to close).
ALTER TABLE mail_outbox
    ADD COLUMN user_id        bigint,
    ADD COLUMN event_id       bigint,
    ADD COLUMN association_id bigint,
    ADD COLUMN sender_id      bigint,
    ADD COLUMN send_after     timestamptz NOT NULL DEFAULT now();
CREATE INDEX mail_outbox_event_recipient_idx ON mail_outbox (event_id, user_id, id) WHERE event_id IS NOT NULL;
CREATE INDEX mail_outbox_sender_idx ON mail_outbox (sender_id, created_at) WHERE sender_id IS NOT NULL;
CREATE INDEX mail_outbox_association_idx ON mail_outbox (association_id, created_at) WHERE association_id IS NOT NULL;
-- Pruning sent and failed mail by age.
CREATE INDEX mail_outbox_created_at_idx ON mail_outbox (created_at);

-- Requests counted per client address (sign-ups, resends): a throttle that must hold
-- across Lambda environments lives here.
CREATE TABLE client_requests (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action       text        NOT NULL,
    client_ip    text        NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX client_requests_idx ON client_requests (action, client_ip, requested_at);

-- The e-mail shown only to the user, admins and people who share an association
-- with them (docs/api.md §3): viewer is the signed-in caller.
CREATE FUNCTION sees_email(viewer bigint, viewer_is_admin boolean, target bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT viewer_is_admin OR viewer = target OR EXISTS (
        SELECT 1 FROM memberships t JOIN memberships v ON v.association_id = t.association_id
        WHERE t.user_id = target AND v.user_id = viewer)
$$;

CREATE FUNCTION user_json(u users, viewer bigint, viewer_is_admin boolean) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN sees_email(viewer, viewer_is_admin, u.id)
        THEN json_build_object('id', u.id, 'email', u.email, 'firstname', u.firstname,
                               'lastname', u.lastname, 'age', u.age, 'isAdmin', u.is_admin)
        ELSE json_build_object('id', u.id, 'firstname', u.firstname,
                               'lastname', u.lastname, 'age', u.age, 'isAdmin', u.is_admin)
    END
$$;

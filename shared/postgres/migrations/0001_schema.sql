-- The whole product's schema. Integrity lives here, not only in the code:
-- unique indexes make duplicate users, memberships and roles impossible under
-- concurrency, and foreign keys carry the cascades docs/api.md implies.

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    firstname     text        NOT NULL CHECK (length(firstname) BETWEEN 1 AND 100),
    lastname      text        NOT NULL CHECK (length(lastname) BETWEEN 1 AND 100),
    age           integer     NOT NULL CHECK (age BETWEEN 0 AND 150),
    password_hash text        NOT NULL,
    is_admin      boolean     NOT NULL DEFAULT false,
    verified_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- E-mail addresses are unique whatever their case.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE associations (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    association_id bigint NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (association_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

-- A role belongs to a membership: it cannot point at a non-member, and it goes
-- when the membership goes (member removed, user or association deleted).
CREATE TABLE roles (
    association_id bigint NOT NULL,
    user_id        bigint NOT NULL,
    name           text   NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    PRIMARY KEY (association_id, user_id),
    FOREIGN KEY (association_id, user_id)
        REFERENCES memberships (association_id, user_id) ON DELETE CASCADE
);
CREATE INDEX roles_user_id_idx ON roles (user_id);
CREATE INDEX roles_name_idx ON roles (name);

CREATE TABLE minutes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    association_id bigint      NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    content        text        NOT NULL CHECK (length(content) BETWEEN 1 AND 100000),
    date           timestamptz NOT NULL
);
CREATE INDEX minutes_association_id_idx ON minutes (association_id);

-- Voters need not be members (the original allowed it); they go when the user goes.
CREATE TABLE minute_voters (
    minute_id bigint NOT NULL REFERENCES minutes (id) ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (minute_id, user_id)
);
CREATE INDEX minute_voters_user_id_idx ON minute_voters (user_id);

CREATE TABLE events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    association_id bigint      NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    name           text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL,
    -- iCalendar SEQUENCE: bumped on every update so calendars replace the old copy.
    sequence       integer     NOT NULL DEFAULT 0,
    CHECK (ends_at >= starts_at)
);
CREATE INDEX events_association_id_idx ON events (association_id);

-- Only a SHA-256 of each token is stored; the token itself travels in the e-mail.
CREATE TABLE verification_tokens (
    token_hash bytea       PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX verification_tokens_user_id_idx ON verification_tokens (user_id);

-- Failed (or in-flight) logins, counted per e-mail and per client address for throttling.
-- Lambdas share no memory, so the counters live here.
CREATE TABLE login_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email        text        NOT NULL,
    client_ip    text        NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (lower(email), attempted_at);
CREATE INDEX login_attempts_client_idx ON login_attempts (client_ip, attempted_at);

-- Verification resends, recorded for every address asked (known or not) so the
-- throttle reveals nothing about which addresses have accounts.
CREATE TABLE verification_resends (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email        text        NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verification_resends_email_idx ON verification_resends (lower(email), requested_at);

-- The transactional outbox: a request writes its e-mails here in the same transaction
-- as its change; the relay publishes them to SQS and the mailer sends them.
-- Rows carry a snapshot of what the e-mail needs, so an e-mail about a deleted event
-- still renders; there is deliberately no foreign key.
CREATE TABLE mail_outbox (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text        NOT NULL CHECK (kind IN ('verification', 'invitation', 'update', 'cancellation')),
    recipient      text        NOT NULL,
    payload        jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz,
    claimed_until  timestamptz,
    attempts       integer     NOT NULL DEFAULT 0,
    sent_at        timestamptz,
    ses_message_id text,
    failed_at      timestamptz,
    last_error     text
);
-- The relay's scan: rows neither sent nor failed, oldest first.
CREATE INDEX mail_outbox_pending_idx ON mail_outbox (created_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;

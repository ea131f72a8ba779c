-- French and English (issue 22): each user's language and time zone choose how their
-- e-mails read and how their dates are written. The accounts made before this
-- migration keep what they had: English, and times in UTC.
ALTER TABLE users
    ADD COLUMN locale    text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'fr')),
    -- An IANA name ("Europe/Paris"), checked by the API against the time zone database.
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64);

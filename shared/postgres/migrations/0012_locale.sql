-- French and English (issue 22): each user's language and time zone choose how their
-- e-mails read and how their dates are written. NULL is "not chosen": the accounts
-- made before this migration, and those the old client signs up. Their e-mails read
-- in English with UTC times, as before, and the web app follows the browser.
ALTER TABLE users
    ADD COLUMN locale    text CHECK (locale IN ('en', 'fr')),
    -- An IANA name ("Europe/Paris"), checked by the API against the time zone database.
    ADD COLUMN time_zone text CHECK (length(time_zone) BETWEEN 1 AND 64);

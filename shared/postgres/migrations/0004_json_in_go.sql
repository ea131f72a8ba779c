-- The SQL functions of 0002 and 0003 that built the API's JSON objects are now
-- fragments in shared/postgres/docs.go, beside every other piece of SQL that builds
-- the API's shapes, so that one file holds them all. They were single expressions
-- the planner inlined, and so are the fragments: the plans do not change.
-- The migrate step runs after the functions' code is deployed (infra/migrate.sh),
-- so no running code calls them when they go. Rolling the code back past this
-- migration needs them back: re-run the CREATE FUNCTIONs of 0002 and 0003.
DROP FUNCTION user_json(users, bigint, boolean);
DROP FUNCTION sees_email(bigint, boolean, bigint);
DROP FUNCTION user_json(users);
DROP FUNCTION role_json(roles);
DROP FUNCTION api_time(timestamptz);

-- Runs once, as the superuser, on the first start of an empty data volume (the secured compose
-- variant mounts this folder as /docker-entrypoint-initdb.d). One role per app, each able to do
-- what its app needs and no more; the passwords come from the environment (psql's \getenv),
-- never from a command line.
--
--   deletion_seed     creates and fills the demo tables (owns what it creates in schema public)
--   deletion_worker   reads the tables; deletes and soft-deletes only on the tables it is granted
--                     (deploy/secure/worker-grants.sql, once the tables exist)
--   deletion_status   reads only
--   resonate          the Resonate server: owns its own database, reaches no other
\set ON_ERROR_STOP on
\getenv seed_password POSTGRES_SEED_PASSWORD
\getenv worker_password POSTGRES_WORKER_PASSWORD
\getenv status_password POSTGRES_STATUS_PASSWORD
\getenv resonate_password POSTGRES_RESONATE_PASSWORD

CREATE ROLE deletion_seed LOGIN PASSWORD :'seed_password';
CREATE ROLE deletion_worker LOGIN PASSWORD :'worker_password';
CREATE ROLE deletion_status LOGIN PASSWORD :'status_password';
CREATE ROLE resonate LOGIN PASSWORD :'resonate_password';

CREATE DATABASE resonate OWNER resonate;
REVOKE ALL ON DATABASE resonate FROM PUBLIC;

-- The record store's database (this one): only the three apps connect; only seed creates tables.
SELECT current_database() AS records_db \gset
REVOKE ALL ON DATABASE :"records_db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"records_db" TO deletion_seed, deletion_worker, deletion_status;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO deletion_seed;
GRANT USAGE ON SCHEMA public TO deletion_worker, deletion_status;
-- Whatever seed creates is readable by the worker and status; writing is granted per table.
ALTER DEFAULT PRIVILEGES FOR ROLE deletion_seed IN SCHEMA public
  GRANT SELECT ON TABLES TO deletion_worker, deletion_status;
-- Adaptive pacing reads replica lag (pg_stat_replication's lag columns need it).
GRANT pg_monitor TO deletion_worker;

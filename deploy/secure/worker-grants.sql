-- What the workers may change, table by table, from their own DELETE_TABLES setting
-- (`<table>:<column>,...`, children first, the parent last): DELETE on every table, UPDATE on
-- the parent only (the soft delete; table-wide, as the worker's start-up check asks for it),
-- SELECT + INSERT on the batch ledger, and SELECT only on the pacing brake's one-row table, which
-- this script creates when missing (the workers may not create tables; an operator, as the table's
-- owner, pulls the brake: UPDATE ... SET paused = true). Run as a
-- superuser (or the tables' owner) once the tables exist, and again after DELETE_TABLES changes:
--
--   docker compose -f docker-compose.yml -f docker-compose.secure.yml run --rm db-grants
--
-- Reads DELETE_TABLES, DELETED_AT_COLUMN (default deleted_at; none: no soft delete),
-- LEDGER_TABLE (default deletion_batches, in the parent's schema), PACING_CONTROL_TABLE (default
-- deletion_pacing_control, in the parent's schema; none: no brake) and WORKER_ROLE (default
-- deletion_worker) from the environment: keep them the workers'.
\set ON_ERROR_STOP on
\getenv tables DELETE_TABLES
\getenv deleted_at DELETED_AT_COLUMN
\getenv ledger LEDGER_TABLE
\getenv worker WORKER_ROLE
\getenv control PACING_CONTROL_TABLE
-- Defaults for what the environment leaves unset (a variable \getenv found no value for is unset).
\if :{?tables}
\else
  \echo 'worker-grants: DELETE_TABLES is not set'
  \quit 2
\endif
\if :{?deleted_at}
\else
  \set deleted_at deleted_at
\endif
\if :{?ledger}
\else
  \set ledger deletion_batches
\endif
\if :{?worker}
\else
  \set worker deletion_worker
\endif
\if :{?control}
\else
  \set control deletion_pacing_control
\endif

WITH entries AS (
  SELECT n, split_part(trim(entry), ':', 1) AS qualified, count(*) OVER () AS total
  FROM regexp_split_to_table(:'tables', ',') WITH ORDINALITY AS e(entry, n)
  WHERE trim(entry) <> ''
), tables AS (
  SELECT n, total,
         CASE WHEN qualified LIKE '%.%' THEN split_part(qualified, '.', 1) ELSE 'public' END AS schema_name,
         CASE WHEN qualified LIKE '%.%' THEN split_part(qualified, '.', 2) ELSE qualified END AS table_name
  FROM entries
)
SELECT format('GRANT SELECT, DELETE ON %I.%I TO %I', schema_name, table_name, :'worker') FROM tables
UNION ALL
SELECT format('GRANT UPDATE ON %I.%I TO %I', schema_name, table_name, :'worker')
  FROM tables WHERE n = total AND :'deleted_at' <> 'none'
UNION ALL
SELECT format('GRANT SELECT, INSERT ON %I.%I TO %I', schema_name, :'ledger', :'worker')
  FROM tables WHERE n = total
\gexec

-- The pacing brake (packages/store-postgres/src/pacing-control.ts, controlTableDdl: the same
-- columns): created in the parent's schema when missing, owned by whoever runs this script; the
-- workers only read it.
SELECT :'control' <> 'none' AS with_brake,
       CASE WHEN last LIKE '%.%' THEN split_part(last, '.', 1) ELSE 'public' END AS parent_schema
FROM (
  SELECT split_part(trim(entry), ':', 1) AS last
  FROM regexp_split_to_table(:'tables', ',') WITH ORDINALITY AS e(entry, n)
  WHERE trim(entry) <> ''
  ORDER BY n DESC
  LIMIT 1
) AS parent
\gset
\if :with_brake
SELECT format('CREATE TABLE IF NOT EXISTS %I.%I (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  paused boolean NOT NULL DEFAULT false,
  reason text,
  updated_at timestamptz NOT NULL DEFAULT now()
)', :'parent_schema', :'control')
\gexec
SELECT format('GRANT SELECT ON %I.%I TO %I', :'parent_schema', :'control', :'worker')
\gexec
\endif

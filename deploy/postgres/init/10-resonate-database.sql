-- Runs once, on the first start of an empty data volume: the Resonate server's own database,
-- beside the record store's (POSTGRES_DB). The server creates its tables itself.
CREATE DATABASE resonate;

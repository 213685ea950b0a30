#!/bin/sh
# One-shot in the secured compose variant, run with Redpanda's rpk once the broker is healthy:
# creates the SCRAM-SHA-512 users from .env, one per app plus admin and Redpanda Console's
# read-only user, and gives each exactly its topics and groups. Idempotent: an existing user gets
# its password set again, an existing ACL stays.
#
#   user                  may
#   deletion-producer     write requests
#   deletion-worker       read requests (group deletor-workers*), write completions and dead
#                         letters; the bulk workflow's topics (it publishes a bulk's record requests)
#   deletion-redrive      read dead letters (group deletion-redrive*), write requests
#   deletion-console      the deletion console: read completions and dead letters (its feed's group
#                         deletion-redrive*), describe the workers' group, write re-driven requests;
#                         read the bulk topics (its bulk board) and write bulk requests (its bulk form)
#   deletion-topic-setup  create and configure the pipeline's topics
#   deletion-bulk         the bulk tool: write bulk deletion requests, nothing else
#   console               Redpanda Console: read and describe, nothing else
set -eu
for name in KAFKA_ADMIN_PASSWORD KAFKA_PRODUCER_PASSWORD KAFKA_WORKER_PASSWORD KAFKA_REDRIVE_PASSWORD \
  KAFKA_DELETION_CONSOLE_PASSWORD KAFKA_TOPIC_SETUP_PASSWORD KAFKA_BULK_PASSWORD KAFKA_CONSOLE_PASSWORD; do
  eval ": \"\${$name:?set $name in .env}\""
done
# rpk reads its connection and the admin's credentials from the environment (RPK_<option>), so
# the admin password is on no command line. The Admin API takes them as HTTP basic auth.
export RPK_ADMIN_HOSTS=redpanda:9644 RPK_BROKERS=redpanda:9092 RPK_TLS_ENABLED=true RPK_TLS_CA=/secrets/ca.crt
export RPK_SASL_MECHANISM=SCRAM-SHA-512 RPK_USER=admin RPK_PASS="$KAFKA_ADMIN_PASSWORD"

REQUESTS=records_to_be_deleted
COMPLETIONS=records_that_were_deleted
DEAD_LETTERS=records_to_be_deleted_dlq
BULK_REQUESTS=bulk_deletions_requested
BULK_COMPLETIONS=bulk_deletions_completed

upsert() {
  # rpk takes a new user's password only as a flag: it shows in this one-shot container's process
  # list for the moment the command runs (docs/security.md, what is not protected).
  rpk security user create "$1" -p "$2" --mechanism SCRAM-SHA-512 >/dev/null 2>&1 ||
    rpk security user update "$1" --new-password "$2" --mechanism SCRAM-SHA-512 >/dev/null
  echo "kafka-users: user $1 ready"
}
# allow <user> topic|group <name> <operations> [prefixed]
allow() {
  pattern=literal
  [ "${5:-}" = prefixed ] && pattern=prefixed
  rpk security acl create --allow-principal "User:$1" --resource-pattern-type "$pattern" \
    "--$2" "$3" --operation "$4" >/dev/null
}
# Idempotent producers (every app that publishes) need this on the cluster.
producer() {
  rpk security acl create --allow-principal "User:$1" --cluster --operation idempotent_write,describe >/dev/null
}

upsert admin "$KAFKA_ADMIN_PASSWORD"

upsert deletion-producer "$KAFKA_PRODUCER_PASSWORD"
allow deletion-producer topic "$REQUESTS" write,describe
producer deletion-producer

upsert deletion-worker "$KAFKA_WORKER_PASSWORD"
allow deletion-worker topic "$REQUESTS" read,describe,write
allow deletion-worker topic "$COMPLETIONS" write,describe
allow deletion-worker topic "$DEAD_LETTERS" write,describe
allow deletion-worker topic "$BULK_REQUESTS" read,describe
allow deletion-worker topic "$BULK_COMPLETIONS" write,describe
allow deletion-worker group deletor-workers read,describe prefixed
producer deletion-worker

upsert deletion-redrive "$KAFKA_REDRIVE_PASSWORD"
allow deletion-redrive topic "$DEAD_LETTERS" read,describe
allow deletion-redrive topic "$REQUESTS" write,describe
allow deletion-redrive group deletion-redrive read,describe prefixed
producer deletion-redrive

upsert deletion-console "$KAFKA_DELETION_CONSOLE_PASSWORD"
allow deletion-console topic "$COMPLETIONS" read,describe
allow deletion-console topic "$DEAD_LETTERS" read,describe
allow deletion-console topic "$REQUESTS" write,describe
allow deletion-console topic "$BULK_REQUESTS" read,describe,write
allow deletion-console topic "$BULK_COMPLETIONS" read,describe
allow deletion-console group deletion-redrive read,describe prefixed
allow deletion-console group deletor-workers describe prefixed
producer deletion-console

upsert deletion-bulk "$KAFKA_BULK_PASSWORD"
allow deletion-bulk topic "$BULK_REQUESTS" write,describe
producer deletion-bulk

upsert deletion-topic-setup "$KAFKA_TOPIC_SETUP_PASSWORD"
for topic in "$REQUESTS" "$COMPLETIONS" "$DEAD_LETTERS" "$BULK_REQUESTS" "$BULK_COMPLETIONS"; do
  allow deletion-topic-setup topic "$topic" create,describe,describe_configs,alter_configs
done
echo "kafka-users: ACLs of the apps' users set"

# Redpanda Console: looks, never touches. Reads and describes the pipeline's topics (reading a
# message needs `read`), describes the groups and the cluster; no write, create, delete or alter.
upsert console "$KAFKA_CONSOLE_PASSWORD"
for topic in "$REQUESTS" "$COMPLETIONS" "$DEAD_LETTERS" "$BULK_REQUESTS" "$BULK_COMPLETIONS"; do
  allow console topic "$topic" read,describe,describe_configs
done
allow console group deletor- describe prefixed
allow console group deletion-redrive describe prefixed
rpk security acl create --allow-principal User:console --cluster --operation describe >/dev/null
echo "kafka-users: read-only ACLs for console set"

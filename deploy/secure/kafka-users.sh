#!/bin/sh
# One-shot in the secured compose variant, run with Redpanda's rpk once the broker is healthy:
# creates the SCRAM-SHA-512 users from .env (admin, the apps' user, Console's read-only user) and
# gives each only what it needs. Idempotent: an existing user gets its password set again.
set -eu
: "${KAFKA_ADMIN_PASSWORD:?set it in .env}" "${KAFKA_APP_USERNAME:?set it in .env}" "${KAFKA_APP_PASSWORD:?set it in .env}"
: "${KAFKA_CONSOLE_PASSWORD:?set it in .env}"
# rpk reads its connection and the admin's credentials from the environment (RPK_<option>), so
# the admin password is on no command line. The Admin API takes them as HTTP basic auth.
export RPK_ADMIN_HOSTS=redpanda:9644 RPK_BROKERS=redpanda:9092 RPK_TLS_ENABLED=true RPK_TLS_CA=/secrets/ca.crt
export RPK_SASL_MECHANISM=SCRAM-SHA-512 RPK_USER=admin RPK_PASS="$KAFKA_ADMIN_PASSWORD"

upsert() {
  # rpk takes a new user's password only as a flag: it shows in this one-shot container's process
  # list for the moment the command runs (docs/security.md, what is not protected).
  rpk security user create "$1" -p "$2" --mechanism SCRAM-SHA-512 >/dev/null 2>&1 ||
    rpk security user update "$1" --new-password "$2" --mechanism SCRAM-SHA-512 >/dev/null
  echo "kafka-users: user $1 ready"
}
upsert admin "$KAFKA_ADMIN_PASSWORD"
upsert "$KAFKA_APP_USERNAME" "$KAFKA_APP_PASSWORD"
upsert console "$KAFKA_CONSOLE_PASSWORD"

app="User:$KAFKA_APP_USERNAME"
# Topics: the pipeline's three (records_*), read, written, described and created by topic-setup.
rpk security acl create --allow-principal "$app" --resource-pattern-type prefixed \
  --topic records_ --operation read,write,describe,describe_configs,create >/dev/null
# The workers' consumer group and the redrive tool's.
rpk security acl create --allow-principal "$app" --resource-pattern-type prefixed \
  --group deletor- --operation read,describe >/dev/null
rpk security acl create --allow-principal "$app" --resource-pattern-type prefixed \
  --group deletion-redrive --operation read,describe >/dev/null
# Idempotent producers (every app's) need this on the cluster.
rpk security acl create --allow-principal "$app" --cluster --operation idempotent_write,describe >/dev/null
echo "kafka-users: ACLs for $KAFKA_APP_USERNAME set"

# Console: looks, never touches. Reads and describes the pipeline's topics (reading a message
# needs `read`), describes the groups and the cluster; no write, create, delete or alter.
console="User:console"
rpk security acl create --allow-principal "$console" --resource-pattern-type prefixed \
  --topic records_ --operation read,describe,describe_configs >/dev/null
rpk security acl create --allow-principal "$console" --resource-pattern-type prefixed \
  --group deletor- --operation describe >/dev/null
rpk security acl create --allow-principal "$console" --resource-pattern-type prefixed \
  --group deletion-redrive --operation describe >/dev/null
rpk security acl create --allow-principal "$console" --cluster --operation describe >/dev/null
echo "kafka-users: read-only ACLs for console set"

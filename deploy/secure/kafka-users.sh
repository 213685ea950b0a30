#!/bin/sh
# One-shot in the secured compose variant, run with Redpanda's rpk once the broker is healthy:
# creates the SCRAM-SHA-512 users from .env (admin, the apps' user) and gives the apps' user only
# what the pipeline needs. Idempotent: an existing user gets its password set again.
set -eu
: "${KAFKA_ADMIN_PASSWORD:?set it in .env}" "${KAFKA_APP_USERNAME:?set it in .env}" "${KAFKA_APP_PASSWORD:?set it in .env}"
admin_api="-X admin.hosts=redpanda:9644"
as_admin="-X brokers=redpanda:9092 -X tls.enabled=true -X tls.ca=/secrets/ca.crt -X sasl.mechanism=SCRAM-SHA-512 -X user=admin -X pass=$KAFKA_ADMIN_PASSWORD"

upsert() {
  # The password is passed on stdin-free flags to rpk inside this container only; it is not logged.
  rpk security user create "$1" -p "$2" --mechanism SCRAM-SHA-512 $admin_api >/dev/null 2>&1 ||
    rpk security user update "$1" --new-password "$2" --mechanism SCRAM-SHA-512 $admin_api >/dev/null
  echo "kafka-users: user $1 ready"
}
upsert admin "$KAFKA_ADMIN_PASSWORD"
upsert "$KAFKA_APP_USERNAME" "$KAFKA_APP_PASSWORD"

app="User:$KAFKA_APP_USERNAME"
# Topics: the pipeline's three (records_*), read, written, described and created by topic-setup.
rpk security acl create $as_admin --allow-principal "$app" --resource-pattern-type prefixed \
  --topic records_ --operation read,write,describe,describe_configs,create >/dev/null
# The workers' consumer group and the redrive tool's.
rpk security acl create $as_admin --allow-principal "$app" --resource-pattern-type prefixed \
  --group deletor- --operation read,describe >/dev/null
rpk security acl create $as_admin --allow-principal "$app" --resource-pattern-type prefixed \
  --group deletion-redrive --operation read,describe >/dev/null
# Idempotent producers (every app's) need this on the cluster.
rpk security acl create $as_admin --allow-principal "$app" --cluster --operation idempotent_write,describe >/dev/null
echo "kafka-users: ACLs for $KAFKA_APP_USERNAME set"

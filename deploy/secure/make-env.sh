#!/bin/sh
# Writes .env for the secured compose variant with new random secrets, readable by its owner only
# (0600), and refuses to overwrite one. Passwords are 32 characters of A-Z a-z 0-9 - _ (URL-safe:
# they go into postgres:// URLs as they are); the payload key and the promise id key are 32 random
# bytes in base64.
#
#   sh deploy/secure/make-env.sh            # writes ./.env
#   sh deploy/secure/make-env.sh other.env  # or another file
set -eu
target=${1:-.env}
if [ -e "$target" ]; then
  echo "make-env: $target exists; not overwriting it (remove it first to start over)" >&2
  exit 1
fi
password() { openssl rand -base64 48 | tr -d '\n=' | tr '+/' '-_' | cut -c1-32; }
umask 077
tmp="$target.tmp.$$"
{
  echo "# Made by deploy/secure/make-env.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ). Never commit it."
  echo "KAFKA_ADMIN_PASSWORD=$(password)"
  echo "KAFKA_PRODUCER_PASSWORD=$(password)"
  echo "KAFKA_WORKER_PASSWORD=$(password)"
  echo "KAFKA_REDRIVE_PASSWORD=$(password)"
  echo "KAFKA_DELETION_CONSOLE_PASSWORD=$(password)"
  echo "KAFKA_TOPIC_SETUP_PASSWORD=$(password)"
  echo "KAFKA_BULK_PASSWORD=$(password)"
  echo "KAFKA_CONSOLE_PASSWORD=$(password)"
  echo "POSTGRES_PASSWORD=$(password)"
  echo "POSTGRES_SEED_PASSWORD=$(password)"
  echo "POSTGRES_WORKER_PASSWORD=$(password)"
  echo "POSTGRES_STATUS_PASSWORD=$(password)"
  echo "POSTGRES_RESONATE_PASSWORD=$(password)"
  echo "RESONATE_ENCRYPTION_KEY=k1:$(openssl rand -base64 32)"
  echo "RESONATE_ENCRYPTION_OLD_KEYS="
  echo "RESONATE_PROMISE_ID_KEY=$(openssl rand -base64 32)"
} > "$tmp"
chmod 0600 "$tmp"
mv "$tmp" "$target"
echo "make-env: wrote $target (mode 0600)"

#!/bin/sh
# Refuses the secrets a secured stack must not start with, naming each variable (never its value):
# empty ones, the .env.example placeholders, short ones, and passwords with characters that break
# the URLs they are put into (postgres://user:<password>@host/...). Run by the `secrets` service
# before anything else starts; `sh deploy/secure/check-env.sh` checks the current environment.
#
#   passwords: at least 20 characters of A-Z a-z 0-9 . _ ~ - (make-env.sh makes 32)
#   RESONATE_ENCRYPTION_KEY: <key id>:<base64 of 32 bytes>
#   RESONATE_PROMISE_ID_KEY: base64 of at least 32 bytes
min=20
bad=0
refuse() {
  echo "check-env: $1 $2" >&2
  bad=1
}
weak() {
  case "$2" in
    "") refuse "$1" "is empty: set it in .env (sh deploy/secure/make-env.sh makes every secret)" ;;
    *replace-me* | *changeme* | *change-me* | *password* | *secret*)
      refuse "$1" "is a placeholder, not a secret: replace it in .env" ;;
    *)
      return 1 ;;
  esac
}
for name in KAFKA_ADMIN_PASSWORD KAFKA_PRODUCER_PASSWORD KAFKA_WORKER_PASSWORD KAFKA_REDRIVE_PASSWORD \
  KAFKA_DELETION_CONSOLE_PASSWORD KAFKA_TOPIC_SETUP_PASSWORD KAFKA_BULK_PASSWORD KAFKA_CONSOLE_PASSWORD \
  POSTGRES_PASSWORD \
  POSTGRES_SEED_PASSWORD POSTGRES_WORKER_PASSWORD POSTGRES_STATUS_PASSWORD POSTGRES_RESONATE_PASSWORD; do
  value=$(eval "printf '%s' \"\${$name:-}\"")
  weak "$name" "$value" && continue
  if [ "${#value}" -lt "$min" ]; then
    refuse "$name" "is ${#value} characters long: at least $min are needed"
  elif printf '%s' "$value" | grep -q '[^A-Za-z0-9._~-]'; then
    refuse "$name" "has characters other than A-Z a-z 0-9 . _ ~ - (it goes into URLs unescaped)"
  fi
done
key=${RESONATE_ENCRYPTION_KEY:-}
if ! weak RESONATE_ENCRYPTION_KEY "$key"; then
  id=${key%%:*}
  material=${key#*:}
  if [ "$id" = "$key" ] || ! printf '%s' "$id" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'; then
    refuse RESONATE_ENCRYPTION_KEY "must be <key id>:<base64 of 32 bytes> (echo \"k1:\$(openssl rand -base64 32)\")"
  elif [ "$(printf '%s' "$material" | openssl base64 -d -A 2>/dev/null | wc -c)" -ne 32 ]; then
    refuse RESONATE_ENCRYPTION_KEY "is not 32 bytes of base64 after its key id"
  fi
fi
idkey=${RESONATE_PROMISE_ID_KEY:-}
if ! weak RESONATE_PROMISE_ID_KEY "$idkey"; then
  if [ "$(printf '%s' "$idkey" | openssl base64 -d -A 2>/dev/null | wc -c)" -lt 32 ]; then
    refuse RESONATE_PROMISE_ID_KEY "is not at least 32 bytes of base64 (openssl rand -base64 32)"
  fi
fi
[ "$bad" -eq 0 ] || { echo "check-env: refusing to start with the secrets above" >&2; exit 2; }
echo "check-env: secrets present, not placeholders, long enough"

#!/bin/sh
# One-shot, run by the secured compose variant (docker-compose.secure.yml) before anything else:
# makes what the stack's TLS and token checks need, into the `secrets` volume, and makes it all
# anew when it ends within SECRETS_RENEW_DAYS (default 30) or when SECRETS_RENEW=1. Nothing here
# is ever committed: a new volume gets new keys.
#
#   ca.crt                        the CA every client trusts (its key is deleted after signing)
#   broker.crt, broker.key        Redpanda's certificate, for the names redpanda and localhost
#   resonate-auth.pub             what the Resonate server verifies tokens with (--auth-publickey)
#   worker.token, status.token    tokens signed with the matching private key (deleted after
#                                 signing): promises under RESONATE_PROMISE_PREFIX/ only
#   status-http.token             the bearer token of the workers' GET /status (STATUS_TOKEN_FILE)
#
# Each lives SECRETS_VALID_DAYS (default 365). No signing key is kept, so a renewal makes a new CA
# and a new token key pair as well: restart every service afterwards (docs/security.md, Renewal).
# Who may read what: public files 0444; broker.key Redpanda's (uid 101) only; worker.token and
# status-http.token group 2001 (the workers), status.token group 2002 (the status tool), 0440.
set -eu
out=${SECRETS_DIR:-/secrets}
days=${SECRETS_VALID_DAYS:-365}
renew_days=${SECRETS_RENEW_DAYS:-30}
case "$days$renew_days" in *[!0-9]*) echo "secrets: SECRETS_VALID_DAYS and SECRETS_RENEW_DAYS must be whole numbers of days" >&2; exit 2 ;; esac
if [ "$renew_days" -ge "$days" ]; then
  echo "secrets: SECRETS_RENEW_DAYS ($renew_days) must be less than SECRETS_VALID_DAYS ($days)" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "secrets: openssl is missing (the secrets image has it)" >&2; exit 1; }

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# The exp claim of a token file, or 0.
token_exp() {
  payload=$(cut -d. -f2 "$1" | tr -- '-_' '+/')
  while [ $((${#payload} % 4)) -ne 0 ]; do payload="$payload="; done
  printf '%s' "$payload" | openssl base64 -d -A 2>/dev/null | sed -n 's/.*"exp":\([0-9]*\).*/\1/p' | grep . || echo 0
}
# Why what is there must be made anew, or nothing when it is good for more than renew_days.
why_renew() {
  for f in ca.crt broker.crt broker.key resonate-auth.pub worker.token status.token status-http.token; do
    [ -s "$out/$f" ] || { echo "$f is missing"; return; }
  done
  [ "${SECRETS_RENEW:-}" = "1" ] && { echo "SECRETS_RENEW=1"; return; }
  for f in ca.crt broker.crt; do
    openssl x509 -checkend $((renew_days * 86400)) -noout -in "$out/$f" >/dev/null ||
      { echo "$f ends within $renew_days days"; return; }
  done
  limit=$(($(date +%s) + renew_days * 86400))
  for f in worker.token status.token; do
    [ "$(token_exp "$out/$f")" -gt "$limit" ] || { echo "$f ends within $renew_days days"; return; }
  done
}

mkdir -p "$out"
# Every service's user walks into the directory; what it may read is decided file by file.
chmod 0755 "$out"
reason=$(why_renew)
if [ -z "$reason" ]; then
  echo "secrets: already made and valid for more than $renew_days days; SECRETS_RENEW=1 makes new ones"
  exit 0
fi
umask 077
work=$(mktemp -d)
new="$out/.new"
rm -rf "$new"
mkdir -p "$new"
trap 'rm -rf "$work" "$new"' EXIT
# The server compares ids with a plain starts-with: "deletion/" and not "deletion", which would
# also reach "deletion-other/...".
prefix="${RESONATE_PROMISE_PREFIX:-deletion}/"

# The CA, and the broker's certificate signed by it.
openssl req -x509 -newkey rsa:3072 -nodes -days "$days" -subj "/CN=batch-deletion local CA" \
  -keyout "$work/ca.key" -out "$new/ca.crt" 2>/dev/null
openssl req -newkey rsa:3072 -nodes -subj "/CN=redpanda" \
  -keyout "$new/broker.key" -out "$work/broker.csr" 2>/dev/null
printf 'subjectAltName=DNS:redpanda,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$work/ext"
openssl x509 -req -in "$work/broker.csr" -CA "$new/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -CAserial "$work/ca.srl" \
  -days "$days" -extfile "$work/ext" -out "$new/broker.crt" 2>/dev/null

# The token key pair (Ed25519: the server takes RSA, EC and Ed25519 keys) and the apps' tokens.
openssl genpkey -algorithm ed25519 -out "$work/resonate-auth.key"
openssl pkey -in "$work/resonate-auth.key" -pubout -out "$new/resonate-auth.pub"
token() {
  now=$(date +%s)
  header=$(printf '{"alg":"EdDSA","typ":"JWT"}' | b64url)
  claims=$(printf '{"sub":"%s","prefix":"%s","iat":%s,"exp":%s}' "$1" "$prefix" "$now" "$((now + days * 86400))" | b64url)
  printf '%s.%s' "$header" "$claims" > "$work/unsigned"
  signature=$(openssl pkeyutl -sign -rawin -inkey "$work/resonate-auth.key" -in "$work/unsigned" | b64url)
  printf '%s.%s.%s' "$header" "$claims" "$signature"
}
token worker > "$new/worker.token"
token status > "$new/status.token"
# The workers' /status bearer token: 64 hex characters, no expiry of its own (renewed with the rest).
openssl rand -hex 32 > "$new/status-http.token"

# Who may read what. Where this runs unprivileged (tests), chown fails and files stay the owner's.
chmod 0444 "$new/ca.crt" "$new/broker.crt" "$new/resonate-auth.pub"
chown 101:101 "$new/broker.key" 2>/dev/null || true
chmod 0400 "$new/broker.key"
chown 0:2001 "$new/worker.token" "$new/status-http.token" 2>/dev/null || true
chown 0:2002 "$new/status.token" 2>/dev/null || true
chmod 0440 "$new/worker.token" "$new/status-http.token" "$new/status.token"
# Into place file by file (each rename is atomic); the signing keys die with $work.
for f in ca.crt broker.crt broker.key resonate-auth.pub worker.token status.token status-http.token; do
  mv -f "$new/$f" "$out/$f"
done
echo "secrets: CA, broker certificate and tokens made (valid $days days; because $reason)"

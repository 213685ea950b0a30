#!/bin/sh
# One-shot, run by the secured compose variant (docker-compose.secure.yml) before anything else:
# makes what the stack's TLS and token checks need, into the `secrets` volume, once. Nothing
# here is ever committed: a new volume gets new keys.
#
#   ca.crt                        the CA every client trusts (its key is deleted after signing)
#   broker.crt, broker.key        Redpanda's certificate, for the names redpanda and localhost
#   resonate-auth.pub             what the Resonate server verifies tokens with (--auth-publickey)
#   worker.token, status.token    tokens signed with the matching private key (deleted after
#                                 signing): promises under RESONATE_PROMISE_PREFIX/ only
set -eu
out=${SECRETS_DIR:-/secrets}
if [ -s "$out/ca.crt" ] && [ -s "$out/worker.token" ]; then
  echo "secrets: already made; remove the volume to make new ones"
  exit 0
fi
command -v openssl >/dev/null || apk add --no-cache openssl >/dev/null
umask 077
mkdir -p "$out"
work=$(mktemp -d)
days=${SECRETS_VALID_DAYS:-365}
# The server compares ids with a plain starts-with: "deletion/" and not "deletion", which would
# also reach "deletion-other/...".
prefix="${RESONATE_PROMISE_PREFIX:-deletion}/"

# The CA, and the broker's certificate signed by it.
openssl req -x509 -newkey rsa:3072 -nodes -days "$days" -subj "/CN=batch-deletion local CA" \
  -keyout "$work/ca.key" -out "$out/ca.crt" 2>/dev/null
openssl req -newkey rsa:3072 -nodes -subj "/CN=redpanda" \
  -keyout "$out/broker.key" -out "$work/broker.csr" 2>/dev/null
printf 'subjectAltName=DNS:redpanda,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$work/ext"
openssl x509 -req -in "$work/broker.csr" -CA "$out/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -CAserial "$work/ca.srl" \
  -days "$days" -extfile "$work/ext" -out "$out/broker.crt" 2>/dev/null

# The token key pair (Ed25519: the server takes RSA, EC and Ed25519 keys) and the apps' tokens.
openssl genpkey -algorithm ed25519 -out "$work/resonate-auth.key"
openssl pkey -in "$work/resonate-auth.key" -pubout -out "$out/resonate-auth.pub"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
token() {
  now=$(date +%s)
  header=$(printf '{"alg":"EdDSA","typ":"JWT"}' | b64url)
  claims=$(printf '{"sub":"%s","prefix":"%s","iat":%s,"exp":%s}' "$1" "$prefix" "$now" "$((now + days * 86400))" | b64url)
  printf '%s.%s' "$header" "$claims" > "$work/unsigned"
  signature=$(openssl pkeyutl -sign -rawin -inkey "$work/resonate-auth.key" -in "$work/unsigned" | b64url)
  printf '%s.%s.%s' "$header" "$claims" "$signature"
}
token worker > "$out/worker.token"
token status > "$out/status.token"

rm -rf "$work"
# Readable by the apps' user (node, uid 1000) and Redpanda's (uid 101); the private keys of the
# CA and of the tokens are gone, so nothing here can mint a new certificate or token.
chmod 0444 "$out"/ca.crt "$out"/broker.crt "$out"/resonate-auth.pub "$out"/*.token
# Redpanda runs as uid 101; where this runs unprivileged (tests), the key stays its owner's.
chown 101:101 "$out/broker.key" 2>/dev/null || true
chmod 0400 "$out/broker.key"
echo "secrets: CA, broker certificate and tokens made (valid $days days)"

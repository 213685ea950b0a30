#!/bin/sh
# Usage: slim-native.sh <deploy dir>
# Drops from a `pnpm deploy` output what the Kafka client's native addon needs only to compile:
# librdkafka's C sources, object files and static archives (~100 MB). The compiled addon and the
# shared librdkafka it loads at run time stay.
set -eu
out="$1"
for pkg in "$out"/node_modules/.pnpm/@confluentinc+kafka-javascript@*/node_modules/@confluentinc/kafka-javascript; do
  [ -d "$pkg" ] || continue
  rm -rf "$pkg/deps" "$pkg/build/Release/obj.target"
  if [ -d "$pkg/build" ]; then find "$pkg/build" -type f -name '*.a' -delete; fi
done

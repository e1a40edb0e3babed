#!/usr/bin/env bash
# Runs the example with the SDK as this repository builds it: no `mvn install` needed.
#   examples/java-worker/run.sh [jobs] [limit]      (server: $SLUICE_URL, default http://localhost:8080)
# The class path is the SDK jar and Jackson, nothing else: that is all the SDK needs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/scripts/find-jdk.sh"
"$ROOT/sluice" --version >/dev/null   # builds the project on first use; cli/target/lib then holds the SDK jar
LIB="$ROOT/cli/target/lib"
CP="$(ls "$LIB"/sluice-client-*.jar "$LIB"/jackson-core-*.jar "$LIB"/jackson-databind-*.jar "$LIB"/jackson-annotations-*.jar | tr '\n' ':')"
# Java runs the example straight from its sources (JEP 458), compiling them in memory.
exec "$JAVA_HOME/bin/java" -cp "$CP" "$HERE/src/main/java/example/PartnerWorker.java" "$@"

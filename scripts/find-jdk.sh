# Sourced by ./sluice and .ci/run: exports JAVA_HOME pointing at a JDK 25 or newer, or exits with a clear message.
_sluice_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
_sluice_find_jdk() {
  local c
  for c in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")" 2>/dev/null)" /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
    local v; v="$(_sluice_java_major "$c")"
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  return 1
}
if _jdk="$(_sluice_find_jdk)"; then
  export JAVA_HOME="$_jdk"
else
  echo "sluice: a JDK 25 or newer is needed. Set JAVA_HOME to it (found none in JAVA_HOME, on PATH or under /usr/lib/jvm)." >&2
  exit 1
fi

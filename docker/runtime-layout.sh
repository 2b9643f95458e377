#!/usr/bin/env bash
# Lays out a built daair-stream for a container image: the launcher, the models, the settings and
# the samples, the cli jar where ./daair looks for it, and every runtime jar under DEST/lib with a
# classpath.txt that names them there (the one Maven writes points into the build machine's Maven
# repository and source tree, which the image does not have). Used by docker/Dockerfile*.
#
#   docker/runtime-layout.sh SRC DEST [MAVEN_REPO]
#
# SRC: the source tree after `mvn -DskipTests install`; DEST: the install folder (/opt/daair), also
# the path the classpath names; MAVEN_REPO: the local repository the build used (~/.m2/repository).
set -euo pipefail
SRC="$(cd "$1" && pwd)"
DEST="$2"
REPO="$(cd "${3:-$HOME/.m2/repository}" && pwd)"
CP_IN="$SRC/cli/target/classpath.txt"
[ -f "$CP_IN" ] && [ -f "$SRC/cli/target/daair-cli.jar" ] || { echo "runtime-layout: build $SRC first" >&2; exit 1; }

mkdir -p "$DEST/lib" "$DEST/cli/target"
cp -r "$SRC/daair" "$SRC/models" "$SRC/config" "$SRC/samples" "$DEST/"
cp "$SRC/cli/target/daair-cli.jar" "$DEST/cli/target/"
cp_out=""
IFS=":" read -r -a jars <<< "$(cat "$CP_IN")"   # no line break at its end: plain read would fail
for jar in "${jars[@]}"; do
  case "$jar" in
    "$REPO"/*) rel="${jar#"$REPO"/}" ;;                  # group/artifact/version/x.jar: no name clashes
    "$SRC"/*) rel="daair/$(basename "$jar")" ;;         # the project's own modules, from the reactor
    *) echo "runtime-layout: classpath entry outside $REPO and $SRC: $jar" >&2; exit 1 ;;
  esac
  mkdir -p "$DEST/lib/$(dirname "$rel")"
  cp "$jar" "$DEST/lib/$rel"
  cp_out="${cp_out:+$cp_out:}$DEST/lib/$rel"
done
printf '%s\n' "$cp_out" > "$DEST/cli/target/classpath.txt"
# the launcher rebuilds when a source is newer than the jar; the image has no sources, and the jar
# is touched last anyway so that the check stays false (DAAIR_NO_BUILD=1 in the image skips it too)
touch "$DEST/cli/target/daair-cli.jar"
echo "runtime-layout: ${#jars[@]} jars in $DEST/lib" >&2

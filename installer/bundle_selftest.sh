#!/bin/sh
# Run the bundle's own `gpdesk selftest` as a practice's machine would meet it (make test does):
# - no display (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM removed: selftest goes offscreen
#   by itself) and no GPDESK_* settings of the developer;
# - the bundle folder read-only: as root (CI) through a read-only bind mount in a private mount
#   namespace, as a normal user by taking away write permission; where neither works it says so;
# - started without a display, the bundle's window says so in one Dutch line (exit 1), no Qt abort;
# - afterwards nothing in the bundle folder may be new or changed.
#
#   installer/bundle_selftest.sh [BUNDLE_FOLDER]      (default dist/gpdesk)
set -eu

bundle=${1:-dist/gpdesk}
if [ ! -x "$bundle/gpdesk" ]; then
    echo "Er is geen bundel in $bundle; bouw die eerst met: make bundle" >&2
    exit 1
fi
bundle=$(cd "$bundle" && pwd)
stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT
sleep 1  # file times have a one-second grain on some file systems

clean_env() {
    env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM -u GPDESK_HOME -u GPDESK_DATABASE_URL "$@"
}

if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null 2>&1 \
    && unshare --mount sh -c "mount --bind -o ro '$bundle' '$bundle'" 2> /dev/null; then
    how="alleen-lezen (read-only bind mount)"
    set +e
    clean_env unshare --mount sh -c 'mount --bind -o ro "$1" "$1" && exec "$1/gpdesk" selftest' \
        sh "$bundle"
    status=$?
    set -e
elif [ "$(id -u)" != 0 ]; then
    how="alleen-lezen (zonder schrijfrechten)"
    chmod -R a-w "$bundle"
    set +e
    clean_env "$bundle/gpdesk" selftest
    status=$?
    set -e
    chmod -R u+w "$bundle"
else
    how="schrijfbaar: root zonder 'unshare', de map kon niet alleen-lezen worden gemaakt"
    set +e
    clean_env "$bundle/gpdesk" selftest
    status=$?
    set -e
fi

scratch=$(mktemp -d)
set +e
headless=$(clean_env "$bundle/gpdesk" --home "$scratch/home" 2>&1)
headless_status=$?
set -e
rm -rf "$scratch"
case $headless in
    "gpdesk heeft een beeldscherm nodig:"*) ;;
    *) headless_status=-1 ;;
esac
if [ "$headless_status" != 1 ]; then
    echo "Zonder beeldscherm gaf de bundel geen nette melding (uitkomst $headless_status):" >&2
    echo "$headless" >&2
    exit 1
fi

written=$(find "$bundle" -newer "$stamp" -print | head -n 5)
if [ -n "$written" ]; then
    echo "De bundel schreef in zijn eigen map:" >&2
    echo "$written" >&2
    exit 1
fi
if [ "$status" != 0 ]; then
    echo "Zelftest van de bundel mislukt (map $how)." >&2
    exit "$status"
fi
echo "Zelftest van de bundel geslaagd (map $how; $(du -sh "$bundle" | cut -f1))."

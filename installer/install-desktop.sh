#!/bin/sh
# Install gpdesk into the current user's desktop (Linux, freedesktop.org): the menu entry, the
# icon and the gpdesk:// link handler, all under ~/.local (no root needed).
#
#   installer/install-desktop.sh [PROGRAM]      (make install-desktop does this)
#   installer/install-desktop.sh --remove
#
# PROGRAM is the gpdesk executable the menu entry and gpdesk:// links start: by default the
# bundle (dist/gpdesk/gpdesk) when it was built, else the `gpdesk` on PATH. It is written into the
# entry as an absolute path, so it must stay where it is (install the bundle first, e.g. to
# /opt/gpdesk, then run this with /opt/gpdesk/gpdesk).
#
# Written, honouring XDG_DATA_HOME and XDG_CONFIG_HOME:
#   ~/.local/share/applications/gpdesk.desktop          menu entry, MimeType=x-scheme-handler/gpdesk
#   ~/.local/share/icons/hicolor/scalable/apps/gpdesk.svg and 256x256/apps/gpdesk.png
#   ~/.config/mimeapps.list                              x-scheme-handler/gpdesk=gpdesk.desktop
#   ~/.local/bin/gpdesk                                  a link to PROGRAM (for the HIS and a terminal)
# Then `update-desktop-database` and `gtk-update-icon-cache` run when they are installed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data=${XDG_DATA_HOME:-$HOME/.local/share}
config=${XDG_CONFIG_HOME:-$HOME/.config}
apps=$data/applications
icons=$data/icons/hicolor
bin=$HOME/.local/bin
mimeapps=$config/mimeapps.list
scheme=x-scheme-handler/gpdesk

# Drop our line from mimeapps.list (kept: every other line, ours is added again on install).
forget_scheme() {
    if [ -f "$mimeapps" ]; then
        grep -v "^$scheme=" "$mimeapps" > "$mimeapps.tmp" || true
        mv "$mimeapps.tmp" "$mimeapps"
    fi
}

refresh() {
    if command -v update-desktop-database > /dev/null 2>&1; then
        update-desktop-database -q "$apps" || true
    fi
    if command -v gtk-update-icon-cache > /dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$icons" 2> /dev/null || true
    fi
}

if [ "${1:-}" = "--remove" ]; then
    rm -f "$apps/gpdesk.desktop" "$icons/scalable/apps/gpdesk.svg" "$icons/256x256/apps/gpdesk.png"
    if [ -L "$bin/gpdesk" ]; then rm -f "$bin/gpdesk"; fi
    forget_scheme
    refresh
    echo "gpdesk is uit het menu gehaald; gpdesk://-links openen het niet meer."
    exit 0
fi

program=${1:-}
if [ -z "$program" ]; then
    if [ -x "$root/dist/gpdesk/gpdesk" ]; then
        program=$root/dist/gpdesk/gpdesk
    else
        program=$(command -v gpdesk || true)
    fi
fi
if [ -z "$program" ] || [ ! -x "$program" ]; then
    echo "gpdesk is niet gevonden. Bouw eerst de bundel (make bundle) of geef het programma op:" >&2
    echo "    installer/install-desktop.sh /opt/gpdesk/gpdesk" >&2
    exit 1
fi
program=$(cd "$(dirname "$program")" && pwd)/$(basename "$program")
case $program in
    *[[:space:]]* | *\"* | *\'* | *\\* | *\|* | *\&*)
        echo "Het pad van gpdesk mag geen spaties, aanhalingstekens, | of & bevatten: $program" >&2
        exit 1 ;;
esac

mkdir -p "$apps" "$icons/scalable/apps" "$icons/256x256/apps" "$config" "$bin"
sed "s|^Exec=gpdesk |Exec=$program |" "$here/gpdesk.desktop" > "$apps/gpdesk.desktop"
cp "$root/resources/icons/gpdesk.svg" "$icons/scalable/apps/gpdesk.svg"
cp "$root/resources/icons/gpdesk-256.png" "$icons/256x256/apps/gpdesk.png"
if [ ! -e "$bin/gpdesk" ] || [ -L "$bin/gpdesk" ]; then
    ln -sf "$program" "$bin/gpdesk"
fi

forget_scheme
if [ -f "$mimeapps" ] && grep -q '^\[Default Applications\]' "$mimeapps"; then
    sed "/^\[Default Applications\]/a $scheme=gpdesk.desktop" "$mimeapps" > "$mimeapps.tmp"
    mv "$mimeapps.tmp" "$mimeapps"
else
    printf '[Default Applications]\n%s=gpdesk.desktop\n' "$scheme" >> "$mimeapps"
fi
refresh
echo "gpdesk staat in het menu ($apps/gpdesk.desktop) en opent gpdesk://-links met $program."

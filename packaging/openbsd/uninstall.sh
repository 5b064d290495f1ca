#!/bin/sh
#
# Removes what packaging/openbsd/install.sh installed, exactly the files it listed in
# $PREFIX/libexec/sasyncd-cs/INSTALLED, and nothing else: /etc/sasyncd.conf and the rc.conf.local
# settings stay. Run as root, with the PREFIX, SYSCONFDIR and DESTDIR given to install.sh:
#
#   sh packaging/openbsd/uninstall.sh
#
# On a live system (no DESTDIR) the daemon is stopped and disabled first; --keep-running skips
# that (install.sh uses it to replace an older installation).
set -eu

fail() {
	echo "$0: $*" >&2
	exit 1
}

stop=yes
case ${1:-} in
--keep-running) stop=no ;;
"") ;;
*) echo "usage: $0 [--keep-running]" >&2; exit 1 ;;
esac

prefix=${PREFIX:-/usr/local}
sysconfdir=${SYSCONFDIR:-/etc}
destdir=${DESTDIR:-}
libexec=$prefix/libexec/sasyncd-cs
manifest=$libexec/INSTALLED
[ -f "$destdir$manifest" ] || fail "$destdir$manifest not found: nothing installed by install.sh there"

if [ "$stop" = yes ] && [ -z "$destdir" ] && [ "$(uname -s)" = OpenBSD ] &&
    [ -x "$sysconfdir/rc.d/sasyncd_cs" ] && command -v rcctl >/dev/null 2>&1; then
	rcctl stop sasyncd_cs || true
	rcctl disable sasyncd_cs || true
fi

# Only paths install.sh wrote: each must lie under PREFIX or SYSCONFDIR and name one of its files.
inside() {
	case $1 in
	*/../* | */..) return 1 ;;
	"$prefix"/* | "$sysconfdir"/*) return 0 ;;
	*) return 1 ;;
	esac
}

list=$(mktemp)
trap 'rm -f "$list"' EXIT
cp "$destdir$manifest" "$list"

removed=0
while read -r kind path; do
	[ "$kind" = f ] || continue
	inside "$path" || fail "refusing to remove $path, which is not under $prefix or $sysconfdir"
	if [ -e "$destdir$path" ] || [ -L "$destdir$path" ]; then
		rm -f "$destdir$path"
		removed=$((removed + 1))
	fi
done <"$list"

# Directories last, deepest first; one that holds someone else's file stays, with a word.
sed -n 's/^d //p' "$list" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
    while IFS= read -r dir; do
	inside "$dir" || fail "refusing to remove $dir, which is not under $prefix"
	[ -d "$destdir$dir" ] || continue
	rmdir "$destdir$dir" 2>/dev/null || echo "$0: kept $destdir$dir: it holds files install.sh did not put there" >&2
done

if [ -z "$destdir" ] && [ "$(uname -s)" = OpenBSD ] && command -v makewhatis >/dev/null 2>&1; then
	makewhatis "$prefix/man" || true
fi

echo "removed $removed files of sasyncd-cs; $sysconfdir/sasyncd.conf is kept"

#!/bin/sh
#
# Installs a published sasyncd-cs on OpenBSD: the program under $PREFIX/libexec/sasyncd-cs,
# $PREFIX/sbin/sasyncd-cs, the rc.d(8) script /etc/rc.d/sasyncd_cs and the manual page
# sasyncd-cs(8). Run as root:
#
#   sh packaging/openbsd/install.sh PUBLISH_DIR
#
# PUBLISH_DIR is the output of `dotnet publish Sasync.Cli -c Release -o PUBLISH_DIR`. When it
# holds a native launcher (sasyncd-cs) that is used; otherwise the program runs as
# `dotnet sasyncd-cs.dll`. PREFIX (default /usr/local) and DESTDIR (default empty, for staging)
# may be set in the environment.
set -eu

usage() {
	echo "usage: $0 publish-dir" >&2
	exit 1
}

[ $# -eq 1 ] || usage
publish=$1
[ -f "$publish/sasyncd-cs.dll" ] || { echo "$0: $publish/sasyncd-cs.dll not found" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-/usr/local}
destdir=${DESTDIR:-}
libexec=$prefix/libexec/sasyncd-cs

install -d -m 755 "$destdir$libexec" "$destdir$prefix/sbin" "$destdir$prefix/man/man8" "$destdir/etc/rc.d"
cp -R "$publish"/. "$destdir$libexec"/

if [ -x "$publish/sasyncd-cs" ]; then
	# The native launcher keeps the command line "$prefix/sbin/sasyncd-cs ...", which is
	# what rc.subr matches to find the running daemon.
	ln -sf "$libexec/sasyncd-cs" "$destdir$prefix/sbin/sasyncd-cs"
	daemon=$prefix/sbin/sasyncd-cs
else
	dotnet=$(command -v dotnet || echo /usr/local/bin/dotnet)
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$dotnet" "$libexec/sasyncd-cs.dll" > "$destdir$prefix/sbin/sasyncd-cs"
	chmod 555 "$destdir$prefix/sbin/sasyncd-cs"
	# rc.subr starts and finds the daemon by this exact command line.
	daemon="$dotnet $libexec/sasyncd-cs.dll"
fi

sed "s|^daemon=.*|daemon=\"$daemon\"|" "$here/rc.d/sasyncd_cs" > "$destdir/etc/rc.d/sasyncd_cs"
chmod 555 "$destdir/etc/rc.d/sasyncd_cs"
install -m 444 "$here/sasyncd-cs.8" "$destdir$prefix/man/man8/sasyncd-cs.8"

if [ -z "$destdir" ] && command -v makewhatis >/dev/null 2>&1; then
	makewhatis "$prefix/man" || true
fi

echo "installed; daemon is: $daemon"
echo "next: rcctl disable sasyncd; rcctl enable sasyncd_cs; rcctl start sasyncd_cs"

#!/bin/sh
#
# Installs a published sasyncd-cs on OpenBSD: the program under $PREFIX/libexec/sasyncd-cs, the
# command $PREFIX/sbin/sasyncd-cs, the rc.d(8) script $SYSCONFDIR/rc.d/sasyncd_cs and the manual
# page sasyncd-cs(8). Run as root:
#
#   sh packaging/openbsd/install.sh PUBLISH_DIR
#
# PUBLISH_DIR is the output of
#
#   dotnet publish Sasync.Cli -c Release -p:UseAppHost=false -o PUBLISH_DIR
#
# made on any machine: framework-dependent, without a native launcher. The daemon always runs as
# `dotnet sasyncd-cs.dll`. A native `sasyncd-cs` launcher in PUBLISH_DIR that is not an OpenBSD
# program (a publish made on Linux holds a Linux one) is refused, and so is a Windows .exe.
#
# Environment:
#   DOTNET      dotnet(1) on the gateway (default /usr/local/bin/dotnet). It is never looked up on
#               the machine running this script; when it is missing on the gateway, the rc.d script
#               and the command look for dotnet in PATH when they run.
#   PREFIX      default /usr/local
#   SYSCONFDIR  default /etc (the rc.d script goes to $SYSCONFDIR/rc.d)
#   DESTDIR     default empty; set it to stage the files under another root
#
# Every file installed is listed in $PREFIX/libexec/sasyncd-cs/INSTALLED, which uninstall.sh reads.
set -eu

usage() {
	echo "usage: $0 publish-dir" >&2
	exit 1
}

fail() {
	echo "$0: $*" >&2
	exit 1
}

# le FILE OFFSET COUNT: the little-endian unsigned integer of COUNT bytes at OFFSET of FILE.
le() {
	od -An -v -tu1 -j "$2" -N "$3" "$1" |
	    awk 'BEGIN { v = 0; m = 1 } { for (i = 1; i <= NF; i++) { v += $i * m; m *= 256 } } END { printf "%.0f\n", v }'
}

# elf_os FILE: which OS an ELF program is built for (openbsd, linux, freebsd, netbsd), or why it
# cannot tell (not-elf, not-elf64le, unknown). OpenBSD marks its programs with an "OpenBSD" note
# (or, rarely, OS/ABI 12); Linux with the GNU ABI tag note; both usually leave OS/ABI at 0.
elf_os() {
	f=$1
	[ "$(od -An -v -tx1 -N4 "$f" | tr -d ' \n')" = 7f454c46 ] || { echo not-elf; return; }
	[ "$(le "$f" 4 1)" = 2 ] && [ "$(le "$f" 5 1)" = 1 ] || { echo not-elf64le; return; }
	case $(le "$f" 7 1) in
	12) echo openbsd; return ;;
	3) echo linux; return ;;
	9) echo freebsd; return ;;
	2) echo netbsd; return ;;
	esac
	phoff=$(le "$f" 32 8)
	phentsize=$(le "$f" 54 2)
	phnum=$(le "$f" 56 2)
	[ "$phnum" -le 64 ] || phnum=64
	i=0
	while [ "$i" -lt "$phnum" ]; do
		ph=$((phoff + i * phentsize))
		if [ "$(le "$f" "$ph" 4)" = 4 ]; then
			# PT_NOTE: walk its notes (namesz, descsz, type, name, desc; 4-byte aligned).
			off=$(le "$f" $((ph + 8)) 8)
			end=$((off + $(le "$f" $((ph + 32)) 8)))
			n=0
			while [ $((off + 12)) -le "$end" ] && [ "$n" -lt 32 ]; do
				namesz=$(le "$f" "$off" 4)
				descsz=$(le "$f" $((off + 4)) 4)
				type=$(le "$f" $((off + 8)) 4)
				[ "$namesz" -le 64 ] || break
				name=$(dd if="$f" bs=1 skip=$((off + 12)) count="$namesz" 2>/dev/null | tr -d '\000')
				case "$name:$type" in
				OpenBSD:1) echo openbsd; return ;;
				GNU:1) echo linux; return ;;
				FreeBSD:1) echo freebsd; return ;;
				NetBSD:1) echo netbsd; return ;;
				esac
				off=$((off + 12 + (namesz + 3) / 4 * 4 + (descsz + 3) / 4 * 4))
				n=$((n + 1))
			done
		fi
		i=$((i + 1))
	done
	echo unknown
}

[ $# -eq 1 ] || usage
publish=$1
[ -f "$publish/sasyncd-cs.dll" ] || fail "$publish/sasyncd-cs.dll not found; publish with: dotnet publish Sasync.Cli -c Release -p:UseAppHost=false -o $publish"
[ -f "$publish/sasyncd-cs.runtimeconfig.json" ] ||
	fail "$publish/sasyncd-cs.runtimeconfig.json not found: not a framework-dependent publish"
[ ! -e "$publish/sasyncd-cs.exe" ] ||
	fail "$publish/sasyncd-cs.exe is a Windows launcher; publish with -p:UseAppHost=false"
[ ! -e "$publish/libcoreclr.so" ] ||
	fail "$publish holds a self-contained runtime built for another OS; publish framework-dependent with -p:UseAppHost=false"
if [ -e "$publish/sasyncd-cs" ]; then
	os=$(elf_os "$publish/sasyncd-cs")
	[ "$os" = openbsd ] ||
		fail "$publish/sasyncd-cs is a launcher for another OS ($os), not OpenBSD; publish with -p:UseAppHost=false"
	# An OpenBSD launcher is harmless, but the daemon still runs through dotnet(1) and the dll.
	echo "$0: note: the OpenBSD launcher $publish/sasyncd-cs is copied but not used" >&2
fi

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-/usr/local}
sysconfdir=${SYSCONFDIR:-/etc}
destdir=${DESTDIR:-}
dotnet=${DOTNET:-/usr/local/bin/dotnet}
libexec=$prefix/libexec/sasyncd-cs
manifest=$libexec/INSTALLED
for path in "$prefix" "$sysconfdir" "$dotnet"; do
	case $path in
	/*) ;;
	*) fail "$path is not an absolute path" ;;
	esac
	case $path in
	*[!A-Za-z0-9_./+-]*) fail "$path holds characters this script does not quote" ;;
	esac
done

# A previous installation is replaced whole, so no file of an older version stays behind.
if [ -f "$destdir$manifest" ]; then
	DESTDIR=$destdir PREFIX=$prefix SYSCONFDIR=$sysconfdir sh "$here/uninstall.sh" --keep-running >/dev/null
fi

install -d -m 755 "$destdir$libexec" "$destdir$prefix/sbin" "$destdir$prefix/man/man8" "$destdir$sysconfdir/rc.d"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
(cd "$publish" && find . -type d ! -name .) | sed 's|^\./||' | while IFS= read -r d; do
	install -d -m 755 "$destdir$libexec/$d"
	echo "d $libexec/$d" >>"$list"
done
(cd "$publish" && find . -type f) | sed 's|^\./||' | while IFS= read -r f; do
	mode=444
	[ ! -x "$publish/$f" ] || mode=555
	install -m "$mode" "$publish/$f" "$destdir$libexec/$f"
	echo "f $libexec/$f" >>"$list"
done

# The command for people: dotnet(1) of the gateway, found when it runs.
sed -e "s|^sasyncd_cs_dotnet=.*|sasyncd_cs_dotnet=$dotnet|" \
    -e "s|^sasyncd_cs_dll=.*|sasyncd_cs_dll=$libexec/sasyncd-cs.dll|" \
    "$here/sasyncd-cs.sh" >"$destdir$prefix/sbin/sasyncd-cs"
chmod 555 "$destdir$prefix/sbin/sasyncd-cs"
echo "f $prefix/sbin/sasyncd-cs" >>"$list"

# The rc.d script: the same lookup, so rc.subr starts and finds "dotnet .../sasyncd-cs.dll FLAGS".
sed -e "s|^sasyncd_cs_dotnet=.*|sasyncd_cs_dotnet=$dotnet|" \
    -e "s|^sasyncd_cs_dll=.*|sasyncd_cs_dll=$libexec/sasyncd-cs.dll|" \
    "$here/rc.d/sasyncd_cs" >"$destdir$sysconfdir/rc.d/sasyncd_cs"
chmod 555 "$destdir$sysconfdir/rc.d/sasyncd_cs"
echo "f $sysconfdir/rc.d/sasyncd_cs" >>"$list"

install -m 444 "$here/sasyncd-cs.8" "$destdir$prefix/man/man8/sasyncd-cs.8"
echo "f $prefix/man/man8/sasyncd-cs.8" >>"$list"

echo "d $libexec" >>"$list"
echo "f $manifest" >>"$list"
install -m 444 "$list" "$destdir$manifest"

if [ -z "$destdir" ] && [ "$(uname -s)" = OpenBSD ] && command -v makewhatis >/dev/null 2>&1; then
	makewhatis "$prefix/man" || true
fi

echo "installed $libexec; the daemon runs as: $dotnet $libexec/sasyncd-cs.dll"
[ -n "$destdir" ] || [ -x "$dotnet" ] ||
	echo "$0: warning: $dotnet does not exist yet; install the .NET runtime for OpenBSD (see README.md)" >&2
echo "next: rcctl disable sasyncd; rcctl enable sasyncd_cs; rcctl start sasyncd_cs"

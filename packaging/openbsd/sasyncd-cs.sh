#!/bin/sh
#
# sasyncd-cs(8) as a command: runs the installed program with dotnet(1) of this host.
# install.sh writes the two paths below; nothing here comes from the machine that built it.
sasyncd_cs_dotnet=/usr/local/bin/dotnet
sasyncd_cs_dll=/usr/local/libexec/sasyncd-cs/sasyncd-cs.dll

[ -x "$sasyncd_cs_dotnet" ] ||
	sasyncd_cs_dotnet=$(PATH=$PATH:/usr/local/bin command -v dotnet) || {
	echo "sasyncd-cs: dotnet not found; install the .NET runtime for OpenBSD (see \"Installing on OpenBSD\" in the sasyncd-cs README)" >&2
	exit 127
}
# The OpenBSD runtime is a .NET 11 preview: the net10.0 program rolls forward to it only when
# pre-releases are allowed.
DOTNET_ROLL_FORWARD_TO_PRERELEASE=${DOTNET_ROLL_FORWARD_TO_PRERELEASE:-1}
export DOTNET_ROLL_FORWARD_TO_PRERELEASE
exec "$sasyncd_cs_dotnet" "$sasyncd_cs_dll" "$@"

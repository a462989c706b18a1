#!/bin/sh
# Proves the nftables backend on a stock kernel: boots Debian 12's own
# kernel (which has the nft `queue` expression, unlike CI's) under qemu
# without KVM, with ptrap and the tools of tests/vm/init in an initramfs.
# Exit status: the scenario's (0 pass, 1 fail); 77 when qemu or the kernel
# package is not available.  The kernel package is cached in $PTRAP_VM_CACHE.
set -u

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PTRAP:=$TOP_SRCDIR/src/ptrap}"
: "${PTRAP_VM_CACHE:=/var/cache/ptrap-vm}"
TRIPLET=x86_64-linux-gnu
# Loaded in this order by the init.  crc32c_generic: TCG's CPU has no SSE4.2
# for crc32c-intel, which libcrc32c (nf_tables) would otherwise look for.
MODULES="crc32c_generic nf_tables nft_queue nfnetlink_queue inet_diag udp_diag tcp_diag
	nft_compat iptable_raw ip6table_raw"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
info() { echo "# $*" >&2; }

# The sanitizer build runs the suite again: a minute of emulation for an ASan
# ptrap would add little to what the plain build's run proved.
[ "${PTRAP_SANITIZED:-0}" = 1 ] && skip "not repeated inside the sanitizer build"
[ -x "$PTRAP" ] || fail "no ptrap binary at $PTRAP (run make first)"
for t in qemu-system-x86_64 busybox apt-get apt-cache dpkg-deb ldd timeout \
	 nft dnsmasq dig pstree xtables-nft-multi; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not installed (tests/install-deps)"
done
busybox cpio --help >/dev/null 2>&1 || skip "busybox has no cpio applet"

# The stock kernel: whatever linux-image-amd64 points at today.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
[ -n "$kpkg" ] || skip "apt knows no linux-image-amd64 (apt-get update?)"
kver=${kpkg#linux-image-}
kdir=$PTRAP_VM_CACHE/$kver
if [ ! -f "$kdir/vmlinuz" ]; then
	mkdir -p "$PTRAP_VM_CACHE" || skip "cannot create $PTRAP_VM_CACHE"
	dl=$(mktemp -d "$PTRAP_VM_CACHE/dl.XXXXXX") || skip "cannot write $PTRAP_VM_CACHE"
	info "downloading $kpkg"
	( cd "$dl" && apt-get -q -o APT::Sandbox::User=root download "$kpkg" >/dev/null ) ||
		{ rm -rf "$dl"; skip "cannot download $kpkg"; }
	# Only the kernel and the module trees the scenario can need.
	k=$dl/$kver
	mkdir -p "$k/boot" && dpkg-deb --fsys-tarfile "$dl"/*.deb |
		tar -x -C "$k" "./boot/vmlinuz-$kver" "./lib/modules/$kver/kernel/net" \
			"./lib/modules/$kver/kernel/lib" "./lib/modules/$kver/kernel/crypto" &&
		mv "$k/boot/vmlinuz-$kver" "$k/vmlinuz" && busybox depmod -b "$k" "$kver" ||
		{ rm -rf "$dl"; fail "cannot unpack $kpkg"; }
	# A rename: a concurrent run either wins or finds the whole tree.
	mv "$k" "$kdir" 2>/dev/null
	rm -rf "$dl"
	[ -f "$kdir/vmlinuz" ] || fail "cannot fill $kdir"
fi

WORK=$(mktemp -d /tmp/ptrap-vm.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
R=$WORK/root

# copy_bin SRC DEST: a program and every library it links, at the same paths.
copy_bin() {
	mkdir -p "$R$(dirname "$2")" && cp -L "$1" "$R$2" || fail "cannot copy $1"
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$R$lib" ] && continue
		mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib" || exit 1
	done || fail "cannot copy the libraries of $1"
}

mkdir -p "$R/bin" "$R/sbin" "$R/etc" "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/run" \
	"$R/lib/modules"
cp "$(command -v busybox)" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
ln -s /bin/busybox "$R/sbin/modprobe"	# the kernel's module loader path
cp "$TOP_SRCDIR/tests/vm/init" "$R/init" && chmod 755 "$R/init"
copy_bin "$PTRAP" /usr/sbin/ptrap
for p in nft dnsmasq dig pstree xtables-nft-multi; do
	copy_bin "$(command -v $p)" "/usr/sbin/$p"
done
for p in iptables ip6tables iptables-restore ip6tables-restore; do
	ln -s xtables-nft-multi "$R/usr/sbin/$p"
done
# iptables loads its matches and targets with dlopen: ldd cannot see them.
# Those used here (standard, udp, tcp, NFQUEUE) need only libxtables.
mkdir -p "$R/usr/lib/$TRIPLET" &&
	cp -r "/usr/lib/$TRIPLET/xtables" "$R/usr/lib/$TRIPLET/" || fail "no xtables plugins"
echo "root:x:0:0:root:/root:/bin/sh" >"$R/etc/passwd"
echo "root:x:0:" >"$R/etc/group"
: >"$R/etc/resolv.conf"
# pstree -H needs the terminfo entry of the TERM hooks get (dumb)
mkdir -p "$R/lib/terminfo/d" && cp /lib/terminfo/d/dumb "$R/lib/terminfo/d/"

# Only the modules the scenario loads, with what they depend on.
echo "$MODULES" >"$R/etc/vm-modules"
for m in $MODULES; do
	grep -E "(^|/)$m\.ko:" "$kdir/lib/modules/$kver/modules.dep" | tr -d : ||
		fail "module $m not in $kpkg"
done | tr ' ' '\n' | sort -u | while read -r ko; do
	[ -n "$ko" ] || continue
	mkdir -p "$R/lib/modules/$kver/$(dirname "$ko")" &&
		cp "$kdir/lib/modules/$kver/$ko" "$R/lib/modules/$kver/$ko" || exit 1
done || fail "cannot copy modules"
busybox depmod -b "$R" "$kver" || fail "depmod failed"
( cd "$R" && find . | busybox cpio -o -H newc 2>/dev/null ) >"$WORK/initrd" ||
	fail "cannot build the initramfs"

# TCG (no KVM): slow but works everywhere; the timeout is the backstop.
# One CPU: make -j runs other tests beside this one (two cost only ~3 s less).
info "booting $kver under qemu (TCG)"
timeout 300 qemu-system-x86_64 -accel tcg -m 512 -smp 1 -nodefaults -no-user-config \
	-display none -serial stdio -no-reboot \
	-kernel "$kdir/vmlinuz" -initrd "$WORK/initrd" \
	-append "console=ttyS0 panic=-1 quiet" </dev/null >"$WORK/console" 2>&1
rc=$?
# The init's lines ("vm: ...") tell the story; the whole console on failure.
result=$(sed -n 's/^vm: result \([0-9]*\).*/\1/p' "$WORK/console" | tail -n 1)
if [ "$result" = 0 ]; then
	grep "^vm: " "$WORK/console" >&2
	exit 0
fi
tr -d "\r" <"$WORK/console" | tail -n 200 >&2
[ -n "$result" ] || fail "no result from the VM (qemu exit status $rc)"
fail "scenario failed inside the VM"

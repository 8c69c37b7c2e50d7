#!/bin/bash
# Build the bpfilter test kernel: Debian's linux-source-6.1 with the
# project's kernel-tree files overlaid and patches/*.patch applied.
#
# The work tree and objects live in a cache outside the clone, keyed by
# the source package version and the patches, so that reruns (and CI on
# the same machine) only rebuild what changed:
#   $BPFILTER_CACHE/linux-<version>-<patch hash>/{src,obj,modroot}
#   ($BPFILTER_CACHE/linux-<version>-<patch hash>-debug/{obj,modroot})
# Overlaid files are copied only when their content differs, so their
# timestamps (and make's idea of what is stale) stay put otherwise.
#
# BPFILTER_DEBUG=1 builds the debug kernel instead (Kconfig.debug on top:
# KASAN, kmemleak, lockdep) in a cache directory of its own.
#
# Prints, as its last line, the cache directory it built in.
set -euo pipefail

project=$(cd "$(dirname "$0")/.." && pwd)
cache_root=${BPFILTER_CACHE:-/var/cache/bpfilter}
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${JOBS:-$(nproc)}

log() { printf 'build-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ -r "$tarball" ] || die "$tarball missing (apt-get install linux-source-6.1)"
src_version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
patch_hash=$(cat "$project"/patches/*.patch | sha256sum | cut -c1-12)
key="linux-$src_version-$patch_hash"
src="$cache_root/$key/src"
fragments=("$project/Kconfig")
if [ "${BPFILTER_DEBUG:-0}" = 1 ]; then
	# Same source tree, objects of its own.
	key+="-debug"
	fragments+=("$project/Kconfig.debug")
fi
cache="$cache_root/$key"
obj="$cache/obj"
log "upstream: Debian linux-source-6.1 $src_version; cache $cache"

prepare_tree() {
	local p
	log "unpacking $tarball"
	rm -rf "$src" "$obj"
	mkdir -p "$src" "$obj"
	tar -xf "$tarball" -C "$src" --strip-components=1
	# The project owns net/bpfilter/ entirely; upstream's stub goes.
	rm -rf "$src/net/bpfilter"
	for p in "$project"/patches/*.patch; do
		log "applying $(basename "$p")"
		patch -d "$src" -p1 --forward --batch --quiet < "$p" ||
			die "patch $(basename "$p") does not apply"
	done
	echo "$src_version" > "$src/.bpfilter-prepared"
}

overlay_tree() {
	# -c: copy by content; without -t rsync stamps only the copied files.
	rsync -rc --delete "$project/net/bpfilter/" "$src/net/bpfilter/"
	rsync -rc "$project/kernel/" "$src/kernel/"
	rsync -rc "$project/include/" "$src/include/"
	rsync -rc "$project/net/ipv4/" "$src/net/ipv4/"
}

# Every CONFIG_X=v and "# CONFIG_X is not set" line of the fragment must
# hold in the final .config: merge_config only warns about the ones that
# did not stick (a missing dependency silently drops them).
check_config() {
	local want bad=0 sym
	while IFS= read -r want; do
		case "$want" in
		CONFIG_*=*)
			grep -qxF "$want" "$obj/.config" ||
				{ log "config: wanted $want, got: $(grep -E "^(# )?${want%%=*}[= ]" "$obj/.config" || echo unset)"; bad=1; }
			;;
		"# CONFIG_"*" is not set")
			sym=${want#\# }; sym=${sym%% *}
			if grep -q "^$sym=" "$obj/.config"; then
				log "config: wanted $sym off, got $(grep "^$sym=" "$obj/.config")"
				bad=1
			fi
			;;
		esac
	done < <(cat "${fragments[@]}")
	[ "$bad" = 0 ] || die "the kernel config does not match the Kconfig fragment"
}

configure() {
	local stamp="$obj/.bpfilter-fragment"
	local want_hash
	want_hash=$(cat "${fragments[@]}" | sha256sum)
	if [ -f "$obj/.config" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want_hash" ]; then
		return
	fi
	log "configuring: tinyconfig + Kconfig fragment"
	mkdir -p "$obj"
	make -s -C "$src" O="$obj" tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -O "$obj" -m "$obj/.config" "${fragments[@]}" >/dev/null
	make -s -C "$src" O="$obj" olddefconfig >/dev/null
	check_config
	echo "$want_hash" > "$stamp"
}

mkdir -p "$cache_root"
[ -f "$src/.bpfilter-prepared" ] || prepare_tree
overlay_tree
configure
log "building bzImage and modules (-j$jobs)"
make -s -C "$src" O="$obj" -j"$jobs" bzImage modules
release=$(make -s -C "$src" O="$obj" kernelrelease)
rm -rf "$cache/modroot"
make -s -C "$src" O="$obj" INSTALL_MOD_PATH="$cache/modroot" modules_install >/dev/null
echo "$src_version" > "$cache/source-version"
echo "$release" > "$cache/release"
log "built $release from Debian linux-source-6.1 $src_version"
echo "$cache"

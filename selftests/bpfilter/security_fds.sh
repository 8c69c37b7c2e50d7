#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module makes its maps and programs where no thread of the caller
# can reach their file descriptors.  fd_race commits a table again and
# again on CPU 0 while a sibling thread on CPU 1 watches the process's
# file table for BPF fds, to dup() them and dup2() an older one over a
# newer one: it must never see one, every commit must succeed, and every
# loaded program must use its own namespace's maps only.  At
# RLIMIT_NOFILE, with no fd free, a commit still succeeds: x_tables
# never returns EMFILE.
. "$(dirname "$0")/dataplane_lib.sh"

p=bpfs-fd
out=/tmp/security_fds
rm -rf "$out"
mkdir -p "$out"
race=$(dirname "$BPFILTER_PROBE")/fd_race

dp_begin "$p"
check "fd_race is built ($race)" test -x "$race"
check "the race runs on two CPUs or more ($(nproc) online)" test "$(nproc)" -ge 2
ip netns add "$p"
# Every kind of map the module makes: counters, meta, an -m limit's
# state, classifier maps (a run of 16 source addresses).
{
	echo '*filter'
	echo '-A INPUT -p icmp -m limit --limit 10/sec -j ACCEPT'
	i=1
	while [ $i -le 20 ]; do
		echo "-A INPUT -s 198.51.100.$i -j DROP"
		i=$((i + 1))
	done
	echo 'COMMIT'
} | ipt_restore bpf "$p"

"$race" -n "$p" race 8 > "$out/race" 2>&1
rc=$?
check "commits raced a file table watcher on two CPUs: no BPF fd appeared in the caller's table, none failed ($(tr '\n' ' ' < "$out/race"))" \
	test "$rc" = 0
check "the race had commits to watch (at least 10)" \
	awk '$1 == "commits" && $2 >= 10 { ok = 1 } END { exit !ok }' "$out/race"
check "and the watcher scanned thousands of times" \
	awk '$1 == "scans" && $2 >= 1000 { ok = 1 } END { exit !ok }' "$out/race"

# bpftool: every bpfilter program uses one counters and one meta map,
# and the state and classifier maps of its own table, no other kind.
bpftool -j prog show > "$out/progs" 2>&1
bpftool -j map show > "$out/maps" 2>&1
check "each loaded program is bound to maps of its own kinds only" python3 - "$out/progs" "$out/maps" <<'EOF'
import json, sys
progs = json.load(open(sys.argv[1]))
maps = {m["id"]: m for m in json.load(open(sys.argv[2]))}
seen = 0
for p in progs:
    if not p.get("name", "").startswith("bpfilter_"):
        continue
    seen += 1
    names = [maps[i].get("name", "?") for i in p.get("map_ids", [])]
    kinds = sorted(set(names))
    if names.count("bpfilter_cnt") != 1 or names.count("bpfilter_meta") != 1 or \
       not set(kinds) <= {"bpfilter_cnt", "bpfilter_meta", "bpfilter_state", "bpfilter_class"}:
        sys.exit("%s (id %d) uses %s" % (p["name"], p["id"], names))
    for i in p.get("map_ids", []):
        m = maps[i]
        want = {"bpfilter_cnt": ("percpu_array", 16), "bpfilter_meta": ("percpu_array", None),
                "bpfilter_state": ("array", 16), "bpfilter_class": (None, 8)}[m["name"]]
        if want[0] and m["type"] != want[0] or want[1] and m["bytes_value"] != want[1]:
            sys.exit("%s uses map %s of type %s, value %d" % (p["name"], m["name"], m["type"], m["bytes_value"]))
if seen < 3:
    sys.exit("%d bpfilter programs loaded" % seen)
EOF

"$race" -n "$p" emfile > "$out/emfile" 2>&1
check "a commit with no fd free under RLIMIT_NOFILE succeeds ($(cat "$out/emfile"))" \
	grep -qx 'commit 0' "$out/emfile"
dp_end

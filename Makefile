# bpfilter: iptables over BPF on Linux 6.1.
#
#   make run                  boot the bpfilter kernel; a shell if stdin is
#                             a terminal, else a short iptables demo
#   make run CMD='...'        run one command in the VM, exit with its status
#   make check                install, build, test; ends "N passed, N failed"
#   make check DEBUG=1        the same on a KASAN + kmemleak kernel
#   make kernel               build only (cache: $BPFILTER_CACHE)
#   make bench                measure the data plane on this machine's
#                             kernel (root, about 10 minutes): four
#                             ruleset shapes, 1 to 10,000 rules, against
#                             x_tables and nftables; then the module path
#                             in the 6.1 guest (one VM boot, builds the
#                             kernel if needed; BENCH_GUEST=0: not);
#                             rewrites the figures in docs/performance.md,
#                             plots in build/bench/*.svg
#   make bench-smoke          the same at 1 and 10 rules, one short
#                             repetition, as TAP (build/bench/smoke.md)
#
# CMD is passed to the guest's shell as written (any text sh -c takes,
# several lines too); the output is the command's alone.
# BPFILTER_KERNEL=DIR boots the kernel built in DIR (a directory
# tools/build-kernel.sh printed, or a copy of its release, modroot/ and
# obj/arch/x86/boot/bzImage) instead of building one.
#
# The kernel's work tree and objects are cached outside the clone in
# $(BPFILTER_CACHE) (default /var/cache/bpfilter), so reruns are incremental.

BPFILTER_CACHE ?= /var/cache/bpfilter
export BPFILTER_CACHE

# DEBUG=1: the debug kernel (KASAN, kmemleak, lockdep; Kconfig.debug),
# for runs outside CI.
ifeq ($(DEBUG),1)
export BPFILTER_DEBUG := 1
endif

DEMO := modprobe bpfilter && ip link set lo up && iptables-legacy -A INPUT -p icmp -j DROP && ! ping -c 2 -W 1 127.0.0.1 && iptables-legacy -L -n -v -x && iptables-legacy-save -c && rmmod bpfilter

.PHONY: all deps kernel run check clean bench bench-smoke

all: kernel

deps:
	@tools/install-deps.sh

kernel: deps
	@tools/build-kernel.sh >/dev/null

# CMD reaches the guest's sh -c through the environment, as written: in
# the recipe make would run each of its lines as a command of its own,
# and exporting CMD itself would expand its $ signs.
unexport CMD
run: export BPFILTER_CMD = $(value CMD)
run: deps
	@if [ -n '$(BPFILTER_KERNEL)' ]; then cache='$(BPFILTER_KERNEL)'; \
	else cache=$$(tools/build-kernel.sh | tail -n 1) || exit 1; fi; \
	if [ -n "$$BPFILTER_CMD" ]; then \
		tools/vm-run.sh "$$cache" -- "$$BPFILTER_CMD"; \
	elif [ -t 0 ]; then \
		tools/vm-run.sh "$$cache" --shell; \
	else \
		tools/vm-run.sh "$$cache" -- '$(DEMO)'; \
	fi

check:
	@tools/check.sh

bench: deps
	@tools/bench/bench.sh

bench-smoke: deps
	@tools/bench/bench.sh --smoke

clean:
	rm -rf build

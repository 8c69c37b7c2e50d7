/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The helper binary, kept for the module's whole life (not in an init
 * section): a helper that dies is started again from these bytes.
 */
	.section .rodata, "a"
	.global bpfilter_umh_start
bpfilter_umh_start:
	.incbin "net/bpfilter/bpfilter_umh"
	.global bpfilter_umh_end
bpfilter_umh_end:

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Crafted IPv4 packets for the data-plane differential test: TCP with
 * every flag combination, ports and options (valid, zero-length, cut
 * short, doff below 5), UDP, ICMP types and codes, other protocols,
 * fragments (first, offset 1, later), IP options, TTL 1, and L4 headers
 * cut at every interesting length; then TTL, TOS and length boundaries,
 * marks on locally sent packets, link-layer broadcast and multicast, and
 * the router's own broadcasts and multicasts (looped back to its INPUT).
 * Addresses only from the test ranges (and 224.0.0.1).
 */
#ifndef BPFILTER_PKT_CORPUS_H
#define BPFILTER_PKT_CORPUS_H

#include <stdint.h>

#define PKT_MAX		256

/* Where a packet is sent, so which hook judges it on the router. */
enum pkt_path {
	PKT_INPUT,	/* from the generator to the router's address */
	PKT_FORWARD,	/* from the generator through the router */
	PKT_OUTPUT,	/* sent by the router itself (raw IP_HDRINCL) */
	PKT_PATHS,
};

/* The Ethernet destination of a packet the generator sends. */
enum pkt_l2 {
	PKT_L2_ROUTER,		/* the router's address: PACKET_HOST */
	PKT_L2_BROADCAST,	/* ff:ff:ff:ff:ff:ff: PACKET_BROADCAST */
	PKT_L2_MULTICAST,	/* 01:00:5e:00:00:01: PACKET_MULTICAST */
};

struct pkt {
	unsigned char data[PKT_MAX];	/* from the IPv4 header */
	unsigned int len;
	uint16_t id;			/* ip->id: unique, names the packet */
	enum pkt_path path;
	enum pkt_l2 l2;			/* INPUT and FORWARD only */
	uint32_t mark;			/* SO_MARK of the sender: OUTPUT only */
	char what[64];
};

/*
 * Fills @out (room for @max) with the corpus for every path, IP ids from
 * @first_id on.  Return: the number of packets.
 */
unsigned int pkt_corpus_build(struct pkt *out, unsigned int max,
			      uint16_t first_id);

/*
 * Builds @out, IP id @id, from one line of a packet list ("PATH PROTO
 * SRC DST A B [frag=N] [len=N] [flags=N] [ttl=N]", pkt_corpus.c).
 * Return: 0, 1 for a blank or comment line, -1 if the line is malformed.
 */
int pkt_parse(const char *line, struct pkt *out, uint16_t id);

/*
 * The packets of the list at @path into @out (room for @max), IP ids from
 * @first_id on.  Return: their number, or -errno (-EINVAL for a
 * malformed line, -E2BIG past @max: *@bad_line says which line).
 */
int pkt_list_read(const char *path, struct pkt *out, unsigned int max,
		  uint16_t first_id, unsigned int *bad_line);

#endif /* BPFILTER_PKT_CORPUS_H */

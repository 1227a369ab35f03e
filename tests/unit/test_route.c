/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/route's rtnetlink messages, byte for byte (x86: netlink is in host
 * order, little-endian here), and the reading of the kernel's answers:
 * ACKs, errors, dumps with routes of other protocols and tables. No
 * socket: what goes to the kernel is checked as bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "dsr_common.h"
#include "dsr_route.h"
#include "dsr_test.h"

static const uint8_t fd00_100[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00};

static void
check_bytes(const uint8_t *got, int n, const uint8_t *want, size_t wn)
{
	CHECK_EQ(n, (int)wn);
	if (n == (int)wn && memcmp(got, want, wn) != 0) {
		int i;

		for (i = 0; i < n; i++)
			if (got[i] != want[i])
				fprintf(stderr, "byte %d: got 0x%02x, want 0x%02x\n", i, got[i],
					want[i]);
		CHECK(0);
	}
}

static void
test_add4(void)
{
	static const uint8_t want[] = {
		0x34, 0,  0,  0, 0x18, 0,   0x05, 0x05, 1, 0, 0, 0, 0, 0, 0, 0, /* nlmsghdr */
		2,    32, 0,  0, 100,  248, 253,  1,    0, 0, 0, 0, /* rtmsg: link scope, unicast */
		8,    0,  1,  0, 10,   0,   0,    100,              /* RTA_DST */
		8,    0,  15, 0, 100,  0,   0,    0,                /* RTA_TABLE */
		8,    0,  4,  0, 7,    0,   0,    0,                /* RTA_OIF */
	};
	struct dsr_route r = {
		.family = DSR_AF_IPV4, .ip = htonl(0x0a000064), .table = 100, .ifindex = 7};
	uint8_t buf[DSR_ROUTE_MSG_MAX];

	check_bytes(buf, dsr_route_msg_add(&r, 1, buf, sizeof(buf)), want, sizeof(want));
	/* Too small a buffer, no interface, table 0: refused. */
	CHECK_EQ(dsr_route_msg_add(&r, 1, buf, sizeof(want) - 1), -1);
	r.ifindex = 0;
	CHECK_EQ(dsr_route_msg_add(&r, 1, buf, sizeof(buf)), -1);
	r.ifindex = 7;
	r.table = 0;
	CHECK_EQ(dsr_route_msg_add(&r, 1, buf, sizeof(buf)), -1);
}

static void
test_add6(void)
{
	static const uint8_t
		want[] =
			{
				0x40, 0,    0, 0, 0x18, 0,   0x05, 0x05, 0x78, 0x56, 0x34, 0x12,
				0,    0,    0, 0, 10,   128, 0,    0,    0,    248,  253,  1,
				0,    0,    0, 0, /* table > 255: RTA_TABLE only */
				20,   0,    1, 0, 0xfd, 0,   0,    0,    0,    0,    0,    0,
				0,    0,    0, 0, 0,    0,   0x01, 0x00, 8,    0,    15,   0,
				0xe8, 0x03, 0, 0, 8,    0,   4,    0,    7,    0,    0,    0,
			};
	struct dsr_route r = {.family = DSR_AF_IPV6, .table = 1000, .ifindex = 7};
	uint8_t buf[DSR_ROUTE_MSG_MAX];

	memcpy(r.ip6, fd00_100, 16);
	check_bytes(buf, dsr_route_msg_add(&r, 0x12345678, buf, sizeof(buf)), want, sizeof(want));
}

static void
test_del_and_dump(void)
{
	static const uint8_t
		del
			[] =
				{
					0x2c, 0,   0,   0, 0x19, 0, 0x05, 0,   2, 0,
					0,    0,   0,   0, 0,    0, 2,    32,  0, 0,
					100,  248, 255, 1, 0,    0, 0,    0, /* scope nowhere: any */
					8,    0,   1,   0, 10,   0, 0,    100, 8, 0,
					15,   0,   100, 0, 0,    0, /* no RTA_OIF: any dev */
				};
	static const uint8_t dump[] = {
		0x1c, 0, 0,  0, 0x1a, 0, 0x01, 0x03, 9, 0, 0, 0, 0, 0,
		0,    0, 10, 0, 0,    0, 0,    0,    0, 0, 0, 0, 0, 0,
	};
	struct dsr_route r = {.family = DSR_AF_IPV4, .ip = htonl(0x0a000064), .table = 100};
	uint8_t buf[DSR_ROUTE_MSG_MAX];

	check_bytes(buf, dsr_route_msg_del(&r, 2, buf, sizeof(buf)), del, sizeof(del));
	check_bytes(buf, dsr_route_msg_dump(DSR_AF_IPV6, 9, buf, sizeof(buf)), dump, sizeof(dump));
	CHECK_EQ(dsr_route_msg_dump(DSR_AF_IPV6, 9, buf, 27), -1);
}

/* Append an NLMSG_ERROR (error 0: an ACK) or NLMSG_DONE for seq. */
static size_t
put_ctl(uint8_t *buf, size_t at, uint16_t type, uint32_t seq, int error)
{
	struct nlmsghdr h = {.nlmsg_type = type, .nlmsg_seq = seq};
	struct nlmsgerr e = {.error = error};
	size_t body = type == NLMSG_ERROR ? sizeof(e) : sizeof(int);

	h.nlmsg_len = (uint32_t)NLMSG_LENGTH(body);
	memcpy(buf + at, &h, sizeof(h));
	memset(buf + at + sizeof(h), 0, NLMSG_ALIGN(body));
	if (type == NLMSG_ERROR)
		memcpy(buf + at + sizeof(h), &e, sizeof(e));
	return at + NLMSG_ALIGN(h.nlmsg_len);
}

/* A route as a dump gives it (the kernel's RTM_NEWROUTE has the same layout). */
static size_t
put_route(uint8_t *buf, size_t at, const struct dsr_route *r, uint32_t seq, uint8_t proto)
{
	int n = dsr_route_msg_add(r, seq, buf + at, DSR_ROUTE_MSG_MAX);

	if (n < 0)
		return at;
	buf[at + NLMSG_HDRLEN + 5] = proto; /* rtm_protocol */
	return at + (size_t)n;
}

struct seen {
	struct dsr_route r[8];
	unsigned int n;
};

static void
seen_one(void *arg, const struct dsr_route *r)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->r[s->n++] = *r;
}

static void
test_parse(void)
{
	struct dsr_route a = {
		.family = DSR_AF_IPV4, .ip = htonl(0x0a000064), .table = 100, .ifindex = 7};
	struct dsr_route b = a, other_table = a, v6 = a, big = a;
	uint8_t buf[1024];
	struct seen s;
	size_t at = 0;

	b.ip = htonl(0x0a000065);
	other_table.table = 101;
	v6.family = DSR_AF_IPV6;
	v6.ip = 0;
	memcpy(v6.ip6, fd00_100, 16);
	big.table = 100 + 65536; /* same low byte as 100: the table attribute decides */
	at = put_route(buf, at, &a, 5, DSR_ROUTE_PROTO);
	at = put_route(buf, at, &b, 5, RTPROT_BIRD);
	at = put_route(buf, at, &other_table, 5, DSR_ROUTE_PROTO);
	at = put_route(buf, at, &v6, 5, DSR_ROUTE_PROTO);
	at = put_route(buf, at, &big, 5, DSR_ROUTE_PROTO);
	at = put_route(buf, at, &b, 4, DSR_ROUTE_PROTO); /* an older request's */
	memset(&s, 0, sizeof(s));
	CHECK_EQ(dsr_route_parse(buf, at, 5, 100, seen_one, &s), 0); /* more to come */
	CHECK_EQ(s.n, 2);
	CHECK(s.r[0].family == DSR_AF_IPV4 && s.r[0].ip == a.ip && s.r[0].table == 100 &&
	      s.r[0].ifindex == 7);
	CHECK(s.r[1].family == DSR_AF_IPV6 && memcmp(s.r[1].ip6, fd00_100, 16) == 0);
	at = put_ctl(buf, at, NLMSG_DONE, 5, 0);
	CHECK_EQ(dsr_route_parse(buf, at, 5, 100, NULL, NULL), 1);
	memset(&s, 0, sizeof(s));
	CHECK_EQ(dsr_route_parse(buf, at, 5, 100 + 65536, seen_one, &s), 1);
	CHECK_EQ(s.n, 1);

	/* ACK, error, malformed. */
	at = put_ctl(buf, 0, NLMSG_ERROR, 3, 0);
	CHECK_EQ(dsr_route_parse(buf, at, 3, 100, NULL, NULL), 1);
	CHECK_EQ(dsr_route_parse(buf, at, 4, 100, NULL, NULL), 0);
	at = put_ctl(buf, 0, NLMSG_ERROR, 3, -ENODEV);
	CHECK_EQ(dsr_route_parse(buf, at, 3, 100, NULL, NULL), -ENODEV);
	CHECK_EQ(dsr_route_parse(buf, at - 1, 3, 100, NULL, NULL), -EBADMSG);
	CHECK_EQ(dsr_route_parse(buf, 0, 3, 100, NULL, NULL), 0);
	buf[0] = 8; /* shorter than its header */
	CHECK_EQ(dsr_route_parse(buf, at, 3, 100, NULL, NULL), -EBADMSG);
}

static void
test_str(void)
{
	struct dsr_route r = {.family = DSR_AF_IPV4, .ip = htonl(0x0a000064)};
	char s[64];

	CHECK_STR(dsr_route_str(&r, s, sizeof(s)), "10.0.0.100/32");
	r.family = DSR_AF_IPV6;
	memcpy(r.ip6, fd00_100, 16);
	CHECK_STR(dsr_route_str(&r, s, sizeof(s)), "fd00::100/128");
}

/* The installed name (config/dsrlb.rt_protos) is of this number. */
static void
test_rt_protos_file(void)
{
	const char *root = getenv("DSR_SOURCE_ROOT");
	char path[512], line[128];
	unsigned int num = 0, found = 0;
	char name[32];
	FILE *f;

	CHECK(root != NULL);
	if (root == NULL)
		return;
	snprintf(path, sizeof(path), "%s/config/dsrlb.rt_protos", root);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != '#' && sscanf(line, "%u %31s", &num, name) == 2) {
			found++;
			CHECK_EQ(num, DSR_ROUTE_PROTO);
			CHECK_STR(name, "dsrlb");
		}
	fclose(f);
	CHECK_EQ(found, 1);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_add4),  DSR_TEST(test_add6), DSR_TEST(test_del_and_dump),
		DSR_TEST(test_parse), DSR_TEST(test_str),  DSR_TEST(test_rt_protos_file),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}

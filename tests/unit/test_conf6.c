/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/conf with IPv6: a port's IPv6 address beside its IPv4 one, IPv6
 * VIPs and backends of their VIP's family only, the addresses refused,
 * show config's round trip, and the IPv6 table's size (conntrack size6).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsr_conf.h"
#include "dsr_test.h"
#include "test_conf_util.h"

static char *
dump(const struct dsr_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	if (f == NULL)
		return NULL;
	CHECK_EQ(dsr_conf_dump(c, f), 0);
	fclose(f);
	return buf;
}

static void
test_ports(void)
{
	struct dsr_conf *c = conf_new();

	APPLY_OK(c, "port 0 address 10.0.0.2/24");
	APPLY_OK(c, "port 0 address fd00::2/64");
	CHECK(c->ports[0].has_addr && c->ports[0].has_addr6);
	CHECK_EQ(c->ports[0].prefix6, 64);
	CHECK(dsr_conf_has_ipv6(c));
	APPLY_ERR(c, "port 0 address fd00::3/64",
		  "port 0 already has IPv6 address fd00::2/64 (one IPv6 address per port)");
	APPLY_ERR(c, "port 1 address fd00::2/64", "address fd00::2 is already on port 0");
	APPLY_ERR(c, "port 1 address fd01::/64",
		  "port 1 address fd01::/64 is the subnet-router anycast address of its subnet");
	APPLY_ERR(c, "port 1 address fe80::1/64",
		  "port address fe80::1 is not a global or unique-local unicast address (not ::, "
		  "::1, multicast, link-local or IPv4-mapped)");
	APPLY_ERR(c, "port 1 address ::1/128",
		  "port address ::1 is not a global or unique-local unicast address (not ::, "
		  "::1, multicast, link-local or IPv4-mapped)");
	APPLY_ERR(c, "port 1 address ff02::1/16",
		  "port address ff02::1 is not a global or unique-local unicast address (not ::, "
		  "::1, multicast, link-local or IPv4-mapped)");
	APPLY_ERR(c, "port 1 address ::ffff:10.0.0.9/96",
		  "port address ::ffff:10.0.0.9 is not a global or unique-local unicast address "
		  "(not ::, ::1, multicast, link-local or IPv4-mapped)");
	APPLY_OK(c, "port 1 address 2001:db8::1/128"); /* a /128: no subnet-router address */
	CHECK_EQ(dsr_conf_port_of6(c, (const uint8_t[16]){0xfd, 0, 0, 0, 0, 0, 0, 0, 0xab}), 0);
	CHECK_EQ(dsr_conf_port_of6(c, (const uint8_t[16]){0xfd, 0, 0, 1}), -1);
	/* The IPv4 address stays; a second IPv4 address is refused as before. */
	CHECK(c->ports[0].has_addr);
	APPLY_ERR(c, "port 0 address 10.0.0.3/24",
		  "port 0 already has address 10.0.0.2/24 (one address per port)");
	free(c);
}

static void
test_vips_backends(void)
{
	struct dsr_conf *c = conf_new();
	int v6, v4, b;

	APPLY_OK(c, "port 0 address 10.0.0.2/24");
	APPLY_OK(c, "port 0 address fd00::2/64");
	APPLY_OK(c, "vip add [fd00:1::100]:80/tcp");
	APPLY_OK(c, "vip add 10.0.0.100:80/tcp");
	APPLY_ERR(c, "vip add [fd00:1::100]:80/tcp", "VIP [fd00:1::100]:80/tcp already exists");
	APPLY_OK(c, "vip add [fd00:1::100]:80/udp");
	/* The same address as text, another spelling. */
	APPLY_ERR(c, "vip add [FD00:1:0::100]:80/tcp", "VIP [fd00:1::100]:80/tcp already exists");
	APPLY_OK(c, "backend add [fd00:1::100]:80/tcp fd00::21");
	APPLY_OK(c, "backend add [fd00:1::100]:80/tcp fd00::22 mac 02:00:00:00:b1:02 weight 50");
	APPLY_OK(c, "backend add [fd00:1::100]:80/tcp 2001:db8:9::9 mac 02:00:00:00:b1:03");
	APPLY_ERR(c, "backend add [fd00:1::100]:80/tcp 2001:db8:9::8",
		  "backend 2001:db8:9::8 is on no port's subnet, so its MAC cannot be resolved: "
		  "give 'mac', or a 'port N address' on its subnet first");
	APPLY_ERR(c, "backend add [fd00:1::100]:80/tcp 10.0.0.21",
		  "backend 10.0.0.21 is IPv4 but VIP [fd00:1::100]:80/tcp is IPv6");
	APPLY_ERR(c, "backend add 10.0.0.100:80/tcp fd00::21",
		  "backend fd00::21 is IPv6 but VIP 10.0.0.100:80/tcp is IPv4");
	APPLY_ERR(c, "backend add [fd00:1::100]:80/tcp fd00::21",
		  "backend fd00::21 of VIP [fd00:1::100]:80/tcp already exists");
	APPLY_ERR(c, "backend add [fd00:1::100]:80/tcp fd00::2",
		  "backend fd00::2 is the address of port 0: a backend cannot be the balancer "
		  "itself");
	APPLY_ERR(c, "backend add [fd00:1::100]:80/tcp fd00:1::100",
		  "backend fd00:1::100 is VIP [fd00:1::100]:80/tcp: a backend cannot be the "
		  "balancer itself");
	APPLY_ERR(c, "vip add [fd00::21]:443/tcp",
		  "VIP [fd00::21]:443/tcp is the address of backend fd00::21 of VIP "
		  "[fd00:1::100]:80/tcp");
	APPLY_ERR(c, "port 1 address fd00::22/64",
		  "port 1 address fd00::22 is the address of backend fd00::22 of VIP "
		  "[fd00:1::100]:80/tcp");
	APPLY_ERR(c, "vip add [ff05::1]:80/tcp",
		  "VIP ff05::1 is not a global or unique-local unicast address (not ::, ::1, "
		  "multicast, link-local or IPv4-mapped)");
	v6 = dsr_conf_find_vip(c,
			       &(struct dsr_svc_key){.family = DSR_AF_IPV6,
						     .port = htons(80),
						     .proto = 6,
						     .ip6 = {0xfd, 0, 0, 1, [14] = 1, [15] = 0}});
	v4 = dsr_conf_find_vip(
		c, &(struct dsr_svc_key){.ip = htonl(0x0a000064), .port = htons(80), .proto = 6});
	CHECK(v6 >= 0 && v4 >= 0 && v6 != v4);
	b = dsr_conf_find_backend_addr(c, (uint16_t)v6, DSR_AF_IPV6, 0,
				       (const uint8_t[16]){0xfd, [15] = 0x22});
	CHECK(b >= 0);
	if (b >= 0) {
		CHECK_EQ(c->backends[b].weight, 50);
		CHECK_EQ(c->backends[b].family, DSR_AF_IPV6);
	}
	APPLY_OK(c, "backend set [fd00:1::100]:80/tcp fd00::22 weight 0");
	APPLY_OK(c, "backend del [fd00:1::100]:80/tcp fd00::21");
	APPLY_ERR(c, "backend del [fd00:1::100]:80/tcp fd00::21",
		  "backend fd00::21 of VIP [fd00:1::100]:80/tcp does not exist");
	APPLY_OK(c, "vip del [fd00:1::100]:80/tcp");
	CHECK_EQ(dsr_conf_find_backend_addr(c, (uint16_t)v6, DSR_AF_IPV6, 0,
					    (const uint8_t[16]){0xfd, [15] = 0x22}),
		 -1);
	free(c);
}

/* show config writes IPv6 back, and reading it gives the same state. */
static void
test_dump(void)
{
	struct dsr_conf *a = conf_new(), *b = conf_new();
	char err[DSR_CMD_ERR_MAX], *s1, *s2, *line, *save;

	APPLY_OK(a, "port 0 address 10.0.0.2/24");
	APPLY_OK(a, "port 0 address fd00::2/64");
	APPLY_OK(a, "port 2 address 2001:db8::1/48");
	APPLY_OK(a, "vip add [fd00:1::100]:80/tcp");
	APPLY_OK(a, "backend add [fd00:1::100]:80/tcp fd00::21");
	APPLY_OK(a, "backend add [fd00:1::100]:80/tcp fd00::22 mac 02:00:00:00:b1:02 weight 5");
	APPLY_OK(a, "check set [fd00:1::100]:80/tcp dsr");
	APPLY_OK(a, "vip add 10.0.0.100:53/udp");
	s1 = dump(a);
	CHECK(s1 != NULL && strstr(s1, "port 0 address 10.0.0.2/24\nport 0 address fd00::2/64\n"
				       "port 2 address 2001:db8::1/48\n") != NULL);
	CHECK(s1 != NULL && strstr(s1, "vip add [fd00:1::100]:80/tcp\n"
				       "backend add [fd00:1::100]:80/tcp fd00::21 weight 100\n"
				       "backend add [fd00:1::100]:80/tcp fd00::22 mac "
				       "02:00:00:00:b1:02 weight 5\n") != NULL);
	for (line = strtok_r(s1, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		if (dsr_conf_apply_line(b, line, err, sizeof(err)) != 0) {
			fprintf(stderr, "'%s': %s\n", line, err);
			dsr_test_failures++;
		}
	free(s1);
	s1 = dump(a);
	s2 = dump(b);
	CHECK(s1 != NULL && s2 != NULL && strcmp(s1, s2) == 0);
	free(s1);
	free(s2);
	free(a);
	free(b);
}

/* conntrack size6: a quarter of conntrack size until set; 0 or a table's range; round trip. */
static void
test_size6(void)
{
	struct dsr_conf *c = conf_new(), *b = conf_new();
	char err[DSR_CMD_ERR_MAX] = "", *s, *line, *save = NULL;

	CHECK_EQ(c->conntrack_size6, DSR_CONNTRACK6_AUTO);
	CHECK_EQ(dsr_conf_conntrack_size6(c), DSR_CONNTRACK_DEFAULT / 4);
	APPLY_OK(c, "conntrack size 4096");
	CHECK_EQ(dsr_conf_conntrack_size6(c), 1024);
	APPLY_OK(c, "conntrack size 2048");
	CHECK_EQ(dsr_conf_conntrack_size6(c), DSR_CONNTRACK_MIN);
	s = dump(c);
	CHECK(s != NULL && strstr(s, "size6") == NULL); /* not set: not written */
	free(s);
	APPLY_ERR(c, "conntrack size6 1023",
		  "conntrack size6 1023 out of range (0 or 1024-134217728)");
	APPLY_ERR(c, "conntrack size6 134217729",
		  "conntrack size6 134217729 out of range (0 or 1024-134217728)");
	APPLY_ERR(c, "conntrack size6 -1", "bad size '-1' (0-4294967295)");
	APPLY_ERR(c, "conntrack size6", "missing size after 'conntrack size6'");
	APPLY_OK(c, "conntrack size6 0");
	CHECK_EQ(dsr_conf_conntrack_size6(c), 0);
	APPLY_OK(c, "conntrack size6 3000000");
	CHECK_EQ(dsr_conf_conntrack_size6(c), 3000000);
	APPLY_OK(c, "conntrack size 1048576"); /* set: conntrack size no longer moves it */
	CHECK_EQ(dsr_conf_conntrack_size6(c), 3000000);
	APPLY_OK(c, "conntrack size6 134217728");
	CHECK_EQ(c->conntrack_size6, DSR_CONNTRACK_MAX);
	APPLY_OK(c, "conntrack size6 0");
	s = dump(c);
	CHECK(s != NULL && strstr(s, "conntrack size 1048576\nconntrack size6 0\n") != NULL);
	for (line = s ? strtok_r(s, "\n", &save) : NULL; line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (dsr_conf_apply_line(b, line, err, sizeof(err)) != 0) {
			fprintf(stderr, "'%s': %s\n", line, err);
			dsr_test_failures++;
		}
	CHECK_EQ(b->conntrack_size6, 0);
	CHECK_EQ(b->conntrack_size, 1048576);
	free(s);
	free(c);
	free(b);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_ports),
		DSR_TEST(test_vips_backends),
		DSR_TEST(test_dump),
		DSR_TEST(test_size6),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}

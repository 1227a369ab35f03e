/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/conf: defaults, every command applied, every
 * validation error with its exact message and the state unchanged after
 * it, id reuse, files (errors with PATH:LINE, atomic load) and the
 * dump/load round trip. The sample config/dsrlb.conf is loaded from
 * $DSR_SOURCE_ROOT, argv[1] or the DSR_SOURCE_ROOT macro, or skipped.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <unistd.h>

#include "dsr_conf.h"
#include "dsr_test.h"
#include "test_conf_util.h"

static const char *source_root;

static struct dsr_svc_key
svc_of(const char *s)
{
	struct dsr_svc_key k;

	memset(&k, 0, sizeof(k));
	if (dsr_parse_svc(s, &k) < 0)
		abort();
	return k;
}

static uint32_t
ip_of(const char *s)
{
	uint32_t ip;

	if (dsr_parse_ipv4(s, &ip) < 0)
		abort();
	return ip;
}

static int
vip_id(const struct dsr_conf *c, const char *s)
{
	struct dsr_svc_key k = svc_of(s);

	return dsr_conf_find_vip(c, &k);
}

static int
backend_id(const struct dsr_conf *c, const char *svc, const char *ip)
{
	int v = vip_id(c, svc);

	return v < 0 ? -1 : dsr_conf_find_backend(c, (uint16_t)v, ip_of(ip));
}

/* Write data to a new file under /tmp; the caller unlinks path. */
static void
write_tmp(char path[64], const char *data, size_t n)
{
	int fd;

	snprintf(path, 64, "/tmp/dsr_test_conf_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n) {
		perror(path);
		exit(2);
	}
	close(fd);
}

static void
test_defaults(void)
{
	struct dsr_conf *c = conf_new();
	unsigned int i, used = 0;

	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_TCP_SYN], 30);
	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_TCP], 900);
	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_TCP_FIN], 60);
	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_UDP], 300);
	CHECK_EQ(c->conntrack_size, DSR_CONNTRACK_DEFAULT);
	CHECK_EQ(c->maglev_size, 65537);
	CHECK(!c->strict_syn);
	for (i = 0; i < DSR_MAX_PORTS; i++)
		used += c->ports[i].has_addr;
	for (i = 0; i < DSR_MAX_VIPS; i++)
		used += c->vips[i].used;
	for (i = 0; i < DSR_MAX_BACKENDS; i++)
		used += c->backends[i].used;
	CHECK_EQ(used, 0);
	free(c);
}

static void
test_apply_every_command(void)
{
	struct dsr_conf *c = conf_new();
	int v, b;

	APPLY_OK(c, "port 30 address 10.255.255.254/8"); /* MAC-less backends need a subnet */
	APPLY_OK(c, "port 1 address 10.0.0.2/24");
	CHECK(c->ports[1].has_addr);
	CHECK_EQ(c->ports[1].ip, ip_of("10.0.0.2"));
	CHECK_EQ(c->ports[1].prefix_len, 24);
	CHECK(!c->ports[0].has_addr);
	/* One address per port: a second line is refused (test_conf_hard.c). */
	APPLY_ERR(c, "port 1 address 10.1.0.2/16",
		  "port 1 already has address 10.0.0.2/24 (one address per port)");

	APPLY_OK(c, "vip add 10.200.0.100:80/tcp");
	v = vip_id(c, "10.200.0.100:80/tcp");
	CHECK_EQ(v, 0);
	CHECK(c->vips[0].used);
	CHECK_EQ(c->vips[0].svc.port, htons(80));
	CHECK_EQ(vip_id(c, "10.200.0.100:80/udp"), -1);
	CHECK_EQ(vip_id(c, "10.200.0.100:81/tcp"), -1);

	APPLY_OK(c, "backend add 10.200.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01 weight 7");
	APPLY_OK(c, "backend add 10.200.0.100:80/tcp 10.0.0.22");
	b = backend_id(c, "10.200.0.100:80/tcp", "10.0.0.21");
	CHECK_EQ(b, 0);
	CHECK(c->backends[0].used);
	CHECK(c->backends[0].has_mac);
	CHECK(memcmp(c->backends[0].mac, "\x02\x00\x00\x00\xb1\x01", 6) == 0);
	CHECK_EQ(c->backends[0].vip, v);
	CHECK_EQ(c->backends[0].weight, 7);
	CHECK_EQ(backend_id(c, "10.200.0.100:80/tcp", "10.0.0.22"), 1);
	CHECK(!c->backends[1].has_mac);
	CHECK_EQ(c->backends[1].weight, DSR_WEIGHT_DEFAULT);

	APPLY_OK(c, "backend set 10.200.0.100:80/tcp 10.0.0.21 weight 0");
	CHECK_EQ(c->backends[0].weight, 0);
	CHECK(c->backends[0].has_mac); /* untouched */
	APPLY_OK(c, "backend del 10.200.0.100:80/tcp 10.0.0.21");
	CHECK(!c->backends[0].used);
	CHECK_EQ(backend_id(c, "10.200.0.100:80/tcp", "10.0.0.21"), -1);

	APPLY_OK(c, "timeout set tcp-syn 5");
	APPLY_OK(c, "timeout set tcp 7200");
	APPLY_OK(c, "timeout set tcp-fin 10");
	APPLY_OK(c, "timeout set udp 604800");
	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_TCP_SYN], 5);
	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_TCP], 7200);
	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_TCP_FIN], 10);
	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_UDP], 604800);
	APPLY_OK(c, "conntrack size 1024");
	CHECK_EQ(c->conntrack_size, 1024);
	APPLY_OK(c, "conntrack size 134217728");
	CHECK_EQ(c->conntrack_size, DSR_CONNTRACK_MAX);
	APPLY_OK(c, "strict-syn on");
	CHECK(c->strict_syn);
	APPLY_OK(c, "strict-syn off");
	CHECK(!c->strict_syn);
	APPLY_OK(c, "maglev size 3");
	CHECK_EQ(c->maglev_size, 3);
	APPLY_OK(c, "maglev size 1048573");
	CHECK_EQ(c->maglev_size, 1048573);
	APPLY_OK(c, "maglev size 251");
	CHECK_EQ(c->maglev_size, 251);

	APPLY_OK(c, "vip del 10.200.0.100:80/tcp");
	CHECK(!c->vips[0].used);
	CHECK(!c->backends[1].used);
	/* Blank and comment lines are no-ops. */
	APPLY_OK(c, "");
	APPLY_OK(c, "   # nothing");
	free(c);
}

static void
test_err_vip(void)
{
	struct dsr_conf *c = conf_new();

	APPLY_OK(c, "vip add 10.0.0.1:80/tcp");
	APPLY_ERR(c, "vip add 10.0.0.1:80/tcp", "VIP 10.0.0.1:80/tcp already exists");
	APPLY_OK(c, "vip add 10.0.0.1:80/udp"); /* another protocol is another service */
	APPLY_OK(c, "vip add 10.0.0.1:443/tcp");
	APPLY_ERR(c, "vip del 10.0.0.9:80/tcp", "VIP 10.0.0.9:80/tcp does not exist");
	APPLY_ERR(c, "vip add 224.0.0.1:80/tcp", "VIP 224.0.0.1 is not a unicast address");
	APPLY_ERR(c, "vip add 0.0.0.0:80/tcp", "VIP 0.0.0.0 is not a unicast address");
	APPLY_ERR(c, "vip add 127.0.0.1:80/tcp", "VIP 127.0.0.1 is not a unicast address");
	APPLY_ERR(c, "vip add 255.255.255.255:80/udp",
		  "VIP 255.255.255.255 is not a unicast address");
	/* A syntax error also leaves the state alone. */
	APPLY_ERR(c, "vip add 10.0.0.300:80/tcp", "bad IPv4 address '10.0.0.300'");
	free(c);
}

static void
test_err_backend(void)
{
	struct dsr_conf *c = conf_new();

	APPLY_ERR(c, "backend add 10.0.0.1:80/tcp 10.0.0.21", "VIP 10.0.0.1:80/tcp does not exist");
	APPLY_OK(c, "port 0 address 10.0.0.2/24");
	APPLY_OK(c, "vip add 10.0.0.1:80/tcp");
	APPLY_OK(c, "vip add 10.0.0.2:80/tcp");
	APPLY_OK(c, "backend add 10.0.0.1:80/tcp 10.0.0.21");
	APPLY_ERR(c, "backend add 10.0.0.1:80/tcp 10.0.0.21 weight 5",
		  "backend 10.0.0.21 of VIP 10.0.0.1:80/tcp already exists");
	APPLY_OK(c, "backend add 10.0.0.2:80/tcp 10.0.0.21"); /* same IP, other VIP */
	APPLY_ERR(c, "backend del 10.0.0.1:80/tcp 10.0.0.99",
		  "backend 10.0.0.99 of VIP 10.0.0.1:80/tcp does not exist");
	APPLY_ERR(c, "backend set 10.0.0.1:80/tcp 10.0.0.99 weight 1",
		  "backend 10.0.0.99 of VIP 10.0.0.1:80/tcp does not exist");
	APPLY_ERR(c, "backend del 10.0.0.3:80/tcp 10.0.0.21", "VIP 10.0.0.3:80/tcp does not exist");
	APPLY_ERR(c, "backend set 10.0.0.1:81/tcp 10.0.0.21 weight 1",
		  "VIP 10.0.0.1:81/tcp does not exist");
	APPLY_ERR(c, "backend add 10.0.0.1:80/tcp 0.0.0.0",
		  "backend 0.0.0.0 is not a unicast address");
	APPLY_ERR(c, "backend add 10.0.0.1:80/tcp 239.1.1.1",
		  "backend 239.1.1.1 is not a unicast address");
	free(c);
}

static void
test_err_ids_exhausted(void)
{
	struct dsr_conf *c = conf_new();
	char line[128];
	unsigned int i;

	APPLY_OK(c, "port 30 address 10.255.255.254/8"); /* MAC-less backends need a subnet */
	for (i = 0; i < DSR_MAX_VIPS; i++) {
		snprintf(line, sizeof(line), "vip add 10.0.0.1:%u/tcp", i + 1);
		APPLY_OK(c, line);
	}
	APPLY_ERR(c, "vip add 10.0.0.2:80/tcp", "no free VIP id (max 1024 VIPs)");
	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		snprintf(line, sizeof(line), "backend add 10.0.0.1:%u/tcp 10.1.%u.%u", i % 7 + 1,
			 i / 256, i % 256);
		APPLY_OK(c, line);
	}
	APPLY_ERR(c, "backend add 10.0.0.1:9/tcp 10.2.0.1",
		  "no free backend id (max 4096 backends)");
	/* Freeing one id makes room again. */
	APPLY_OK(c, "backend del 10.0.0.1:1/tcp 10.1.0.0");
	APPLY_OK(c, "backend add 10.0.0.1:9/tcp 10.2.0.1");
	CHECK_EQ(backend_id(c, "10.0.0.1:9/tcp", "10.2.0.1"), 0);
	free(c);
}

static void
test_err_sizes(void)
{
	struct dsr_conf *c = conf_new();

	APPLY_ERR(c, "maglev size 65536", "maglev size 65536 is not prime");
	APPLY_ERR(c, "maglev size 65535", "maglev size 65535 is not prime");
	APPLY_ERR(c, "maglev size 1000001", "maglev size 1000001 is not prime");
	APPLY_ERR(c, "maglev size 2", "maglev size 2 out of range (3-1048573)");
	APPLY_ERR(c, "maglev size 1048583", "maglev size 1048583 out of range (3-1048573)");
	APPLY_ERR(c, "conntrack size 1023", "conntrack size 1023 out of range (1024-134217728)");
	APPLY_ERR(c, "conntrack size 134217729",
		  "conntrack size 134217729 out of range (1024-134217728)");
	free(c);
}

static void
test_err_port(void)
{
	struct dsr_conf *c = conf_new();

	APPLY_ERR(c, "port 32 address 10.0.0.2/24", "port 32 out of range (0-31)");
	APPLY_ERR(c, "port 65535 address 10.0.0.2/24", "port 65535 out of range (0-31)");
	APPLY_OK(c, "port 31 address 10.0.0.2/24");
	APPLY_ERR(c, "port 0 address 10.0.0.0/24",
		  "port 0 address 10.0.0.0/24 is the network address of its subnet");
	APPLY_ERR(c, "port 0 address 10.0.0.255/24",
		  "port 0 address 10.0.0.255/24 is the broadcast address of its subnet");
	APPLY_ERR(c, "port 0 address 10.0.0.4/30",
		  "port 0 address 10.0.0.4/30 is the network address of its subnet");
	APPLY_ERR(c, "port 0 address 10.0.0.7/30",
		  "port 0 address 10.0.0.7/30 is the broadcast address of its subnet");
	APPLY_ERR(c, "port 0 address 10.255.255.255/8",
		  "port 0 address 10.255.255.255/8 is the broadcast address of its subnet");
	APPLY_ERR(c, "port 0 address 0.0.0.0/0", "port address 0.0.0.0 is not a unicast address");
	APPLY_ERR(c, "port 0 address 127.0.0.1/8",
		  "port address 127.0.0.1 is not a unicast address");
	APPLY_ERR(c, "port 0 address 10.0.0.2/16", "address 10.0.0.2 is already on port 31");
	APPLY_OK(c, "port 0 kernel-interface dsr0");
	APPLY_ERR(c, "port 0 kernel-interface dsr1",
		  "port 0 already has kernel interface dsr0 (one per port)");
	APPLY_ERR(c, "port 1 kernel-interface dsr0", "kernel interface dsr0 is already port 0's");
	APPLY_ERR(c, "port 32 kernel-interface dsr1", "port 32 out of range (0-31)");
	/* /31 and /32 have no network or broadcast address. */
	APPLY_OK(c, "port 0 address 10.0.0.4/31");
	APPLY_OK(c, "port 1 address 10.0.0.5/31");
	APPLY_OK(c, "port 2 address 10.0.1.0/32");
	APPLY_OK(c, "port 3 address 10.0.0.9/30");
	APPLY_ERR(c, "port 31 address 10.0.0.2/25",
		  "port 31 already has address 10.0.0.2/24 (one address per port)");
	CHECK_EQ(c->ports[31].prefix_len, 24);
	free(c);
}

/* Commands built by hand get the same range checks as parsed ones. */
static void
test_err_hand_built(void)
{
	struct dsr_conf *c = conf_new(), *before = conf_new();
	char err[DSR_CMD_ERR_MAX];
	struct dsr_cmd cmd;
	char want[64];

	APPLY_OK(c, "port 30 address 10.255.255.254/8"); /* MAC-less backends need a subnet */
	APPLY_OK(c, "vip add 10.0.0.1:80/tcp");
	APPLY_OK(c, "backend add 10.0.0.1:80/tcp 10.0.0.21");
	memcpy(before, c, sizeof(*c));

	memset(&cmd, 0, sizeof(cmd));
	cmd.id = DSR_CMD_BACKEND_SET;
	cmd.u.backend.svc = svc_of("10.0.0.1:80/tcp");
	cmd.u.backend.ip = ip_of("10.0.0.21");
	cmd.u.backend.weight = 70000;
	CHECK_EQ(dsr_conf_apply(c, &cmd, err, sizeof(err)), -1);
	CHECK_STR(err, "bad weight 70000 (0-65535)");
	cmd.id = DSR_CMD_BACKEND_ADD;
	cmd.u.backend.ip = ip_of("10.0.0.22");
	CHECK_EQ(dsr_conf_apply(c, &cmd, err, sizeof(err)), -1);
	CHECK_STR(err, "bad weight 70000 (0-65535)");

	memset(&cmd, 0, sizeof(cmd));
	cmd.id = DSR_CMD_VIP_ADD;
	cmd.u.vip.svc = svc_of("10.0.0.2:80/tcp");
	cmd.u.vip.svc.proto = 1;
	CHECK_EQ(dsr_conf_apply(c, &cmd, err, sizeof(err)), -1);
	CHECK_STR(err, "bad service 10.0.0.2:80/1");
	cmd.u.vip.svc = svc_of("10.0.0.2:80/tcp");
	cmd.u.vip.svc.port = 0;
	CHECK_EQ(dsr_conf_apply(c, &cmd, err, sizeof(err)), -1);
	CHECK_STR(err, "bad service 10.0.0.2:0/tcp");

	memset(&cmd, 0, sizeof(cmd));
	cmd.id = DSR_CMD_TIMEOUT_SET;
	cmd.u.timeout.kind = DSR_TIMEOUT_TCP;
	CHECK_EQ(dsr_conf_apply(c, &cmd, err, sizeof(err)), -1);
	CHECK_STR(err, "timeout tcp 0 out of range (1-604800)");
	cmd.u.timeout.kind = DSR_TIMEOUT_NKINDS;
	cmd.u.timeout.seconds = 5;
	CHECK_EQ(dsr_conf_apply(c, &cmd, err, sizeof(err)), -1);
	CHECK_STR(err, "bad timeout kind 5");

	memset(&cmd, 0, sizeof(cmd));
	cmd.id = DSR_CMD_PORT_ADDRESS;
	cmd.u.port_addr.ip = ip_of("10.0.0.2");
	cmd.u.port_addr.prefix_len = 33;
	CHECK_EQ(dsr_conf_apply(c, &cmd, err, sizeof(err)), -1);
	CHECK_STR(err, "bad prefix length 33 (0-32)");

	cmd.id = DSR_CMD_NIDS;
	CHECK_EQ(dsr_conf_apply(c, &cmd, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "bad command id %d", (int)DSR_CMD_NIDS);
	CHECK_STR(err, want);
	CHECK_EQ(dsr_conf_apply(c, &cmd, NULL, 0), -1);
	CHECK(memcmp(before, c, sizeof(*c)) == 0);
	free(before);
	free(c);
}

static void
test_backend_subnet_and_arp(void)
{
	struct dsr_conf *c = conf_new(), *before = conf_new();
	char err[DSR_CMD_ERR_MAX];

	APPLY_OK(c, "vip add 10.0.0.100:80/tcp");
	memcpy(before, c, sizeof(*c));
	CHECK_EQ(
		dsr_conf_apply_line(c, "backend add 10.0.0.100:80/tcp 10.0.0.21", err, sizeof(err)),
		-1);
	CHECK_STR(err, "backend 10.0.0.21 is on no port's subnet, so its MAC cannot be resolved: "
		       "give 'mac', or a 'port N address' on its subnet first");
	CHECK(memcmp(before, c, sizeof(*c)) == 0);
	/* With a static MAC no subnet is needed; with a port on its subnet no MAC. */
	APPLY_OK(c, "backend add 10.0.0.100:80/tcp 10.9.0.21 mac 02:00:00:00:00:01");
	APPLY_OK(c, "port 1 address 10.0.0.2/24");
	APPLY_OK(c, "backend add 10.0.0.100:80/tcp 10.0.0.21");
	CHECK_EQ(dsr_conf_port_of(c, inet_addr("10.0.0.21")), 1);
	CHECK_EQ(dsr_conf_port_of(c, inet_addr("10.0.1.21")), -1);
	/*
	 * Nor may a later port line take that subnet away (found by
	 * tests/fuzz): a port's address is set once.
	 */
	memcpy(before, c, sizeof(*c));
	CHECK_EQ(dsr_conf_apply_line(c, "port 1 address 10.0.0.2/29", err, sizeof(err)), -1);
	CHECK_STR(err, "port 1 already has address 10.0.0.2/24 (one address per port)");
	CHECK(memcmp(before, c, sizeof(*c)) == 0);

	CHECK_EQ(c->arp_announce_count, 2);
	CHECK_EQ(c->arp_announce_interval_s, 2);
	CHECK_EQ(c->arp_refresh_s, 60);
	APPLY_OK(c, "arp announce 3 interval 5");
	APPLY_OK(c, "arp refresh 30");
	CHECK_EQ(c->arp_announce_count, 3);
	CHECK_EQ(c->arp_announce_interval_s, 5);
	CHECK_EQ(c->arp_refresh_s, 30);
	APPLY_OK(c, "arp announce 0");
	CHECK_EQ(c->arp_announce_count, 0);
	CHECK_EQ(c->arp_announce_interval_s, 2);
	free(before);
	free(c);
}

static void
test_id_reuse(void)
{
	struct dsr_conf *c = conf_new();

	APPLY_OK(c, "port 30 address 10.255.255.254/8"); /* MAC-less backends need a subnet */
	APPLY_OK(c, "vip add 10.0.0.1:80/tcp");
	APPLY_OK(c, "vip add 10.0.0.2:80/tcp");
	APPLY_OK(c, "vip add 10.0.0.3:80/tcp");
	APPLY_OK(c, "backend add 10.0.0.3:80/tcp 10.0.1.1");
	APPLY_OK(c, "backend add 10.0.0.3:80/tcp 10.0.1.2");
	APPLY_OK(c, "backend add 10.0.0.3:80/tcp 10.0.1.3");
	APPLY_OK(c, "vip del 10.0.0.2:80/tcp");
	APPLY_OK(c, "backend del 10.0.0.3:80/tcp 10.0.1.2");
	/* Surviving ids are stable; new ones take the lowest free id. */
	CHECK_EQ(vip_id(c, "10.0.0.3:80/tcp"), 2);
	CHECK_EQ(backend_id(c, "10.0.0.3:80/tcp", "10.0.1.3"), 2);
	APPLY_OK(c, "vip add 10.0.0.4:80/tcp");
	CHECK_EQ(vip_id(c, "10.0.0.4:80/tcp"), 1);
	APPLY_OK(c, "vip add 10.0.0.5:80/tcp");
	CHECK_EQ(vip_id(c, "10.0.0.5:80/tcp"), 3);
	APPLY_OK(c, "backend add 10.0.0.4:80/tcp 10.0.1.9");
	CHECK_EQ(backend_id(c, "10.0.0.4:80/tcp", "10.0.1.9"), 1);
	CHECK_EQ(c->backends[1].vip, 1);
	free(c);
}

static void
test_vip_del_removes_backends(void)
{
	struct dsr_conf *c = conf_new(), *fresh = conf_new();

	APPLY_OK(c, "port 30 address 10.255.255.254/8");     /* MAC-less backends need a subnet */
	APPLY_OK(fresh, "port 30 address 10.255.255.254/8"); /* MAC-less backends need a subnet */
	APPLY_OK(c, "vip add 10.0.0.1:80/tcp");
	APPLY_OK(c, "vip add 10.0.0.2:80/tcp");
	APPLY_OK(c, "backend add 10.0.0.1:80/tcp 10.0.1.1 mac 02:00:00:00:00:01 weight 3");
	APPLY_OK(c, "backend add 10.0.0.2:80/tcp 10.0.1.1");
	APPLY_OK(c, "backend add 10.0.0.1:80/tcp 10.0.1.2");
	APPLY_OK(c, "vip del 10.0.0.1:80/tcp");
	CHECK(!c->backends[0].used);
	CHECK(!c->backends[2].used);
	CHECK(c->backends[1].used); /* the other VIP's backend stays */
	CHECK_EQ(backend_id(c, "10.0.0.2:80/tcp", "10.0.1.1"), 1);
	APPLY_OK(c, "vip add 10.0.0.1:80/tcp");
	CHECK_EQ(vip_id(c, "10.0.0.1:80/tcp"), 0);
	CHECK_EQ(backend_id(c, "10.0.0.1:80/tcp", "10.0.1.1"), -1);
	/* Freed entries are zeroed: deleting everything gives back a fresh state. */
	APPLY_OK(c, "vip del 10.0.0.1:80/tcp");
	APPLY_OK(c, "vip del 10.0.0.2:80/tcp");
	CHECK(memcmp(c, fresh, sizeof(*c)) == 0);
	free(fresh);
	free(c);
}

/* Load text from a temp file into c; return the result and err. */
static int
load_text(struct dsr_conf *c, const char *text, size_t n, char path[64], char *err)
{
	int r;

	write_tmp(path, text, n);
	r = dsr_conf_load_file(c, path, err, DSR_CMD_ERR_MAX);
	unlink(path);
	return r;
}

/* A file that must fail with "PATH:" + msg, leaving c as it was. */
static void
load_err(struct dsr_conf *c, const char *text, size_t n, const char *msg, int lineno)
{
	struct dsr_conf *before = malloc(sizeof(*before));
	char path[64], err[DSR_CMD_ERR_MAX] = "", want[DSR_CMD_ERR_MAX];
	int r;

	memcpy(before, c, sizeof(*c));
	r = load_text(c, text, n, path, err);
	snprintf(want, sizeof(want), "%s:%s", path, msg);
	if (r != -1 || strcmp(err, want) != 0 || memcmp(before, c, sizeof(*c)) != 0) {
		fprintf(stderr, "%s:%d: load -> %d '%s', want -1 '%s'%s\n", __FILE__, lineno, r,
			err, want, memcmp(before, c, sizeof(*c)) != 0 ? ", state changed" : "");
		dsr_test_failures++;
	}
	free(before);
}

#define LOAD_ERR(c, text, msg) load_err(c, text, strlen(text), msg, __LINE__)

static void
test_load_file(void)
{
	static const char text[] = "# a config\n"
				   "\n"
				   "port 0 address 10.0.1.254/24\n"
				   "vip add 10.0.0.1:80/tcp   # web\r\n"
				   "\tbackend add 10.0.0.1:80/tcp 10.0.1.1 weight 5\n"
				   "strict-syn on"; /* no final newline */
	struct dsr_conf *c = conf_new();
	char path[64], err[DSR_CMD_ERR_MAX] = "";

	APPLY_OK(c, "timeout set udp 9"); /* a file applies on top of the state */
	CHECK_EQ(load_text(c, text, strlen(text), path, err), 0);
	CHECK_STR(err, "");
	CHECK_EQ(backend_id(c, "10.0.0.1:80/tcp", "10.0.1.1"), 0);
	CHECK_EQ(c->backends[0].weight, 5);
	CHECK(c->strict_syn);
	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_UDP], 9);
	CHECK_EQ(load_text(c, "", 0, path, err), 0);
	free(c);
}

static void
test_load_file_errors(void)
{
	struct dsr_conf *c = conf_new();
	char err[DSR_CMD_ERR_MAX];

	APPLY_OK(c, "vip add 10.0.0.9:80/tcp");
	/* The good lines before the bad one are not applied either. */
	LOAD_ERR(c,
		 "strict-syn on\n"
		 "vip add 10.0.0.1:80/tcp\n"
		 "# comment\n"
		 "vip add 10.0.0.1:80/tcp\n",
		 "4: VIP 10.0.0.1:80/tcp already exists");
	LOAD_ERR(c, "vip add 10.0.0.1:80/tcp\r\nbackend add 10.0.0.1:80/tcp 10.0.0.300\r\n",
		 "2: bad IPv4 address '10.0.0.300'");
	LOAD_ERR(c, "\n\n\nfrob", "4: unknown command 'frob'");
	LOAD_ERR(c, "vip add 10.0.0.1:80/tcp\nvip del 10.0.0.1:80/tcp\nvip del 10.0.0.1:80/tcp\n",
		 "3: VIP 10.0.0.1:80/tcp does not exist");
	LOAD_ERR(c, "maglev size 65536\n", "1: maglev size 65536 is not prime");
	load_err(c, "strict-syn on\nvip add 10.0.0.1:80/tcp\0\n", 39,
		 "2: bad byte 0x00 at column 24", __LINE__);
	LOAD_ERR(c, "# caf\xc3\xa9\n", "1: bad byte 0xc3 at column 6");

	CHECK_EQ(dsr_conf_load_file(c, "/nonexistent/dsr.conf", err, sizeof(err)), -1);
	CHECK_STR(err, "/nonexistent/dsr.conf: No such file or directory");
	CHECK_EQ(dsr_conf_load_file(c, "/tmp", err, sizeof(err)), -1);
	CHECK_STR(err, "/tmp: not a regular file (a directory)");
	CHECK_EQ(vip_id(c, "10.0.0.9:80/tcp"), 0);
	free(c);
}

static void
test_load_file_line_length(void)
{
	static char text[3 * DSR_CMD_LINE_MAX];
	struct dsr_conf *c = conf_new();
	char path[64], err[DSR_CMD_ERR_MAX];
	size_t n;

	/* Line 2 is 4096 bytes: fine, with LF or CRLF. */
	n = (size_t)snprintf(text, sizeof(text), "timeout set udp 77\nstrict-syn on");
	memset(text + n, ' ', DSR_CMD_LINE_MAX - 13);
	n += DSR_CMD_LINE_MAX - 13;
	memcpy(text + n, "\r\nstrict-syn on\n", 17);
	CHECK_EQ(load_text(c, text, strlen(text), path, err), 0);
	CHECK(c->strict_syn);
	memcpy(text + n, "\nstrict-syn off", 16);
	CHECK_EQ(load_text(c, text, strlen(text), path, err), 0);
	CHECK(!c->strict_syn);
	/* 4097 bytes, with LF, CRLF or at the end of the file. */
	memcpy(text + n, "#\nstrict-syn on\n", 17);
	LOAD_ERR(c, text, "2: line too long (4097 bytes, max 4096)");
	memcpy(text + n, "#\r\nstrict-syn on\n", 18);
	LOAD_ERR(c, text, "2: line too long (4097 bytes, max 4096)");
	memcpy(text + n, "#", 2);
	LOAD_ERR(c, text, "2: line too long (4097 bytes, max 4096)");
	/* Far longer: the real length, not the buffer size. */
	memset(text + n, '#', 6000);
	memcpy(text + n + 6000, "\r\n", 3);
	LOAD_ERR(c, text, "2: line too long (10096 bytes, max 4096)");
	CHECK(!c->strict_syn);
	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_UDP], 77);
	free(c);
}

/* Dump c into a string (the caller frees it). */
static char *
dump_str(const struct dsr_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	CHECK_EQ(dsr_conf_dump(c, f), 0);
	fclose(f);
	return buf;
}

/* Load text into a fresh state. */
static struct dsr_conf *
reload(const char *text)
{
	struct dsr_conf *c = conf_new();
	char path[64], err[DSR_CMD_ERR_MAX] = "";

	CHECK_EQ(load_text(c, text, strlen(text), path, err), 0);
	CHECK_STR(err, "");
	return c;
}

/* Same settings, ports, services and backends; ids may differ. */
static void
check_same_content(const struct dsr_conf *a, const struct dsr_conf *b)
{
	unsigned int i, na = 0, nb = 0;

	CHECK(memcmp(a->timeout_s, b->timeout_s, sizeof(a->timeout_s)) == 0);
	CHECK_EQ(a->conntrack_size, b->conntrack_size);
	CHECK_EQ(a->maglev_size, b->maglev_size);
	CHECK_EQ(a->strict_syn, b->strict_syn);
	CHECK(memcmp(a->ports, b->ports, sizeof(a->ports)) == 0);
	for (i = 0; i < DSR_MAX_VIPS; i++) {
		na += a->vips[i].used;
		nb += b->vips[i].used;
		if (a->vips[i].used)
			CHECK(dsr_conf_find_vip(b, &a->vips[i].svc) >= 0);
	}
	CHECK_EQ(na, nb);
	na = nb = 0;
	for (i = 0; i < DSR_MAX_BACKENDS; i++) {
		const struct dsr_conf_backend *x = &a->backends[i];
		int v, j;

		na += a->backends[i].used;
		nb += b->backends[i].used;
		if (!x->used)
			continue;
		v = dsr_conf_find_vip(b, &a->vips[x->vip].svc);
		j = v < 0 ? -1 : dsr_conf_find_backend(b, (uint16_t)v, x->ip);
		CHECK(j >= 0);
		if (j < 0)
			continue;
		CHECK_EQ(b->backends[j].has_mac, x->has_mac);
		CHECK(memcmp(b->backends[j].mac, x->mac, 6) == 0);
		CHECK_EQ(b->backends[j].weight, x->weight);
	}
	CHECK_EQ(na, nb);
}

static void
test_dump_text(void)
{
	struct dsr_conf *c = conf_new();
	char *s;

	APPLY_OK(c, "port 1 address 10.0.0.3/16");
	APPLY_OK(c, "port 0 address 10.1.0.3/24");
	APPLY_OK(c, "vip add 10.0.0.2:53/udp");
	APPLY_OK(c, "vip add 10.0.0.1:80/tcp");
	APPLY_OK(c, "backend add 10.0.0.1:80/tcp 10.0.1.2 mac 02:00:00:00:b1:02");
	APPLY_OK(c, "backend add 10.0.0.2:53/udp 10.0.1.9 weight 0");
	APPLY_OK(c, "backend add 10.0.0.1:80/tcp 10.0.1.1 weight 50");
	APPLY_OK(c, "arp refresh 30");
	APPLY_OK(c, "strict-syn on");
	s = dump_str(c);
	CHECK_STR(s, "timeout set tcp-syn 30\n"
		     "timeout set tcp 900\n"
		     "timeout set tcp-fin 60\n"
		     "timeout set udp 300\n"
		     "timeout set frag 2\n"
		     "conntrack size 1048576\n"
		     "maglev size 65537\n"
		     "strict-syn on\n"
		     "arp announce 2 interval 2\n"
		     "arp refresh 30\n"
		     "icmp forward on\n"
		     "icmp rate 1000\n"
		     "port 0 address 10.1.0.3/24\n"
		     "port 1 address 10.0.0.3/16\n"
		     "vip add 10.0.0.2:53/udp\n"
		     "backend add 10.0.0.2:53/udp 10.0.1.9 weight 0\n"
		     "vip add 10.0.0.1:80/tcp\n"
		     "backend add 10.0.0.1:80/tcp 10.0.1.2 mac 02:00:00:00:b1:02 weight 100\n"
		     "backend add 10.0.0.1:80/tcp 10.0.1.1 weight 50\n");
	free(s);
	free(c);
}

static void
test_dump_round_trip(void)
{
	struct dsr_conf *a = conf_new(), *b, *d;
	char line[128], *s1, *s2;
	unsigned int i;

	APPLY_OK(a, "timeout set tcp-syn 3");
	APPLY_OK(a, "timeout set tcp 86400");
	APPLY_OK(a, "timeout set tcp-fin 1");
	APPLY_OK(a, "timeout set udp 604800");
	APPLY_OK(a, "conntrack size 4194304");
	APPLY_OK(a, "maglev size 251");
	APPLY_OK(a, "arp announce 5 interval 3");
	APPLY_OK(a, "arp refresh 120");
	APPLY_OK(a, "port 0 address 10.0.255.254/16");
	APPLY_OK(a, "port 7 address 192.168.7.1/30");
	for (i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "vip add 10.200.0.%u:%u/%s", i, 80 + i,
			 i % 2 ? "udp" : "tcp");
		APPLY_OK(a, line);
		snprintf(line, sizeof(line),
			 "backend add 10.200.0.%u:%u/%s 10.0.%u.1 mac "
			 "02:00:00:00:%02x:01 weight %u",
			 i, 80 + i, i % 2 ? "udp" : "tcp", i, i, i);
		APPLY_OK(a, line);
		snprintf(line, sizeof(line), "backend add 10.200.0.%u:%u/%s 10.0.%u.2", i, 80 + i,
			 i % 2 ? "udp" : "tcp", i);
		APPLY_OK(a, line);
	}
	/* Without gaps the ids match too: the whole state is equal. */
	s1 = dump_str(a);
	b = reload(s1);
	CHECK(memcmp(a, b, sizeof(*a)) == 0);
	free(b);
	free(s1);
	/* With gaps the ids are renumbered; the content and the dump stay equal. */
	APPLY_OK(a, "vip del 10.200.0.3:83/udp");
	APPLY_OK(a, "backend del 10.200.0.8:88/tcp 10.0.8.1");
	APPLY_OK(a, "backend set 10.200.0.9:89/udp 10.0.9.2 weight 0");
	APPLY_OK(a, "backend add 10.200.0.0:80/tcp 10.0.0.9 weight 65535");
	s1 = dump_str(a);
	b = reload(s1);
	check_same_content(a, b);
	s2 = dump_str(b);
	CHECK_STR(s2, s1);
	d = reload(s2);
	CHECK(memcmp(b, d, sizeof(*b)) == 0);
	free(s2);
	free(s1);
	free(d);
	free(b);
	/* And the defaults. */
	dsr_conf_init(a);
	s1 = dump_str(a);
	b = reload(s1);
	CHECK(memcmp(a, b, sizeof(*a)) == 0);
	free(b);
	free(s1);
	free(a);
}

static void
test_dump_write_error(void)
{
	struct dsr_conf *c = conf_new();
	FILE *f = fopen("/dev/full", "w");

	if (f == NULL) {
		printf("SKIP test_dump_write_error: no /dev/full\n");
		free(c);
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	CHECK_EQ(dsr_conf_dump(c, f), -1);
	fclose(f);
	free(c);
}

static void
test_sample_config(void)
{
	struct dsr_conf *c;
	char path[512], err[DSR_CMD_ERR_MAX] = "";
	int v;

	/* meson passes DSR_SOURCE_ROOT; without it this check fails, never skips. */
	CHECK(source_root != NULL);
	if (source_root == NULL)
		return;
	snprintf(path, sizeof(path), "%s/config/dsrlb.conf", source_root);
	c = conf_new();
	CHECK_EQ(dsr_conf_load_file(c, path, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK(c->ports[0].has_addr);
	CHECK_EQ(c->ports[0].ip, ip_of("10.0.0.2"));
	CHECK_EQ(c->ports[0].prefix_len, 24);
	v = vip_id(c, "10.0.0.100:80/tcp");
	CHECK(v >= 0);
	CHECK(backend_id(c, "10.0.0.100:80/tcp", "10.0.0.21") >= 0);
	CHECK(backend_id(c, "10.0.0.100:80/tcp", "10.0.0.22") >= 0);
	CHECK_EQ(c->conntrack_size, DSR_CONNTRACK_DEFAULT);
	CHECK_EQ(c->timeout_s[DSR_TIMEOUT_TCP], 900);
	free(c);
}

int
main(int argc, char **argv)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_defaults),
		DSR_TEST(test_apply_every_command),
		DSR_TEST(test_err_vip),
		DSR_TEST(test_err_backend),
		DSR_TEST(test_err_ids_exhausted),
		DSR_TEST(test_err_sizes),
		DSR_TEST(test_err_port),
		DSR_TEST(test_err_hand_built),
		DSR_TEST(test_backend_subnet_and_arp),
		DSR_TEST(test_id_reuse),
		DSR_TEST(test_vip_del_removes_backends),
		DSR_TEST(test_load_file),
		DSR_TEST(test_load_file_errors),
		DSR_TEST(test_load_file_line_length),
		DSR_TEST(test_dump_text),
		DSR_TEST(test_dump_round_trip),
		DSR_TEST(test_dump_write_error),
		DSR_TEST(test_sample_config),
	};

	source_root = getenv("DSR_SOURCE_ROOT");
	if (argc > 1)
		source_root = argv[1];
#ifdef DSR_SOURCE_ROOT
	if (source_root == NULL)
		source_root = DSR_SOURCE_ROOT;
#endif
	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}

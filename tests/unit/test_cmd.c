/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/cmd: every command's happy path, every error kind
 * with its exact message, line hygiene (comments, CRLF, tabs, length,
 * control bytes) and the format/parse round trip.
 */
#include <netinet/in.h>
#include <stdbool.h>

#include "dsr_cmd.h"
#include "dsr_test.h"
#include "test_cmd_util.h"

/* Parse a line that must give a command; print the error if not. */
static int
parse_ok(const char *line, struct dsr_cmd *cmd, int lineno)
{
	char err[DSR_CMD_ERR_MAX] = "";
	int r = dsr_cmd_parse(line, cmd, err, sizeof(err));

	if (r != 1) {
		fprintf(stderr, "%s:%d: '%s' -> %d: %s\n", __FILE__, lineno, line, r, err);
		dsr_test_failures++;
	}
	return r;
}

#define PARSE_OK(line, cmd) parse_ok(line, cmd, __LINE__)

#define EXPECT_BLANK(line)                                                                         \
	do {                                                                                       \
		struct dsr_cmd _c;                                                                 \
		char _e[DSR_CMD_ERR_MAX] = "";                                                     \
		CHECK_EQ(dsr_cmd_parse(line, &_c, _e, sizeof(_e)), 0);                             \
		CHECK_STR(_e, "");                                                                 \
	} while (0)

static uint32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t x[4] = {a, b, c, d};
	uint32_t ip;

	memcpy(&ip, x, sizeof(ip));
	return ip;
}

static void
test_blank_and_comments(void)
{
	struct dsr_cmd cmd;

	EXPECT_BLANK("");
	EXPECT_BLANK("\n");
	EXPECT_BLANK("\r\n");
	EXPECT_BLANK("   \t  ");
	EXPECT_BLANK("# a comment");
	EXPECT_BLANK("   \t# indented comment with 'quotes' and :/ punctuation\n");
	EXPECT_BLANK("#");
	CHECK_EQ(PARSE_OK("strict-syn on # trailing comment", &cmd), 1);
	CHECK_EQ(PARSE_OK("strict-syn on# glued comment", &cmd), 1);
	CHECK(cmd.u.on);
}

static void
test_port_address(void)
{
	struct dsr_cmd cmd;

	CHECK_EQ(PARSE_OK("port 0 address 10.0.0.2/24", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_PORT_ADDRESS);
	CHECK_EQ(cmd.u.port_addr.port, 0);
	CHECK_EQ(cmd.u.port_addr.ip, ip4(10, 0, 0, 2));
	CHECK_EQ(cmd.u.port_addr.prefix_len, 24);
	/* lib/conf checks the port against DSR_MAX_PORTS; cmd takes 0-65535. */
	CHECK_EQ(PARSE_OK("port 65535 address 192.168.1.1/32", &cmd), 1);
	CHECK_EQ(cmd.u.port_addr.port, 65535);
	CHECK_EQ(cmd.u.port_addr.prefix_len, 32);
	CHECK_EQ(PARSE_OK("port 3 address 1.2.3.4/0", &cmd), 1);
	CHECK_EQ(cmd.u.port_addr.prefix_len, 0);
}

static void
test_vip_add_del(void)
{
	struct dsr_cmd cmd;

	CHECK_EQ(PARSE_OK("vip add 10.200.0.100:80/tcp", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_VIP_ADD);
	CHECK_EQ(cmd.u.vip.svc.ip, ip4(10, 200, 0, 100));
	CHECK_EQ(cmd.u.vip.svc.port, htons(80));
	CHECK_EQ(cmd.u.vip.svc.proto, IPPROTO_TCP);
	CHECK_EQ(cmd.u.vip.svc.family, DSR_AF_IPV4);
	CHECK_EQ(PARSE_OK("vip del 10.200.0.100:65535/udp", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_VIP_DEL);
	CHECK_EQ(cmd.u.vip.svc.port, htons(65535));
	CHECK_EQ(cmd.u.vip.svc.proto, IPPROTO_UDP);
	CHECK_EQ(PARSE_OK("vip add 255.255.255.255:1/udp", &cmd), 1);
	CHECK_EQ(cmd.u.vip.svc.ip, ip4(255, 255, 255, 255));
	CHECK_EQ(cmd.u.vip.svc.port, htons(1));
}

static void
test_backend_add(void)
{
	static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0xb1, 0x01};
	const char *line;
	struct dsr_cmd cmd;

	CHECK_EQ(PARSE_OK("backend add 10.200.0.100:80/tcp 10.0.0.21", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_BACKEND_ADD);
	CHECK_EQ(cmd.u.backend.svc.ip, ip4(10, 200, 0, 100));
	CHECK_EQ(cmd.u.backend.ip, ip4(10, 0, 0, 21));
	CHECK(!cmd.u.backend.has_mac);
	CHECK(!cmd.u.backend.has_weight);
	CHECK_EQ(cmd.u.backend.weight, DSR_WEIGHT_DEFAULT);

	line = "backend add 10.200.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01 weight 100";
	CHECK_EQ(PARSE_OK(line, &cmd), 1);
	CHECK(cmd.u.backend.has_mac);
	CHECK(memcmp(cmd.u.backend.mac, mac, 6) == 0);
	CHECK(cmd.u.backend.has_weight);
	CHECK_EQ(cmd.u.backend.weight, 100);

	/* Any order; upper-case hex; weight 0 and 65535. */
	line = "backend add 10.200.0.100:80/tcp 10.0.0.21 weight 0 mac 02:00:00:00:B1:01";
	CHECK_EQ(PARSE_OK(line, &cmd), 1);
	CHECK(cmd.u.backend.has_mac);
	CHECK(memcmp(cmd.u.backend.mac, mac, 6) == 0);
	CHECK_EQ(cmd.u.backend.weight, 0);
	CHECK_EQ(PARSE_OK("backend add 10.200.0.100:80/tcp 10.0.0.21 weight 65535", &cmd), 1);
	CHECK(!cmd.u.backend.has_mac);
	CHECK_EQ(cmd.u.backend.weight, 65535);
}

static void
test_backend_del_set(void)
{
	struct dsr_cmd cmd;

	CHECK_EQ(PARSE_OK("backend del 10.200.0.100:80/tcp 10.0.0.21", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_BACKEND_DEL);
	CHECK_EQ(cmd.u.backend.ip, ip4(10, 0, 0, 21));
	CHECK_EQ(PARSE_OK("backend set 10.200.0.100:80/tcp 10.0.0.21 weight 0", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_BACKEND_SET);
	CHECK_EQ(cmd.u.backend.svc.port, htons(80));
	CHECK(cmd.u.backend.has_weight);
	CHECK_EQ(cmd.u.backend.weight, 0);
}

static void
test_timeout_set(void)
{
	static const char *const lines[] = {"timeout set tcp-syn 30", "timeout set tcp 900",
					    "timeout set tcp-fin 60", "timeout set udp 300",
					    "timeout set frag 2"};
	static const uint32_t secs[] = {30, 900, 60, 300, 2};
	struct dsr_cmd cmd;
	unsigned int k;

	for (k = 0; k < DSR_TIMEOUT_NKINDS; k++) {
		CHECK_EQ(PARSE_OK(lines[k], &cmd), 1);
		CHECK_EQ(cmd.id, DSR_CMD_TIMEOUT_SET);
		CHECK_EQ(cmd.u.timeout.kind, k);
		CHECK_EQ(cmd.u.timeout.seconds, secs[k]);
	}
	CHECK_EQ(PARSE_OK("timeout set udp 1", &cmd), 1);
	CHECK_EQ(cmd.u.timeout.seconds, 1);
	CHECK_EQ(PARSE_OK("timeout set udp 604800", &cmd), 1);
	CHECK_EQ(cmd.u.timeout.seconds, 604800);
	/* A fragmented datagram's later fragments follow its first for at most 30 s. */
	CHECK_EQ(PARSE_OK("timeout set frag 30", &cmd), 1);
	CHECK_EQ(cmd.u.timeout.seconds, 30);
	EXPECT_ERR("timeout set frag 31", "bad seconds '31' (1-30)");
	EXPECT_ERR("timeout set frag 0", "bad seconds '0' (1-30)");
	CHECK_STR(dsr_timeout_name(DSR_TIMEOUT_TCP_FIN), "tcp-fin");
	CHECK_STR(dsr_timeout_name(DSR_TIMEOUT_NKINDS), "unknown");
}

static void
test_sizes_and_strict_syn(void)
{
	struct dsr_cmd cmd;

	CHECK_EQ(PARSE_OK("conntrack size 4194304", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_CONNTRACK_SIZE);
	CHECK_EQ(cmd.u.size, 4194304);
	CHECK_EQ(PARSE_OK("maglev size 65537", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_MAGLEV_SIZE);
	CHECK_EQ(cmd.u.size, 65537);
	CHECK_EQ(PARSE_OK("maglev size 4294967295", &cmd), 1);
	CHECK_EQ(cmd.u.size, 4294967295u);
	CHECK_EQ(PARSE_OK("strict-syn on", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_STRICT_SYN);
	CHECK(cmd.u.on);
	CHECK_EQ(PARSE_OK("strict-syn off", &cmd), 1);
	CHECK(!cmd.u.on);
	CHECK_EQ(PARSE_OK("icmp forward off", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_ICMP_FORWARD);
	CHECK(!cmd.u.on);
	CHECK_EQ(PARSE_OK("icmp rate 0", &cmd), 1);
	CHECK_EQ(cmd.id, DSR_CMD_ICMP_RATE);
	CHECK_EQ(cmd.u.rate, 0);
	CHECK_EQ(PARSE_OK("icmp rate 1000000", &cmd), 1);
	CHECK_EQ(cmd.u.rate, 1000000);
	EXPECT_ERR("icmp rate 1000001", "bad rate '1000001' (0-1000000)");
	EXPECT_ERR("icmp forward maybe", "bad value 'maybe' (on or off)");
}

static void
test_err_unknown_command(void)
{
	char line[200];

	EXPECT_ERR("vip frob 10.0.0.1:80/tcp", "unknown command 'vip frob'");
	EXPECT_ERR("frob", "unknown command 'frob'");
	EXPECT_ERR("frob vip add", "unknown command 'frob'");
	EXPECT_ERR("vip", "unknown command 'vip'");
	EXPECT_ERR("  backend   frob  ", "unknown command 'backend frob'");
	EXPECT_ERR("port", "missing port number after 'port'");
	/* Keywords are lower case only. */
	EXPECT_ERR("VIP add 10.0.0.1:80/tcp", "unknown command 'VIP'");
	EXPECT_ERR("vip ADD 10.0.0.1:80/tcp", "unknown command 'vip ADD'");
	EXPECT_ERR("strict-syn-x on", "unknown command 'strict-syn-x'");
	/* A long word is cut. */
	memset(line, 'x', 150);
	line[150] = '\0';
	EXPECT_ERR(line, "unknown command 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
}

static void
test_err_bad_ipv4(void)
{
	EXPECT_ERR("vip add 10.0.0.300:80/tcp", "bad IPv4 address '10.0.0.300'");
	EXPECT_ERR("vip add 10.0.0:80/tcp", "bad IPv4 address '10.0.0'");
	EXPECT_ERR("vip add 10.0.0.1.2:80/tcp", "bad IPv4 address '10.0.0.1.2'");
	EXPECT_ERR("vip add 10..0.1:80/tcp", "bad IPv4 address '10..0.1'");
	EXPECT_ERR("vip add 10.0.0.:80/tcp", "bad IPv4 address '10.0.0.'");
	EXPECT_ERR("vip add :80/tcp", "bad IPv4 address ''");
	EXPECT_ERR("vip add 0x0a.0.0.1:80/tcp", "bad IPv4 address '0x0a.0.0.1'");
	EXPECT_ERR("vip add 167772161:80/tcp", "bad IPv4 address '167772161'");
	EXPECT_ERR("vip add -1.0.0.1:80/tcp", "bad IPv4 address '-1.0.0.1'");
	EXPECT_ERR("backend add 10.0.0.1:80/tcp 10.0.0.256", "bad IPv4 address '10.0.0.256'");
	EXPECT_ERR("backend del 10.0.0.1:80/tcp host", "bad IPv4 address 'host'");
	EXPECT_ERR("port 0 address 10.0.0.1234/24", "bad IPv4 address '10.0.0.1234'");
}

static void
test_err_leading_zeros(void)
{
	struct dsr_cmd cmd;

	/* inet_aton() would read 010 as octal 8. */
	EXPECT_ERR("vip add 010.0.0.1:80/tcp", "bad IPv4 address '010.0.0.1'");
	EXPECT_ERR("vip add 10.0.0.00:80/tcp", "bad IPv4 address '10.0.0.00'");
	EXPECT_ERR("vip add 10.0.0.1:080/tcp", "bad port '080' (1-65535)");
	EXPECT_ERR("port 00 address 10.0.0.2/24", "bad port number '00' (0-65535)");
	EXPECT_ERR("port 0 address 10.0.0.2/024", "bad prefix length '024' (0-32)");
	EXPECT_ERR("backend set 10.0.0.1:80/tcp 10.0.0.2 weight 0100",
		   "bad weight '0100' (0-65535)");
	EXPECT_ERR("conntrack size 01024", "bad size '01024' (1-4294967295)");
	EXPECT_ERR("timeout set tcp 030", "bad seconds '030' (1-604800)");
	/* A lone zero is fine. */
	CHECK_EQ(PARSE_OK("vip add 10.0.0.0:80/tcp", &cmd), 1);
	CHECK_EQ(PARSE_OK("backend set 10.0.0.1:80/tcp 0.0.0.0 weight 0", &cmd), 1);
}

static void
test_err_bad_port(void)
{
	EXPECT_ERR("vip add 10.0.0.1:70000/tcp", "bad port '70000' (1-65535)");
	EXPECT_ERR("vip add 10.0.0.1:65536/tcp", "bad port '65536' (1-65535)");
	EXPECT_ERR("vip add 10.0.0.1:0/tcp", "bad port '0' (1-65535)");
	EXPECT_ERR("vip add 10.0.0.1:/tcp", "bad port '' (1-65535)");
	EXPECT_ERR("vip add 10.0.0.1:-80/tcp", "bad port '-80' (1-65535)");
	EXPECT_ERR("vip add 10.0.0.1:+80/tcp", "bad port '+80' (1-65535)");
	EXPECT_ERR("vip add 10.0.0.1:http/tcp", "bad port 'http' (1-65535)");
	EXPECT_ERR("vip add 10.0.0.1:99999999999/tcp", "bad port '99999999999' (1-65535)");
	EXPECT_ERR("port 65536 address 10.0.0.2/24", "bad port number '65536' (0-65535)");
	EXPECT_ERR("port eth0 address 10.0.0.2/24", "bad port number 'eth0' (0-65535)");
}

static void
test_err_bad_protocol(void)
{
	EXPECT_ERR("vip add 10.0.0.1:80/sctp", "bad protocol 'sctp' (tcp or udp)");
	EXPECT_ERR("vip add 10.0.0.1:80/TCP", "bad protocol 'TCP' (tcp or udp)");
	EXPECT_ERR("vip add 10.0.0.1:80/", "bad protocol '' (tcp or udp)");
	EXPECT_ERR("vip add 10.0.0.1:80/tcpx", "bad protocol 'tcpx' (tcp or udp)");
	EXPECT_ERR("vip add 10.0.0.1:80/tcp/udp", "bad protocol 'tcp/udp' (tcp or udp)");
}

static void
test_err_bad_service(void)
{
	EXPECT_ERR("vip add 10.0.0.1",
		   "bad service '10.0.0.1' (expected VIP:PORT/PROTO or [VIP6]:PORT/PROTO)");
	EXPECT_ERR("vip add 10.0.0.1:80",
		   "bad service '10.0.0.1:80' (expected VIP:PORT/PROTO or [VIP6]:PORT/PROTO)");
	EXPECT_ERR("vip add 10.0.0.1/tcp:80",
		   "bad service '10.0.0.1/tcp:80' (expected VIP:PORT/PROTO or [VIP6]:PORT/PROTO)");
}

static void
test_err_bad_mac(void)
{
	const char *pre = "backend add 10.0.0.1:80/tcp 10.0.0.2 mac ";
	static const char *const bad[] = {
		"02:00:00:00:b1",     "02:00:00:00:b1:01:02", "02-00-00-00-b1-01",
		"02:00:00:00:b1:0g",  "2:0:0:0:0:1",          "0200.0000.b101",
		"02:00:00:00:b1:1",   "02:00:00:00:b1:011",   ":02:00:00:00:b1:0",
		"02::00:00:00:b1:01",
	};
	char line[128], msg[128];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s%s", pre, bad[i]);
		snprintf(msg, sizeof(msg), "bad MAC address '%s'", bad[i]);
		EXPECT_ERR(line, msg);
	}
}

static void
test_err_bad_weight(void)
{
	EXPECT_ERR("backend add 10.0.0.1:80/tcp 10.0.0.2 weight -1", "bad weight '-1' (0-65535)");
	EXPECT_ERR("backend add 10.0.0.1:80/tcp 10.0.0.2 weight 65536",
		   "bad weight '65536' (0-65535)");
	EXPECT_ERR("backend set 10.0.0.1:80/tcp 10.0.0.2 weight 1e3", "bad weight '1e3' (0-65535)");
	EXPECT_ERR("backend set 10.0.0.1:80/tcp 10.0.0.2 weight 4294967296",
		   "bad weight '4294967296' (0-65535)");
}

static void
test_err_bad_prefix(void)
{
	EXPECT_ERR("port 0 address 10.0.0.2/33", "bad prefix length '33' (0-32)");
	EXPECT_ERR("port 0 address 10.0.0.2/", "bad prefix length '' (0-32)");
	EXPECT_ERR("port 0 address 10.0.0.2/255.255.255.0",
		   "bad prefix length '255.255.255.0' (0-32)");
	EXPECT_ERR("port 0 address 10.0.0.2", "bad address '10.0.0.2' (expected IP/LEN)");
}

/* IPv6: bracketed services, addresses and prefixes of either family. */
static void
test_ipv6(void)
{
	static const uint8_t vip6[16] = {0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	static const uint8_t be6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x21};
	struct dsr_cmd cmd;

	CHECK_EQ(PARSE_OK("vip add [fd00:1::100]:443/udp", &cmd), 1);
	CHECK_EQ(cmd.u.vip.svc.family, DSR_AF_IPV6);
	CHECK(memcmp(cmd.u.vip.svc.ip6, vip6, 16) == 0);
	CHECK_EQ(cmd.u.vip.svc.ip, 0);
	CHECK_EQ(ntohs(cmd.u.vip.svc.port), 443);
	CHECK_EQ(cmd.u.vip.svc.proto, 17);
	CHECK_EQ(PARSE_OK("backend add [FD00:1::100]:80/tcp fd00:0:0::21 weight 7", &cmd), 1);
	CHECK_EQ(cmd.u.backend.family, DSR_AF_IPV6);
	CHECK(memcmp(cmd.u.backend.ip6, be6, 16) == 0);
	CHECK_EQ(cmd.u.backend.weight, 7);
	CHECK_EQ(PARSE_OK("backend add [fd00:1::100]:80/tcp 10.0.0.21", &cmd), 1);
	CHECK_EQ(cmd.u.backend.family, DSR_AF_IPV4); /* lib/conf refuses the mix */
	CHECK_EQ(PARSE_OK("port 3 address fd00::2/0", &cmd), 1);
	CHECK_EQ(cmd.u.port_addr.family, DSR_AF_IPV6);
	CHECK_EQ(cmd.u.port_addr.prefix_len, 0);
	CHECK_EQ(PARSE_OK("port 3 address ::ffff:10.0.0.1/128", &cmd), 1); /* lib/conf refuses it */
	EXPECT_ERR("port 0 address fd00::2/129", "bad prefix length '129' (0-128)");
	EXPECT_ERR("port 0 address fd00::2", "bad address 'fd00::2' (expected IP/LEN)");
	EXPECT_ERR("port 0 address fd00:::2/64", "bad IPv6 address 'fd00:::2'");
	EXPECT_ERR("port 0 address fe80::1%eth0/64", "bad IPv6 address 'fe80::1%eth0'");
	EXPECT_ERR("vip add [fd00::1:80/tcp",
		   "bad service '[fd00::1:80/tcp' (expected VIP:PORT/PROTO or [VIP6]:PORT/PROTO)");
	EXPECT_ERR("vip add [fd00::1]80/tcp",
		   "bad service '[fd00::1]80/tcp' (expected VIP:PORT/PROTO or [VIP6]:PORT/PROTO)");
	EXPECT_ERR(
		"vip add fd00::1:80/tcp",
		"bad service 'fd00::1:80/tcp' (an IPv6 VIP goes in brackets: [VIP6]:PORT/PROTO)");
	EXPECT_ERR("vip add [10.0.0.1]:80/tcp", "bad IPv6 address '10.0.0.1'");
	EXPECT_ERR("vip add []:80/tcp", "bad IPv6 address ''");
	EXPECT_ERR("vip add [fd00::1]:0/tcp", "bad port '0' (1-65535)");
	EXPECT_ERR("backend add [fd00::1]:80/tcp fd00::g", "bad IPv6 address 'fd00::g'");
}

static void
test_err_bad_timeout(void)
{
	EXPECT_ERR("timeout set tcp-est 30",
		   "bad timeout kind 'tcp-est' (tcp-syn, tcp, tcp-fin, udp or frag)");
	EXPECT_ERR("timeout set TCP 30",
		   "bad timeout kind 'TCP' (tcp-syn, tcp, tcp-fin, udp or frag)");
	EXPECT_ERR("timeout set tcp 0", "bad seconds '0' (1-604800)");
	EXPECT_ERR("timeout set tcp 604801", "bad seconds '604801' (1-604800)");
	EXPECT_ERR("timeout set tcp 30s", "bad seconds '30s' (1-604800)");
}

static void
test_err_bad_size(void)
{
	EXPECT_ERR("conntrack size 0", "bad size '0' (1-4294967295)");
	EXPECT_ERR("conntrack size -5", "bad size '-5' (1-4294967295)");
	EXPECT_ERR("conntrack size 4294967296", "bad size '4294967296' (1-4294967295)");
	EXPECT_ERR("maglev size 1M", "bad size '1M' (1-4294967295)");
	EXPECT_ERR("maglev size 12345678901", "bad size '12345678901' (1-4294967295)");
}

static void
test_err_bad_on_off(void)
{
	EXPECT_ERR("strict-syn yes", "bad value 'yes' (on or off)");
	EXPECT_ERR("strict-syn ON", "bad value 'ON' (on or off)");
	EXPECT_ERR("strict-syn 1", "bad value '1' (on or off)");
}

static void
test_err_unexpected(void)
{
	EXPECT_ERR("port 0 address 10.0.0.2/24 foo", "unexpected 'foo'");
	EXPECT_ERR("port 0 addr 10.0.0.2/24",
		   "unexpected 'addr' (expected 'address' or 'kernel-interface')");
	EXPECT_ERR("vip add 10.0.0.1:80/tcp foo", "unexpected 'foo' (expected 'routed')");
	EXPECT_ERR("vip del 10.0.0.1:80/tcp 10.0.0.2", "unexpected '10.0.0.2'");
	EXPECT_ERR("backend add 10.0.0.1:80/tcp 10.0.0.2 foo",
		   "unexpected 'foo' (expected 'mac' or 'weight')");
	EXPECT_ERR("backend add 10.0.0.1:80/tcp 10.0.0.2 weight 1 weight 2",
		   "unexpected 'weight' (given twice)");
	EXPECT_ERR(
		"backend add 10.0.0.1:80/tcp 10.0.0.2 mac 02:00:00:00:00:01 mac 02:00:00:00:00:02",
		"unexpected 'mac' (given twice)");
	EXPECT_ERR("backend add 10.0.0.1:80/tcp 10.0.0.2 MAC 02:00:00:00:00:01",
		   "unexpected 'MAC' (expected 'mac' or 'weight')");
	EXPECT_ERR("backend del 10.0.0.1:80/tcp 10.0.0.2 weight 1", "unexpected 'weight'");
	EXPECT_ERR("backend set 10.0.0.1:80/tcp 10.0.0.2 mac 02:00:00:00:00:01",
		   "unexpected 'mac' (expected 'weight')");
	EXPECT_ERR("backend set 10.0.0.1:80/tcp 10.0.0.2 weight 1 x", "unexpected 'x'");
	EXPECT_ERR("timeout set tcp 30 60", "unexpected '60'");
	EXPECT_ERR("conntrack size 1024 entries", "unexpected 'entries'");
	EXPECT_ERR("maglev size 65537 x", "unexpected 'x'");
	EXPECT_ERR("strict-syn on off", "unexpected 'off'");
	/* Far more words than any command has. */
	EXPECT_ERR("strict-syn on a b c d e f g h i j k l m n o p q r s t u v w x y z",
		   "unexpected 'a'");
}

static void
test_err_missing(void)
{
	EXPECT_ERR("port", "missing port number after 'port'");
	EXPECT_ERR("port 0", "missing 'address' or 'kernel-interface' after 'port 0'");
	EXPECT_ERR("port 0 address", "missing IP/LEN after 'port 0 address'");
	EXPECT_ERR("port 0 kernel-interface", "missing NAME after 'port 0 kernel-interface'");
	EXPECT_ERR("port 0 kernel-interface dsr0 up", "unexpected 'up'");
	EXPECT_ERR("port 0 kernel-interface abcdefghijklmnop",
		   "bad interface name 'abcdefghijklmnop' (1-15 characters)");
	EXPECT_ERR("port 0 kernel-interface ds/r0",
		   "bad interface name 'ds/r0' (letters, digits, '_', '.' and '-' only)");
	EXPECT_ERR("port 0 kernel-interface ..", "bad interface name '..'");
	EXPECT_ERR("port 65536 kernel-interface dsr0", "bad port number '65536' (0-65535)");
	EXPECT_ERR("vip add", "missing VIP:PORT/PROTO after 'vip add'");
	EXPECT_ERR("vip del  # comment", "missing VIP:PORT/PROTO after 'vip del'");
	EXPECT_ERR("backend add 10.0.0.1:80/tcp", "missing IP after 'backend add 10.0.0.1:80/tcp'");
	/* The words so far are quoted in canonical spacing. */
	EXPECT_ERR("\tbackend  add\t10.0.0.1:80/tcp  ",
		   "missing IP after 'backend add 10.0.0.1:80/tcp'");
	EXPECT_ERR("backend add 10.0.0.1:80/tcp 10.0.0.2 mac",
		   "missing MAC after 'backend add 10.0.0.1:80/tcp 10.0.0.2 mac'");
	EXPECT_ERR("backend add 10.0.0.1:80/tcp 10.0.0.2 mac 02:00:00:00:00:01 weight",
		   "missing weight after 'backend add 10.0.0.1:80/tcp 10.0.0.2 mac "
		   "02:00:00:00:00:01 weight'");
	EXPECT_ERR("backend del", "missing VIP:PORT/PROTO after 'backend del'");
	EXPECT_ERR("backend set 10.0.0.1:80/tcp 10.0.0.2",
		   "missing 'weight' after 'backend set 10.0.0.1:80/tcp 10.0.0.2'");
	EXPECT_ERR("backend set 10.0.0.1:80/tcp 10.0.0.2 weight",
		   "missing weight after 'backend set 10.0.0.1:80/tcp 10.0.0.2 weight'");
	EXPECT_ERR("timeout set", "missing timeout kind after 'timeout set'");
	EXPECT_ERR("timeout set tcp", "missing seconds after 'timeout set tcp'");
	EXPECT_ERR("conntrack size", "missing size after 'conntrack size'");
	EXPECT_ERR("maglev size", "missing size after 'maglev size'");
	EXPECT_ERR("strict-syn", "missing on or off after 'strict-syn'");
}

static void
test_line_length(void)
{
	static char line[DSR_CMD_LINE_MAX + 8];
	struct dsr_cmd cmd;

	/* 4096 bytes: a command padded with blanks, then a comment. */
	memset(line, ' ', DSR_CMD_LINE_MAX);
	memcpy(line, "strict-syn on", 13);
	line[DSR_CMD_LINE_MAX] = '\0';
	CHECK_EQ(PARSE_OK(line, &cmd), 1);
	line[DSR_CMD_LINE_MAX - 1] = 'x';
	EXPECT_ERR(line, "unexpected 'x'");
	memset(line, '#', DSR_CMD_LINE_MAX);
	EXPECT_BLANK(line);
	/* The line ending does not count. */
	memcpy(line + DSR_CMD_LINE_MAX, "\n", 2);
	EXPECT_BLANK(line);
	memcpy(line + DSR_CMD_LINE_MAX, "\r\n", 3);
	EXPECT_BLANK(line);
	/* 4097 bytes. */
	memcpy(line + DSR_CMD_LINE_MAX, "#", 2);
	EXPECT_ERR(line, "line too long (4097 bytes, max 4096)");
	memcpy(line + DSR_CMD_LINE_MAX, "#\r\n", 4);
	EXPECT_ERR(line, "line too long (4097 bytes, max 4096)");
}

static void
test_bad_bytes(void)
{
	static const char nul_line[] = "vip add\0 10.0.0.1:80/tcp";
	struct dsr_cmd cmd;
	char err[DSR_CMD_ERR_MAX];

	EXPECT_ERR("vip\001add 10.0.0.1:80/tcp", "bad byte 0x01 at column 4");
	EXPECT_ERR("strict-syn on\x1b", "bad byte 0x1b at column 14");
	EXPECT_ERR("strict-syn\x7fon", "bad byte 0x7f at column 11");
	EXPECT_ERR("strict-syn \xc3\xa9", "bad byte 0xc3 at column 12");
	/* Comments too: the whole line is checked. */
	EXPECT_ERR("# caf\xc3\xa9", "bad byte 0xc3 at column 6");
	/* CR and LF are line endings only at the end. */
	EXPECT_ERR("strict-syn\ron", "bad byte 0x0d at column 11");
	EXPECT_ERR("strict-syn on\nstrict-syn off", "bad byte 0x0a at column 14");
	EXPECT_ERR("strict-syn on\n\n", "bad byte 0x0a at column 14");
	EXPECT_ERR("\f", "bad byte 0x0c at column 1");
	/* NUL inside the line: only the length-aware parser can see it. */
	CHECK_EQ(dsr_cmd_parse_n(nul_line, sizeof(nul_line) - 1, &cmd, err, sizeof(err)), -1);
	CHECK_STR(err, "bad byte 0x00 at column 8");
	CHECK_EQ(dsr_cmd_parse_n("strict-syn on\nXX", 14, &cmd, err, sizeof(err)), 1);
	CHECK(cmd.u.on);
}

static void
test_crlf_and_tabs(void)
{
	struct dsr_cmd cmd;

	CHECK_EQ(PARSE_OK("vip add 10.0.0.1:80/tcp\r\n", &cmd), 1);
	CHECK_EQ(cmd.u.vip.svc.proto, IPPROTO_TCP);
	CHECK_EQ(PARSE_OK("vip add 10.0.0.1:80/udp\n", &cmd), 1);
	CHECK_EQ(cmd.u.vip.svc.proto, IPPROTO_UDP);
	CHECK_EQ(PARSE_OK("strict-syn off # comment\r\n", &cmd), 1);
	CHECK_EQ(PARSE_OK("\tbackend\tadd \t10.0.0.1:80/tcp\t10.0.0.2\tweight\t7\t\r\n", &cmd), 1);
	CHECK_EQ(cmd.u.backend.weight, 7);
	EXPECT_ERR("strict-syn on\r\r\n", "bad byte 0x0d at column 14");
}

static void
test_errors_fit_and_err_optional(void)
{
	static char line[DSR_CMD_LINE_MAX + 1];
	struct dsr_cmd cmd;
	char err[DSR_CMD_ERR_MAX];
	size_t n;

	/* The longest token in the longest message still fits. */
	n = (size_t)snprintf(line, sizeof(line), "backend add 10.0.0.1:80/tcp 10.0.0.2 mac ");
	memset(line + n, 'f', DSR_CMD_LINE_MAX - n);
	line[DSR_CMD_LINE_MAX] = '\0';
	CHECK_EQ(dsr_cmd_parse(line, &cmd, err, sizeof(err)), -1);
	CHECK(strlen(err) < DSR_CMD_ERR_MAX - 1);
	CHECK_STR(err, "bad MAC address 'ffffffffffffffffffffffffffffffffffffffffffffffff...'");
	/* No error buffer, or a tiny one. */
	CHECK_EQ(dsr_cmd_parse("vip add 10.0.0.300:80/tcp", &cmd, NULL, 0), -1);
	CHECK_EQ(dsr_cmd_parse("vip add 10.0.0.300:80/tcp", &cmd, err, 4), -1);
	CHECK_STR(err, "bad");
	/* A failed parse leaves cmd zeroed. */
	CHECK_EQ(cmd.id, 0);
	CHECK_EQ(cmd.u.vip.svc.ip, 0);
}

/* Every command, canonical: parse then format gives the same text back. */
static const char *const canonical[] = {
	"port 0 address 10.0.0.2/24",
	"port 31 address 192.168.0.1/32",
	"port 0 address fd00::2/64",
	"port 1 address 2001:db8:1:2::1/128",
	"vip add [fd00:1::100]:80/tcp",
	"vip del [2001:db8::1]:53/udp",
	"backend add [fd00:1::100]:80/tcp fd00::21 mac 02:00:00:00:b1:01 weight 100",
	"backend add [fd00:1::100]:80/tcp fd00::22 weight 0",
	"backend del [fd00:1::100]:80/tcp fd00::21",
	"backend set [fd00:1::100]:80/tcp fd00::21 weight 5",
	"check set [fd00:1::100]:80/tcp dsr interval 1 timeout 0.5 rise 2 fall 3 panic 0",
	"port 0 kernel-interface dsr0",
	"port 31 kernel-interface eth-1.100_a",
	"vip add 10.200.0.100:80/tcp",
	"vip add 10.200.0.100:53/udp",
	"vip add 10.200.0.101:80/tcp routed",
	"vip add [fd00:1::101]:80/tcp routed",
	"vip withdraw 10.200.0.100:80/tcp",
	"vip announce [fd00:1::100]:80/tcp",
	"announce table 100",
	"announce table 4294967295",
	"vip del 10.200.0.100:80/tcp",
	"backend add 10.200.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01 weight 100",
	"backend add 10.200.0.100:80/tcp 10.0.0.22 weight 0",
	"backend del 10.200.0.100:80/tcp 10.0.0.21",
	"backend set 10.200.0.100:80/tcp 10.0.0.21 weight 65535",
	"check set 10.200.0.100:80/tcp dsr interval 0.5 timeout 0.25 rise 1 fall 2 panic 50",
	"check set 10.0.0.1:80/tcp http path /h expect 204 port 8080 interval 2 timeout 1 rise 2 fall 3 panic 0",
	"check set 10.200.0.100:80/tcp none",
	"timeout set tcp-syn 30",
	"timeout set tcp 900",
	"timeout set tcp-fin 60",
	"timeout set udp 604800",
	"conntrack size 4194304",
	"conntrack size6 0",
	"conntrack size6 1048576",
	"strict-syn on",
	"strict-syn off",
	"arp announce 2 interval 2",
	"arp announce 0 interval 60",
	"arp refresh 60",
	"timeout set frag 30",
	"icmp forward on",
	"icmp forward off",
	"icmp rate 0",
	"icmp rate 1000",
	"show vips",
	"show backends",
	"show backends 10.200.0.100:80/tcp",
	"show checks",
	"show conns",
	"show conns 10.200.0.100:80/tcp limit 10",
	"show conns limit 1",
	"conns flush",
	"conns flush 10.200.0.100:53/udp",
	"show timeouts",
	"show stats",
	"show stats drops --prometheus",
	"show stats --prometheus",
	"show arp",
	"show nd",
	"show conflicts",
	"show ports",
	"show workers",
	"show config",
	"help",
	"help backend add",
	"maglev size 65537",
};

static void
test_arp_commands(void)
{
	struct dsr_cmd c;
	char err[DSR_CMD_ERR_MAX];

	CHECK_EQ(PARSE_OK("arp announce 3", &c), 1);
	CHECK_EQ(c.id, DSR_CMD_ARP_ANNOUNCE);
	CHECK_EQ(c.u.arp_announce.count, 3);
	CHECK_EQ(c.u.arp_announce.interval_s, DSR_ARP_ANNOUNCE_INTERVAL);
	CHECK_EQ(dsr_cmd_parse("arp announce 11", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "bad count '11' (0-10)");
	CHECK_EQ(dsr_cmd_parse("arp announce 2 interval 0", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "bad seconds '0' (1-60)");
	CHECK_EQ(dsr_cmd_parse("arp announce 2 every 3", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "unexpected 'every' (expected 'interval')");
	CHECK_EQ(dsr_cmd_parse("arp refresh 3601", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "bad seconds '3601' (1-3600)");
	CHECK_EQ(dsr_cmd_parse("arp refresh", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "missing seconds after 'arp refresh'");
	CHECK_EQ(dsr_cmd_parse("arp flush", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "unknown command 'arp flush'");
}

static void
test_runtime_commands(void)
{
	struct dsr_cmd c;
	char err[DSR_CMD_ERR_MAX];

	CHECK_EQ(PARSE_OK("show stats vips --prometheus", &c), 1);
	CHECK_EQ(c.u.show.section, DSR_STATS_VIPS);
	CHECK(c.u.show.prometheus);
	CHECK_EQ(dsr_cmd_parse("show stats vips ports", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "unexpected 'ports' (expected ports, workers, vips, backends, drops, arp, "
		       "control or --prometheus)");
	CHECK_EQ(dsr_cmd_parse("show conns limit 0", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "bad limit '0' (1-4294967295)");
	CHECK_EQ(dsr_cmd_parse("show conns max 3", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "unexpected 'max' (expected 'limit' or VIP:PORT/PROTO)");
	CHECK_EQ(dsr_cmd_parse("show conns 10.0.0.1:80/sctp", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "bad protocol 'sctp' (tcp or udp)");
	CHECK_EQ(dsr_cmd_parse("show vips now", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "unexpected 'now'");
	CHECK_EQ(dsr_cmd_parse("show everything", &c, err, sizeof(err)), -1);
	CHECK_STR(err, "unknown command 'show everything'");
	CHECK_EQ(PARSE_OK("help show", &c), 1);
	CHECK_STR(c.u.topic, "show");
}

static void
test_round_trip(void)
{
	struct dsr_cmd a, b;
	char buf[256];
	unsigned int i;
	bool seen[DSR_CMD_NIDS] = {false};

	for (i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++) {
		CHECK_EQ(PARSE_OK(canonical[i], &a), 1);
		seen[a.id] = true;
		CHECK_EQ(dsr_cmd_format(&a, buf, sizeof(buf)), (int)strlen(canonical[i]));
		CHECK_STR(buf, canonical[i]);
		CHECK_EQ(PARSE_OK(buf, &b), 1);
		CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	}
	for (i = 0; i < DSR_CMD_NIDS; i++)
		CHECK(seen[i]);
}

static void
test_format_canonical(void)
{
	struct dsr_cmd a, b;
	const char *line;
	char buf[256];

	/* Spacing, option order and hex case are normalized; the weight is always written. */
	line = "  backend add\t10.0.0.1:80/tcp 10.0.0.2  weight 5 mac 0A:0B:0C:0D:0E:0F";
	CHECK_EQ(PARSE_OK(line, &a), 1);
	dsr_cmd_format(&a, buf, sizeof(buf));
	CHECK_STR(buf, "backend add 10.0.0.1:80/tcp 10.0.0.2 mac 0a:0b:0c:0d:0e:0f weight 5");
	CHECK_EQ(PARSE_OK("backend add 10.0.0.1:80/tcp 10.0.0.2", &a), 1);
	dsr_cmd_format(&a, buf, sizeof(buf));
	CHECK_STR(buf, "backend add 10.0.0.1:80/tcp 10.0.0.2 weight 100");
	CHECK_EQ(PARSE_OK(buf, &b), 1);
	CHECK(!a.u.backend.has_weight);
	CHECK(b.u.backend.has_weight);
	b.u.backend.has_weight = false;
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	/* snprintf semantics: the full length comes back even when cut. */
	CHECK_EQ(dsr_cmd_format(&a, buf, 8),
		 (int)strlen("backend add 10.0.0.1:80/tcp 10.0.0.2 weight 100"));
	CHECK_STR(buf, "backend");
	a.id = DSR_CMD_NIDS;
	CHECK_EQ(dsr_cmd_format(&a, buf, sizeof(buf)), -1);
	CHECK_STR(buf, "");
}

static void
test_table(void)
{
	const struct dsr_cmd_spec *t;
	unsigned int n, i, j;
	bool seen[DSR_CMD_NIDS] = {false};

	t = dsr_cmd_table(&n);
	CHECK(t != NULL);
	CHECK_EQ(n, DSR_CMD_NIDS);
	for (i = 0; i < n; i++) {
		CHECK(t[i].id < DSR_CMD_NIDS);
		CHECK(!seen[t[i].id]);
		seen[t[i].id] = true;
		CHECK(dsr_cmd_spec_of(t[i].id) == &t[i]);
		CHECK(t[i].words != NULL && t[i].words[0] != '\0');
		CHECK(t[i].args != NULL);
		CHECK(t[i].help != NULL && t[i].help[strlen(t[i].help) - 1] == '.');
		/* Read-only commands are the run-time ones (show, help). */
		if (t[i].flags & DSR_CMD_F_READONLY)
			CHECK(t[i].flags & DSR_CMD_F_RUNTIME);
		CHECK(!((t[i].flags & DSR_CMD_F_RUNTIME) && (t[i].flags & DSR_CMD_F_STARTUP)));
		/* Every example (the docs use them) parses to its own command. */
		CHECK(t[i].example != NULL);
		if (t[i].example != NULL) {
			struct dsr_cmd ex;
			char e[DSR_CMD_ERR_MAX];

			CHECK_EQ(dsr_cmd_parse(t[i].example, &ex, e, sizeof(e)), 1);
			CHECK_EQ(ex.id, t[i].id);
		}
		/*
		 * No row's words are a prefix of another's, but rows of one
		 * parser that tells them apart itself ("port N address|kernel-interface").
		 */
		for (j = 0; j < n; j++)
			if (j != i && t[i].parse != t[j].parse)
				CHECK(strncmp(t[i].words, t[j].words, strlen(t[i].words)) != 0);
	}
	CHECK(dsr_cmd_spec_of(DSR_CMD_NIDS) == NULL);
	CHECK_STR(dsr_cmd_spec_of(DSR_CMD_BACKEND_ADD)->words, "backend add");
	CHECK_STR(dsr_cmd_spec_of(DSR_CMD_BACKEND_ADD)->args,
		  "VIP:PORT/PROTO IP [mac MAC] [weight W]");
	CHECK(dsr_cmd_spec_of(DSR_CMD_CONNTRACK_SIZE)->flags & DSR_CMD_F_STARTUP);
	CHECK(dsr_cmd_spec_of(DSR_CMD_MAGLEV_SIZE)->flags & DSR_CMD_F_STARTUP);
	CHECK(dsr_cmd_spec_of(DSR_CMD_PORT_ADDRESS)->flags & DSR_CMD_F_STARTUP);
	CHECK(!(dsr_cmd_spec_of(DSR_CMD_VIP_ADD)->flags & DSR_CMD_F_STARTUP));
}

static void
test_token_parsers(void)
{
	struct dsr_svc_key svc;
	uint8_t mac[6];
	uint32_t ip, v;
	char buf[32];

	CHECK_EQ(dsr_parse_ipv4("0.0.0.0", &ip), 0);
	CHECK_EQ(ip, 0);
	CHECK_EQ(dsr_parse_ipv4("255.255.255.255", &ip), 0);
	CHECK_EQ(ip, UINT32_MAX);
	ip = 7;
	CHECK_EQ(dsr_parse_ipv4(" 1.2.3.4", &ip), -1);
	CHECK_EQ(dsr_parse_ipv4("1.2.3.4 ", &ip), -1);
	CHECK_EQ(dsr_parse_ipv4("1.2.3", &ip), -1);
	CHECK_EQ(dsr_parse_ipv4("01.2.3.4", &ip), -1);
	CHECK_EQ(dsr_parse_ipv4("", &ip), -1);
	CHECK_EQ(ip, 7); /* untouched on error */
	CHECK_EQ(dsr_parse_mac("ff:FF:00:01:a0:0A", mac), 0);
	CHECK(memcmp(mac, "\xff\xff\x00\x01\xa0\x0a", 6) == 0);
	CHECK_EQ(dsr_parse_mac("ff:ff:00:01:a0:0a ", mac), -1);
	CHECK_EQ(dsr_parse_svc("1.2.3.4:443/tcp", &svc), 0);
	CHECK_STR(dsr_svc_str(&svc, buf, sizeof(buf)), "1.2.3.4:443/tcp");
	CHECK_EQ(dsr_parse_svc("255.255.255.255:65535/udp", &svc), 0);
	CHECK_STR(dsr_svc_str(&svc, buf, sizeof(buf)), "255.255.255.255:65535/udp");
	CHECK_EQ(dsr_parse_svc("1.2.3.4:443", &svc), -1);
	CHECK_EQ(dsr_parse_u32("0", 0, 10, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(dsr_parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	CHECK_EQ(v, UINT32_MAX);
	CHECK_EQ(dsr_parse_u32("4294967296", 0, UINT32_MAX, &v), -1);
	CHECK_EQ(dsr_parse_u32("11", 0, 10, &v), -1);
	CHECK_EQ(dsr_parse_u32("4", 5, 10, &v), -1);
	CHECK_EQ(dsr_parse_u32("", 0, 10, &v), -1);
	CHECK_EQ(dsr_parse_u32(" 1", 0, 10, &v), -1);
	CHECK_EQ(dsr_parse_u32("1 ", 0, 10, &v), -1);
	CHECK_EQ(dsr_parse_u32("+1", 0, 10, &v), -1);
	CHECK_EQ(dsr_parse_u32("01", 0, 10, &v), -1);
	CHECK_EQ(v, UINT32_MAX); /* untouched on error */
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_blank_and_comments),
		DSR_TEST(test_port_address),
		DSR_TEST(test_vip_add_del),
		DSR_TEST(test_backend_add),
		DSR_TEST(test_backend_del_set),
		DSR_TEST(test_timeout_set),
		DSR_TEST(test_sizes_and_strict_syn),
		DSR_TEST(test_err_unknown_command),
		DSR_TEST(test_err_bad_ipv4),
		DSR_TEST(test_err_leading_zeros),
		DSR_TEST(test_err_bad_port),
		DSR_TEST(test_err_bad_protocol),
		DSR_TEST(test_err_bad_service),
		DSR_TEST(test_err_bad_mac),
		DSR_TEST(test_err_bad_weight),
		DSR_TEST(test_err_bad_prefix),
		DSR_TEST(test_err_bad_timeout),
		DSR_TEST(test_ipv6),
		DSR_TEST(test_err_bad_size),
		DSR_TEST(test_err_bad_on_off),
		DSR_TEST(test_err_unexpected),
		DSR_TEST(test_err_missing),
		DSR_TEST(test_line_length),
		DSR_TEST(test_bad_bytes),
		DSR_TEST(test_crlf_and_tabs),
		DSR_TEST(test_errors_fit_and_err_optional),
		DSR_TEST(test_arp_commands),
		DSR_TEST(test_runtime_commands),
		DSR_TEST(test_round_trip),
		DSR_TEST(test_format_canonical),
		DSR_TEST(test_table),
		DSR_TEST(test_token_parsers),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}

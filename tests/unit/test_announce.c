/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Issue 18's grammar and configuration: `announce table T` (its range
 * and the kernel's reserved tables, the kernel interface it needs, show
 * config), `vip add ... routed` (all services of an address agree, the
 * flag survives a dump and reload), `vip withdraw` / `vip announce`
 * (control socket only, never in a config file).
 */
#include <stdlib.h>
#include <string.h>

#include "dsr_cmd.h"
#include "dsr_conf.h"
#include "dsr_test.h"
#include "test_cmd_util.h"

static void
test_grammar(void)
{
	char err[DSR_CMD_ERR_MAX] = "";
	struct dsr_cmd c;

	CHECK_EQ(dsr_cmd_parse("announce table 100", &c, err, sizeof(err)), 1);
	CHECK_EQ(c.id, DSR_CMD_ANNOUNCE_TABLE);
	CHECK_EQ(c.u.table, 100);
	CHECK_EQ(dsr_cmd_parse("announce table 256", &c, err, sizeof(err)), 1);
	CHECK_EQ(c.u.table, 256);
	CHECK_EQ(dsr_cmd_parse("announce table 252", &c, err, sizeof(err)), 1);
	EXPECT_ERR("announce table 0",
		   "table 0 is the kernel's 'none' table: give a table of dsrlb's own (1-252 or "
		   "256-4294967295) for the routing daemon to import");
	EXPECT_ERR("announce table 253",
		   "table 253 is the kernel's 'default' table: give a table of dsrlb's own "
		   "(1-252 or 256-4294967295) for the routing daemon to import");
	EXPECT_ERR("announce table 254",
		   "table 254 is the kernel's 'main' table: give a table of dsrlb's own (1-252 or "
		   "256-4294967295) for the routing daemon to import");
	EXPECT_ERR("announce table 255",
		   "table 255 is the kernel's 'local' table: give a table of dsrlb's own (1-252 "
		   "or 256-4294967295) for the routing daemon to import");
	EXPECT_ERR("announce table 4294967296", "bad table '4294967296' (0-4294967295)");
	EXPECT_ERR("announce table main", "bad table 'main' (0-4294967295)");
	EXPECT_ERR("announce table", "missing table after 'announce table'");
	EXPECT_ERR("announce table 100 200", "unexpected '200'");
	EXPECT_ERR("announce", "unknown command 'announce'");

	CHECK_EQ(dsr_cmd_parse("vip add 10.0.0.100:80/tcp routed", &c, err, sizeof(err)), 1);
	CHECK_EQ(c.id, DSR_CMD_VIP_ADD);
	CHECK(c.u.vip.routed);
	CHECK_EQ(dsr_cmd_parse("vip add 10.0.0.100:80/tcp", &c, err, sizeof(err)), 1);
	CHECK(!c.u.vip.routed);
	EXPECT_ERR("vip add 10.0.0.100:80/tcp routed routed", "unexpected 'routed'");
	EXPECT_ERR("vip add 10.0.0.100:80/tcp route", "unexpected 'route' (expected 'routed')");
	EXPECT_ERR("vip del 10.0.0.100:80/tcp routed", "unexpected 'routed'");

	CHECK_EQ(dsr_cmd_parse("vip withdraw 10.0.0.100:80/tcp", &c, err, sizeof(err)), 1);
	CHECK_EQ(c.id, DSR_CMD_VIP_WITHDRAW);
	CHECK_EQ(dsr_cmd_parse("vip announce [fd00::100]:80/tcp", &c, err, sizeof(err)), 1);
	CHECK_EQ(c.id, DSR_CMD_VIP_ANNOUNCE);
	CHECK_EQ(c.u.vip.svc.family, DSR_AF_IPV6);
	EXPECT_ERR("vip withdraw", "missing VIP:PORT/PROTO after 'vip withdraw'");
	EXPECT_ERR("vip withdraw 10.0.0.100",
		   "bad service '10.0.0.100' (expected VIP:PORT/PROTO or [VIP6]:PORT/PROTO)");
	EXPECT_ERR("vip announce 10.0.0.100:80/tcp now", "unexpected 'now'");
	CHECK(dsr_cmd_spec_of(DSR_CMD_VIP_WITHDRAW)->flags & DSR_CMD_F_RUNTIME);
	CHECK(dsr_cmd_spec_of(DSR_CMD_ANNOUNCE_TABLE)->flags & DSR_CMD_F_STARTUP);

	CHECK(dsr_route_table_reserved(1) == NULL);
	CHECK_STR(dsr_route_table_reserved(254), "main");
}

static struct dsr_conf *
conf_new(void)
{
	struct dsr_conf *c = malloc(sizeof(*c));

	if (c != NULL)
		dsr_conf_init(c);
	return c;
}

#define APPLY(c, line) dsr_conf_apply_line(c, line, err, sizeof(err))

static void
test_conf(void)
{
	struct dsr_conf *c = conf_new(), *d = conf_new();
	char err[DSR_CMD_ERR_MAX] = "", *text = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(c != NULL && d != NULL);
	if (c == NULL || d == NULL)
		goto out;
	CHECK_EQ(APPLY(c, "port 0 address 10.0.0.2/24"), 0);
	CHECK_EQ(APPLY(c, "announce table 100"), -1);
	CHECK_STR(err, "announce table: the routes go through a port's kernel interface, and no "
		       "port has one: add 'port N kernel-interface NAME' before it");
	CHECK_EQ(c->announce_table, 0);
	CHECK_EQ(APPLY(c, "port 0 kernel-interface dsr0"), 0);
	CHECK_EQ(APPLY(c, "announce table 100"), 0);
	CHECK_EQ(c->announce_table, 100);
	CHECK_EQ(APPLY(c, "vip withdraw 10.0.0.100:80/tcp"), -1);
	CHECK_STR(err, "'vip withdraw' is not a configuration command");

	CHECK_EQ(APPLY(c, "vip add 10.0.0.100:80/tcp routed"), 0);
	CHECK_EQ(APPLY(c, "vip add 10.0.0.100:443/tcp"), -1);
	CHECK_STR(err, "VIP 10.0.0.100:443/tcp is not routed but VIP 10.0.0.100:80/tcp, of the "
		       "same address, is: all services of an address are routed or none");
	CHECK_EQ(APPLY(c, "vip add 10.0.0.100:443/tcp routed"), 0);
	CHECK_EQ(APPLY(c, "vip add 10.0.0.101:80/tcp"), 0);
	CHECK_EQ(APPLY(c, "vip add 10.0.0.101:53/udp routed"), -1);
	CHECK_STR(err, "VIP 10.0.0.101:53/udp is routed but VIP 10.0.0.101:80/tcp, of the same "
		       "address, is not: all services of an address are routed or none");
	CHECK_EQ(APPLY(c, "vip add [fd00::100]:80/tcp routed"), 0);
	CHECK_EQ(APPLY(c, "backend add 10.0.0.100:80/tcp 10.0.0.21"), 0);

	/* show config writes both, and loading it gives the same state. */
	f = open_memstream(&text, &len);
	CHECK(f != NULL);
	if (f == NULL)
		goto out;
	CHECK_EQ(dsr_conf_dump(c, f), 0);
	fclose(f);
	CHECK(strstr(text, "port 0 kernel-interface dsr0\nannounce table 100\n") != NULL);
	CHECK(strstr(text, "vip add 10.0.0.100:80/tcp routed\n") != NULL);
	CHECK(strstr(text, "vip add 10.0.0.101:80/tcp\n") != NULL);
	CHECK(strstr(text, "vip add [fd00::100]:80/tcp routed\n") != NULL);
	f = fmemopen(text, len, "r");
	CHECK(f != NULL);
	if (f != NULL) {
		char line[DSR_CMD_LINE_MAX + 2];

		while (fgets(line, sizeof(line), f) != NULL)
			CHECK_EQ(APPLY(d, line), 0);
		fclose(f);
	}
	CHECK(memcmp(c, d, sizeof(*c)) == 0);
out:
	free(text);
	free(c);
	free(d);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_grammar),
		DSR_TEST(test_conf),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of `check set` (lib/cmd's grammar, lib/conf's validation)
 * and `show checks`' grammar: every option, fractional seconds, each
 * error with its exact message, and the config round trip.
 */
#include <netinet/in.h>
#include <stdbool.h>

#include "dsr_cmd.h"
#include "dsr_conf.h"
#include "dsr_test.h"
#include "test_cmd_util.h"
#include "test_conf_util.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A line that must parse; its canonical form must be canon. */
static void
parse_ok(const char *line, struct dsr_cmd *cmd, const char *canon, int lineno)
{
	char err[DSR_CMD_ERR_MAX] = "", out[2 * DSR_CMD_ERR_MAX];
	struct dsr_cmd again;

	if (dsr_cmd_parse(line, cmd, err, sizeof(err)) != 1) {
		fprintf(stderr, "%s:%d: '%s': %s\n", __FILE__, lineno, line, err);
		dsr_test_failures++;
		return;
	}
	dsr_cmd_format(cmd, out, sizeof(out));
	if (strcmp(out, canon) != 0) {
		fprintf(stderr, "%s:%d: '%s' formats as '%s', want '%s'\n", __FILE__, lineno, line,
			out, canon);
		dsr_test_failures++;
	}
	CHECK_EQ(dsr_cmd_parse(out, &again, err, sizeof(err)), 1);
	CHECK(memcmp(&again, cmd, sizeof(again)) == 0);
}

#define PARSE_OK(line, cmd, canon) parse_ok(line, cmd, canon, __LINE__)

static void
test_parse(void)
{
	const struct dsr_check *k;
	struct dsr_cmd cmd;

	PARSE_OK("check set 10.0.0.100:80/tcp dsr", &cmd,
		 "check set 10.0.0.100:80/tcp dsr interval 2 timeout 1 rise 2 fall 3 panic 0");
	k = &cmd.u.check.check;
	CHECK_EQ(cmd.id, DSR_CMD_CHECK_SET);
	CHECK_EQ(k->kind, DSR_CHECK_DSR);
	CHECK_EQ(k->interval_ms, 2000);
	CHECK_EQ(k->timeout_ms, 1000);
	CHECK_EQ(k->rise, 2);
	CHECK_EQ(k->fall, 3);
	CHECK_EQ(k->port, 0);
	CHECK_EQ(k->panic, 0);
	CHECK_EQ(cmd.u.check.svc.port, htons(80));

	PARSE_OK("check set 10.0.0.100:80/tcp http path /healthz expect 204 port 8080 interval "
		 "0.5 timeout 0.25 rise 1 fall 5 panic 50",
		 &cmd,
		 "check set 10.0.0.100:80/tcp http path /healthz expect 204 port 8080 interval "
		 "0.5 timeout 0.25 rise 1 fall 5 panic 50");
	CHECK_EQ(k->kind, DSR_CHECK_HTTP);
	CHECK_STR(k->path, "/healthz");
	CHECK_EQ(k->expect, 204);
	CHECK_EQ(k->port, 8080);
	CHECK_EQ(k->interval_ms, 500);
	CHECK_EQ(k->timeout_ms, 250);
	CHECK_EQ(k->rise, 1);
	CHECK_EQ(k->fall, 5);
	CHECK_EQ(k->panic, 50);

	/* Options in any order; http's defaults are written. */
	PARSE_OK("check set 10.0.0.100:53/udp tcp fall 1 port 53 interval 1.125 timeout 1", &cmd,
		 "check set 10.0.0.100:53/udp tcp port 53 interval 1.125 timeout 1 rise 2 fall 1 "
		 "panic 0");
	PARSE_OK("check set 10.0.0.100:80/tcp http", &cmd,
		 "check set 10.0.0.100:80/tcp http path / expect 200 interval 2 timeout 1 rise 2 "
		 "fall 3 panic 0");
	PARSE_OK("check set 10.0.0.100:80/tcp none", &cmd, "check set 10.0.0.100:80/tcp none");
	CHECK_EQ(k->kind, DSR_CHECK_NONE);
	PARSE_OK("check set 10.0.0.100:80/tcp dsr interval 3600 timeout 0.1 rise 100 fall 100 "
		 "panic 100",
		 &cmd,
		 "check set 10.0.0.100:80/tcp dsr interval 3600 timeout 0.1 rise 100 fall 100 "
		 "panic 100");

	CHECK_EQ(dsr_cmd_parse("show checks", &cmd, NULL, 0), 1);
	CHECK_EQ(cmd.id, DSR_CMD_SHOW_CHECKS);
	CHECK_STR(dsr_check_kind_name(DSR_CHECK_NKINDS), "unknown");
}

static void
test_parse_errors(void)
{
	EXPECT_ERR("check set", "missing VIP:PORT/PROTO after 'check set'");
	EXPECT_ERR("check set 10.0.0.100:80/tcp",
		   "missing check kind after 'check set 10.0.0.100:80/tcp'");
	EXPECT_ERR("check set 10.0.0.100:80/tcp ping",
		   "bad check kind 'ping' (tcp, http, dsr or none)");
	EXPECT_ERR("check set 10.0.0.100/tcp dsr",
		   "bad service '10.0.0.100/tcp' (expected VIP:PORT/PROTO or [VIP6]:PORT/PROTO)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp none interval 2",
		   "unexpected 'interval' ('none' takes no options)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr every 2",
		   "unexpected 'every' (expected path, expect, port, interval, timeout, rise, "
		   "fall or panic)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr rise 2 rise 3",
		   "unexpected 'rise' (given twice)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp tcp path /",
		   "unexpected 'path' (only http checks have a path and expect)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr expect 200",
		   "unexpected 'expect' (only http checks have a path and expect)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp http path healthz",
		   "bad path 'healthz' (starts with '/', at most 127 bytes)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp http expect 99", "bad status '99' (100-599)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp http expect", "missing status after "
							      "'check set 10.0.0.100:80/tcp http "
							      "expect'");
	EXPECT_ERR("check set 10.0.0.100:80/tcp tcp port 0", "bad port '0' (1-65535)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr interval 0.05",
		   "bad interval '0.05' (0.1-3600 seconds)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr interval 3600.001",
		   "bad interval '3600.001' (0.1-3600 seconds)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr interval 0.1234",
		   "bad interval '0.1234' (0.1-3600 seconds)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr interval 1.", "bad interval '1.' (0.1-3600 "
								  "seconds)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr interval .5",
		   "bad interval '.5' (0.1-3600 seconds)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr timeout 1s",
		   "bad timeout '1s' (0.1-3600 seconds)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr interval 1.-5",
		   "bad interval '1.-5' (0.1-3600 seconds)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr rise 0", "bad rise '0' (1-100)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr fall 101", "bad fall '101' (1-100)");
	EXPECT_ERR("check set 10.0.0.100:80/tcp dsr panic 101",
		   "bad panic percentage '101' (0-100)");
	EXPECT_ERR("show checks all", "unexpected 'all'");
}

/* lib/conf: what a check may be against the state. */
static void
test_apply(void)
{
	struct dsr_conf *c = conf_new();
	int v;

	APPLY_ERR(c, "check set 10.0.0.100:80/tcp dsr", "VIP 10.0.0.100:80/tcp does not exist");
	APPLY_OK(c, "vip add 10.0.0.100:80/tcp");
	APPLY_OK(c, "vip add 10.0.0.100:53/udp");
	v = dsr_conf_find_vip(c, &(struct dsr_svc_key){.ip = htonl(0x0a000064),
						       .port = htons(80),
						       .proto = IPPROTO_TCP});
	CHECK(v >= 0);
	CHECK_EQ(c->vips[v].check.kind, DSR_CHECK_NONE);
	APPLY_ERR(c, "check set 10.0.0.100:80/tcp dsr",
		  "a dsr check sends from a port's address, and no port has one: add 'port N "
		  "address IP/LEN' first");
	APPLY_OK(c, "port 0 address 10.0.0.2/24");
	APPLY_ERR(c, "check set 10.0.0.100:80/tcp tcp",
		  "a tcp check connects from the kernel, and no port has a kernel interface: add "
		  "'port N kernel-interface NAME' to the config file, or use 'check set "
		  "10.0.0.100:80/tcp dsr', which needs none");
	APPLY_ERR(c, "check set 10.0.0.100:80/tcp http path /x",
		  "a http check connects from the kernel, and no port has a kernel interface: add "
		  "'port N kernel-interface NAME' to the config file, or use 'check set "
		  "10.0.0.100:80/tcp dsr', which needs none");
	/* With a kernel interface, tcp and http checks are taken. */
	APPLY_OK(c, "port 0 kernel-interface dsr0");
	APPLY_OK(c, "check set 10.0.0.100:80/tcp tcp port 8080 interval 0.5 timeout 0.4");
	CHECK_EQ(c->vips[v].check.kind, DSR_CHECK_TCP);
	CHECK_EQ(c->vips[v].check.port, 8080);
	CHECK_EQ(c->vips[v].check.timeout_ms, 400);
	APPLY_OK(c, "check set 10.0.0.100:80/tcp http path /healthz expect 204 rise 3 fall 4");
	CHECK_EQ(c->vips[v].check.kind, DSR_CHECK_HTTP);
	CHECK_EQ(c->vips[v].check.expect, 204);
	CHECK_EQ(c->vips[v].check.rise, 3);
	CHECK_EQ(c->vips[v].check.fall, 4);
	CHECK(strcmp(c->vips[v].check.path, "/healthz") == 0);
	APPLY_OK(c, "check set 10.0.0.100:80/tcp http");
	CHECK_EQ(c->vips[v].check.expect, 200);
	CHECK(strcmp(c->vips[v].check.path, "/") == 0);
	APPLY_OK(c, "check set 10.0.0.100:53/udp tcp port 53");
	APPLY_OK(c, "check set 10.0.0.100:53/udp none");
	APPLY_ERR(c, "check set 10.0.0.100:53/udp dsr",
		  "a dsr check sends a TCP SYN to the VIP: VIP 10.0.0.100:53/udp is not TCP");
	APPLY_ERR(c, "check set 10.0.0.100:80/tcp dsr port 81",
		  "a dsr check goes to the VIP's own port: drop 'port 81'");
	APPLY_ERR(c, "check set 10.0.0.100:80/tcp dsr interval 1 timeout 1.5",
		  "check timeout 1.5 s is longer than its interval 1 s: a check must end before "
		  "the next one starts");
	APPLY_OK(c, "check set 10.0.0.100:80/tcp dsr interval 0.5 timeout 0.5 fall 2 panic 34");
	CHECK_EQ(c->vips[v].check.kind, DSR_CHECK_DSR);
	CHECK_EQ(c->vips[v].check.interval_ms, 500);
	CHECK_EQ(c->vips[v].check.panic, 34);
	APPLY_OK(c, "check set 10.0.0.100:80/tcp dsr port 80");
	APPLY_OK(c, "check set 10.0.0.100:80/tcp none");
	CHECK_EQ(c->vips[v].check.kind, DSR_CHECK_NONE);
	CHECK_EQ(c->vips[v].check.interval_ms, 2000);
	CHECK(dsr_conf_has_kernel_if(c)); /* port 0 kernel-interface dsr0, above */
	/* vip del drops the check; a new VIP starts without. */
	APPLY_OK(c, "check set 10.0.0.100:80/tcp dsr");
	APPLY_OK(c, "vip del 10.0.0.100:80/tcp");
	APPLY_OK(c, "vip add 10.0.0.100:80/tcp");
	CHECK_EQ(c->vips[v].check.kind, DSR_CHECK_NONE);
	free(c);
}

/* show config writes a VIP's check after its backends, and loads back equal. */
static void
test_dump(void)
{
	struct dsr_conf *a = conf_new(), *b = conf_new();
	char *buf = NULL, err[DSR_CMD_ERR_MAX] = "";
	size_t len = 0;
	FILE *f;

	APPLY_OK(a, "port 0 address 10.0.0.2/24");
	APPLY_OK(a, "vip add 10.0.0.100:80/tcp");
	APPLY_OK(a, "backend add 10.0.0.100:80/tcp 10.0.0.21");
	APPLY_OK(a, "check set 10.0.0.100:80/tcp dsr interval 0.5 rise 1 fall 2 timeout 0.3");
	APPLY_OK(a, "vip add 10.0.0.101:80/tcp");
	f = open_memstream(&buf, &len);
	CHECK(f != NULL && dsr_conf_dump(a, f) == 0);
	fclose(f);
	CHECK(strstr(buf, "vip add 10.0.0.100:80/tcp\n"
			  "backend add 10.0.0.100:80/tcp 10.0.0.21 weight 100\n"
			  "check set 10.0.0.100:80/tcp dsr interval 0.5 timeout 0.3 rise 1 fall 2 "
			  "panic 0\n"
			  "vip add 10.0.0.101:80/tcp\n") != NULL);
	{
		char *save = NULL, *line;

		for (line = strtok_r(buf, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save))
			if (dsr_conf_apply_line(b, line, err, sizeof(err)) != 0)
				fprintf(stderr, "'%s': %s\n", line, err);
	}
	CHECK(memcmp(a, b, sizeof(*a)) == 0);
	free(buf);
	free(a);
	free(b);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_parse),
		DSR_TEST(test_parse_errors),
		DSR_TEST(test_apply),
		DSR_TEST(test_dump),
	};

	return dsr_test_run(cases, NELEM(cases));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command table is whole: every id has one row (lib/cmd) with a
 * parser, lib/conf applies exactly the configuration commands and writes
 * exactly the settings, and the control socket (lib/show) has a handler
 * for every id. Adding a command without one of these fails here. Links
 * lib/show (DPDK) but starts no EAL.
 */
#include <stdlib.h>

#include "dsr_cmd.h"
#include "dsr_conf.h"
#include "dsr_show.h"
#include "dsr_test.h"

static void
test_rows(void)
{
	const struct dsr_cmd_spec *t;
	unsigned int n, i;

	t = dsr_cmd_table(&n);
	CHECK_EQ(n, DSR_CMD_NIDS);
	for (i = 0; i < n; i++) {
		CHECK_EQ(t[i].id, i); /* dsr_cmd_spec_of() indexes by id */
		CHECK(dsr_cmd_spec_of(t[i].id) == &t[i]);
		CHECK(t[i].words != NULL && t[i].args != NULL && t[i].help != NULL);
		CHECK(t[i].example != NULL);
		if (t[i].parse == NULL)
			fprintf(stderr, "command '%s' has no parser\n", t[i].words);
		CHECK(t[i].parse != NULL);
		/* A start-up command is a setting; a control-only one is neither. */
		CHECK(!(t[i].flags & DSR_CMD_F_STARTUP) || (t[i].flags & DSR_CMD_F_SETTING));
		CHECK(!(t[i].flags & DSR_CMD_F_RUNTIME) ||
		      !(t[i].flags & (DSR_CMD_F_STARTUP | DSR_CMD_F_SETTING)));
	}
}

static void
test_handlers(void)
{
	const struct dsr_cmd_spec *t;
	unsigned int n, i;
	bool settings;

	t = dsr_cmd_table(&n);
	for (i = 0; i < n; i++) {
		bool config = !(t[i].flags & DSR_CMD_F_RUNTIME);

		if (dsr_conf_applies(t[i].id, &settings) != config)
			fprintf(stderr, "command '%s': lib/conf %s it\n", t[i].words,
				config ? "does not apply" : "applies");
		CHECK_EQ(dsr_conf_applies(t[i].id, &settings), config);
		CHECK_EQ(settings, (t[i].flags & DSR_CMD_F_SETTING) != 0);
		if (!dsr_show_handles(t[i].id))
			fprintf(stderr, "command '%s' has no control socket handler\n", t[i].words);
		CHECK(dsr_show_handles(t[i].id));
	}
	CHECK(!dsr_conf_applies(DSR_CMD_NIDS, NULL));
	CHECK(!dsr_show_handles(DSR_CMD_NIDS));
}

static int
seen_id(void *arg, const struct dsr_cmd *cmd)
{
	bool *seen = arg;

	seen[cmd->id] = true;
	return 0;
}

/* dsr_conf_settings() writes every setting, and only settings. */
static void
test_settings(void)
{
	const struct dsr_cmd_spec *t;
	bool seen[DSR_CMD_NIDS] = {false};
	struct dsr_conf *c = malloc(sizeof(*c));
	char err[DSR_CMD_ERR_MAX];
	unsigned int n, i;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	dsr_conf_init(c);
	CHECK_EQ(dsr_conf_apply_line(c, "port 0 address 10.0.0.2/24", err, sizeof(err)), 0);
	CHECK_EQ(dsr_conf_apply_line(c, "port 0 kernel-interface dsr0", err, sizeof(err)), 0);
	CHECK_EQ(dsr_conf_apply_line(c, "announce table 100", err, sizeof(err)), 0);
	/* written only when set, as port addresses: otherwise it follows conntrack size */
	CHECK_EQ(dsr_conf_apply_line(c, "conntrack size6 4096", err, sizeof(err)), 0);
	CHECK_EQ(dsr_conf_settings(c, seen_id, seen), 0);
	t = dsr_cmd_table(&n);
	for (i = 0; i < n; i++) {
		if (seen[i] != ((t[i].flags & DSR_CMD_F_SETTING) != 0))
			fprintf(stderr, "command '%s': setting %d, written %d\n", t[i].words,
				(t[i].flags & DSR_CMD_F_SETTING) != 0, seen[i]);
		CHECK_EQ(seen[i], (t[i].flags & DSR_CMD_F_SETTING) != 0);
	}
	free(c);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_rows),
		DSR_TEST(test_handlers),
		DSR_TEST(test_settings),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command grammar: the line tokenizer, one parse function per
 * command, the table whose rows hold each command's words, usage, flags
 * and parser, and the canonical formatter.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_pvt.h"

static const char *const timeout_names[DSR_TIMEOUT_NKINDS] = {
	[DSR_TIMEOUT_TCP_SYN] = "tcp-syn", [DSR_TIMEOUT_TCP] = "tcp",
	[DSR_TIMEOUT_TCP_FIN] = "tcp-fin", [DSR_TIMEOUT_UDP] = "udp",
	[DSR_TIMEOUT_FRAG] = "frag",
};

/* The words tok[from..to) joined by single spaces, each cut by cmd_quote(), all cut to fit. */
static const char *
ctx_words(const struct cmd_ctx *c, unsigned int from, unsigned int to, char *out, size_t len)
{
	char q[CMD_QUOTE_SIZE];
	size_t used = 0;
	unsigned int i;

	out[0] = '\0';
	for (i = from; i < to && used < len; i++) {
		int r = snprintf(out + used, len - used, "%s%s", i > from ? " " : "",
				 cmd_quote(c->tok[i], strlen(c->tok[i]), q));

		if (r < 0)
			break;
		used += (size_t)r;
	}
	if (used >= len && len > 4)
		memcpy(out + len - 4, "...", 4);
	return out;
}

/* The next token, or NULL with "missing WHAT after 'WORDS SO FAR'". */
const char *
cmd_ctx_next(struct cmd_ctx *c, const char *what)
{
	char prefix[CMD_PREFIX_MAX];

	if (c->pos < c->ntok)
		return c->tok[c->pos++];
	cmd_err(c->err, c->errlen, "missing %s after '%s'", what,
		ctx_words(c, 0, c->pos, prefix, sizeof(prefix)));
	return NULL;
}

/* "unexpected 'TOKEN'HINT" about the token just read. */
int
cmd_ctx_unexpected(struct cmd_ctx *c, const char *hint)
{
	const char *t = c->tok[c->pos - 1];
	char q[CMD_QUOTE_SIZE];

	cmd_err(c->err, c->errlen, "unexpected '%s'%s", cmd_quote(t, strlen(t), q), hint);
	return -1;
}

/* The next token must be the keyword kw. */
static int
ctx_keyword(struct cmd_ctx *c, const char *kw)
{
	char what[32], hint[40];
	const char *t;

	snprintf(what, sizeof(what), "'%s'", kw);
	t = cmd_ctx_next(c, what);
	if (t == NULL)
		return -1;
	if (strcmp(t, kw) == 0)
		return 0;
	snprintf(hint, sizeof(hint), " (expected '%s')", kw);
	return cmd_ctx_unexpected(c, hint);
}

/* Nothing may follow. */
int
cmd_ctx_end(struct cmd_ctx *c)
{
	if (c->pos == c->ntok)
		return 0;
	c->pos++;
	return cmd_ctx_unexpected(c, "");
}

int
cmd_arg_u32(struct cmd_ctx *c, const char *what, uint32_t min, uint32_t max, uint32_t *v)
{
	const char *t = cmd_ctx_next(c, what);

	if (t == NULL)
		return -1;
	return cmd_tok_u32(t, strlen(t), min, max, what, v, c->err, c->errlen);
}

int
cmd_arg_svc(struct cmd_ctx *c, struct dsr_svc_key *svc)
{
	const char *t = cmd_ctx_next(c, "VIP:PORT/PROTO");

	if (t == NULL)
		return -1;
	return cmd_tok_svc(t, strlen(t), svc, c->err, c->errlen);
}

/*
 * port N address IP/LEN | port N kernel-interface NAME: both rows start
 * with "port", so both parse here; the keyword after N picks the id.
 */
static int
parse_port(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	struct cmd_addr a;
	uint32_t port;
	const char *t;

	if (cmd_arg_u32(c, "port number", 0, 65535, &port) < 0)
		return -1;
	t = cmd_ctx_next(c, "'" CMD_KW_ADDRESS "' or '" CMD_KW_KERNEL_IF "'");
	if (t == NULL)
		return -1;
	if (strcmp(t, CMD_KW_KERNEL_IF) == 0) {
		cmd->id = DSR_CMD_PORT_KERNEL_IF;
		cmd->u.port_kif.port = (uint16_t)port;
		t = cmd_ctx_next(c, "NAME");
		if (t == NULL ||
		    cmd_tok_ifname(t, strlen(t), cmd->u.port_kif.name, c->err, c->errlen) < 0)
			return -1;
		return cmd_ctx_end(c);
	}
	if (strcmp(t, CMD_KW_ADDRESS) != 0)
		return cmd_ctx_unexpected(c, " (expected '" CMD_KW_ADDRESS "' or '" CMD_KW_KERNEL_IF
					     "')");
	cmd->id = DSR_CMD_PORT_ADDRESS;
	t = cmd_ctx_next(c, "IP/LEN");
	if (t == NULL ||
	    cmd_tok_prefix(t, strlen(t), &a, &cmd->u.port_addr.prefix_len, c->err, c->errlen) < 0)
		return -1;
	cmd->u.port_addr.port = (uint16_t)port;
	cmd->u.port_addr.family = a.family;
	cmd->u.port_addr.ip = a.ip;
	memcpy(cmd->u.port_addr.ip6, a.ip6, 16);
	return cmd_ctx_end(c);
}

static int
parse_vip(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	if (cmd_arg_svc(c, &cmd->u.vip.svc) < 0)
		return -1;
	return cmd_ctx_end(c);
}

/* vip add VIP:PORT/PROTO [routed] */
static int
parse_vip_add(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	if (cmd_arg_svc(c, &cmd->u.vip.svc) < 0)
		return -1;
	if (c->pos == c->ntok)
		return 0;
	if (ctx_keyword(c, CMD_KW_ROUTED) < 0)
		return -1;
	cmd->u.vip.routed = true;
	return cmd_ctx_end(c);
}

const char *
dsr_route_table_reserved(uint32_t t)
{
	switch (t) {
	case 0:
		return "none";
	case 253:
		return "default";
	case 254:
		return "main";
	case 255:
		return "local";
	default:
		return NULL;
	}
}

/* announce table T: a table of dsrlb's own, not one the kernel reserves. */
static int
parse_announce_table(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	const char *why;

	if (cmd_arg_u32(c, "table", 0, UINT32_MAX, &cmd->u.table) < 0)
		return -1;
	why = dsr_route_table_reserved(cmd->u.table);
	if (why != NULL) {
		cmd_err(c->err, c->errlen,
			"table %u is the kernel's '%s' table: give a table of dsrlb's own "
			"(1-252 or 256-4294967295) for the routing daemon to import",
			cmd->u.table, why);
		return -1;
	}
	return cmd_ctx_end(c);
}

/* SVC IP, the start of every backend command. */
static int
parse_backend_key(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	struct cmd_addr a;
	const char *t;

	cmd->u.backend.weight = DSR_WEIGHT_DEFAULT;
	if (cmd_arg_svc(c, &cmd->u.backend.svc) < 0)
		return -1;
	t = cmd_ctx_next(c, "IP");
	if (t == NULL || cmd_tok_addr(t, strlen(t), &a, c->err, c->errlen) < 0)
		return -1;
	cmd->u.backend.family = a.family;
	cmd->u.backend.ip = a.ip;
	memcpy(cmd->u.backend.ip6, a.ip6, 16);
	return 0;
}

static int
parse_weight(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	if (cmd_arg_u32(c, "weight", 0, DSR_WEIGHT_MAX, &cmd->u.backend.weight) < 0)
		return -1;
	cmd->u.backend.has_weight = true;
	return 0;
}

static int
parse_backend_add(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	const char *t;

	if (parse_backend_key(c, cmd) < 0)
		return -1;
	while (c->pos < c->ntok) {
		t = c->tok[c->pos++];
		if (strcmp(t, CMD_KW_MAC) == 0) {
			if (cmd->u.backend.has_mac)
				return cmd_ctx_unexpected(c, " (given twice)");
			t = cmd_ctx_next(c, "MAC");
			if (t == NULL ||
			    cmd_tok_mac(t, strlen(t), cmd->u.backend.mac, c->err, c->errlen) < 0)
				return -1;
			cmd->u.backend.has_mac = true;
		} else if (strcmp(t, CMD_KW_WEIGHT) == 0) {
			if (cmd->u.backend.has_weight)
				return cmd_ctx_unexpected(c, " (given twice)");
			if (parse_weight(c, cmd) < 0)
				return -1;
		} else {
			return cmd_ctx_unexpected(c, " (expected 'mac' or 'weight')");
		}
	}
	return 0;
}

static int
parse_backend_del(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	if (parse_backend_key(c, cmd) < 0)
		return -1;
	return cmd_ctx_end(c);
}

static int
parse_backend_set(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	if (parse_backend_key(c, cmd) < 0 || ctx_keyword(c, CMD_KW_WEIGHT) < 0 ||
	    parse_weight(c, cmd) < 0)
		return -1;
	return cmd_ctx_end(c);
}

static int
parse_timeout(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	const char *t = cmd_ctx_next(c, "timeout kind");
	char q[CMD_QUOTE_SIZE];
	unsigned int k;

	if (t == NULL)
		return -1;
	for (k = 0; k < DSR_TIMEOUT_NKINDS; k++)
		if (strcmp(t, timeout_names[k]) == 0)
			break;
	if (k == DSR_TIMEOUT_NKINDS) {
		cmd_err(c->err, c->errlen,
			"bad timeout kind '%s' (tcp-syn, tcp, tcp-fin, udp or frag)",
			cmd_quote(t, strlen(t), q));
		return -1;
	}
	cmd->u.timeout.kind = (enum dsr_timeout_kind)k;
	if (cmd_arg_u32(c, "seconds", 1,
			k == DSR_TIMEOUT_FRAG ? DSR_TIMEOUT_FRAG_MAX_S : DSR_TIMEOUT_MAX_S,
			&cmd->u.timeout.seconds) < 0)
		return -1;
	return cmd_ctx_end(c);
}

/*
 * conntrack size, conntrack size6 (which may be 0: no IPv6 table), maglev
 * size: the range is lib/conf's to check.
 */
static int
parse_size(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	uint32_t min = cmd->id == DSR_CMD_CONNTRACK_SIZE6 ? 0 : 1;

	if (cmd_arg_u32(c, "size", min, UINT32_MAX, &cmd->u.size) < 0)
		return -1;
	return cmd_ctx_end(c);
}

static int
parse_on_off(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	const char *t = cmd_ctx_next(c, CMD_KW_ON " or " CMD_KW_OFF);
	char q[CMD_QUOTE_SIZE];

	if (t == NULL)
		return -1;
	if (strcmp(t, CMD_KW_ON) == 0) {
		cmd->u.on = true;
	} else if (strcmp(t, CMD_KW_OFF) == 0) {
		cmd->u.on = false;
	} else {
		cmd_err(c->err, c->errlen, "bad value '%s' (on or off)",
			cmd_quote(t, strlen(t), q));
		return -1;
	}
	return cmd_ctx_end(c);
}

static int
parse_arp_announce(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	uint32_t *interval = &cmd->u.arp_announce.interval_s;

	if (cmd_arg_u32(c, "count", 0, DSR_ARP_ANNOUNCE_MAX, &cmd->u.arp_announce.count) < 0)
		return -1;
	*interval = DSR_ARP_ANNOUNCE_INTERVAL;
	if (c->pos == c->ntok)
		return 0;
	if (ctx_keyword(c, CMD_KW_INTERVAL) < 0)
		return -1;
	if (cmd_arg_u32(c, "seconds", 1, DSR_ARP_INTERVAL_MAX_S, interval) < 0)
		return -1;
	return cmd_ctx_end(c);
}

static int
parse_icmp_rate(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	if (cmd_arg_u32(c, "rate", 0, DSR_ICMP_RATE_MAX, &cmd->u.rate) < 0)
		return -1;
	return cmd_ctx_end(c);
}

static int
parse_arp_refresh(struct cmd_ctx *c, struct dsr_cmd *cmd)
{
	if (cmd_arg_u32(c, "seconds", 1, DSR_ARP_REFRESH_MAX_S, &cmd->u.seconds) < 0)
		return -1;
	return cmd_ctx_end(c);
}

/*
 * The command table: one row per command, in help order, with its words,
 * usage, help, flags, example and parser (the daemon's handlers are in
 * lib/conf for configuration and lib/show for the rest, by the same id).
 */
static const struct dsr_cmd_spec cmd_table[] = {
	{DSR_CMD_PORT_ADDRESS, "port", "N " CMD_KW_ADDRESS " IP/LEN",
	 "Set the address and prefix length of port N: one IPv4 and one IPv6 address "
	 "(fd00::2/64) each.",
	 DSR_CMD_F_STARTUP | DSR_CMD_F_SETTING, "port 0 address 10.0.0.2/24", parse_port},
	{DSR_CMD_PORT_KERNEL_IF, "port", "N " CMD_KW_KERNEL_IF " NAME",
	 "Give port N a Linux interface NAME with the port's MAC and address: frames for the "
	 "port's own address that dsrlb does not take go to it, and what it sends goes out of "
	 "the port.",
	 DSR_CMD_F_STARTUP | DSR_CMD_F_SETTING, "port 0 kernel-interface dsr0", parse_port},
	{DSR_CMD_VIP_ADD, "vip add", "VIP:PORT/PROTO [" CMD_KW_ROUTED "]",
	 "Add a virtual service; PROTO is tcp or udp; an IPv6 VIP goes in brackets: "
	 "[fd00:1::100]:80/tcp. routed: routers reach the VIP by a route (announce table), so "
	 "dsrlb neither answers nor announces it by ARP/NDP; all services of an address agree.",
	 0, "vip add 10.0.0.100:80/tcp", parse_vip_add},
	{DSR_CMD_VIP_DEL, "vip del", "VIP:PORT/PROTO",
	 "Delete a virtual service and all its backends.", 0, "vip del 10.0.0.100:80/tcp",
	 parse_vip},
	{DSR_CMD_VIP_WITHDRAW, "vip withdraw", "VIP:PORT/PROTO",
	 "Remove the route of the VIP's address (announce table; every service of that "
	 "address) until 'vip announce': routers send its new flows to other instances; "
	 "forwarding goes on. Not kept over a restart.",
	 DSR_CMD_F_RUNTIME, "vip withdraw 10.0.0.100:80/tcp", parse_vip},
	{DSR_CMD_VIP_ANNOUNCE, "vip announce", "VIP:PORT/PROTO",
	 "Undo 'vip withdraw': the route of the VIP's address is back while a backend is usable.",
	 DSR_CMD_F_RUNTIME, "vip announce 10.0.0.100:80/tcp", parse_vip},
	{DSR_CMD_BACKEND_ADD, "backend add",
	 "VIP:PORT/PROTO IP [" CMD_KW_MAC " MAC] [" CMD_KW_WEIGHT " W]",
	 "Add a backend (of the VIP's address family) to a service; weight 0-65535, default "
	 "100.",
	 0, "backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01 weight 100",
	 parse_backend_add},
	{DSR_CMD_BACKEND_DEL, "backend del", "VIP:PORT/PROTO IP",
	 "Delete a backend from a service.", 0, "backend del 10.0.0.100:80/tcp 10.0.0.21",
	 parse_backend_del},
	{DSR_CMD_BACKEND_SET, "backend set", "VIP:PORT/PROTO IP " CMD_KW_WEIGHT " W",
	 "Change a backend's weight; 0 drains it (no new connections).", 0,
	 "backend set 10.0.0.100:80/tcp 10.0.0.21 weight 0", parse_backend_set},
	{DSR_CMD_CHECK_SET, "check set",
	 "VIP:PORT/PROTO tcp|http|dsr|none [" CMD_KW_PATH " PATH] [" CMD_KW_EXPECT
	 " CODE] [" CMD_KW_PORT " N] [" CMD_KW_INTERVAL " S] [" CMD_KW_TIMEOUT " S] [" CMD_KW_RISE
	 " N] [" CMD_KW_FALL " N] [" CMD_KW_PANIC " P]",
	 "Set a service's health check (default none); seconds may be fractional, defaults "
	 "interval 2, timeout 1, rise 2, fall 3, panic 0 (off).",
	 0, "check set 10.0.0.100:80/tcp dsr interval 0.5 fall 2", cmd_parse_check},
	{DSR_CMD_TIMEOUT_SET, "timeout set", "tcp-syn|tcp|tcp-fin|udp|frag SECONDS",
	 "Set an idle timeout of connection entries, 1-604800 seconds; frag: how long a "
	 "fragmented datagram's later fragments follow its first, 1-30 (default 2).",
	 DSR_CMD_F_SETTING, "timeout set tcp-fin 30", parse_timeout},
	{DSR_CMD_CONNTRACK_SIZE, "conntrack size", "N",
	 "Set the connection table size, in entries per worker.",
	 DSR_CMD_F_STARTUP | DSR_CMD_F_SETTING, "conntrack size 4194304", parse_size},
	{DSR_CMD_CONNTRACK_SIZE6, "conntrack size6", "N",
	 "Set the IPv6 connection table size, in entries per worker (default a quarter of "
	 "conntrack size, at least 1024; 0: no IPv6 table, IPv6 packets are dropped).",
	 DSR_CMD_F_STARTUP | DSR_CMD_F_SETTING, "conntrack size6 1048576", parse_size},
	{DSR_CMD_STRICT_SYN, "strict-syn", CMD_KW_ON "|" CMD_KW_OFF,
	 "When on, only a TCP SYN may create a connection entry.", DSR_CMD_F_SETTING,
	 "strict-syn on", parse_on_off},
	{DSR_CMD_MAGLEV_SIZE, "maglev size", "PRIME",
	 "Set the size of each service's Maglev lookup table (a prime).",
	 DSR_CMD_F_STARTUP | DSR_CMD_F_SETTING, "maglev size 65537", parse_size},
	{DSR_CMD_ARP_ANNOUNCE, "arp announce", "COUNT [" CMD_KW_INTERVAL " SECONDS]",
	 "Gratuitous ARPs sent for each address at start and when a VIP is added (0-10, "
	 "default 2, 2 s apart); the same for IPv6's unsolicited advertisements. 0 also stops "
	 "the unsolicited MLD reports (queries are still answered).",
	 DSR_CMD_F_SETTING, "arp announce 2 interval 2", parse_arp_announce},
	{DSR_CMD_ARP_REFRESH, "arp refresh", "SECONDS",
	 "How often a resolved backend MAC is confirmed by ARP (1-3600, default 60).",
	 DSR_CMD_F_SETTING, "arp refresh 60", parse_arp_refresh},
	{DSR_CMD_ICMP_FORWARD, "icmp forward", CMD_KW_ON "|" CMD_KW_OFF,
	 "Send ICMP errors about a VIP's flows (fragmentation needed, unreachable, time "
	 "exceeded) to the flow's backend (default on; off drops them, for debugging).",
	 DSR_CMD_F_SETTING, "icmp forward on", parse_on_off},
	{DSR_CMD_ICMP_RATE, "icmp rate", "N",
	 "Most echo replies a second for VIPs and port addresses (0-1000000, default 1000; 0: "
	 "none).",
	 DSR_CMD_F_SETTING, "icmp rate 1000", parse_icmp_rate},
	{DSR_CMD_ANNOUNCE_TABLE, "announce table", "T",
	 "Keep a route 'VIP/32 dev KERNEL-IF proto dsrlb table T' (/128 for IPv6) for each VIP "
	 "address while it has a usable backend, for a routing daemon (BIRD, FRR) to announce; "
	 "needs a port kernel-interface; default none.",
	 DSR_CMD_F_STARTUP | DSR_CMD_F_SETTING, "announce table 100", parse_announce_table},
	{DSR_CMD_SHOW_VIPS, "show vips", "", "List the services with their counters.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show vips", cmd_parse_no_args},
	{DSR_CMD_SHOW_BACKENDS, "show backends", "[VIP:PORT/PROTO]",
	 "List backends: state, health (up, down, unchecked), last check and its latency, time "
	 "in that health, MAC, weight, share of Maglev slots, active connections.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show backends 10.0.0.100:80/tcp",
	 cmd_parse_show_svc},
	{DSR_CMD_SHOW_CHECKS, "show checks", "", "List the health check of every service.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show checks", cmd_parse_no_args},
	{DSR_CMD_SHOW_CONNS, "show conns", "[VIP:PORT/PROTO] [" CMD_KW_LIMIT " N]",
	 "List connection entries: 5-tuple, backend, state, age, worker.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show conns 10.0.0.100:80/tcp limit 100",
	 cmd_parse_show_conns},
	{DSR_CMD_CONNS_FLUSH, "conns flush", "[VIP:PORT/PROTO]",
	 "Remove the connection entries of a service, or all; their flows go by Maglev.",
	 DSR_CMD_F_RUNTIME, "conns flush 10.0.0.100:80/tcp", cmd_parse_show_svc},
	{DSR_CMD_SHOW_TIMEOUTS, "show timeouts", "", "Show the idle timeout of each state.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show timeouts", cmd_parse_no_args},
	{DSR_CMD_SHOW_STATS, "show stats",
	 "[ports|workers|vips|backends|drops|arp|control] [" CMD_KW_PROMETHEUS "]",
	 "Show counters and rates; --prometheus gives the Prometheus text format.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show stats drops", cmd_parse_show_stats},
	{DSR_CMD_SHOW_ARP, "show arp", "",
	 "Show the neighbour table (backend MACs) and ARP counters.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show arp", cmd_parse_no_args},
	{DSR_CMD_SHOW_ND, "show nd", "",
	 "Show IPv6 neighbour discovery: counters by port, the neighbour table (backend MACs), "
	 "conflicts.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show nd", cmd_parse_no_args},
	{DSR_CMD_SHOW_CONFLICTS, "show conflicts", "",
	 "Show address conflicts (our addresses in use elsewhere, backend addresses claimed by "
	 "another MAC): address, other MAC, port, kind, first/last seen, count.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show conflicts", cmd_parse_no_args},
	{DSR_CMD_SHOW_PORTS, "show ports", "", "Show the ports: driver, MAC, queues, address.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show ports", cmd_parse_no_args},
	{DSR_CMD_SHOW_WORKERS, "show workers", "",
	 "Show the workers: lcore, socket, queues, connection and fragment table use.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show workers", cmd_parse_no_args},
	{DSR_CMD_SHOW_CONFIG, "show config", "",
	 "Print commands that recreate the running configuration (save it as a config file).",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "show config", cmd_parse_no_args},
	{DSR_CMD_HELP, "help", "[COMMAND]", "List the commands, or those starting with COMMAND.",
	 DSR_CMD_F_READONLY | DSR_CMD_F_RUNTIME, "help backend", cmd_parse_help},
};

_Static_assert(sizeof(cmd_table) / sizeof(cmd_table[0]) == DSR_CMD_NIDS,
	       "one table row per command id");

/*
 * How many of a row's words the leading tokens match, stopping at the
 * first difference; *full tells whether all of them matched.
 */
static unsigned int
words_match(const char *words, const struct cmd_ctx *c, bool *full)
{
	unsigned int i = 0;

	*full = false;
	while (i < c->ntok) {
		size_t wlen = strcspn(words, " ");

		if (strlen(c->tok[i]) != wlen || memcmp(c->tok[i], words, wlen) != 0)
			return i;
		i++;
		if (words[wlen] == '\0') {
			*full = true;
			return i;
		}
		words += wlen + 1;
	}
	return i;
}

/* Find the row whose words start the line; set c->pos past them. */
static const struct dsr_cmd_spec *
ctx_find_row(struct cmd_ctx *c)
{
	const struct dsr_cmd_spec *best = NULL;
	unsigned int i, nbest = 0, deepest = 0;
	char words[CMD_PREFIX_MAX];

	for (i = 0; i < DSR_CMD_NIDS; i++) {
		bool full;
		unsigned int m = words_match(cmd_table[i].words, c, &full);

		if (full && m > nbest) {
			best = &cmd_table[i];
			nbest = m;
		}
		if (m > deepest)
			deepest = m;
	}
	if (best != NULL) {
		c->pos = nbest;
		return best;
	}
	/* Quote the words that matched some row, and the one that did not. */
	cmd_err(c->err, c->errlen, "unknown command '%s'",
		ctx_words(c, 0, deepest < c->ntok ? deepest + 1 : c->ntok, words, sizeof(words)));
	return NULL;
}

/* Cut the line at its comment and split it into tokens. */
static void
ctx_tokenize(struct cmd_ctx *c, const char *line, size_t n)
{
	const char *hash = memchr(line, '#', n);
	char *p = c->buf;

	if (hash != NULL)
		n = (size_t)(hash - line);
	memcpy(c->buf, line, n);
	c->buf[n] = '\0';
	c->ntok = 0;
	c->pos = 0;
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0' || c->ntok == CMD_MAX_TOKENS)
			break;
		c->tok[c->ntok++] = p;
		p += strcspn(p, " \t");
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
}

int
dsr_cmd_parse_n(const char *line, size_t n, struct dsr_cmd *cmd, char *err, size_t errlen)
{
	const struct dsr_cmd_spec *spec;
	struct cmd_ctx c;
	size_t i;

	memset(cmd, 0, sizeof(*cmd));
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n > DSR_CMD_LINE_MAX) {
		cmd_err(err, errlen, "line too long (%zu bytes, max %d)", n, DSR_CMD_LINE_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char b = (unsigned char)line[i];

		if ((b < 0x20 && b != '\t') || b >= 0x7f) {
			cmd_err(err, errlen, "bad byte 0x%02x at column %zu", b, i + 1);
			return -1;
		}
	}
	c.err = err;
	c.errlen = errlen;
	ctx_tokenize(&c, line, n);
	if (c.ntok == 0)
		return 0;
	spec = ctx_find_row(&c);
	if (spec == NULL)
		return -1;
	cmd->id = spec->id;
	if (spec->parse(&c, cmd) < 0) {
		memset(cmd, 0, sizeof(*cmd));
		return -1;
	}
	return 1;
}

int
dsr_cmd_parse(const char *line, struct dsr_cmd *cmd, char *err, size_t errlen)
{
	return dsr_cmd_parse_n(line, strlen(line), cmd, err, errlen);
}

const struct dsr_cmd_spec *
dsr_cmd_table(unsigned int *n)
{
	if (n != NULL)
		*n = DSR_CMD_NIDS;
	return cmd_table;
}

const struct dsr_cmd_spec *
dsr_cmd_spec_of(enum dsr_cmd_id id)
{
	unsigned int i;

	for (i = 0; i < DSR_CMD_NIDS; i++)
		if (cmd_table[i].id == id)
			return &cmd_table[i];
	return NULL;
}

const char *
dsr_timeout_name(enum dsr_timeout_kind kind)
{
	if ((unsigned int)kind >= DSR_TIMEOUT_NKINDS)
		return "unknown";
	return timeout_names[kind];
}

int
dsr_cmd_format(const struct dsr_cmd *cmd, char *buf, size_t len)
{
	const struct dsr_cmd_spec *spec = dsr_cmd_spec_of(cmd->id);
	char svc[DSR_SVC_STR_LEN], ip[DSR_IP6_STR_LEN], mac[32] = "";
	char m[DSR_MAC_STR_LEN];

	if (spec == NULL) {
		if (len > 0)
			buf[0] = '\0';
		return -1;
	}
	switch (cmd->id) {
	case DSR_CMD_PORT_ADDRESS:
		return snprintf(buf, len, "%s %u %s %s/%u", spec->words, cmd->u.port_addr.port,
				CMD_KW_ADDRESS,
				dsr_addr_str(cmd->u.port_addr.family, cmd->u.port_addr.ip,
					     cmd->u.port_addr.ip6, ip),
				cmd->u.port_addr.prefix_len);
	case DSR_CMD_PORT_KERNEL_IF:
		return snprintf(buf, len, "%s %u %s %s", spec->words, cmd->u.port_kif.port,
				CMD_KW_KERNEL_IF, cmd->u.port_kif.name);
	case DSR_CMD_VIP_ADD:
	case DSR_CMD_VIP_DEL:
	case DSR_CMD_VIP_WITHDRAW:
	case DSR_CMD_VIP_ANNOUNCE:
		return snprintf(buf, len, "%s %s%s", spec->words,
				dsr_svc_str(&cmd->u.vip.svc, svc, sizeof(svc)),
				cmd->id == DSR_CMD_VIP_ADD && cmd->u.vip.routed ? " " CMD_KW_ROUTED
										: "");
	case DSR_CMD_BACKEND_ADD:
		if (cmd->u.backend.has_mac)
			snprintf(mac, sizeof(mac), " %s %s", CMD_KW_MAC,
				 dsr_mac_str(cmd->u.backend.mac, m));
		/* fall through */
	case DSR_CMD_BACKEND_SET:
		return snprintf(buf, len, "%s %s %s%s %s %u", spec->words,
				dsr_svc_str(&cmd->u.backend.svc, svc, sizeof(svc)),
				dsr_addr_str(cmd->u.backend.family, cmd->u.backend.ip,
					     cmd->u.backend.ip6, ip),
				mac, CMD_KW_WEIGHT, cmd->u.backend.weight);
	case DSR_CMD_BACKEND_DEL:
		return snprintf(buf, len, "%s %s %s", spec->words,
				dsr_svc_str(&cmd->u.backend.svc, svc, sizeof(svc)),
				dsr_addr_str(cmd->u.backend.family, cmd->u.backend.ip,
					     cmd->u.backend.ip6, ip));
	case DSR_CMD_CHECK_SET:
		return cmd_format_check(cmd, spec, buf, len);
	case DSR_CMD_TIMEOUT_SET:
		return snprintf(buf, len, "%s %s %u", spec->words,
				dsr_timeout_name(cmd->u.timeout.kind), cmd->u.timeout.seconds);
	case DSR_CMD_CONNTRACK_SIZE:
	case DSR_CMD_CONNTRACK_SIZE6:
	case DSR_CMD_MAGLEV_SIZE:
		return snprintf(buf, len, "%s %u", spec->words, cmd->u.size);
	case DSR_CMD_STRICT_SYN:
	case DSR_CMD_ICMP_FORWARD:
		return snprintf(buf, len, "%s %s", spec->words, cmd->u.on ? CMD_KW_ON : CMD_KW_OFF);
	case DSR_CMD_ICMP_RATE:
		return snprintf(buf, len, "%s %u", spec->words, cmd->u.rate);
	case DSR_CMD_ANNOUNCE_TABLE:
		return snprintf(buf, len, "%s %u", spec->words, cmd->u.table);
	case DSR_CMD_ARP_ANNOUNCE:
		return snprintf(buf, len, "%s %u %s %u", spec->words, cmd->u.arp_announce.count,
				CMD_KW_INTERVAL, cmd->u.arp_announce.interval_s);
	case DSR_CMD_ARP_REFRESH:
		return snprintf(buf, len, "%s %u", spec->words, cmd->u.seconds);
	case DSR_CMD_NIDS:
		break;
	default:
		return cmd_format_runtime(cmd, spec, buf, len);
	}
	if (len > 0)
		buf[0] = '\0';
	return -1;
}

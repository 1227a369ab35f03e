/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dsrlb-runner: the in-process traffic runner, in the manner of
 * BPF_PROG_TEST_RUN. It builds the balancer exactly as the daemon does
 * (lib/lb) on one net_ring port, then feeds it the frames of a pcap one
 * at a time. Each frame's pcap timestamp is the worker's clock, so
 * fixtures can say "FIN, then 61 s later an ACK". Every frame the port
 * transmits is written to the output pcap with the timestamp of the
 * frame that caused it, and the counters summary is printed at the end.
 *
 * usage: dsrlb-runner -c CONF -i IN.pcap -o OUT.pcap [-m PORT_MAC]
 *                     [-e MS:COMMAND]...
 *
 * -e applies COMMAND (a live change, e.g. "backend set ... weight 0")
 * through dsr_lb_apply() just before the first frame whose time, in ms
 * since the first frame, is >= MS.
 */
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dsr_cmd.h"
#include "dsr_conf.h"
#include "dsr_lb.h"
#include "dsr_show.h"

#define RUNNER_RING    4096
#define RUNNER_MAX_CMD 64

struct runner_cmd {
	uint64_t at_ms;
	const char *line;
	int done;
};

struct runner {
	struct rte_ring *rx;
	struct rte_ring *tx;
	struct dsr_lb lb;
	pcap_dumper_t *dump;
	uint64_t in, out;
	unsigned int nb_cmds;
	struct runner_cmd cmds[RUNNER_MAX_CMD];
};

static int
runner_add_cmd(struct runner *r, const char *arg)
{
	char *end;
	unsigned long long ms = strtoull(arg, &end, 10);

	if (end == arg || *end != ':' || r->nb_cmds == RUNNER_MAX_CMD) {
		fprintf(stderr, "runner: bad -e '%s' (MS:COMMAND)\n", arg);
		return -1;
	}
	r->cmds[r->nb_cmds].at_ms = ms;
	r->cmds[r->nb_cmds].line = end + 1;
	r->nb_cmds++;
	return 0;
}

/* Apply the live changes that are due at time t (ms since the first frame). */
static int
runner_apply_due(struct runner *r, uint64_t t)
{
	char err[DSR_CMD_ERR_MAX];
	unsigned int i;

	for (i = 0; i < r->nb_cmds; i++) {
		struct runner_cmd *c = &r->cmds[i];

		if (c->done || c->at_ms > t)
			continue;
		c->done = 1;
		if (dsr_lb_apply(&r->lb, c->line, err, sizeof(err)) != 0) {
			fprintf(stderr, "runner: '%s': %s\n", c->line, err);
			return -1;
		}
		printf("runner: applied at %llu ms: %s\n", (unsigned long long)t, c->line);
	}
	return 0;
}

static int
runner_port(struct runner *r)
{
	int port;

	r->rx = rte_ring_create("runner_rx", RUNNER_RING, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	r->tx = rte_ring_create("runner_tx", RUNNER_RING, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r->rx == NULL || r->tx == NULL)
		return -1;
	port = rte_eth_from_rings("net_ring0", &r->rx, 1, &r->tx, 1, 0);
	return port < 0 ? -1 : 0;
}

/*
 * net_ring ports have no MAC of their own (all zero) and cannot set one:
 * give port 0 the fixture's MAC where the daemon keeps what it read from
 * a real port, before the worker's first poll.
 */
static int
runner_set_mac(struct runner *r, const char *mac_str)
{
	uint8_t mac[6];

	if (dsr_parse_mac(mac_str, mac) != 0) {
		fprintf(stderr, "runner: bad MAC '%s'\n", mac_str);
		return -1;
	}
	return dsr_lb_set_port_mac(&r->lb, 0, mac);
}

static void
runner_drain(struct runner *r, const struct pcap_pkthdr *h)
{
	struct rte_mbuf *m = NULL;
	struct pcap_pkthdr oh;

	while (rte_ring_dequeue(r->tx, (void **)&m) == 0) {
		oh = *h;
		oh.caplen = oh.len = rte_pktmbuf_pkt_len(m);
		pcap_dump((u_char *)r->dump, &oh, rte_pktmbuf_mtod(m, const u_char *));
		r->out++;
		rte_pktmbuf_free(m);
	}
}

/* One frame in, one poll of the worker, everything it sent out. */
static int
runner_frame(struct runner *r, const struct pcap_pkthdr *h, const u_char *data, uint32_t now)
{
	struct dsr_worker *w = r->lb.workers[0];
	struct rte_mbuf *m = rte_pktmbuf_alloc(dsr_lb_port_pool(&r->lb, 0));

	if (m == NULL || rte_pktmbuf_append(m, (uint16_t)h->caplen) == NULL) {
		fprintf(stderr, "runner: cannot build an mbuf of %u bytes\n", h->caplen);
		rte_pktmbuf_free(m);
		return -1;
	}
	memcpy(rte_pktmbuf_mtod(m, void *), data, h->caplen);
	if (rte_ring_enqueue(r->rx, m) != 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	r->in++;
	dsr_worker_poll(w, now);
	rte_rcu_qsbr_quiescent(r->lb.pub.qsv, w->id);
	/* The main lcore's turn: ARP input and timers; then the worker sends
	 * what ARP queued for it. */
	dsr_lb_service(&r->lb, now);
	dsr_worker_poll(w, now);
	rte_rcu_qsbr_quiescent(r->lb.pub.qsv, w->id);
	runner_drain(r, h);
	return 0;
}

static int
runner_replay(struct runner *r, const char *in_path, const char *out_path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *in, *dead;
	uint64_t t0 = 0;
	int ret, first = 1, rc = 0;

	in = pcap_open_offline(in_path, errbuf);
	if (in == NULL) {
		fprintf(stderr, "runner: %s\n", errbuf);
		return -1;
	}
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	r->dump = pcap_dump_open(dead, out_path);
	if (r->dump == NULL) {
		fprintf(stderr, "runner: %s: %s\n", out_path, pcap_geterr(dead));
		pcap_close(in);
		pcap_close(dead);
		return -1;
	}
	while ((ret = pcap_next_ex(in, &h, &data)) == 1) {
		uint64_t t = (uint64_t)h->ts.tv_sec * 1000 + (uint64_t)h->ts.tv_usec / 1000;

		if (first)
			t0 = t;
		first = 0;
		if (runner_apply_due(r, t - t0) != 0) {
			rc = -1;
			break;
		}
		/* The clock starts at 1 s so that no entry is ever stamped 0. */
		if (runner_frame(r, h, data, (uint32_t)(t - t0 + 1000)) != 0) {
			rc = -1;
			break;
		}
	}
	pcap_dump_close(r->dump);
	pcap_close(dead);
	pcap_close(in);
	return rc;
}

int
main(int argc, char **argv)
{
	/* Writable copies: rte_eal_init() takes char **. */
	static char eal_words[][32] = {"--no-huge",
				       "-m",
				       "256",
				       "--no-shconf",
				       "--no-telemetry",
				       "--no-pci",
				       "-l",
				       "0",
				       "--log-level=lib.*:warning"};
	char *eal_args[RTE_DIM(eal_words) + 2];
	const char *conf_path = NULL, *in_path = NULL, *out_path = NULL;
	const char *mac = "02:70:63:61:70:00";
	struct dsr_lb_params params = {.nb_workers = 1, .lcores = false, .nb_mbufs = 0};
	struct runner r;
	struct dsr_conf *conf;
	char err[512];
	unsigned int i;
	int c;

	memset(&r, 0, sizeof(r));
	while ((c = getopt(argc, argv, "c:i:o:m:e:")) != -1) {
		switch (c) {
		case 'c':
			conf_path = optarg;
			break;
		case 'i':
			in_path = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'm':
			mac = optarg;
			break;
		case 'e':
			if (runner_add_cmd(&r, optarg) != 0)
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (conf_path == NULL || in_path == NULL || out_path == NULL) {
		fprintf(stderr, "usage: dsrlb-runner -c CONF -i IN.pcap -o OUT.pcap [-m MAC]\n");
		return 2;
	}
	eal_args[0] = argv[0];
	for (i = 0; i < RTE_DIM(eal_words); i++)
		eal_args[i + 1] = eal_words[i];
	eal_args[RTE_DIM(eal_words) + 1] = NULL;
	if (rte_eal_init((int)RTE_DIM(eal_args) - 1, eal_args) < 0) {
		fprintf(stderr, "runner: EAL init failed\n");
		return 1;
	}
	conf = malloc(sizeof(*conf));
	if (conf == NULL || runner_port(&r) != 0)
		return 1;
	dsr_conf_init(conf);
	if (dsr_conf_load_file(conf, conf_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (dsr_lb_init(&r.lb, conf, &params, err, sizeof(err)) != 0) {
		fprintf(stderr, "runner: %s\n", err);
		return 1;
	}
	free(conf);
	if (runner_set_mac(&r, mac) != 0)
		return 1;
	rte_rcu_qsbr_thread_register(r.lb.pub.qsv, 0);
	rte_rcu_qsbr_thread_online(r.lb.pub.qsv, 0);
	if (runner_replay(&r, in_path, out_path) != 0)
		return 1;
	rte_rcu_qsbr_thread_offline(r.lb.pub.qsv, 0);
	printf("runner: in %lu out %lu\n", (unsigned long)r.in, (unsigned long)r.out);
	dsr_show_print_stats(&r.lb, stdout);
	dsr_lb_fini(&r.lb);
	rte_eal_cleanup();
	return 0;
}

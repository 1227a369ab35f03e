/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dsrlb: the daemon. Parses its own options after EAL's, loads the
 * config file, builds the balancer (lib/lb), launches the workers and
 * runs the slow path on the main lcore until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_common.h>
#include <rte_lcore.h>

#include "dsr_conf.h"
#include "dsr_ctl.h"
#include "dsr_lb.h"
#include "dsr_log.h"
#include "dsr_opts.h"
#include "dsr_show.h"

#define OPTS_MAX 16 /* room for dsr_opts_daemon()'s rows */

static char prog_name[] = "dsrlb"; /* argv[0] for our options, after EAL's */
static volatile sig_atomic_t sig_quit;
static volatile sig_atomic_t sig_dump;
static volatile sig_atomic_t sig_reload;

struct dsrlb_opts {
	const char *conf_path;
	const char *socket_path;
	const char *ro_socket_path;
	uint32_t nb_mbufs;
	bool record_cycles;
	bool allow_empty;
};

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		sig_dump = 1;
	else if (sig == SIGHUP)
		sig_reload = 1;
	else
		sig_quit = 1;
}

static void
usage(FILE *out)
{
	const struct dsr_opt_spec *t;
	unsigned int n;

	t = dsr_opts_daemon(&n);
	fprintf(out, "usage: dsrlb [EAL options] -- -f FILE [--socket PATH] [--ro-socket PATH]\n"
		     "             [--mbufs N] [--record-cycles] [--allow-empty] [--debug]\n");
	dsr_opts_usage(out, t, n);
	fprintf(out, "Signals: SIGUSR1 prints the counters, SIGHUP reloads the config file (the\n"
		     "difference is applied live), SIGINT/SIGTERM stop cleanly.\n");
}

/* EAL's --help prints this after its own options. */
static void
eal_usage_hook(const char *prgname)
{
	(void)prgname;
	printf("dsrlb's own options, after EAL's and '--':\n");
	usage(stdout);
}

static int
parse_args(int argc, char **argv, struct dsrlb_opts *o)
{
	struct option longopts[OPTS_MAX + 1];
	char shortopts[3 * OPTS_MAX + 2];
	const struct dsr_opt_spec *t;
	unsigned int n;
	int c;

	t = dsr_opts_daemon(&n);
	if (dsr_opts_getopt(t, n, "", longopts, RTE_DIM(longopts), shortopts, sizeof(shortopts)) !=
	    0)
		return -1;
	o->socket_path = DSR_DEFAULT_SOCKET;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->conf_path = optarg;
			break;
		case 's':
			o->socket_path = optarg;
			break;
		case 'r':
			o->ro_socket_path = optarg;
			break;
		case 'd':
			dsr_log_set_level(DSR_LOG_DEBUG);
			break;
		case 'c':
			o->record_cycles = true;
			break;
		case 'e':
			o->allow_empty = true;
			break;
		case 'm':
			if (dsr_parse_u32(optarg, 1024, 1u << 28, &o->nb_mbufs) != 0) {
				fprintf(stderr, "dsrlb: bad --mbufs '%s' (1024-268435456)\n",
					optarg);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case DSR_OPT_VERSION:
			dsr_opts_print_version("dsrlb");
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dsrlb: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	if (o->conf_path == NULL) {
		fprintf(stderr, "dsrlb: no config file: give -f FILE\n");
		usage(stderr);
		return -1;
	}
	return 0;
}

/* "dsrlb --version", also after EAL options or "--". */
static bool
wants_version(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--version") == 0)
			return true;
	return false;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
reload(struct dsr_lb *lb, const char *path)
{
	char err[512];
	unsigned int changes;

	if (dsr_lb_reload(lb, path, &changes, err, sizeof(err)) != 0)
		dsr_log(DSR_LOG_ERR, "SIGHUP: reload of %s failed, nothing changed: %s", path, err);
	else if (changes == 0)
		dsr_log(DSR_LOG_INFO, "SIGHUP: %s has no changes", path);
	else
		dsr_log(DSR_LOG_INFO, "SIGHUP: %s reloaded: %u changes applied", path, changes);
}

/* An empty config is allowed at start (VIPs can be added live), but say so loudly. */
static void
warn_empty(const struct dsr_conf *conf, const char *path)
{
	if (dsr_conf_vip_count(conf) > 0)
		return;
	dsr_log(DSR_LOG_WARNING,
		"config %s defines no VIP: dsrlb forwards nothing until one is added "
		"('dsrlbctl vip add', or the file and SIGHUP)",
		path);
}

static void
main_loop(struct dsr_lb *lb, struct dsr_ctl_server *ctl, const char *conf_path)
{
	uint32_t now;

	while (!sig_quit) {
		now = dsr_lb_now_ms(lb);
		dsr_lb_service(lb, now);
		dsr_show_service(lb, now);
		dsr_ctl_poll(ctl, now);
		if (sig_dump) {
			sig_dump = 0;
			dsr_show_print_stats(lb, stdout);
		}
		if (sig_reload) {
			sig_reload = 0;
			reload(lb, conf_path);
		}
		usleep(1000);
	}
}

static struct dsr_ctl_server *
open_control(struct dsr_lb *lb, const struct dsrlb_opts *o, char *err, size_t errlen)
{
	struct dsr_ctl_params p = {
		.path = o->socket_path,
		.ro_path = o->ro_socket_path,
		.group = "dsrlb",
	};

	return dsr_ctl_open(&p, dsr_show_ctl_handle, dsr_show_ctl_cancel, lb, err, errlen);
}

int
main(int argc, char **argv)
{
	struct dsrlb_opts opts = {0};
	struct dsr_lb_params params;
	char err[512];
	struct dsr_ctl_server *ctl;
	struct dsr_conf *conf;
	struct dsr_lb lb;
	int n, rc = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Before EAL, which would refuse the option or want hugepages for it. */
	if (wants_version(argc, argv)) {
		dsr_opts_print_version("dsrlb");
		return 0;
	}
	/* Before EAL: an early SIGUSR1 or SIGHUP must not kill the daemon. */
	install_signals();
	rte_set_application_usage_hook(eal_usage_hook);
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr,
			"dsrlb: EAL initialisation failed (%s); the EAL lines above say why\n"
			"dsrlb: if no hugepages are reserved, reserve some (echo 1024 > "
			"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages) or run with "
			"--no-huge -m 512\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	argv[0] = prog_name;
	if (parse_args(argc, argv, &opts) != 0)
		goto out_eal;

	conf = malloc(sizeof(*conf));
	if (conf == NULL)
		goto out_eal;
	dsr_conf_init(conf);
	if (dsr_conf_load_file(conf, opts.conf_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		free(conf);
		goto out_eal;
	}
	params.nb_workers = rte_lcore_count() - 1;
	params.lcores = true;
	params.nb_mbufs = opts.nb_mbufs;
	params.record_cycles = opts.record_cycles;
	params.allow_empty = opts.allow_empty;
	if (dsr_lb_init(&lb, conf, &params, err, sizeof(err)) != 0) {
		fprintf(stderr, "dsrlb: %s\n", err);
		free(conf);
		dsr_lb_fini(&lb);
		goto out_eal;
	}
	warn_empty(conf, opts.conf_path);
	free(conf);
	dsr_show_telemetry_register();
	ctl = open_control(&lb, &opts, err, sizeof(err));
	if (ctl == NULL) {
		fprintf(stderr, "dsrlb: %s\n", err);
		dsr_lb_fini(&lb);
		goto out_eal;
	}
	lb.ctl = ctl;
	if (dsr_lb_launch(&lb, err, sizeof(err)) != 0) {
		fprintf(stderr, "dsrlb: %s\n", err);
		dsr_ctl_close(ctl);
		dsr_lb_fini(&lb);
		goto out_eal;
	}
	dsr_log(DSR_LOG_INFO, "dsrlb running: %u workers, %u ports, config %s, control socket %s",
		lb.nb_workers, lb.nb_ports, opts.conf_path, opts.socket_path);
	main_loop(&lb, ctl, opts.conf_path);
	dsr_log(DSR_LOG_INFO, "stopping");
	dsr_lb_stop(&lb);
	dsr_show_print_stats(&lb, stdout);
	lb.ctl = NULL;
	dsr_ctl_close(ctl);
	dsr_lb_fini(&lb);
	rc = 0;
out_eal:
	rte_eal_cleanup();
	return rc;
}

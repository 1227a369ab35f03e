/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The prompt: readline, history kept in ~/.dsrlbctl_history (best
 * effort), Tab completion of the command words of lib/cmd's table.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "dsr_cmd.h"
#include "dsrlbctl.h"

#define PROMPT       "dsrlb> "
#define HISTORY_FILE ".dsrlbctl_history"
#define HISTORY_MAX  1000
#define WORDS_MAX    4  /* words of a command, at most */
#define WORD_MAX     32 /* bytes of a command word, NUL included */
#define CAND_MAX     64

static char cand[CAND_MAX][WORD_MAX]; /* the words that may come next */
static unsigned int ncand;

/* Split up to WORDS_MAX words of s[0..n) into w; -1 if more or longer. */
static int
split_words(const char *s, size_t n, char w[WORDS_MAX][WORD_MAX])
{
	unsigned int nw = 0;
	size_t i = 0, k;

	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			return (int)nw;
		for (k = i; k < n && s[k] != ' ' && s[k] != '\t'; k++)
			;
		if (nw == WORDS_MAX || k - i >= WORD_MAX)
			return -1;
		memcpy(w[nw], s + i, k - i);
		w[nw++][k - i] = '\0';
		i = k;
	}
}

static void
cand_add(const char *word, const char *text)
{
	unsigned int i;

	if (strncmp(word, text, strlen(text)) != 0 || ncand == CAND_MAX)
		return;
	for (i = 0; i < ncand; i++)
		if (strcmp(cand[i], word) == 0)
			return;
	snprintf(cand[ncand++], WORD_MAX, "%s", word);
}

static char *
cand_next(const char *text, int state)
{
	static unsigned int i;

	(void)text;
	if (state == 0)
		i = 0;
	return i < ncand ? strdup(cand[i++]) : NULL;
}

/*
 * Candidates for the word at start: the next word of each table row whose
 * first words are those already typed (a leading "json" aside).
 */
static char **
complete(const char *text, int start, int end)
{
	char typed[WORDS_MAX][WORD_MAX], row[WORDS_MAX][WORD_MAX];
	const struct dsr_cmd_spec *t;
	unsigned int n, i, k, skip = 0;
	int nt, nr;

	(void)end;
	rl_attempted_completion_over = 1; /* never file names */
	ncand = 0;
	nt = split_words(rl_line_buffer, (size_t)start, typed);
	if (nt < 0)
		return NULL;
	if (nt > 0 && strcmp(typed[0], "json") == 0)
		skip = 1;
	if (nt == 0) {
		cand_add("json", text);
		cand_add("quit", text);
		cand_add("exit", text);
	}
	t = dsr_cmd_table(&n);
	for (i = 0; i < n; i++) {
		nr = split_words(t[i].words, strlen(t[i].words), row);
		if (nr <= nt - (int)skip)
			continue;
		for (k = skip; k < (unsigned int)nt; k++)
			if (strcmp(typed[k], row[k - skip]) != 0)
				break;
		if (k == (unsigned int)nt)
			cand_add(row[nt - skip], text);
	}
	return ncand > 0 ? rl_completion_matches(text, cand_next) : NULL;
}

static bool
is_quit(const char *line)
{
	char w[WORDS_MAX][WORD_MAX];

	return split_words(line, strlen(line), w) == 1 &&
	       (strcmp(w[0], "quit") == 0 || strcmp(w[0], "exit") == 0);
}

static void
remember(const char *line, const char *hist)
{
	HIST_ENTRY *last = history_get(history_base + history_length - 1);

	if (last != NULL && strcmp(last->line, line) == 0)
		return;
	add_history(line);
	if (hist != NULL)
		write_history(hist); /* best effort: errors ignored */
}

int
ctl_interactive(struct ctl_conn *c, bool json)
{
	const char *home = getenv("HOME"), *hist = NULL;
	char path[PATH_MAX];
	char *line;

	if (home != NULL && home[0] != '\0' &&
	    snprintf(path, sizeof(path), "%s/%s", home, HISTORY_FILE) < (int)sizeof(path))
		hist = path;
	rl_readline_name = "dsrlbctl";
	rl_attempted_completion_function = complete;
	stifle_history(HISTORY_MAX);
	if (hist != NULL)
		read_history(hist);
	if (c->read_only)
		fprintf(stderr, "dsrlbctl: %s is read-only: only show and help run there\n",
			c->path);
	while ((line = readline(PROMPT)) != NULL) {
		if (line[strspn(line, " \t")] != '\0')
			remember(line, hist);
		if (is_quit(line)) {
			free(line);
			return CTL_OK;
		}
		if (!ctl_line_is_blank(line, strlen(line)) &&
		    ctl_request(c, line, strlen(line), json) != CTL_OK)
			fprintf(stderr, "dsrlbctl: %s\n", c->msg);
		fflush(stdout);
		free(line);
	}
	putchar('\n'); /* EOF (Ctrl-D) leaves the cursor after the prompt */
	return CTL_OK;
}

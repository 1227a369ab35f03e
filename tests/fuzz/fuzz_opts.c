/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sanitizer defaults linked into every fuzz target, so that a run by hand
 * behaves as the meson test does: undefined behaviour is fatal (libFuzzer
 * then saves the input), with a stack trace. ASAN_OPTIONS/UBSAN_OPTIONS
 * in the environment still override them.
 */

const char *__ubsan_default_options(void);
const char *__asan_default_options(void);

__attribute__((used, visibility("default"))) const char *
__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1";
}

__attribute__((used, visibility("default"))) const char *
__asan_default_options(void)
{
	return "detect_leaks=1";
}

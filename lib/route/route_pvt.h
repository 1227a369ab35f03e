/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSR_ROUTE_PVT_H
#define DSR_ROUTE_PVT_H

/* Private to lib/route: shared by route.c (messages) and route_sock.c (the socket). */

#include "dsr_route.h"

/* Room for one receive: the kernel's dump pages are at most 32 kB (8 kB typical). */
#define ROUTE_RECV_MAX 32768

/* Routes a flush deletes at most in one pass (it repeats while it finds some). */
#define ROUTE_FLUSH_BATCH 256

#endif /* DSR_ROUTE_PVT_H */

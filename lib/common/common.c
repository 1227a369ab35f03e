/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <stdio.h>

#include "dsr_common.h"

const char *
dsr_mac_str(const uint8_t mac[6], char *buf)
{
	snprintf(buf, DSR_MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	return buf;
}

const char *
dsr_ip_str(uint32_t ip, char *buf)
{
	const uint8_t *b = (const uint8_t *)&ip;

	snprintf(buf, DSR_IP_STR_LEN, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

const char *
dsr_ip6_str(const uint8_t ip6[16], char *buf)
{
	if (inet_ntop(AF_INET6, ip6, buf, DSR_IP6_STR_LEN) == NULL)
		snprintf(buf, DSR_IP6_STR_LEN, "?");
	return buf;
}

const char *
dsr_addr_str(uint8_t family, uint32_t ip, const uint8_t ip6[16], char *buf)
{
	return family == DSR_AF_IPV6 ? dsr_ip6_str(ip6, buf) : dsr_ip_str(ip, buf);
}

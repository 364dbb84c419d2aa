/* Table-driven CRC-16/CCITT-FALSE, the frame check sequence of the 56k protocol. */
#ifndef XP10_PROTO_CRC16_H
#define XP10_PROTO_CRC16_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_CRC16_INIT 0xFFFFu

uint16_t proto_crc16(const uint8_t *data, size_t length);
uint16_t proto_crc16_update(uint16_t crc, const uint8_t *data, size_t length);

#endif

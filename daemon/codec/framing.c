/* The Confluent wire-format frame around Avro binary: magic byte 0 and a big-endian 32-bit
 * schema id. Byte order only; knows nothing of schemas or Avro. */
#include "codec_internal.h"

void ne_confluent_header_write(int32_t id, unsigned char out[NE_CONFLUENT_HEADER_LEN])
{
        uint32_t u = (uint32_t)id;
        out[0] = NE_CONFLUENT_MAGIC;
        out[1] = (unsigned char)(u >> 24);
        out[2] = (unsigned char)(u >> 16);
        out[3] = (unsigned char)(u >> 8);
        out[4] = (unsigned char)u;
}

int32_t ne_confluent_header_id(const unsigned char *buf)
{
        uint32_t u = (uint32_t)buf[1] << 24 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 8 |
                     (uint32_t)buf[4];
        return (int32_t)u;
}
